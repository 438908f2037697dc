"""The conversation's scrollbar (workbench/tui/widgets/row_scrollbar.py) draws exactly the rows
Textual's own scrollbar draws, in every position, state and theme, and falls back to Textual when
its styles add anything."""

from textual.app import App
from textual.color import Color
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.widgets import Static

from workbench.tui.widgets.conversation import Conversation
from workbench.tui.widgets.row_scrollbar import RowScrollBar


class Pane(App):
    def compose(self):
        yield Conversation(id="conversation")


def textual_rows(bar: ScrollBar, crop: Region) -> list[list]:
    """The rows Textual's own scrollbar draws, nothing kept from an earlier render."""
    bar._styles_cache.clear()
    bar._dirty_regions.add(bar.size.region)
    return [list(strip) for strip in ScrollBar.render_lines(bar, crop)]


def differences(bar: RowScrollBar) -> list[tuple]:
    width, height = bar.size
    found = []
    for crop in (Region(0, 0, width, height), Region(0, 3, width, 7), Region(1, 0, width - 1, height)):
        ours = [list(strip) for strip in bar.render_lines(crop)]
        if ours != textual_rows(bar, crop):
            found.append((bar.position, crop))
    return found


async def filled(pilot) -> Conversation:
    conversation = pilot.app.query_one(Conversation)
    for n in range(60):
        await conversation.mount(Static(f"block {n}\n" * (1 + n % 4)))
    await pilot.pause()
    return conversation


async def test_the_bar_draws_what_textual_draws_in_every_position_and_state():
    app = Pane()
    async with app.run_test(size=(80, 30)) as pilot:
        conversation = await filled(pilot)
        bar = conversation.vertical_scrollbar
        assert isinstance(bar, RowScrollBar) and bar.display and bar.size.width == 2
        found, positions = [], set()
        for y in range(0, int(conversation.max_scroll_y) + 1, 7):
            conversation.scroll_to(y=y, animate=False, immediate=True)
            await pilot.pause()
            positions.add(bar.position)
            found += differences(bar)
            bar.mouse_over = True  # hover colours
            found += differences(bar)
            bar.mouse_over = False
        assert len(positions) > 5  # the thumb really moved
        assert found == []
        for theme in ("textual-light", "nord"):
            app.theme = theme
            await pilot.pause()
            assert differences(bar) == []


async def test_a_bar_with_styles_of_its_own_is_drawn_by_textual():
    app = Pane()
    async with app.run_test(size=(80, 30)) as pilot:
        conversation = await filled(pilot)
        bar = conversation.vertical_scrollbar
        bar.styles.tint = Color(255, 0, 0, 0.5)
        await pilot.pause()
        crop = Region(0, 0, *bar.size)
        assert [list(strip) for strip in bar.render_lines(crop)] == textual_rows(bar, crop)
        tinted = {segment.style.bgcolor for strip in bar.render_lines(crop) for segment in strip}
        bar.styles.tint = Color(0, 0, 0, 0)
        await pilot.pause()
        assert tinted != {segment.style.bgcolor for strip in bar.render_lines(crop) for segment in strip}
