"""Fixtures for the store tests: a private WORKBENCH_HOME holding copies of pi's fixture sessions."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from workbench.sessions.paths import session_dir_for

FIXTURES = Path(__file__).resolve().parents[1] / "sessions" / "fixtures" / "pi-sessions"  # in-repo copy of shared/fixtures
BENCH_DIR = Path(__file__).resolve().parent.parent / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))  # gen_session is a script module, shared with the benchmarks


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(h))
    return h


def expected(name: str) -> dict:
    return json.loads((FIXTURES / "expected" / f"{name}.expected.json").read_text())


def install_fixture(sessions_dir: Path, name: str) -> Path:
    """Copy a fixture into `sessions_dir` where pi would keep it (dir from its cwd, pi's file name)."""
    src = FIXTURES / f"{name}.jsonl"
    header = json.loads(src.read_text().split("\n", 1)[0])
    exp = FIXTURES / "expected" / f"{name}.expected.json"
    file_name = json.loads(exp.read_text())["file"] if exp.exists() else src.name
    dest = session_dir_for(sessions_dir, header["cwd"]) / file_name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    dest.chmod(0o600)
    return dest


@pytest.fixture
def fixture_sessions(home) -> dict[str, Path]:
    """The three pi fixtures inside the workbench home's sessions dir."""
    sessions = home / "sessions"
    return {n: install_fixture(sessions, n)
            for n in ("v3-branched-session", "v3-forked-session", "v1-before-compaction")}
