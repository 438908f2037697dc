"""The ScrollView fix (workbench/tui/textual_scroll_fix.py): a layout pass that changes nothing for a
ScrollView does not repaint its scrollbar; a change of its virtual size still reaches the scrollbar."""

from textual.app import App
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from workbench.tui import textual_scroll_fix


class Rows(ScrollView):
    """A ScrollView with a virtual size of its own, as the session tree's rows have."""

    def on_mount(self) -> None:
        self.virtual_size = Size(20, 100)

    def render_line(self, y: int) -> Strip:
        return Strip.blank(self.size.width)


class Host(App):
    CSS = "Rows { height: 10; }"

    def compose(self):
        yield Rows()
        yield Static("other")


async def scrollbar_repaints(patched: bool) -> tuple[int, int]:
    """Repaints of the rows' scrollbar over three layout passes caused by another widget, and the
    scrollbar's virtual size after the rows grow."""
    saved = ScrollView._size_updated
    ScrollView._size_updated = (textual_scroll_fix._size_updated if patched
                                else textual_scroll_fix._original_size_updated)
    try:
        app = Host()
        async with app.run_test(size=(40, 20)) as pilot:
            await pilot.pause()
            rows, other = app.query_one(Rows), app.query_one(Static)
            bar = rows.vertical_scrollbar
            repaints = []
            original = bar.refresh
            bar.refresh = lambda *a, **k: (repaints.append(1), original(*a, **k))[1]
            for n in range(3):
                other.update("other\n" * (n + 2))  # the screen lays out again; the rows are unchanged
                await pilot.pause()
            unrelated = len(repaints)
            rows.virtual_size = Size(20, 300)
            await pilot.pause()
            return unrelated, bar.window_virtual_size
    finally:
        ScrollView._size_updated = saved


async def test_a_layout_that_changes_nothing_for_a_scroll_view_does_not_repaint_its_scrollbar():
    textual_scroll_fix.apply()
    assert await scrollbar_repaints(patched=True) == (0, 300)  # the growth still reaches the scrollbar


async def test_the_unpatched_textual_still_repaints():
    """When this fails, the pinned Textual fixed it: drop textual_scroll_fix."""
    repaints, virtual = await scrollbar_repaints(patched=False)
    assert repaints >= 3 and virtual == 300
