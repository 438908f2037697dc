"""A read-only home (issue 13 item 25): `-c`, `--session` and the demo say what can't be written
and where, exit 1, and never show a traceback. The home is mounted read-only with bubblewrap."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.sessions.errors import SessionFileError
from workbench.sessions.locks import SessionLock

REPO = Path(__file__).resolve().parents[2]


def _bwrap_works() -> bool:
    if shutil.which("bwrap") is None:
        return False
    probe = subprocess.run(["bwrap", "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"],
                           capture_output=True, timeout=20)
    return probe.returncode == 0


def test_a_lock_that_cannot_be_created_is_a_session_file_error(tmp_path):
    lock = SessionLock(tmp_path / "missing-dir" / "s.jsonl")
    with pytest.raises(SessionFileError, match="cannot take the writer lock"):
        lock.acquire()


@pytest.mark.skipif(not _bwrap_works(), reason="bubblewrap cannot run here")
def test_continue_session_and_demo_in_a_read_only_home(tmp_path):
    home, ws = tmp_path / "home", tmp_path / "ws"
    ws.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.endswith("_BASE_URL")},
           "WORKBENCH_HOME": str(home), "PYTHONPATH": str(REPO)}

    def run(*argv: str, read_only: bool = True) -> subprocess.CompletedProcess:
        prefix = ["bwrap", "--bind", "/", "/", "--ro-bind", str(home), str(home), "--dev", "/dev", "--proc", "/proc"]
        cmd = [sys.executable, "-m", "workbench.cli", "--cwd", str(ws), *argv]
        return subprocess.run((prefix if read_only else []) + cmd, capture_output=True, text=True, env=env,
                              cwd=ws, timeout=120)

    first = run("--approve", "yolo", "-p", "hi", read_only=False)
    assert first.returncode == 0, first.stderr
    session = next((home / "sessions").rglob("*.jsonl"))
    before = session.read_bytes()
    for argv in (["-c", "-p", "again"], ["--session", str(session), "-p", "again"]):
        proc = run(*argv)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert "cannot take the writer lock" in proc.stderr and str(session) in proc.stderr
    assert session.read_bytes() == before
    shutil.rmtree(home / "demo-workspace", ignore_errors=True)
    proc = subprocess.run(["bwrap", "--bind", "/", "/", "--ro-bind", str(home), str(home), "--dev", "/dev",
                           "--proc", "/proc", sys.executable, "-m", "workbench.cli", "-p", "hi"],
                          capture_output=True, text=True, env=env, cwd=ws, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "cannot create the demo's scratch workspace" in proc.stderr
