"""QA defects in the app's own commands and notices."""


from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend

SIZE = (160, 48)


async def test_print_inside_the_app_does_not_crash_it():
    # Textual captures stdout and calls App._flush(stderr=...): the app must not shadow it.
    app = make_app(FakeBackend())
    async with app.run_test(size=SIZE) as pilot:
        print("a library printing while the app runs")
        await pilot.pause()
        assert app.is_running


def notes(app):
    return [str(n.message) for n in app._notifications]


async def test_theme_list_completion_error_and_palette_agree():
    from workbench.tui.palette import WorkbenchCommands

    app = make_app(FakeBackend())
    async with app.run_test(size=SIZE) as pilot:
        names = app.theme_names()
        assert names[:1] == ["catppuccin-mocha"] and "nord" in names and "dracula" in names
        assert set(names) == set(app.available_themes)  # the picker /theme opens lists these
        app.prompt.text = "/theme drac"
        app.prompt.move_cursor(app.prompt.document.end)
        await pilot.press("tab")
        assert app.prompt.text == "/theme dracula"
        app.prompt.text = ""
        app.run_slash("theme", "nope")
        await pilot.pause()
        error = notes(app)[-1]
        assert "no theme 'nope'" in error and "nord" in error and "dracula" in error
        app.run_slash("theme", "dracul")
        await pilot.pause()
        assert "did you mean dracula?" in notes(app)[-1]
        offered = {title for title, _, _ in WorkbenchCommands(app.screen)._entries()}
        assert {f"/theme {n}" for n in names if n != app.theme} <= offered
        app.run_slash("theme", "dracula")
        assert app.theme == "dracula"


def test_argument_completion_unit():
    from workbench.tui import commands

    choices = {"mode": ["ask", "edits", "plan", "yolo"]}.get
    assert commands.complete("/mode y", lambda c: choices(c, [])) == "/mode yolo"
    assert commands.complete("/mode yolo", lambda c: choices(c, [])) is None
    assert commands.complete("/mode x", lambda c: choices(c, [])) is None
    assert commands.complete("/bu", lambda c: choices(c, [])) == "/budget "


async def test_hidden_pane_approval_notice_names_agent_and_target_as_plain_text():
    from workbench.runtime import events as ev

    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=(100, 30)) as pilot:  # the side panes are folded away here
        await backend.publish(
            ev.ToolApprovalRequested(request_id="r1", id="c1", name="write",
                                     args={"path": "src/[bold]hello.py", "content": "x"}),
            ev.ToolApprovalRequested(request_id="r2", id="c2", name="bash", args={"command": "pytest -q"},
                                     agent="reviewer"))
        for _ in range(100):  # under load the events take a moment to arrive
            found = [n for n in app._notifications if n.title == "Approval needed"]
            if len(found) == 2:
                break
            await pilot.pause(0.03)
        assert [n.message for n in found] == ["write src/[bold]hello.py — F4 to review",
                                              "reviewer asks: bash $ pytest -q — F4 to review"]
        assert not any(n.markup for n in found)  # paths and commands are never markup


async def test_budget_confirmation_reads_like_the_limits():
    from workbench.tui.backend import Limits

    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        app.run_slash("budget", "tokens=30k cost=2 turns=8 time=10m tools=off")
        await pilot.pause()
        assert notes(app)[-1] == ("Limits for this session: tokens 30,000, cost $2.00, turns 8, time 10m00s, "
                                  "tool calls off")
        assert backend.calls[-1] == ("set_limits", Limits(tokens=30_000, cost=2.0, turns=8, duration=600.0))
        assert isinstance(backend.calls[-1][1].turns, int)


async def test_compact_with_nothing_to_compact_says_so_once_and_does_not_start():
    class Backend(FakeBackend):
        possible = (False, "nothing to compact yet: the context (~224 tokens) has no turns older than the "
                           "latest prompt to summarise")

        def can_compact(self):
            return self.possible

    backend = Backend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        app.run_slash("compact", "")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not any(c[0] == "compact" for c in backend.calls)
        assert notes(app) == ["Nothing to compact yet: the context (~224 tokens) has no turns older than the "
                              "latest prompt to summarise"]
        backend.possible = (True, "12 older messages (~3,400 tokens) would be summarised; 2 recent ones kept; "
                                  "the context is ~5,000 tokens")
        app.run_slash("compact", "keep the API notes")
        await app.workers.wait_for_complete()
        assert ("compact", "keep the API notes") in backend.calls
