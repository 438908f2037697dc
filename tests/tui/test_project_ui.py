"""The project in the TUI, on a real AgentSession: the start notice, `!command` as a card and a
bashExecution entry, `@` completion and attachments, /skill: errors, /context."""

from __future__ import annotations

import json

import pytest

from tests.runtime.scripted import ScriptedProvider, Turn
from tests.tui.conftest import make_app
from workbench.context.project import ProjectContext
from workbench.runtime.agent import AgentSession
from workbench.runtime.approvals import ApprovalBroker
from workbench.sessions.manager import SessionManager
from workbench.tui.backend import RuntimeBackend


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    ws = tmp_path / "ws"
    (ws / ".agents" / "skills" / "greet").mkdir(parents=True)
    (ws / ".agents" / "skills" / "greet" / "SKILL.md").write_text(
        "---\nname: greet\ndescription: Greets.\n---\nSay hi.\n")
    (ws / "AGENTS.md").write_text("Use tabs. " * 40)
    (ws / "main.py").write_text("print('hi')\n")
    provider = ScriptedProvider([Turn().text("seen"), Turn().text("again")])
    manager = SessionManager.create(ws, sessions_dir=tmp_path / "sessions")
    project = ProjectContext.load(ws, config_dir=tmp_path / "home")
    agent = AgentSession(manager, provider, model="scripted-model", mode="yolo", project=project)
    app = make_app(RuntimeBackend(agent, ApprovalBroker()), cwd=ws)
    yield app, agent, provider
    manager.close()


def _blocks_text(app) -> str:
    return "\n".join(str(getattr(b, "text", "")) for b in app.conversation.blocks)


async def _until(pilot, check, tries=300):
    for _ in range(tries):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("timed out")


async def test_notice_command_card_mentions_and_context_view(setup):
    app, agent, provider = setup
    async with app.run_test(size=(140, 40)) as pilot:
        await _until(pilot, lambda: "context files: AGENTS.md (~100 tokens)" in _blocks_text(app))
        assert "skills: greet, write-a-skill" in _blocks_text(app)

        # !command: a card, then pi's bashExecution in the session file
        app.prompt.text = "!echo from-shell"
        await pilot.press("enter")
        await _until(pilot, lambda: any(m.get("role") == "bashExecution" for m in agent.messages))
        card = next(c for c in app.conversation.query("ToolCard") if c.tool == "bash")
        assert card.agent == "you" and card.status == "done" and "from-shell" in card.result
        lines = [json.loads(x) for x in agent.manager.path.read_text().splitlines()]
        shell = [x["message"] for x in lines if x.get("type") == "message"][-1]
        assert shell["role"] == "bashExecution" and shell["output"] == "from-shell\n"

        # @ completion: Tab replaces the partial path; the file is attached on send
        app.prompt.text = "explain @mai"
        app.prompt.move_cursor(app.prompt.document.end)
        await pilot.pause()
        assert "@main.py" in str(app.hints.render())
        await pilot.press("tab")
        assert app.prompt.text == "explain @main.py "
        await pilot.press("enter")
        await _until(pilot, lambda: len(provider.requests) == 1 and not agent.is_running)
        sent = provider.requests[0].messages[-1]["content"]
        assert sent[1]["text"] == "<file path=\"main.py\">\nprint('hi')\n</file>"
        assert "AGENTS.md" in provider.requests[0].system_prompt and "<name>greet</name>" in provider.requests[0].system_prompt
        assert "↳ main.py (12 B)" in _blocks_text(app)

        # an unknown skill is refused with the seed's error, the text comes back
        app.prompt.text = "/skill:nope do it"
        await pilot.press("enter")
        await pilot.pause()
        assert "no skill named 'nope'" in str(list(app._notifications)[-1].message)
        assert app.prompt.text == "/skill:nope do it" and len(provider.requests) == 1

        # /context: the whole prompt, read-only, full screen
        app.prompt.text = "/context"
        await pilot.press("enter")
        await pilot.pause()
        from workbench.tui.screens.context_view import ContextView

        assert isinstance(app.screen, ContextView)
        area = app.screen.query_one("#context-prompt")
        assert area.read_only and area.text == agent.system_prompt
        await pilot.press("q")
        assert not isinstance(app.screen, ContextView)


async def test_escape_stops_a_running_command(setup):
    app, agent, _ = setup
    async with app.run_test(size=(140, 40)) as pilot:
        app.prompt.text = "!!echo started; sleep 30"
        await pilot.press("enter")
        await _until(pilot, lambda: any(c.tool == "bash" and c.result for c in app.conversation.query("ToolCard")))
        await pilot.press("escape")
        await _until(pilot, lambda: any(m.get("role") == "bashExecution" for m in agent.messages))
        message = agent.messages[-1]
        assert message["cancelled"] is True and message["excludeFromContext"] is True
        card = next(c for c in app.conversation.query("ToolCard") if c.tool == "bash")
        assert card.status == "interrupted" and card.agent == "you · not in context"
