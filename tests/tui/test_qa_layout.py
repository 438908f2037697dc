"""QA defects in the layout at 100x30 and 80x24: footer, approvals room, dialogs."""

import pytest

from tests.tui.conftest import bash_request, make_app, requests_waiting, write_request
from tests.tui.fakes import FakeBackend
from workbench.tui.widgets.key_footer import KeyFooter


async def footer_keys(app, pilot):
    """The footer's hints and where its palette key starts, once the bindings are known."""
    footer = app.query_one(KeyFooter)
    for _ in range(100):
        await pilot.pause(0.03)
        if footer.palette is not None and footer.items:
            break
    return footer.items, footer.palette_x


@pytest.mark.parametrize("size", [(160, 48), (100, 30), (80, 24)])
async def test_footer_hints_never_run_under_the_palette_key(size):
    app = make_app(FakeBackend())
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.1)
        keys, palette = await footer_keys(app, pilot)
        shown = {k.description for k in keys}
        assert {"Send", "Help", "Approvals"} <= shown  # the most useful ones stay
        for k in keys:
            assert k.x + k.width < palette, (k.description, k.x, palette)  # a blank cell at least before it
        if size[0] == 160:
            assert {"Session", "Side panes", "Quit"} <= shown  # nothing dropped when there is room


async def test_footer_refits_on_resize_and_ranks_the_focused_widgets_keys_first():
    async with requests_waiting((160, 48), bash_request()) as (app, pilot, _):
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        await pilot.press("f4")
        await pilot.pause(0.3)
        assert app.focused is app.approvals
        keys, palette = await footer_keys(app, pilot)
        shown = [k.description for k in keys]
        assert shown[:4] == ["Allow once", "Allow session", "Always", "Deny"]
        assert all(k.x + k.width < palette for k in keys)


async def test_small_screen_folds_the_empty_mob_pane_and_gives_approvals_the_room():
    async with requests_waiting((80, 24), write_request()) as (app, pilot, _):
        await pilot.press("f4")
        await pilot.pause(0.2)
        assert app.focused is app.approvals
        assert app.mob_pane.region.height == 0  # empty: folded away
        assert app.approvals.region.height >= 14  # queue, keys, path and the whole diff
        assert app.budget.region.height == 5
    app = make_app(FakeBackend())
    async with app.run_test(size=(160, 48)) as pilot:  # big screen: all three panes as before
        await pilot.pause(0.1)
        assert app.mob_pane.region.height > 0


async def test_full_screen_request_takes_the_answer_keys():
    from workbench.tui.screens.dialogs import ConfirmRuleScreen, DiffScreen, FeedbackScreen, TextScreen

    requests = write_request("r1"), write_request("r2"), write_request("r3"), bash_request("r4", "ls -l")
    async with requests_waiting((100, 30), *requests) as (app, pilot, backend):
        app.approvals.focus()
        await pilot.press("z")
        assert isinstance(app.screen, DiffScreen)
        await pilot.press("y")
        await pilot.pause()
        assert backend.decisions["r1"] == ("once", None)
        assert app.screen is app.screen_stack[0] and app.approvals.current.request_id == "r2"
        await pilot.press("z", "a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmRuleScreen)  # always still shows the rule first
        await pilot.press("escape")
        await pilot.press("z", "f")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.press("escape")
        await pilot.press("j", "j", "z")  # the bash request, full screen as its command
        await pilot.pause()
        assert isinstance(app.screen, TextScreen)
        await pilot.press("n")
        await pilot.pause()
        assert backend.decisions["r4"] == ("deny", None)
        assert "r2" not in backend.decisions and "r3" not in backend.decisions


async def test_startup_problems_make_one_dialog_and_the_status_line_says_no_agent():
    from pathlib import Path

    from workbench.config import ConfigProblem, LoadedSettings, Settings
    from workbench.tui.screens.dialogs import ProblemsScreen

    problems = [ConfigProblem(Path("/home/dev/.config/workbench/config.toml"), 2, "budget.max_turns",
                              "Input should be greater than 0")]
    app = make_app(None, settings=LoadedSettings(Settings(), problems),
                   startup_error="bad approval rule in --allow: invalid rule 'bash('")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        stacked = [s for s in app.screen_stack if isinstance(s, ProblemsScreen)]
        assert len(stacked) == 1  # never two dialogs drawn over each other
        assert [h for h, _ in stacked[0].sections] == [
            "The agent could not start:",
            "Your settings have problems — the broken parts were ignored and defaults are in use:"]
        assert "invalid rule 'bash('" in stacked[0].problems[0] and "budget.max_turns" in stacked[0].problems[1]
        status = app.status.content.plain
        assert status.startswith(" NO AGENT  bad approval rule") and "F1 help" in status
        await pilot.press("enter")
        assert len(app.screen_stack) == 1


async def test_full_screen_diff_names_its_answer_keys_within_the_border():
    from textual.containers import VerticalScroll

    from workbench.tui.screens.dialogs import DiffScreen

    for width, start in ((160, "y once · s session"), (80, "y/s/a/n/f answer")):
        async with requests_waiting((width, 24), write_request()) as (app, pilot, _):
            app.approvals.focus()
            await pilot.press("z")
            assert isinstance(app.screen, DiffScreen)
            subtitle = app.screen.query_one(VerticalScroll).border_subtitle
            assert subtitle.startswith(start) and subtitle.endswith("Esc close") and len(subtitle) + 6 <= width
