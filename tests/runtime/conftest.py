from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench.runtime.agent import AgentSession
from workbench.runtime.compaction import CompactionSettings
from workbench.runtime.retry import RetryPolicy
from tests.runtime.scripted import ScriptedProvider, Turn


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "hello.txt").write_text("hello world\n")
    return ws


@pytest.fixture
def sessions_dir(tmp_path: Path) -> Path:
    return tmp_path / "sessions"


@pytest.fixture
def make_agent(workspace: Path, sessions_dir: Path):
    made: list[AgentSession] = []

    def make(turns: list[Turn], **kw: Any) -> AgentSession:
        from workbench.sessions.manager import SessionManager

        manager = kw.pop("manager", None) or SessionManager.create(workspace, sessions_dir=sessions_dir)
        provider = kw.pop("provider", None) or ScriptedProvider(turns)
        kw.setdefault("retry", RetryPolicy(base_delay=0.0))
        kw.setdefault("compaction", CompactionSettings(enabled=False))
        kw.setdefault("mode", "yolo")
        agent = AgentSession(manager, provider, model=kw.pop("model", "scripted-model"), **kw)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        agent.manager.close()


def types(agent: AgentSession) -> list[str]:
    return [e.type for e in agent.events.history()]


def of_type(agent: AgentSession, t: str) -> list[Any]:
    return [e for e in agent.events.history() if e.type == t]


def file_messages(agent: AgentSession) -> list[dict]:
    """The context as rebuilt from the session file on disk."""
    from workbench.sessions.manager import SessionManager

    m = SessionManager.open(agent.manager.path, readonly=True)
    try:
        return m.build_context().messages
    finally:
        m.close()
