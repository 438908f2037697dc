"""The pane draws the next pages of history while idle, so a page-down's frame lays out and paints
what was drawn already (conversation_ahead.py, the rows kept in conversation_looks.py)."""

from textual import events

from workbench.tui.clock import FrozenClock
from workbench.tui.widgets.conversation import Conversation
from workbench.tui.widgets.conversation_looks import BlockLooks

from tests.tui.test_conversation_speed import Host, at_the_head, history, top_line, visible_specs


async def idle(conv, pilot):
    """Until the pane has drawn ahead all it will (no page due, nothing left to draw, twice running)."""
    quiet = 0
    for _ in range(1_000):
        await conv.settled()
        await pilot.pause()
        quiet = quiet + 1 if not (conv._ahead.due or conv._paging) else 0
        if quiet == 2:
            return
    raise AssertionError("still drawing ahead")


def counting_draws(monkeypatch):
    drawn = []
    real = BlockLooks._block

    def counted(self, spec, opened, proto, width, run_style):
        drawn.append((spec, width))
        return real(self, spec, opened, proto, width, run_style)

    monkeypatch.setattr(BlockLooks, "_block", counted)
    return drawn


async def test_page_downs_draw_nothing_themselves_once_the_pane_was_idle(monkeypatch):
    drawn = counting_draws(monkeypatch)
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    async with Host(conv).run_test(size=(100, 16)) as pilot:
        await at_the_head(conv, pilot)
        await idle(conv, pilot)
        before = len(drawn)
        assert before > 0
        in_steps = []
        for _ in range(12):
            drawn.clear()
            await conv.action_page_down()  # the key's own work: mount the pages below, move, trim
            in_steps.append(len(drawn))
            await idle(conv, pilot)
        assert in_steps == [0] * 12
        assert conv.hidden_count > 0  # it did page: blocks above were unmounted


async def test_page_ups_from_the_newest_draw_nothing_themselves_once_the_pane_was_idle(monkeypatch):
    drawn = counting_draws(monkeypatch)
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    async with Host(conv).run_test(size=(100, 16)) as pilot:
        await conv.load_history(history(45))
        await idle(conv, pilot)
        hidden = conv.hidden_count
        in_steps = []
        for _ in range(8):
            drawn.clear()
            await conv.action_page_up()
            in_steps.append(len(drawn))
            await idle(conv, pilot)
        assert in_steps == [0] * 8
        assert conv.hidden_count < hidden  # pages above were brought in


async def test_drawing_ahead_stops_once_the_next_pages_are_drawn_and_draws_each_block_once(monkeypatch):
    drawn = counting_draws(monkeypatch)
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    async with Host(conv).run_test(size=(100, 16)) as pilot:
        await conv.load_history(history(45))
        await idle(conv, pilot)
        count = len(drawn)
        for _ in range(5):  # an idle pane does no more
            await pilot.pause()
        assert not conv._ahead.due
        assert len(drawn) == count, drawn[count:]
        # only what is mounted and four screens above it (nothing below): not the whole history
        width = conv.first_run().size.width
        assert len([spec for spec, drawn_width in drawn if drawn_width == width]) < 45 * 3 // 2
        conv.focus()
        await pilot.press("home")
        await idle(conv, pilot)
        while conv._newer or conv.scroll_y < conv.max_scroll_y:
            await pilot.press("pagedown")
            await idle(conv, pilot)
        # nothing drawn twice on the way down (in the width the runs have: a scrollbar that came
        # after the first pages were drawn made them narrower)
        assert len(drawn) == len({(id(spec), width) for spec, width in drawn})


async def test_waiting_input_goes_before_drawing_ahead(monkeypatch):
    drawn = counting_draws(monkeypatch)
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    async with Host(conv).run_test(size=(100, 16)) as pilot:
        await conv.load_history(history(45))
        await conv.settled()
        await pilot.pause()
        conv._ahead._due = False
        conv._looks._drawn.clear()  # as if nothing were drawn ahead yet
        drawn.clear()
        conv.post_message(events.Blur())
        conv._ahead._step()  # a message is waiting: the step yields to it
        assert drawn == []
        await idle(conv, pilot)
        conv._ahead.schedule()
        await idle(conv, pilot)
        assert drawn  # and draws once nothing waits


async def test_what_a_walk_shows_is_the_same_with_drawing_ahead_or_without(monkeypatch):
    walks = []
    for ahead in (True, False):
        if not ahead:
            monkeypatch.setattr("workbench.tui.widgets.conversation_ahead.DrawAhead.schedule", lambda self: None)
        conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
        async with Host(conv).run_test(size=(100, 16)) as pilot:
            await at_the_head(conv, pilot)
            await idle(conv, pilot)
            seen = []
            while conv._newer or conv.scroll_y < conv.max_scroll_y:
                await conv.action_page_down()
                await idle(conv, pilot)
                seen.append((top_line(conv), visible_specs(conv), conv.blocks[0].render_lines(
                    conv.blocks[0].region.reset_offset)[:3]))
            walks.append(seen)
    assert len(walks[0]) > 10
    assert walks[0] == walks[1]
