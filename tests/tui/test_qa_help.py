"""The help screen: headers never read as markup, every column usable at 80 columns."""

from rich.console import Console

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.tui.screens.help import HelpScreen, KeyRow, help_table


def render(table, width):
    console = Console(width=width, record=True, color_system=None)
    console.print(table)
    return console.export_text()


ROWS = [KeyRow("anywhere", "app.help", "f1", "Help"),
        KeyRow("prompt", "prompt.newline", "^j, alt+⏎, shift+⏎", "Newline"),
        KeyRow("conversation", "conversation.toggle_thinking", "t", "Thinking")]


def test_header_shows_brackets_literally():
    text = render(help_table(ROWS, 120), 120)
    assert "id ([keys] in config.toml)" in text


def test_narrow_table_keeps_action_and_id_on_every_row():
    text = render(help_table(ROWS, 66), 66)
    lines = text.splitlines()
    for row in ROWS:
        line = next(ln for ln in lines if ln.strip().startswith(row.keys))
        assert row.description in line and row.binding_id in line, line
    assert "anywhere" in text and "conversation" in text  # grouped under where they work


async def test_help_screen_at_80x24_shows_actions():
    app = make_app(FakeBackend())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.query_one("#help-keys")
        text = render(keys.content, keys.content_size.width)
        f4 = next(ln for ln in text.splitlines() if ln.strip().startswith("f4"))
        assert "Approvals" in f4 and "app.focus_approvals" in f4
