"""Issue 13 item 13: every config problem is reported, and each broken part falls back alone."""

from pathlib import Path

from workbench.cli import build_parser
from workbench.config import load_settings
from workbench.tui.screens.dialogs import ProblemsScreen
from workbench.tui.startup import make_app

CONFIG = """[approvals]
mode = "sometimes"
allow = ["bash(git status*)"]

[budget]
max_turns = 0
max_cost = 2.0

[ui]
theme = "nord"

[keys]
"nosuch.binding" = "ctrl+o"
"prompt.follow_up" = "ctrl+o"
"""


def test_a_broken_setting_is_left_out_alone_and_the_rest_applies(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    (tmp_path / "config.toml").write_text(CONFIG)
    loaded = load_settings(None)
    s = loaded.settings
    assert [p.key for p in loaded.problems] == ["approvals.mode", "budget.max_turns"]
    assert [p.line for p in loaded.problems] == [2, 6]
    assert s.approvals.mode == "ask" and s.approvals.allow == ["bash(git status*)"]  # the rest of [approvals]
    assert s.budget.max_turns == 100 and s.budget.max_cost == 2.0
    assert s.ui.theme == "nord" and s.keys["prompt.follow_up"] == "ctrl+o"


async def test_the_app_starts_an_agent_and_reports_every_problem_at_once(tmp_path, monkeypatch):
    home, ws = tmp_path / "home", tmp_path / "ws"
    home.mkdir(), ws.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("WORKBENCH_DEMO_FAST", "1")
    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    (home / "config.toml").write_text(CONFIG)
    app = make_app(build_parser().parse_args(["--cwd", str(ws), "--approve", "ask"]), ws)
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if not app.starting and isinstance(app.screen, ProblemsScreen):
                break
        assert app.backend is not None, app.startup_error  # it used to be "NO AGENT"
        problems = "\n".join(app.screen.problems)
        assert "approvals.mode" in problems and "budget.max_turns" in problems
        assert "nosuch.binding" in problems  # reported though it is not the only problem
        assert app.theme == "nord"
        await pilot.press("escape")
        await app.backend.interrupt()
    manager = app.backend.agent.manager
    manager.close()
    assert Path(manager.cwd) == ws
