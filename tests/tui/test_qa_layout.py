"""QA defects in the layout at 100x30 and 80x24: footer, approvals room, dialogs."""

import pytest

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.runtime import events as ev
from workbench.tui.widgets.key_footer import KeyFooter


async def queued(app, pilot, n):
    """Until n approvals are in the queue (events take a moment under load)."""
    for _ in range(150):
        if len(app.approvals.queue) >= n:
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{len(app.approvals.queue)} approvals queued, expected {n}")


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
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=(160, 48)) as pilot:
        await backend.publish(ev.ToolApprovalRequested(request_id="r1", id="c1", name="bash",
                                                       args={"command": "ls"}, preview={"kind": "command", "text": "ls"}))
        await queued(app, pilot, 1)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        await pilot.press("f4")
        await pilot.pause(0.3)
        assert app.focused is app.approvals
        keys, palette = await footer_keys(app, pilot)
        shown = [k.description for k in keys]
        assert shown[:4] == ["Allow once", "Allow session", "Always", "Deny"]
        assert all(k.x + k.width < palette for k in keys)


def write_request(rid="r1"):
    return ev.ToolApprovalRequested(
        request_id=rid, id=f"c-{rid}", name="write", args={"path": "hello.py", "content": "x\n"},
        preview={"kind": "diff", "text": "--- /dev/null\n+++ b/hello.py\n@@ -0,0 +1 @@\n+x\n"})


async def test_small_screen_folds_the_empty_mob_pane_and_gives_approvals_the_room():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await backend.publish(write_request())
        await queued(app, pilot, 1)
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

    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await backend.publish(write_request("r1"), write_request("r2"), write_request("r3"),
                              ev.ToolApprovalRequested(request_id="r4", id="c4", name="bash", args={"command": "ls -l"},
                                                       preview={"kind": "command", "text": "ls -l"}))
        await queued(app, pilot, 4)
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
        backend = FakeBackend()
        app = make_app(backend)
        async with app.run_test(size=(width, 24)) as pilot:
            await backend.publish(write_request())
            await queued(app, pilot, 1)
            app.approvals.focus()
            await pilot.press("z")
            assert isinstance(app.screen, DiffScreen)
            subtitle = app.screen.query_one(VerticalScroll).border_subtitle
            assert subtitle.startswith(start) and subtitle.endswith("Esc close") and len(subtitle) + 6 <= width
