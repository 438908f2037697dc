"""Crash safety (SIGKILL a writer 200 times) and the one-writer lock, with real processes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.sessions import SessionLocked, SessionManager
from workbench.sessions.locks import is_locked

WRITER = Path(__file__).with_name("crash_writer.py")
REPO = Path(__file__).resolve().parents[2]


def _spawn(path: Path, mode: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(path), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )


@pytest.mark.slow
def test_sigkill_loses_at_most_the_entry_in_flight(tmp_path):
    rng = random.Random(1234)
    with SessionManager.create(tmp_path / "proj", sessions_dir=tmp_path / "s") as m:
        m.append_message({"role": "user", "content": "start", "timestamp": 1})  # the file exists from here
        path = m.path
    acknowledged: list[str] = []
    known = 1  # the message that created the file
    kills_while_appending = 0
    for iteration in range(220):
        proc = _spawn(path, "write")
        # 200 kills while appending: wait for the writer's first NEW acknowledgement, so the kill
        # (0–6 ms later) lands inside its append loop however slow the machine is; every 11th
        # process is killed while still starting up or opening the file instead.
        appending = iteration % 11 != 10
        acked: list[str] = []
        if appending:
            assert proc.stdout.readline() == b"ready\n", proc.stderr.read()
            first = proc.stdout.readline()
            assert first.endswith(b"\n"), proc.stderr.read()
            acked.append(first.decode().strip())
        time.sleep(rng.uniform(0, 0.006))
        proc.send_signal(signal.SIGKILL)
        out = proc.stdout.read()  # (not communicate(): it would skip what readline() buffered)
        proc.wait()
        proc.stdin.close()
        proc.stderr.close()
        lines = out.split(b"\n")
        # only complete lines are acknowledgements (the kill can cut a print short)
        acked += [line.decode() for line in lines[:-1] if line and line != b"ready"]
        acknowledged += acked
        kills_while_appending += appending

        with SessionManager.open(path, readonly=True) as reopened:
            ids = reopened.entry_ids()
            present = set(ids)
            assert all(entry_id in present for entry_id in acknowledged)
            assert len(ids) - known <= len(acked) + 1  # at most the one in flight beyond the acked
            assert all(p.kind in ("torn", "unparseable") for p in reopened.problems)
            assert all(p.line == reopened._line_count or p.kind == "unparseable" for p in reopened.problems)
            # every entry chains to the previous one: nothing was interleaved or lost mid-file
            branch = reopened.get_branch_ids()
            assert branch == ids
            known = len(ids)
    assert kills_while_appending == 200
    assert len(acknowledged) >= 200  # each of those kills came after at least one acknowledged append
    with SessionManager.open(path, readonly=True) as reopened:
        assert all(p.kind != "corrupt" for p in reopened.verify())


def test_second_writer_process_is_refused_with_holder_pid(tmp_path):
    with SessionManager.create(tmp_path / "proj", sessions_dir=tmp_path / "s") as m:
        first = m.append_message({"role": "user", "content": "hi", "timestamp": 1})
        path = m.path
    holder = _spawn(path, "hold")
    try:
        assert holder.stdout.readline() == b"ready\n", holder.stderr.read()
        assert is_locked(path)
        with pytest.raises(SessionLocked) as info:
            SessionManager.open(path)
        assert info.value.holder_pid == holder.pid
        assert f"process {holder.pid}" in str(info.value) and str(path) in str(info.value)
        assert info.value.exit_code == 11
        # read-only and fork still work
        with SessionManager.open(path, readonly=True) as ro:
            assert ro.leaf_id == first
            fork = ro.fork(first)
            fork.append_message({"role": "user", "content": "in the fork", "timestamp": 2})
            fork.close()
    finally:
        holder.kill()
        holder.wait()
    assert not is_locked(path)  # the kernel dropped the dead holder's lock
    with SessionManager.open(path) as m:
        m.append_custom("after")


def test_second_writer_in_the_same_process_is_refused(tmp_path):
    m = SessionManager.create(tmp_path / "proj", sessions_dir=tmp_path / "s")
    m.append_message({"role": "user", "content": "hi", "timestamp": 1})
    with pytest.raises(SessionLocked) as info:
        SessionManager.open(m.path)
    assert info.value.holder_pid == os.getpid()
    m.close()
    assert not Path(str(m.path) + ".lock").exists()  # the sidecar is cleaned up
    SessionManager.open(m.path).close()
