"""The key footer: one widget drawing the shown bindings, fitted beside the palette key, clickable."""

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.tui.widgets.key_footer import FooterItem, KeyFooter, fit


def item(action, desc, key="k"):
    return FooterItem(key, key, desc, action, True, "")


def test_fit_keeps_the_best_ranked_hints_in_their_order_and_places_them():
    items = [item("a", "Alpha"), item("b", "Bravo"), item("c", "Charlie")]  # widths 7, 7, 9
    palette = item("p", "palette")  # 9: with its rule, its right blank and one free cell, 12
    rank = {"c": 0, "a": 1, "b": 2}
    placed = fit(items, palette, 12 + 10 + 8, rank)  # room for Charlie (10) and Alpha (8), not Bravo
    assert [(i.action, i.x) for i in placed] == [("a", 0), ("c", 8)]
    assert [i.action for i in fit(items, None, 100, rank)] == ["a", "b", "c"]
    assert fit(items, palette, 12, rank) == []


async def footer_line(app, pilot) -> str:
    footer = app.query_one(KeyFooter)
    for _ in range(100):
        await pilot.pause(0.02)
        if footer.items:
            break
    return footer.render_line(0).text


async def test_the_footer_draws_its_hints_and_the_palette_key_at_the_right():
    app = make_app(FakeBackend())
    async with app.run_test(size=(160, 48)) as pilot:
        line = await footer_line(app, pilot)
        assert len(line) == 160
        assert line.startswith("⏎ Send ^f Follow-up ^q Quit f1 Help ")
        assert line.endswith("▏^p palette ")


async def test_a_click_on_a_hint_presses_its_key_and_hovering_shows_its_tooltip():
    from workbench.tui.screens.help import HelpScreen

    app = make_app(FakeBackend())
    async with app.run_test(size=(160, 48)) as pilot:
        await footer_line(app, pilot)
        footer = app.query_one(KeyFooter)
        help_item = next(i for i in footer.items if i.description == "Help")
        await pilot.hover(KeyFooter, offset=(help_item.x + 1, 0))
        await pilot.pause()
        assert footer._hover == help_item.action
        await pilot.click(KeyFooter, offset=(help_item.x + 1, 0))
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, HelpScreen):
                break
        assert isinstance(app.screen, HelpScreen)
