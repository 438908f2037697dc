"""Persistence off the event loop: the session tree is only ever mutated on the loop thread, only
the write + fdatasync run in a worker thread, the file is byte-for-byte what plain appends write,
and every event about an entry is published after that entry is on disk."""

from __future__ import annotations

import asyncio
import errno
import itertools
import json
import os
import threading
from pathlib import Path

import pytest

from workbench.runtime.persist import DurableAppender
from workbench.sessions import entries as E
from workbench.sessions.errors import SessionFileError
from workbench.sessions.manager import SessionManager
from tests.runtime.scripted import Turn


def fixed_factory() -> E.EntryFactory:
    ids = itertools.count(1)
    return E.EntryFactory(now=lambda: "2026-01-01T00:00:00.000Z", new_id=lambda taken: f"{next(ids):08x}",
                          new_session_id=lambda: "00000000-0000-4000-8000-000000000000")


def message(i: int) -> dict:
    return {"role": "user", "content": [{"type": "text", "text": f"m{i} ünïcode"}], "timestamp": i}


async def test_durable_appends_write_exactly_what_plain_appends_write(tmp_path: Path):
    plain = SessionManager.create(tmp_path / "ws", sessions_dir=tmp_path / "a", factory=fixed_factory())
    durable = SessionManager.create(tmp_path / "ws", sessions_dir=tmp_path / "b", factory=fixed_factory())
    appender = DurableAppender(durable)
    for i in range(5):
        plain.append_message(message(i))
        await appender.append(lambda i=i: durable.append_message(message(i)))
    plain.set_label(plain.leaf_id, "x")
    appender.append_now(lambda: durable.set_label(durable.leaf_id, "x"))
    assert durable.path.read_bytes() == plain.path.read_bytes()
    assert appender.pending == 0
    assert durable.get_branch() == plain.get_branch() and durable.labels == {"00000005": "x"}
    plain.close()
    durable.close()


async def test_only_the_write_runs_in_a_worker_and_events_follow_the_disk(make_agent, monkeypatch):
    loop_thread = threading.get_ident()
    agent = make_agent([Turn().text("a").tool("read", {"path": "hello.txt"}, "r1"),
                        Turn().tool("ls", {}, "l1").tool("read", {"path": "hello.txt"}, "r2"),
                        Turn().text("done")])
    manager = agent.manager
    mutated_on: set[int] = set()
    real_append = manager._append

    def tracking_append(entry):
        mutated_on.add(threading.get_ident())
        return real_append(entry)

    monkeypatch.setattr(manager, "_append", tracking_append)
    synced_on: list[int] = []
    real_fdatasync = os.fdatasync

    def tracking_fdatasync(fd):
        synced_on.append(threading.get_ident())
        return real_fdatasync(fd)

    monkeypatch.setattr(os, "fdatasync", tracking_fdatasync)

    def on_disk() -> list[dict]:
        if not manager.path.exists():  # a new session is written with its first message
            return []
        return [json.loads(line) for line in manager.path.read_text().splitlines()[1:]]

    checked: list[str] = []

    def check(event) -> None:
        lines = on_disk()
        if event.type == "turn_completed":
            assert any(e["id"] == event.entry_id for e in lines)
        elif event.type == "tool_result_received":
            assert any(e["type"] == "message" and e["message"].get("toolCallId") == event.id for e in lines)
        elif event.type in ("text_complete", "tool_call_requested", "user_message"):
            assert lines and lines[-1]["type"] == "message"
        else:
            return
        # the reader on the loop sees a tree whose newest entry is on disk
        assert manager.leaf_id == lines[-1]["id"] and len(manager.entry_ids()) == len(lines)
        checked.append(event.type)

    agent.events.add_listener(check)
    result = await agent.run("go")
    assert result.text == "done" and result.tool_calls == 3
    assert mutated_on == {loop_thread}
    # the file is created (header, model change, first message) by one write on the loop; every
    # later append is written and synced by the worker
    assert synced_on[0] == loop_thread and synced_on[1:] and loop_thread not in synced_on[1:]
    assert checked.count("turn_completed") == 3 and checked.count("tool_result_received") == 3
    assert [e["id"] for e in on_disk()] == manager.entry_ids()  # file order = tree order


async def test_a_reader_polling_the_tree_during_a_run_never_sees_it_change_under_it(make_agent):
    turns = [Turn().tool("read", {"path": "hello.txt"}) for _ in range(60)] + [Turn().text("end")]
    agent = make_agent(turns)
    manager = agent.manager
    stop = False
    reads = 0

    async def poll() -> None:  # what the tree pane and the conversation do, as often as possible
        nonlocal reads
        while not stop:
            stack = list(manager.get_tree())
            while stack:
                node = stack.pop()
                stack.extend(node.children)
            manager.build_context()
            dict(manager.labels)
            list(manager.entries)
            reads += 1
            await asyncio.sleep(0)

    poller = asyncio.ensure_future(poll())
    await agent.run("go")
    stop = True
    await poller
    assert reads > 60
    reopened = SessionManager.open(manager.path, readonly=True)
    assert reopened.entry_ids() == manager.entry_ids()
    assert reopened.build_context().messages == manager.build_context().messages
    reopened.close()


async def test_a_failed_write_keeps_the_entry_queued_and_the_next_append_writes_it(tmp_path, monkeypatch):
    manager = SessionManager.create(tmp_path / "ws", sessions_dir=tmp_path / "s")
    appender = DurableAppender(manager)
    await appender.append(lambda: manager.append_message(message(0)))
    real_write = os.write
    failures = iter([True])

    def flaky_write(fd, data):
        if next(failures, False):
            real_write(fd, bytes(data)[:7])  # a torn line, then the disk gives up
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", flaky_write)
    with pytest.raises(SessionFileError) as info:
        await appender.append(lambda: manager.append_message(message(1)))
    assert "No space left" in info.value.message and appender.pending == 1
    await appender.append(lambda: manager.append_message(message(2)))
    assert appender.pending == 0
    reopened = SessionManager.open(manager.path, readonly=True)
    assert reopened.entry_ids() == manager.entry_ids()  # nothing the tree holds is missing
    assert [m["content"][0]["text"][:2] for m in reopened.build_context().messages] == ["m0", "m1", "m2"]
    assert [p.kind for p in reopened.problems] and all(p.line == 3 for p in reopened.problems)  # the torn bytes
    reopened.close()
    manager.close()


async def test_an_in_memory_manager_appends_plainly(tmp_path):
    manager = SessionManager.in_memory(tmp_path)
    entry_id = await DurableAppender(manager).append(lambda: manager.append_message(message(0)))
    assert manager.leaf_id == entry_id


async def test_a_staged_entry_goes_out_with_the_next_append_in_one_fdatasync(tmp_path, monkeypatch):
    plain = SessionManager.create(tmp_path / "ws", sessions_dir=tmp_path / "a", factory=fixed_factory())
    durable = SessionManager.create(tmp_path / "ws", sessions_dir=tmp_path / "b", factory=fixed_factory())
    appender = DurableAppender(durable)
    plain.append_message(message(0))
    plain.append_custom_message("peer_message", "hi", details={"n": 1})
    plain.append_message(message(1))
    await appender.append(lambda: durable.append_message(message(0)))
    size = durable.path.stat().st_size
    syncs = []
    real_sync = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: (syncs.append(fd), real_sync(fd))[1])
    staged = appender.stage(lambda: durable.append_custom_message("peer_message", "hi", details={"n": 1}))
    assert durable.leaf_id == staged and appender.pending == 1  # in the tree at once
    assert durable.path.stat().st_size == size and syncs == []  # no write of its own
    await appender.append(lambda: durable.append_message(message(1)))
    assert len(syncs) == 1 and appender.pending == 0  # both lines, one fdatasync
    assert durable.path.read_bytes() == plain.path.read_bytes()
    plain.close()
    durable.close()


async def test_a_staged_entry_is_written_before_the_managers_own_writes_and_on_close(tmp_path):
    plain = SessionManager.create(tmp_path / "ws", sessions_dir=tmp_path / "a", factory=fixed_factory())
    durable = SessionManager.create(tmp_path / "ws", sessions_dir=tmp_path / "b", factory=fixed_factory())
    appender = DurableAppender(durable)
    plain.append_message(message(0))
    await appender.append(lambda: durable.append_message(message(0)))
    for manager in (plain, durable):
        stage = appender.stage if manager is durable else (lambda append: append())
        stage(lambda m=manager: m.append_custom_message("peer_message", "one"))
        manager.set_label(manager.leaf_id, "seen")  # a label the user sets: written by the manager itself
        stage(lambda m=manager: m.append_custom_message("peer_message", "two"))
    durable.close()  # the second one had no append after it: closing writes it
    assert durable.path.read_bytes() == plain.path.read_bytes()
    reopened = SessionManager.open(durable.path, readonly=True)
    assert not reopened.problems and reopened.labels == {"00000002": "seen"}
    reopened.close()
    plain.close()


async def test_sync_writes_what_was_staged(tmp_path):
    manager = SessionManager.create(tmp_path / "ws", sessions_dir=tmp_path / "s")
    appender = DurableAppender(manager)
    await appender.append(lambda: manager.append_message(message(0)))
    appender.stage(lambda: manager.append_message(message(1)))
    await appender.sync()
    assert appender.pending == 0
    reopened = SessionManager.open(manager.path, readonly=True)
    assert reopened.entry_ids() == manager.entry_ids()
    reopened.close()
    manager.close()
