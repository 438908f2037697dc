"""SessionStore: where sessions live, listing per cwd and across all, the cache, resolving ids and paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gen_session import generate_session, session_lines, write_session
from workbench.errors import SessionNotFound
from workbench.sessions.cache import CACHE_FILE
from workbench.sessions.listing import scan_session
from workbench.sessions.paths import session_dir_for
from workbench.sessions.store import AmbiguousSession, SessionStore

from .conftest import install_fixture

TODO_CWD = "/home/dev/projects/todo-cli"


def make_session(sessions_dir: Path, cwd: str, seed: int, **kw) -> Path:
    from datetime import datetime, timedelta, timezone
    start = datetime(2026, 3, 1, tzinfo=timezone.utc) + timedelta(days=seed)
    return generate_session(session_dir_for(sessions_dir, cwd), target_bytes=kw.pop("size", 40_000),
                            entries=kw.pop("entries", 40), seed=seed, cwd=cwd, start=start, **kw).path


def test_default_dirs_follow_workbench_home(home):
    store = SessionStore()
    assert store.sessions_dir == home / "sessions"
    assert store.session_dir_for("/home/dev/projects/todo-cli") == home / "sessions" / "--home-dev-projects-todo-cli--"
    assert store.list(all_dirs=True) == []
    assert store.continue_recent("/nowhere") is None


def test_list_per_cwd_and_all(home, fixture_sessions):
    other = make_session(home / "sessions", "/srv/other", seed=1)
    store = SessionStore()
    mine = store.list(TODO_CWD)
    assert {i.path for i in mine} == {fixture_sessions["v3-branched-session"], fixture_sessions["v3-forked-session"]}
    everything = store.list(all_dirs=True)
    assert {i.path for i in everything} == set(fixture_sessions.values()) | {other}
    # Most recent activity first.
    assert [i.modified for i in everything] == sorted((i.modified for i in everything), reverse=True)
    branched = next(i for i in mine if i.path == fixture_sessions["v3-branched-session"])
    assert branched.name == "Verbose flag work" and branched.source == "workbench"
    assert branched.first_message == "Add a --verbose flag to the CLI"
    forked = next(i for i in mine if i.path == fixture_sessions["v3-forked-session"])
    assert forked.parent_session.endswith("095c9696-bb99-4ea8-b0c1-bb964370bc89.jsonl")


def test_list_defaults_to_current_directory(home, monkeypatch, tmp_path):
    work = tmp_path / "proj"
    work.mkdir()
    made = make_session(home / "sessions", str(work), seed=2)
    monkeypatch.chdir(work)
    assert [i.path for i in SessionStore().list()] == [made]


def test_pi_sessions_dir_is_listed_and_marked(home, tmp_path):
    pi_dir = tmp_path / "pi" / "sessions"
    pi_file = install_fixture(pi_dir, "v3-branched-session")
    own = make_session(home / "sessions", TODO_CWD, seed=3)
    store = SessionStore(pi_sessions_dir=pi_dir)
    rows = {i.path: i.source for i in store.list(TODO_CWD)}
    assert rows == {pi_file: "pi", own: "workbench"}
    assert store.resolve("095c96") == pi_file


def test_pi_sessions_dir_from_settings(home, tmp_path):
    pi_dir = tmp_path / "pi-sessions"
    pi_file = install_fixture(pi_dir, "v3-forked-session")
    (home / "config.toml").write_text(f'[sessions]\npi_sessions_dir = "{pi_dir}"\n')
    store = SessionStore.from_settings()
    assert store.pi_sessions_dir == pi_dir
    assert [(i.path, i.source) for i in store.list(all_dirs=True)] == [(pi_file, "pi")]


def test_same_dir_as_pi_dir_is_listed_once(home, fixture_sessions):
    store = SessionStore(pi_sessions_dir=home / "sessions")
    assert len(store.list(all_dirs=True)) == 3


def test_second_listing_comes_from_cache(home, fixture_sessions):
    store = SessionStore()
    first = store.list(all_dirs=True)
    assert store.cache_stats == {"hits": 0, "appended": 0, "scanned": 3}
    assert (home / "cache" / CACHE_FILE).is_file()
    again = SessionStore()  # a new process: only the cache file carries over
    assert again.list(all_dirs=True) == first
    assert again.cache_stats == {"hits": 3, "appended": 0, "scanned": 0}


def test_appended_file_is_continued_not_rescanned(home):
    cwd = "/w/append"
    lines, _ = session_lines(target_bytes=100_000, entries=80, seed=5, cwd=cwd)
    path = session_dir_for(home / "sessions", cwd) / "2026-01-05T09-00-00-000Z_x.jsonl"
    write_session(path, lines[:40])
    SessionStore().list(cwd)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("".join(lines[40:]))
    store = SessionStore()
    [info] = store.list(cwd)
    assert store.cache_stats["appended"] == 1 and store.cache_stats["scanned"] == 0
    assert info == scan_session(path)


def test_rewritten_file_is_rescanned(home):
    cwd = "/w/rewrite"
    path = make_session(home / "sessions", cwd, seed=6)
    [before] = SessionStore().list(cwd)
    # Same file, different content and header but longer: the fingerprint must catch it.
    lines, _ = session_lines(target_bytes=80_000, entries=60, seed=99, cwd=cwd)
    write_session(path, lines)
    store = SessionStore()
    [after] = store.list(cwd)
    assert store.cache_stats["scanned"] == 1
    assert after.id != before.id and after == scan_session(path)


def test_same_size_rewrite_with_new_mtime_is_rescanned(home):
    cwd = "/w/same-size"
    path = make_session(home / "sessions", cwd, seed=8)
    SessionStore().list(cwd)
    data = path.read_bytes().replace(b"bench session 8", b"bench session X")
    path.write_bytes(data)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    [info] = SessionStore().list(cwd)
    assert info.name == "bench session X"


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"version":1,"files":{"x":{"size":"a"}}}',
                                     b'{"version":1,"files":[]}', b"[1,2]", b"\x00\xff",
                                     b'{"version":1,"files":{"/x":{"size":1,"mtime_ns":1,"fingerprint":"f",'
                                     b'"state":{"offset":"12","header":null}}}}'])
def test_corrupt_cache_is_rebuilt_silently(home, fixture_sessions, garbage):
    expected = SessionStore(use_cache=False).list(all_dirs=True)
    cache = home / "cache" / CACHE_FILE
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(garbage)
    store = SessionStore()
    assert store.list(all_dirs=True) == expected
    assert store.cache_stats["scanned"] == 3
    assert json.loads(cache.read_bytes())["version"] == 1


def test_unwritable_cache_only_costs_speed(home, fixture_sessions):
    (home / "cache").write_text("a file where the cache dir should be")
    assert len(SessionStore().list(all_dirs=True)) == 3


def test_deleted_session_leaves_listing_and_cache(home, fixture_sessions):
    SessionStore().list(all_dirs=True)
    fixture_sessions["v3-forked-session"].unlink()
    assert len(SessionStore().list(all_dirs=True)) == 2
    files = json.loads((home / "cache" / CACHE_FILE).read_bytes())["files"]
    assert str(fixture_sessions["v3-forked-session"]) not in files and len(files) == 2


def test_non_session_files_are_reported_not_listed(home, fixture_sessions):
    bad = session_dir_for(home / "sessions", TODO_CWD) / "broken.jsonl"
    bad.write_text("garbage\n")
    (bad.parent / "notes.txt").write_text("not a session")
    store = SessionStore()
    assert len(store.list(TODO_CWD)) == 2
    assert store.problems == [f"{bad}: not a session file (no session header on line 1)"]


def test_continue_recent_picks_last_written_file(home):
    cwd = "/w/recent"
    a = make_session(home / "sessions", cwd, seed=10)
    b = make_session(home / "sessions", cwd, seed=11)
    os.utime(a, (1_800_000_000, 1_800_000_000))
    os.utime(b, (1_700_000_000, 1_700_000_000))
    assert SessionStore().continue_recent(cwd) == a
    os.utime(b, (1_900_000_000, 1_900_000_000))
    assert SessionStore().continue_recent(cwd) == b
    assert SessionStore().continue_recent("/w/elsewhere") is None


def test_resolve_by_prefix_path_and_errors(home, fixture_sessions, tmp_path, monkeypatch):
    store = SessionStore()
    branched = fixture_sessions["v3-branched-session"]
    assert store.resolve("095c9696") == branched
    assert store.resolve("095C96") == branched  # ids are hex: case does not matter
    assert store.resolve("095c9696-bb99-4ea8-b0c1-bb964370bc89") == branched
    assert store.resolve(str(branched)) == branched.resolve()
    monkeypatch.chdir(branched.parent)
    assert store.resolve(branched.name) == branched.resolve()
    assert store.resolve("./" + branched.name, cwd=branched.parent) == branched.resolve()
    with pytest.raises(SessionNotFound, match="no session with an id starting with 'deadbeef'"):
        store.resolve("deadbeef")
    with pytest.raises(SessionNotFound, match="no session file at"):
        store.resolve(str(tmp_path / "missing.jsonl"))
    with pytest.raises(SessionNotFound):
        store.resolve("  ")


def test_ambiguous_prefix_lists_candidates(home):
    cwd = "/w/amb"
    paths = [make_session(home / "sessions", cwd, seed=s) for s in (20, 21)]
    ids = [scan_session(p).id for p in paths]
    # Rename both ids to share a prefix.
    for p, new in zip(paths, ["abcd1111-0000-4000-8000-000000000000", "abcd2222-0000-4000-8000-000000000000"]):
        p.write_bytes(p.read_bytes().replace(scan_session(p).id.encode(), new.encode(), 1))
    store = SessionStore()
    with pytest.raises(AmbiguousSession) as exc:
        store.resolve("abcd")
    assert exc.value.exit_code == 2
    assert {str(p) for p in paths} <= set(exc.value.details["candidates"])
    assert all(str(p) in str(exc.value) for p in paths)
    assert store.resolve("abcd2") == paths[1]
    assert ids[0] != ids[1]


def test_damaged_entry_for_a_listed_file_is_rescanned(home, fixture_sessions):
    store = SessionStore()
    expected = store.list(all_dirs=True)
    cache = home / "cache" / CACHE_FILE
    raw = json.loads(cache.read_bytes())
    key = str(fixture_sessions["v3-branched-session"])
    raw["files"][key]["state"]["offset"] = "12"
    raw["files"][key]["state"]["message_count"] = 999
    cache.write_text(json.dumps(raw))
    again = SessionStore()
    assert again.list(all_dirs=True) == expected
    assert again.cache_stats["hits"] == 0


def test_sessions_written_by_the_manager_are_listed_and_followed(home, tmp_path):
    from workbench.sessions.manager import SessionManager

    cwd = str(tmp_path / "project")
    store = SessionStore()
    m = SessionManager.create(cwd)
    try:
        assert m.path.parent == store.session_dir_for(cwd)
        m.append_message({"role": "user", "content": [{"type": "text", "text": "hello there"}], "timestamp": 1_800_000_000_000})
        [info] = store.list(cwd)
        assert (info.id, info.message_count, info.first_message, info.name) == (m.session_id, 1, "hello there", None)
        m.set_name("greeting")
        m.append_message({"role": "assistant", "content": [{"type": "text", "text": "hi"}], "api": "x", "provider": "p",
                          "model": "m", "usage": {}, "stopReason": "stop", "timestamp": 1_800_000_005_000})
        [info] = store.list(cwd)
        assert store.cache_stats["appended"] == 1
        assert (info.message_count, info.name) == (2, "greeting")
        assert info.modified.timestamp() == 1_800_000_005
        assert store.continue_recent(cwd) == m.path
        assert store.resolve(m.session_id[:8]) == m.path
    finally:
        m.close()
