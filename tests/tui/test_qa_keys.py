"""QA defects in key handling: pane keys from the prompt, Enter after fast typing."""

from textual import events

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.tui.screens.grants import GrantsScreen
from workbench.tui.screens.help import HelpScreen

SIZE = (160, 48)


class Grants:
    def list(self):
        return []

    def remove(self, grant):
        pass

    def where(self):
        return "here"


def burst(app, text: str, *keys: str) -> None:
    """Keys queued back to back, as a terminal delivers `send-keys 'text' Enter` (Pilot.press
    waits for the app to go idle after each key, which hides ordering bugs)."""
    for ch in text:
        app.post_message(events.Key("space" if ch == " " else ch, ch))
    for key in keys:
        app.post_message(events.Key(key, "\r" if key == "enter" else None))


async def test_enter_sends_exactly_what_was_typed_before_it():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"first", "enter")
        burst(app, "second prompt", "enter")
        await pilot.pause()
        await pilot.pause()
        assert backend.calls == [("start", "first"), ("start", "second prompt")]
        assert app.prompt.text == ""


async def test_newline_key_still_inserts_and_remapped_submit_works():
    from workbench.config import LoadedSettings, Settings

    backend = FakeBackend()
    settings = LoadedSettings(Settings.model_validate({"keys": {"prompt.submit": "ctrl+s"}}))
    app = make_app(backend, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "enter", "b", "ctrl+s")
        await pilot.pause()
        assert backend.calls == [("start", "a\nb")]  # Enter is a newline once submit moved away


async def test_pane_keys_work_while_the_prompt_has_focus():
    app = make_app(FakeBackend(), grants=Grants())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        assert app.focused is app.prompt
        await pilot.press("f6")
        assert app.focused is app.conversation  # TextArea's own f6 is "select line"
        await pilot.press("f5")
        assert app.focused is app.prompt
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, GrantsScreen)  # TextArea's own f7 is "select all"
        await pilot.press("escape")
        await pilot.pause()
        assert app.prompt.text == "x"  # nothing typed was selected or lost


async def test_pane_keys_give_way_to_the_screen_on_top():
    app = make_app(FakeBackend())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")  # the help screen's own close key, not a second help screen
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert len(app.screen_stack) == 1


async def test_select_all_stays_reachable_in_the_prompt():
    app = make_app(FakeBackend())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"abc", "alt+a")
        assert app.prompt.selected_text == "abc"
