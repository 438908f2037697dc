from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.runtime.scripted import ScriptedProvider, Turn
from workbench.runtime.agent import AgentSession
from workbench.runtime.compaction import CompactionSettings
from workbench.runtime.retry import RetryPolicy


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "keep.txt").write_text("keep me\n")
    (ws / "notes.md").write_text("first\n")
    return ws


@pytest.fixture
def make_agent(workspace: Path, tmp_path: Path):
    made: list[AgentSession] = []

    def make(turns: list[Turn], **kw: Any) -> AgentSession:
        from workbench.sessions.manager import SessionManager

        manager = kw.pop("manager", None)
        if manager is None:
            manager = SessionManager.create(workspace, sessions_dir=tmp_path / "sessions")
        kw.setdefault("retry", RetryPolicy(base_delay=0.0))
        kw.setdefault("compaction", CompactionSettings(enabled=False))
        kw.setdefault("mode", "yolo")
        agent = AgentSession(manager, ScriptedProvider(turns), model="scripted-model", **kw)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        agent.manager.close()


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root (including .git) → sha256 of its bytes."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest() if not p.is_symlink() \
                else "link:" + os.readlink(p)
    return out


def git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout
