"""Issue 13 items 4 and 5: the approval mode and the /budget limits are kept with the session
(restored on -c and resume; the mode carries over on /new); the chosen theme is kept in the
user's config."""

import tomllib

from workbench.cli import build_parser
from workbench.config import first_frame_settings, load_settings, user_config_file
from workbench.providers.replay import ScriptBuilder
from workbench.tui.app import WorkbenchApp
from workbench.tui.startup import build


def parts_for(tmp_path, *argv):
    cwd = tmp_path / "proj"
    cwd.mkdir(exist_ok=True)
    script = tmp_path / "s.json"
    script.write_text(ScriptBuilder().turn().text("Hello.").build().to_json())
    args = build_parser().parse_args(["--provider", "replay", "--replay-script", str(script),
                                      "--cwd", str(cwd), *argv])
    return build(args, cwd, load_settings(cwd))


async def until(pilot, check):
    for _ in range(150):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def test_mode_and_limits_come_back_with_continue_and_the_mode_survives_new(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    parts = parts_for(tmp_path)
    app = WorkbenchApp(parts.pop("backend"), watch_themes=False, **parts)
    async with app.run_test(size=(160, 48)) as pilot:
        app.run_slash("mode", "edits")
        app.run_slash("budget", "turns=7 cost=1.5")
        app.prompt.text = "hi"
        app.prompt.focus()
        await pilot.press("enter")
        await until(pilot, lambda: not app.backend.is_running and app.backend.agent.last_result is not None)
        first = app.backend.agent.manager
        app.run_slash("new", "")
        await until(pilot, lambda: app.backend.agent.manager is not first)
        assert app.backend.stats().mode == "edits"  # /new keeps the mode (it used to reset to ask)
        await app.action_quit()
    app.backend.agent.manager.close()

    again = parts_for(tmp_path, "-c")  # a new process: `workbench -c`
    agent = again["backend"].agent
    try:
        assert agent._gate.policy.mode == "edits"
        assert agent.limits.max_turns == 7 and agent.limits.max_cost == 1.5
    finally:
        agent.manager.close()

    flags = parts_for(tmp_path, "-c", "--approve", "ask", "--max-turns", "3")  # flags still win
    agent = flags["backend"].agent
    try:
        assert agent._gate.policy.mode == "ask" and agent.limits.max_turns == 3 and agent.limits.max_cost == 1.5
    finally:
        agent.manager.close()


async def test_the_chosen_theme_is_kept_in_the_users_config(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    user_config_file().write_text("# mine\n[budget]\nmax_turns = 50\n")
    from tests.tui.conftest import make_app
    from tests.tui.fakes import FakeBackend

    app = make_app(FakeBackend())
    async with app.run_test(size=(120, 30)) as pilot:
        app.run_slash("theme", "nord")
        await until(pilot, lambda: "nord" in user_config_file().read_text())
    text = user_config_file().read_text()
    assert text.startswith("# mine\n[budget]\nmax_turns = 50\n")  # the rest kept as written
    assert tomllib.loads(text)["ui"]["theme"] == "nord"
    assert first_frame_settings(None).theme == "nord"  # the next start uses it
