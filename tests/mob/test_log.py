"""The mob log: append-only JSONL, fsync per line, torn-line tolerant, one driver at a time."""

import json

import pytest

from workbench.errors import InvalidParams, SessionBusy, SessionNotFound
from workbench.mob.log import MobLog, list_mobs, read_log, resolve_mob


def test_append_and_reload(tmp_path):
    log = MobLog.create(tmp_path, "m-1")
    log.append({"type": "mob_created", "mob_id": "m-1", "definition": {"mob": {"id": "m"}}, "task": "t"})
    log.append({"type": "member_spawned", "identity": "lead"})
    log.close()
    loaded = read_log(tmp_path / "m-1" / "mob.jsonl")
    assert [r["type"] for r in loaded.records] == ["mob_created", "member_spawned"]
    assert loaded.problems == []
    assert all(r["v"] == 1 for r in loaded.records)


def test_create_refuses_existing_log(tmp_path):
    MobLog.create(tmp_path, "m-1").close()
    with pytest.raises(FileExistsError):
        MobLog.create(tmp_path, "m-1")


def test_torn_last_line_is_skipped_and_next_append_starts_clean(tmp_path):
    log = MobLog.create(tmp_path, "m-1")
    log.append({"type": "a"})
    log.close()
    path = tmp_path / "m-1" / "mob.jsonl"
    with open(path, "ab") as fh:
        fh.write(b'{"type":"b","x":')  # the process died mid-write
    before = path.read_bytes()
    loaded = read_log(path)
    assert [r["type"] for r in loaded.records] == ["a"]
    assert len(loaded.problems) == 1 and "torn" in loaded.problems[0].message
    log = MobLog.open(path)
    log.append({"type": "c"})
    log.close()
    assert path.read_bytes().startswith(before)  # nothing already written is lost
    loaded = read_log(path)
    assert [r["type"] for r in loaded.records] == ["a", "c"]
    assert "corrupt" in loaded.problems[0].message


def test_second_driver_is_refused(tmp_path):
    log = MobLog.create(tmp_path, "m-1")
    with pytest.raises(SessionBusy):
        MobLog.open(log.path)
    log.close()
    MobLog.open(log.path).close()


def test_list_and_resolve(tmp_path):
    for mob_id in ("alpha-1", "alpha-2", "beta-1"):
        log = MobLog.create(tmp_path, mob_id)
        log.append({"type": "mob_created", "mob_id": mob_id, "definition": {"mob": {"id": mob_id[:-2]}}})
        log.append({"type": "member_spawned", "identity": "lead"})
        log.append({"type": "mob_state", "state": "running"})
        log.close()
    mobs = list_mobs(tmp_path)
    assert sorted(m.mob_id for m in mobs) == ["alpha-1", "alpha-2", "beta-1"]
    assert all(m.state == "running" and m.members == 1 for m in mobs)
    assert resolve_mob(tmp_path, "beta").parent.name == "beta-1"
    with pytest.raises(InvalidParams, match="ambiguous"):  # exit 2, listing the candidates (issue 13)
        resolve_mob(tmp_path, "alpha")
    with pytest.raises(SessionNotFound, match="no mob"):
        resolve_mob(tmp_path, "gamma")
    assert json.loads((tmp_path / "alpha-1" / "mob.jsonl").read_text().splitlines()[0])["type"] == "mob_created"


async def test_close_keeps_records_the_writer_has_not_written_yet(tmp_path, monkeypatch):
    # The app closes a running mob on quit: a batch queued for the writer thread (its thread not yet
    # started) must still reach the file, in order, before the stopped record that close appends.
    import asyncio

    gate = asyncio.Event()
    real_to_thread = asyncio.to_thread

    async def late_thread(fn, *args):
        await gate.wait()
        return await real_to_thread(fn, *args)

    monkeypatch.setattr(asyncio, "to_thread", late_thread)
    log = MobLog.create(tmp_path, "m-1")
    first = log.submit({"type": "member_spawned", "identity": "a"})
    await asyncio.sleep(0)  # the writer task has started and waits for its thread
    log.append({"type": "mob_state", "state": "stopped"})
    log.close()
    gate.set()
    await asyncio.sleep(0.05)
    assert first.done() and first.exception() is None
    loaded = read_log(tmp_path / "m-1" / "mob.jsonl")
    assert [r["type"] for r in loaded.records] == ["member_spawned", "mob_state"]
