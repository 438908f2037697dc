"""Issue 12 item 5: everything the workbench writes under its home is owner-only (files 0600,
folders 0700): sessions, mobs/<id>/mob.jsonl (peer messages), caches, checkpoints, grants, trust.
A real headless run and a real mob run, under a umask of 022, then a walk of WORKBENCH_HOME."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from workbench import trust
from workbench.cli import main
from workbench.tools.grants import GrantStore


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _open_to_others(home: Path) -> list[str]:
    bad = []
    for dirpath, dirnames, filenames in os.walk(home):
        here = Path(dirpath)
        if here.name == "demo-workspace":
            # the demo's scratch workspace holds the agent's files (they follow the umask, as in any
            # workspace); its folder keeps everyone else out
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = here / name
            mode = stat.S_IMODE(path.lstat().st_mode)
            if mode & 0o077:
                bad.append(f"{oct(mode)} {path.relative_to(home)}")
    if stat.S_IMODE(home.stat().st_mode) & 0o077:
        bad.append(f"{oct(stat.S_IMODE(home.stat().st_mode))} (the home itself)")
    return bad


def test_a_real_headless_and_mob_run_leave_only_owner_only_files(tmp_path, monkeypatch, umask_022, capsys):
    home = tmp_path / "home"
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("WORKBENCH_DEMO_FAST", "1")
    (home / "sessions").mkdir(parents=True, mode=0o755)  # made by an older version: narrowed
    os.chmod(home, 0o755)
    os.chmod(home / "sessions", 0o755)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "a.txt").write_text("hello\n")
    monkeypatch.chdir(ws)
    assert main(["-p", "Show me around the workbench.", "--approve", "yolo"]) == 0
    assert main(["mob", "run", "demo", "-p", "build a thing", "--approve", "yolo"]) == 0
    assert main(["sessions", "list"]) == 0  # writes the session index cache
    trust.trust(ws)
    GrantStore(ws, project_file=home / "project-like.toml").add("bash(ls*)", "user")
    made = {p.relative_to(home).parts[0] for p in home.rglob("*")}
    assert {"sessions", "mobs"} <= made, made
    assert list(home.glob("mobs/*/mob.jsonl")), "the mob wrote its log"
    assert (home / "trust.json").exists() and (home / "config.toml").exists()
    assert _open_to_others(home) == []
