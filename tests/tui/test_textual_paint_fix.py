"""The paint fix (workbench/tui/textual_paint_fix.py): a partial update sends the terminal the same
thing as Textual's own, and asks only the widgets it covers for their rows."""

from textual._compositor import Compositor
from textual.app import App
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from workbench.tui import textual_paint_fix


class Panes(App):
    CSS = """
    #left { width: 20; border: round red; background: $panel; }
    #right { border: round blue; }
    .row { height: 3; border-left: thick green; padding: 0 1; }
    #status { dock: bottom; height: 1; background: $primary; }
    """

    def compose(self):
        with Horizontal():
            yield Static("left pane\n" * 30, id="left")
            with VerticalScroll(id="right"):
                for n in range(40):
                    yield Static(f"row {n} " * 8, classes="row")
        yield Static("status line", id="status")


def partial_update(app: App, dirty: set, get_renders) -> str:
    """What a partial update of `dirty` sends the terminal, with `get_renders` in the compositor."""
    compositor = app.screen._compositor
    compositor._dirty_regions = set(dirty)
    saved = Compositor._get_renders
    Compositor._get_renders = get_renders
    try:
        update = compositor.render_partial_update()
    finally:
        Compositor._get_renders = saved
    assert update is not None
    return update.render_segments(app.console)


async def test_a_partial_update_paints_the_same_and_asks_only_the_widgets_it_covers():
    app = Panes()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        right = app.query_one("#right", VerticalScroll)
        for step in range(3):
            right.scroll_to(y=7 * (step + 1), animate=False, immediate=True)  # a scroll: the pane's region
            app.screen._refresh_layout()  # laid out and painted by Textual...
            # ...then the same change painted again both ways, from the same dirty regions
            dirty = {right.region}
            asked = []
            left = app.query_one("#left")
            original_render_lines = left.render_lines
            left.render_lines = lambda crop: (asked.append(crop), original_render_lines(crop))[1]
            try:
                theirs = partial_update(app, dirty, textual_paint_fix._original_get_renders)
                asked_by_theirs, asked[:] = len(asked), []
                ours = partial_update(app, dirty, textual_paint_fix._get_renders)
            finally:
                del left.render_lines
            assert ours == theirs
            assert asked_by_theirs == 1 and asked == []  # the left pane is outside what changed


async def test_only_the_rows_inside_the_crop_are_rendered():
    app = Panes()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        compositor = app.screen._compositor
        status = app.query_one("#status", Static)
        asked = []
        screen = app.screen
        original = screen.render_lines
        screen.render_lines = lambda crop: (asked.append(crop), original(crop))[1]
        try:
            crop = status.region
            list(textual_paint_fix._get_renders(compositor, crop))
        finally:
            del screen.render_lines
        assert [(c.y, c.height) for c in asked] == [(crop.y, 1)]  # the screen's one row behind the status line


def test_the_fix_is_installed_by_the_tui_package():
    import workbench.tui  # noqa: F401

    assert Compositor._get_renders is textual_paint_fix._get_renders
