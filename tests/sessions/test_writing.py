"""What the manager writes: pi's bytes, appends only, crash-safe layout, owner-only files."""

from __future__ import annotations

import json
import os
import stat

import pytest

from workbench.sessions import EntryFactory, SessionFileError, SessionManager, SessionReadOnly
from workbench.sessions.paths import encode_cwd, session_file_name

from .conftest import FIXTURES, FixedFactory, load_expected


class Scripted:
    """Hands out the ids and timestamps pi used, in the order the manager asks for them."""

    def __init__(self):
        self.ids: list[str] = []
        self.times: list[str] = []
        self.session_ids: list[str] = []
        self.factory = EntryFactory(now=self.times.pop, new_id=lambda taken: self.ids.pop(), new_session_id=self.session_ids.pop)

    def queue(self, *, ids=(), times=(), session_ids=()):
        # pop() takes from the end
        self.ids[:0] = reversed(list(ids))
        self.times[:0] = reversed(list(times))
        self.session_ids[:0] = reversed(list(session_ids))


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def replay(manager: SessionManager, script: Scripted, entries: list[dict]) -> None:
    """Re-create `entries` through the public API (moving the leaf where pi's file did)."""
    for e in entries:
        script.queue(ids=[e["id"]], times=[e["timestamp"]])
        kind = e["type"]
        if kind == "branch_summary":
            manager.branch_with_summary(e["parentId"], e["summary"], e.get("details"), e.get("fromHook"))
            continue
        if e["parentId"] != manager.leaf_id:
            manager.branch(e["parentId"]) if e["parentId"] else manager.reset_leaf()
        if kind == "message":
            manager.append_message(e["message"])
        elif kind == "model_change":
            manager.append_model_change(e["provider"], e["modelId"])
        elif kind == "thinking_level_change":
            manager.append_thinking_level_change(e["thinkingLevel"])
        elif kind == "compaction":
            manager.append_compaction(e["summary"], e["firstKeptEntryId"], e["tokensBefore"], e.get("details"), e.get("fromHook"))
        elif kind == "custom":
            manager.append_custom(e["customType"], e.get("data"))
        elif kind == "custom_message":
            manager.append_custom_message(e["customType"], e["content"], e["display"], e.get("details"))
        elif kind == "label":
            manager.set_label(e["targetId"], e.get("label"))
        elif kind == "session_info":
            manager.set_name(e["name"])
        else:
            raise AssertionError(kind)


def _write_branched(tmp_path) -> tuple[SessionManager, Scripted]:
    fixture = _lines(FIXTURES / "v3-branched-session.jsonl")
    header = fixture[0]
    script = Scripted()
    script.queue(times=[header["timestamp"]], session_ids=[header["id"]])
    manager = SessionManager.create(header["cwd"], sessions_dir=tmp_path, factory=script.factory)
    replay(manager, script, fixture[1:])
    return manager, script


def test_written_file_is_byte_identical_to_pis(tmp_path):
    manager, _ = _write_branched(tmp_path)
    expected = (FIXTURES / "v3-branched-session.jsonl").read_bytes()
    assert manager.path == tmp_path / "--home-dev-projects-todo-cli--" / load_expected("v3-branched-session.expected.json")["file"]
    assert manager.path.read_bytes() == expected
    manager.close()


def test_fork_writes_what_pis_fork_writes(tmp_path):
    manager, script = _write_branched(tmp_path)
    fixture = _lines(FIXTURES / "v3-forked-session.jsonl")
    header = fixture[0]
    label = fixture[11]
    assert label["type"] == "label"
    script.queue(ids=[label["id"]], times=[label["timestamp"], header["timestamp"]], session_ids=[header["id"]])
    fork = manager.fork(fixture[10]["id"])
    replay(fork, script, fixture[12:])
    written = fork.path.read_bytes().splitlines(keepends=True)
    pi_lines = (FIXTURES / "v3-forked-session.jsonl").read_bytes().splitlines(keepends=True)
    assert written[1:] == pi_lines[1:]
    got_header = json.loads(written[0])
    assert got_header["parentSession"] == str(manager.path.absolute())
    assert list(got_header) == list(header)
    assert {**got_header, "parentSession": header["parentSession"]} == header
    assert fork.path.parent == manager.path.parent
    expected = load_expected("v3-forked-session.expected.json")
    assert fork.leaf_id == expected["leafIdAfterLoad"]
    assert fork.labels == expected["labels"]
    assert fork.build_context().to_json() == expected["fullContextAtLoadedLeaf"]
    fork.close()
    manager.close()


def test_line_format_rules(tmp_path):
    m = SessionManager.create(tmp_path / "proj", sessions_dir=tmp_path / "s")
    m.append_message({"role": "user", "content": "héllo ✓ 日本", "timestamp": 1})
    m.append_custom("x")  # no data: the key is omitted, never null
    compaction = m.append_compaction("sum", m.leaf_id, 10)
    m.set_label(compaction, "lbl")
    m.set_label(compaction, None)
    raw = m.path.read_bytes()
    assert raw.endswith(b"\n") and b"\n\n" not in raw
    assert "héllo ✓ 日本".encode() in raw  # non-ASCII as UTF-8, like JSON.stringify
    lines = [json.loads(line) for line in raw.splitlines()]
    assert all(", " not in line.decode() and '": ' not in line.decode() for line in raw.splitlines())
    ids = [entry["id"] for entry in lines[1:]]
    assert len(set(ids)) == len(ids) and all(len(i) == 8 and int(i, 16) >= 0 for i in ids)
    assert lines[1]["parentId"] is None and "parentId" in lines[1]
    assert lines[2] == {"type": "custom", "customType": "x", "id": ids[1], "parentId": ids[0], "timestamp": lines[2]["timestamp"]}
    assert "details" not in lines[3] and "fromHook" not in lines[3]
    assert "label" not in lines[5] and lines[5]["targetId"] == lines[4]["targetId"]
    for entry in lines:
        assert len(entry["timestamp"]) == 24 and entry["timestamp"].endswith("Z")
    m.close()


def test_create_names_files_like_pi_and_owner_only(tmp_path):
    script = FixedFactory()
    m = SessionManager.create("/home/dev/my:proj", sessions_dir=tmp_path, factory=script.factory)
    assert m.path.parent.name == "--home-dev-my-proj--" == encode_cwd("/home/dev/my:proj")
    assert m.path.name == session_file_name(m.header["timestamp"], m.session_id)
    assert m.path.name.startswith(m.header["timestamp"].replace(":", "-").replace(".", "-") + "_")
    m.append_message({"role": "user", "content": "hi", "timestamp": 1})
    assert stat.S_IMODE(os.stat(m.path).st_mode) == 0o600
    assert json.loads(m.path.read_bytes().splitlines()[0]) == {
        "type": "session", "version": 3, "id": m.session_id, "timestamp": m.header["timestamp"], "cwd": "/home/dev/my:proj",
    }
    m.close()
    assert encode_cwd("C:\\Users\\me") == "--C--Users-me--"


def test_extra_header_and_parent_session(tmp_path):
    m = SessionManager.create(tmp_path, sessions_dir=tmp_path / "s", parent_session="/x/y.jsonl", extra_header={"mob": {"name": "m"}})
    m.append_message({"role": "user", "content": "hi", "timestamp": 1})
    header = json.loads(m.path.read_bytes().splitlines()[0])
    assert list(header) == ["type", "version", "id", "timestamp", "cwd", "parentSession", "mob"]
    m.close()
    again = SessionManager.open(m.path, readonly=True)
    assert again.header["mob"] == {"name": "m"} and again.parent_session == "/x/y.jsonl"
    with pytest.raises(Exception, match="version"):
        SessionManager.create(tmp_path, sessions_dir=tmp_path / "s", extra_header={"version": 9})


def test_unknown_types_and_fields_survive_appends(tmp_path):
    path = tmp_path / "s.jsonl"
    original = (
        b'{"type":"session","version":3,"id":"u-1","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p","futureHeader":1}\n'
        b'{"type":"message","id":"aaaaaaaa","parentId":null,"timestamp":"2026-01-01T00:00:00.001Z","message":{"role":"user","content":"hi","timestamp":1},"extra":{"z":1}}\n'
        b'{"type":"future_thing","id":"bbbbbbbb","parentId":"aaaaaaaa","timestamp":"2026-01-01T00:00:00.002Z","payload":[1,2]}\n'
        b'{"z":1,"type":"message","parentId":"bbbbbbbb","id":"cccccccc","timestamp":"2026-01-01T00:00:00.003Z","message":{"role":"assistant","content":[],"provider":"p","model":"m"}}\n'
    )
    path.write_bytes(original)
    with SessionManager.open(path) as m:
        assert m.leaf_id == "cccccccc" and m.problems == []
        assert m.get_entry("bbbbbbbb")["payload"] == [1, 2]
        assert m.get_entry("aaaaaaaa")["extra"] == {"z": 1}
        assert m.build_context().model == {"provider": "p", "modelId": "m"}
        m.append_message({"role": "user", "content": "more", "timestamp": 2})
    data = path.read_bytes()
    assert data.startswith(original)
    with SessionManager.open(path, readonly=True) as m:
        assert m.header["futureHeader"] == 1
        assert [e["type"] for e in m.get_branch()] == ["message", "future_thing", "message", "message"]


def test_torn_last_line_is_reported_and_never_glued(tmp_path):
    path = tmp_path / "s.jsonl"
    head = b'{"type":"session","version":3,"id":"u-1","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p"}\n'
    good = b'{"type":"message","id":"aaaaaaaa","parentId":null,"timestamp":"2026-01-01T00:00:00.001Z","message":{"role":"user","content":"hi","timestamp":1}}\n'
    torn = b'{"type":"message","id":"bbbbbbbb","parentId":"aaaaaaaa","timestamp":"2026-01-01T00:00:00.002Z","message":{"role":"assis'
    path.write_bytes(head + good + torn)
    with SessionManager.open(path) as m:
        assert [(p.line, p.kind) for p in m.problems] == [(3, "torn")]
        assert m.leaf_id == "aaaaaaaa"  # the last entry that parsed
        new_id = m.append_message({"role": "user", "content": "after", "timestamp": 2})
    data = path.read_bytes()
    assert data.startswith(head + good + torn + b"\n")  # torn bytes kept, on their own line
    with SessionManager.open(path, readonly=True) as m:
        assert [(p.line, p.kind) for p in m.problems] == [(3, "unparseable")]
        assert m.leaf_id == new_id and m.get_entry(new_id)["parentId"] == "aaaaaaaa"
        assert m.get_entry(new_id)  # and the new entry's line number is right
        assert m._by_id[new_id].line == 4


def test_torn_but_complete_last_line_is_kept_and_reported(tmp_path):
    path = tmp_path / "s.jsonl"
    head = b'{"type":"session","version":3,"id":"u-1","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p"}\n'
    last = b'{"type":"message","id":"aaaaaaaa","parentId":null,"timestamp":"2026-01-01T00:00:00.001Z","message":{"role":"user","content":"hi","timestamp":1}}'
    path.write_bytes(head + last)
    with SessionManager.open(path) as m:
        assert [(p.line, p.kind) for p in m.problems] == [(2, "torn")]
        assert m.leaf_id == "aaaaaaaa"
        m.append_custom("k")
    assert path.read_bytes().startswith(head + last + b"\n{")


def test_glued_objects_are_recovered_as_two_entries(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(
        b'{"type":"session","version":3,"id":"u-1","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p"}\n'
        b'{"type":"message","id":"aaaaaaaa","parentId":null,"timestamp":"2026-01-01T00:00:00.001Z","message":{"role":"user","content":"a","timestamp":1}}'
        b'{"type":"message","id":"bbbbbbbb","parentId":"aaaaaaaa","timestamp":"2026-01-01T00:00:00.002Z","message":{"role":"user","content":"b","timestamp":2}}\n'
        b'{"type":"message","id":"cccccccc","parentId":"bbbbbbbb","timestamp":"2026-01-01T00:00:00.003Z","message":{"role":"user","content":"c","timestamp":3}}\n'
    )
    with SessionManager.open(path) as m:
        assert [(p.line, p.kind) for p in m.problems] == [(2, "glued")]
        assert [e["message"]["content"] for e in m.get_branch()] == ["a", "b", "c"]
        fork = m.fork("bbbbbbbb")
        fork_lines = fork.path.read_bytes().splitlines()
        assert fork_lines[1].endswith(b'"content":"a","timestamp":1}}') and fork_lines[2].startswith(b'{"type":"message","id":"bbbbbbbb"')
        fork.close()


def test_torn_line_glued_to_a_later_entry_is_recovered(tmp_path):
    # what pi produces when it appends after a crash left a torn line
    path = tmp_path / "s.jsonl"
    path.write_bytes(
        b'{"type":"session","version":3,"id":"u-1","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p"}\n'
        b'{"type":"message","id":"aaaaaaaa","parentId":null,"timestamp":"2026-01-01T00:00:00.001Z","message":{"role":"user","content":"a","timestamp":1}}\n'
        b'{"type":"message","id":"bbbbbbbb","parentId":"aaaaaaaa","timestamp":"2026-01-01T00:00:00.002Z","message":{"role":"assi'
        b'{"type":"message","id":"cccccccc","parentId":"aaaaaaaa","timestamp":"2026-01-01T00:00:00.003Z","message":{"role":"user","content":"c","timestamp":3}}\n'
    )
    with SessionManager.open(path, readonly=True) as m:
        assert {p.kind for p in m.problems} == {"unparseable", "glued"}
        assert all(p.line == 3 for p in m.problems)
        assert m.leaf_id == "cccccccc" and [e["id"] for e in m.get_branch()] == ["aaaaaaaa", "cccccccc"]


def test_unparseable_lines_are_reported_and_kept(tmp_path):
    path = tmp_path / "s.jsonl"
    lines = [
        b'{"type":"session","version":3,"id":"u-1","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p"}',
        b'{"type":"message","id":"aaaaaaaa","parentId":null,"timestamp":"2026-01-01T00:00:00.001Z","message":{"role":"user","content":"a","timestamp":1}}',
        b"this is not json",
        b"[1,2,3]",
        b'{"type":"message","parentId":null}',
        b'{"type":"message","id":"bbbbbbbb","parentId":"aaaaaaaa","timestamp":"2026-01-01T00:00:00.002Z","message":{"role":"user","content":"x"',
    ]
    original = b"\n".join(lines) + b"\n"
    path.write_bytes(original)
    with SessionManager.open(path) as m:
        assert [(p.line, p.kind) for p in m.problems] == [(3, "unparseable"), (4, "not-object"), (5, "missing-id"), (6, "unparseable")]
        assert all(str(p).startswith(f"line {p.line}: ") for p in m.problems)
        m.append_custom("k")
    assert path.read_bytes().startswith(original)


def test_corrupt_body_behind_a_valid_prefix_is_reported_lazily(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(
        b'{"type":"session","version":3,"id":"u-1","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p"}\n'
        b'{"type":"message","id":"aaaaaaaa","parentId":null,"timestamp":"2026-01-01T00:00:00.001Z","message":{"role":"user","content":"a","timestamp":1}}\n'
        b'{"type":"message","id":"bbbbbbbb","parentId":"aaaaaaaa","timestamp":"2026-01-01T00:00:00.002Z","message":{"role":"user" "x"}}\n'
    )
    with SessionManager.open(path, readonly=True) as m:
        assert m.problems == []  # the prefix is fine: the body is only read when needed
        context = m.build_context()
        assert [msg["content"] for msg in context.messages] == ["a"]
        assert [(p.line, p.kind) for p in m.problems] == [(3, "corrupt")]
    with SessionManager.open(path, readonly=True) as m:
        assert [(p.line, p.kind) for p in m.verify()] == [(3, "corrupt")]  # verify() reads every line now
        assert [(p.line, p.kind) for p in m.verify()] == [(3, "corrupt")]  # reported once


@pytest.mark.parametrize(
    "content",
    [b"", b"\n\n", b"garbage\n", b'{"type":"message","id":"a","parentId":null}\n', b'{"type":"session"}\n', b"[1]\n"],
)
def test_missing_or_corrupt_header_names_the_file_and_never_truncates(tmp_path, content):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(SessionFileError) as info:
        SessionManager.open(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == content
    assert not (tmp_path / "bad.jsonl.lock").exists()  # the lock was released


MESSAGE_LINE = b'{"type":"message","id":"a1","parentId":null,"timestamp":"2026-01-01T00:00:00.000Z","message":{"role":"user","content":"hi"}}\n'


@pytest.mark.parametrize(
    "content, line, reason",
    [
        (b'{"type":"session","version":3,"id":"s1","tim\n' + MESSAGE_LINE, 1, "unparseable JSON"),  # torn, then appended to
        (b'{"type":"session","version":3,"id":"s1","tim', 1, "incomplete last line"),  # torn, nothing after
        (b'\n{"type":"sess' + MESSAGE_LINE, 2, "unparseable JSON"),  # torn and glued to the next entry
        (MESSAGE_LINE, 1, "is not a session header"),
        (b"\n\n" + MESSAGE_LINE, 3, "is not a session header"),
    ],
)
def test_a_damaged_header_is_reported_on_its_own_line(tmp_path, content, line, reason):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(SessionFileError) as info:
        SessionManager.open(path)
    assert f"line {line} " in str(info.value) and reason in str(info.value)
    assert path.read_bytes() == content


def test_missing_file(tmp_path):
    with pytest.raises(SessionFileError) as info:
        SessionManager.open(tmp_path / "nope.jsonl")
    assert info.value.exit_code == 10 and "nope.jsonl" in str(info.value)


def test_readonly_refuses_writes(tmp_path):
    m = SessionManager.create(tmp_path, sessions_dir=tmp_path / "s")
    m.append_message({"role": "user", "content": "x", "timestamp": 1})
    m.close()
    with pytest.raises(SessionReadOnly):
        m.append_custom("y")
    ro = SessionManager.open(m.path, readonly=True)
    with pytest.raises(SessionReadOnly):
        ro.set_name("n")
    assert len(ro.entries) == 1


def test_round_trip_with_branches_labels_fork_and_compaction(tmp_path):
    m = SessionManager.create(tmp_path / "p", sessions_dir=tmp_path / "s")
    m.append_model_change("anthropic", "claude")
    m.append_thinking_level_change("medium")
    u1 = m.append_message({"role": "user", "content": [{"type": "text", "text": "one"}], "timestamp": 1})
    a1 = m.append_message({"role": "assistant", "content": [{"type": "text", "text": "r1"}], "provider": "anthropic", "model": "claude", "timestamp": 2})
    u2 = m.append_message({"role": "user", "content": "two", "timestamp": 3})
    m.append_message({"role": "assistant", "content": [], "provider": "openai", "model": "gpt", "timestamp": 4})
    m.set_label(u1, "start")
    m.set_name("trip")
    m.branch(a1)
    m.append_message({"role": "user", "content": "other way", "timestamp": 5})
    m.branch_with_summary(u2, "went elsewhere", {"readFiles": []})
    m.append_custom_message("note", "remember", display=False)
    comp = m.append_compaction("compacted", u2, 1234, {"x": 1})
    m.append_message({"role": "user", "content": "after", "timestamp": 6})
    fork = m.fork(comp)
    fork.append_message({"role": "user", "content": "in fork", "timestamp": 7})
    tree_before = [(n.id, d, n.label) for n, d in _walk(m)]
    contexts_before = {entry["id"]: m.build_context(entry["id"]) for entry in m.entries}
    leaf, path = m.leaf_id, m.path
    m.close()
    again = SessionManager.open(path, readonly=True)
    assert again.problems == [] and again.leaf_id == leaf and again.name == "trip" and again.labels == {u1: "start"}
    assert [(n.id, d, n.label) for n, d in _walk(again)] == tree_before
    for entry_id, context in contexts_before.items():
        assert again.build_context(entry_id) == context
    ctx = again.build_context()
    assert [msg["role"] for msg in ctx.messages] == ["compactionSummary", "user", "branchSummary", "custom", "user"]
    assert ctx.thinking_level == "medium" and ctx.model == {"provider": "anthropic", "modelId": "claude"}
    fork_path = fork.path
    fork.close()
    reopened_fork = SessionManager.open(fork_path, readonly=True)
    assert reopened_fork.parent_session == str(path.absolute())
    assert reopened_fork.labels == {u1: "start"}
    assert [msg["content"] for msg in reopened_fork.build_context().messages[-1:]] == ["in fork"]


def _walk(m):
    from workbench.sessions import walk_depth_first

    return walk_depth_first(m.get_tree())


def test_in_memory_session_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    m = SessionManager.in_memory(tmp_path)
    first = m.append_message({"role": "user", "content": "x", "timestamp": 1})
    m.set_label(first, "l")
    fork = m.fork(first)
    assert m.path is None and fork.path is None and "parentSession" not in fork.header
    assert fork.labels == {first: "l"} and list(tmp_path.iterdir()) == []


def test_reset_leaf_and_errors(tmp_path):
    from workbench.sessions import EntryNotFound

    m = SessionManager.in_memory(tmp_path)
    a = m.append_message({"role": "user", "content": "x", "timestamp": 1})
    m.reset_leaf()
    assert m.build_context().messages == []
    b = m.append_message({"role": "user", "content": "y", "timestamp": 2})
    assert m.get_entry(b)["parentId"] is None and [n.id for n in m.get_tree()] == [a, b]
    assert m.build_context(None).messages == []
    for call in (lambda: m.branch("zzz"), lambda: m.set_label("zzz", "x"), lambda: m.build_context("zzz"), lambda: m.fork("zzz")):
        with pytest.raises(EntryNotFound):
            call()
    bs = m.branch_with_summary(None, "from root")
    assert m.get_entry(bs)["fromId"] == "root" and m.get_entry(bs)["parentId"] is None


def test_v1_file_upgrades_on_first_append_keeping_a_backup(tmp_path):
    source = FIXTURES / "v1-before-compaction.jsonl"
    path = tmp_path / "old.jsonl"
    original = source.read_bytes()
    path.write_bytes(original + b"not json at all\n")
    with SessionManager.open(path) as m:
        before = m.build_context()
        new_id = m.append_message({"role": "user", "content": "continue", "timestamp": 9})
    assert (tmp_path / "old.jsonl.v1.bak").read_bytes() == original + b"not json at all\n"
    data = path.read_bytes()
    assert data.splitlines()[-2] == b"not json at all"  # a bad line survives the rewrite
    with SessionManager.open(path, readonly=True) as m:
        assert m.source_version == 3 and m.header["version"] == 3
        context = m.build_context()
        assert context.messages[:-1] == before.messages
        assert context.messages[-1]["content"] == "continue" and m.leaf_id == new_id
        assert [p.kind for p in m.problems] == ["unparseable"]


def test_tree_kept_up_to_date_by_appends_matches_a_fresh_build(tmp_path):
    from workbench.sessions.tree import build_tree

    clock = FixedFactory()
    m = SessionManager.in_memory(tmp_path, factory=clock.factory)
    first = m.append_message({"role": "user", "content": "a", "timestamp": 1})
    m.get_tree()  # build now; everything below updates it incrementally
    second = m.append_message({"role": "user", "content": "b", "timestamp": 2})
    m.set_label(first, "one")
    m.branch(first)
    m.append_message({"role": "user", "content": "c", "timestamp": 3})
    m.set_label(first, None)
    m.set_label(second, "two")
    m.reset_leaf()
    m.append_custom("new-root")
    m.branch_with_summary(second, "s")

    def shape(roots):
        from workbench.sessions import walk_depth_first

        return [(n.id, d, n.label) for n, d in walk_depth_first(roots)]

    assert shape(m.get_tree()) == shape(build_tree(m._unique_records(), m.labels))
    assert [n.label for n, _ in _walk(m) if n.id in (first, second)] == [None, "two"]
