"""Issue 13 items 1 and 2: a key typed is never lost, whatever has the focus."""

from tests.tui.conftest import bash_request, make_app, requests_waiting, write_request
from tests.tui.fakes import FakeBackend


async def test_tab_indents_code_in_the_prompt_and_never_moves_the_focus():
    async with requests_waiting((160, 48), write_request()) as (app, pilot, backend):
        app.prompt.focus()
        await pilot.press(*"def foo():", "ctrl+j", "tab", *"return 1")
        await pilot.pause()
        assert app.prompt.text == "def foo():\n    return 1"
        assert app.focused is app.prompt
        assert backend.decisions == {}
        app.prompt.text = "/the"
        await pilot.press("tab")
        assert app.prompt.text == "/theme "  # completion still works


async def test_a_key_that_is_not_an_answer_goes_to_the_prompt_from_any_pane():
    async with requests_waiting((160, 48), write_request()) as (app, pilot, backend):
        await pilot.press("f4")
        await pilot.pause(0.1)
        assert app.focused is app.approvals
        await pilot.press(*"hello")
        await pilot.pause()
        assert app.prompt.text == "hello" and app.focused is app.prompt
        await pilot.press("f6")  # the conversation: its own keys (t, r) stay, the rest is typed
        await pilot.pause()
        await pilot.press(*" wow")
        await pilot.pause()
        assert app.prompt.text == "hello wow"
        assert backend.decisions == {}


async def test_keys_typed_while_a_new_request_is_not_armed_go_to_the_prompt():
    # the request takes the focus at once, its keys not armed yet
    async with requests_waiting((160, 48), write_request(), approval_focus_quiet=0,
                                approval_arm_delay=60) as (app, pilot, backend):
        await pilot.pause()
        assert app.focused is app.approvals
        await pilot.press(*"yes no")
        await pilot.pause()
        assert app.prompt.text == "yes no"  # was: y and n dropped, "es o"
        assert backend.decisions == {}


async def test_an_answer_by_key_is_said_on_screen():
    async with requests_waiting((160, 48), bash_request()) as (app, pilot, backend):
        await pilot.press("f4")
        await pilot.pause(0.1)
        await pilot.press("s")
        await pilot.pause()
        assert backend.decisions == {"r1": ("session", None)}
        assert any("Allowed for this session: bash" in str(n.message) for n in app._notifications)


def burst(app, keys):
    """Keys as a terminal delivers a fast burst: all posted at once, none waited for."""
    from textual import events

    for key in keys:
        char = key if len(key) == 1 else None
        app.post_message(events.Key(key, char))


TYPED = [*"abcdefghij", *["backspace"] * 10, *"python3"]


async def test_a_fast_burst_with_backspaces_lands_in_order_in_the_prompt():
    app = make_app(FakeBackend())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        burst(app, TYPED)
        await pilot.pause(0.3)
        assert app.prompt.text == "python3"  # was "abcdefg": the backspaces ran after the rest


async def test_the_resume_pickers_search_keeps_every_key_of_a_burst(tmp_path):
    from textual.widgets import Input

    from workbench.sessions.store import SessionStore
    from workbench.tui.screens.resume import ResumeScreen

    app = make_app(FakeBackend())
    async with app.run_test(size=(120, 30)) as pilot:
        await app.push_screen(ResumeScreen(SessionStore(tmp_path, use_cache=False), tmp_path))
        await pilot.pause(0.1)
        burst(app, TYPED)
        await pilot.pause(0.3)
        assert app.screen.query_one("#search", Input).value == "python3"


async def test_a_burst_typed_while_the_conversation_has_focus_lands_whole_in_the_prompt():
    """The first unbound key moves the focus to the prompt; the keys of the same burst already on
    their way (r is the conversation's own key) are typing too: "/journey", not "/jouney"."""
    app = make_app(FakeBackend())
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.conversation.focus()
        await pilot.pause()
        assert app.focused is app.conversation
        burst(app, [*"/journey rtv"])
        await pilot.pause(0.3)
        assert app.prompt.text == "/journey rtv"
        assert app.focused is app.prompt
