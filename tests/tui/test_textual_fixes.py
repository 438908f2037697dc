"""The Textual layout-cache fix (workbench/tui/textual_fixes.py): a widget whose content changes
again while its layout request is still pending gets laid out at its new size, not at the size a
layout in between measured."""

from textual.app import App
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from workbench.tui import textual_fixes

LONG = "word " * 60  # wraps to 4 lines at width 80


class Host(App):
    def compose(self):
        yield VerticalScroll(Static("short"))


async def height_after_a_pending_update():
    app = Host()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        scroll = app.query_one(VerticalScroll)
        static = scroll.query_one(Static)
        static.update("still short")  # a layout request for this widget is now pending...
        scroll._clear_arrangement_cache()  # ...as a sibling mounted in the same burst would leave it
        app.screen._refresh_layout()  # a layout runs before the widget's request is processed
        static.update(LONG)  # and the content grows while the request is still pending
        for _ in range(5):
            await pilot.pause()
        return static.region.height


async def test_a_widget_updated_while_its_layout_is_pending_gets_its_new_height():
    textual_fixes.apply()
    assert await height_after_a_pending_update() == 4


async def test_the_unpatched_textual_still_has_the_bug():
    """When this fails, the pinned Textual fixed it: drop textual_fixes."""
    patched = Widget.refresh
    Widget.refresh = textual_fixes._original_refresh
    try:
        assert await height_after_a_pending_update() == 1
    finally:
        Widget.refresh = patched
