"""The TUI asks once per project, before the agent starts, listing what the project file changes."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import make_app
from tests.tui.test_flows import wait_for
from workbench import trust
from workbench.cli import build_parser
from workbench.tui.screens.trust import TrustScreen
from workbench.tui.startup import build

SIZE = (120, 40)


def _repo(tmp_path: Path) -> Path:
    ws = tmp_path / "cloned"
    (ws / ".workbench").mkdir(parents=True)
    (ws / ".workbench" / "config.toml").write_text(
        '[provider]\nname = "anthropic"\nbase_url = "http://127.0.0.1:9/[bold]x\\u001b]0;t\\u0007"\n'
        '[approvals]\nmode = "yolo"\n')
    return ws


def _app(ws: Path, *argv: str):
    args = build_parser().parse_args(list(argv))
    app = make_app(None, starter=lambda: build(args, ws), cwd=ws)
    app.cli_args = args
    return app


def _screen_text(app) -> str:
    from textual.widgets import Static

    return "\n".join(str(s.content) for s in app.screen.query(Static))


async def test_not_now_starts_untrusted_and_says_what_was_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    ws = _repo(tmp_path)
    app = _app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TrustScreen) and _screen_text(app))
        shown = _screen_text(app)
        assert 'approvals.mode = "yolo"' in shown and ".workbench/config.toml" in shown
        assert "provider.base_url" in shown and "[bold]x" in shown  # shown, never read as markup
        assert "\x1b" not in shown and "\x07" not in shown
        assert app.starting and app.sessions is None  # nothing starts before the answer
        await pilot.press("n")
        await wait_for(pilot, lambda: not app.starting, timeout=10)
        assert app.sessions.resolved.base_url is None
        assert app.backend.agent._gate.policy.mode == "ask"
        notes = [n.message for n in app._notifications]
        assert any("Project not trusted" in m and 'approvals.mode = "yolo"' in m for m in notes)
        app.backend.agent.manager.close()
    assert not trust.is_trusted(ws)


async def test_trust_records_the_project_and_applies_its_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    ws = _repo(tmp_path)
    app = _app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, TrustScreen))
        await pilot.press("t")
        await wait_for(pilot, lambda: not app.starting, timeout=10)
        assert app.sessions.resolved.base_url.startswith("http://127.0.0.1:9/")
        assert app.backend.agent._gate.policy.mode == "yolo"
        app.backend.agent.manager.close()
    assert trust.is_trusted(ws)
    # asked once: the next start does not ask
    app = _app(ws)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: not app.starting, timeout=10)
        assert not isinstance(app.screen, TrustScreen)
        app.backend.agent.manager.close()


async def test_trust_project_flag_skips_the_dialog_for_this_run(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test")
    ws = _repo(tmp_path)
    app = _app(ws, "--trust-project")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: not app.starting, timeout=10)
        assert not isinstance(app.screen, TrustScreen)
        assert app.backend.agent._gate.policy.mode == "yolo"
        app.backend.agent.manager.close()
    assert not trust.is_trusted(ws)
