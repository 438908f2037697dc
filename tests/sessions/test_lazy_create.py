"""A new session is written with its first message, as pi does: nothing on disk before it."""

from __future__ import annotations

import json
import os
import stat

import pytest

from workbench.sessions import SessionFileError, SessionLocked, SessionManager
from workbench.sessions import manager as manager_module
from workbench.sessions.locks import is_locked, lock_path_for
from workbench.sessions.store import SessionStore


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def _user(text: str, ts: int = 1) -> dict:
    return {"role": "user", "content": [{"type": "text", "text": text}], "timestamp": ts}


def test_a_session_that_never_gets_a_message_leaves_nothing(tmp_path):
    sessions = tmp_path / "s"
    m = SessionManager.create(tmp_path / "proj", sessions_dir=sessions)
    m.append_model_change("anthropic", "claude")
    m.append_thinking_level_change("high")
    m.set_name("named before speaking")
    assert not m.on_disk and not m.path.exists() and not lock_path_for(m.path).exists()
    assert m.name == "named before speaking" and len(m.entries) == 3  # in memory all the same
    m.close()
    assert _files(sessions) == []


def test_the_first_message_writes_header_waiting_entries_and_message_in_one_write(tmp_path, monkeypatch):
    m = SessionManager.create(tmp_path / "proj", sessions_dir=tmp_path / "s")
    change = m.append_model_change("anthropic", "claude")
    writes: list[bytes] = []
    syncs: list[int] = []
    real_write, real_sync = os.write, os.fdatasync
    monkeypatch.setattr(manager_module.os, "write", lambda fd, data: writes.append(bytes(data)) or real_write(fd, data))
    monkeypatch.setattr(manager_module.os, "fdatasync", lambda fd: syncs.append(fd) or real_sync(fd))
    first = m.append_message(_user("hello"))
    monkeypatch.undo()
    assert m.on_disk and len(syncs) == 1
    raw = m.path.read_bytes()
    assert writes == [raw]  # one write: the whole file, every line complete
    lines = [json.loads(line) for line in raw.splitlines()]
    assert [line["type"] for line in lines] == ["session", "model_change", "message"]
    assert lines[0]["id"] == m.session_id and lines[1]["id"] == change and lines[2]["id"] == first
    assert lines[2]["parentId"] == change
    assert stat.S_IMODE(os.stat(m.path).st_mode) == 0o600
    # the writer lock is held from that moment: a second writer is refused
    assert is_locked(m.path)
    with pytest.raises(SessionLocked):
        SessionManager.open(m.path)
    # later appends are ordinary appends
    m.append_message(_user("again", 2))
    m.close()
    with SessionManager.open(m.path, readonly=True) as again:
        assert again.entry_ids() == m.entry_ids() and again.problems == []


def test_a_failed_first_write_loses_nothing_and_the_next_append_retries(tmp_path):
    sessions = tmp_path / "s"
    sessions.write_text("a file where the sessions directory should be")
    m = SessionManager.create(tmp_path / "proj", sessions_dir=sessions)
    change = m.append_model_change("anthropic", "claude")
    with pytest.raises(SessionFileError, match="sessions directory"):
        m.append_message(_user("lost?"))
    assert m.entry_ids() == [change] and m.leaf_id == change and not m.on_disk
    sessions.unlink()
    first = m.append_message(_user("not lost"))
    m.close()
    with SessionManager.open(m.path, readonly=True) as again:
        assert again.entry_ids() == [change, first]


def test_fork_writes_at_once(tmp_path):
    m = SessionManager.create(tmp_path / "proj", sessions_dir=tmp_path / "s")
    first = m.append_message(_user("one"))
    fork = m.fork(first)
    assert fork.on_disk and fork.path.exists()
    fork.close()
    m.close()


def test_continue_recent_skips_sessions_without_messages(tmp_path):
    cwd = tmp_path / "proj"
    store = SessionStore(tmp_path / "s", use_cache=False)
    used = SessionManager.create(cwd, sessions_dir=tmp_path / "s")
    used.append_message(_user("the one I used"))
    used.close()
    # an empty file, as older versions left on every launch, written after it
    empty = store.session_dir_for(cwd) / "2099-01-01T00-00-00-000Z_00000000-0000-4000-8000-000000000001.jsonl"
    empty.write_text(json.dumps({"type": "session", "version": 3, "id": "00000000-0000-4000-8000-000000000001",
                                 "timestamp": "2099-01-01T00:00:00.000Z", "cwd": str(cwd)}) + "\n")
    assert store.continue_recent(cwd) == used.path
    empty.unlink()
    assert store.continue_recent(tmp_path / "elsewhere") is None
