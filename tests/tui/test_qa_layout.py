"""QA defects in the layout at 100x30 and 80x24: footer, approvals room, dialogs."""

import pytest
from textual.widgets._footer import FooterKey

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.runtime import events as ev


async def footer_keys(app, pilot):
    """The footer's keys once it has settled (it recomposes after a resize or a focus change)."""
    for _ in range(100):
        await pilot.pause(0.03)
        palette = app.query("FooterKey.-command-palette")
        if palette and palette.first().region.width:
            break
    keys = [k for k in app.query(FooterKey) if not k.has_class("-command-palette")]
    return keys, app.query_one("FooterKey.-command-palette")


@pytest.mark.parametrize("size", [(160, 48), (100, 30), (80, 24)])
async def test_footer_hints_never_run_under_the_palette_key(size):
    app = make_app(FakeBackend())
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.1)
        keys, palette = await footer_keys(app, pilot)
        shown = {k.description for k in keys}
        assert {"Send", "Help", "Approvals"} <= shown  # the most useful ones stay
        for k in keys:
            assert k.region.right <= palette.region.x, (k.description, k.region, palette.region)
        if size[0] == 160:
            assert {"Session", "Side panes", "Quit"} <= shown  # nothing dropped when there is room


async def test_footer_refits_on_resize_and_ranks_the_focused_widgets_keys_first():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=(160, 48)) as pilot:
        await backend.publish(ev.ToolApprovalRequested(request_id="r1", id="c1", name="bash",
                                                       args={"command": "ls"}, preview={"kind": "command", "text": "ls"}))
        await pilot.pause(0.1)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        await pilot.press("f4")
        await pilot.pause(0.3)
        assert app.focused is app.approvals
        keys, palette = await footer_keys(app, pilot)
        shown = [k.description for k in keys]
        assert shown[:4] == ["Allow once", "Allow session", "Always", "Deny"]
        assert all(k.region.right <= palette.region.x for k in keys)
