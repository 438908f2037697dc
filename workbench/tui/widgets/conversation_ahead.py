"""Drawing the next pages of history while the app is idle.

A page-down brings in the blocks of about one screen below the window; drawing them (Markdown,
highlighted code, tool cards) was most of the step's time, and only then could the frame be laid
out and painted. Once a change of the window is painted and no input is waiting, the pane draws the
blocks the next pages either way would bring in (`AHEAD_SCREENS` screens of rows above and below the
window; where one side has nothing left, as at the newest message, the other side gets its
screens too), a few milliseconds per turn of the event loop, into the rows kept for the whole pane
(conversation_looks.py). A key pressed meanwhile waits for at most one block; the pages it brings
in then cost their layout and paint. Nothing runs once those screens are drawn: an idle pane costs
no CPU.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from workbench.tui.widgets.conversation_specs import BlockSpec, is_finished, opened_at_first

if TYPE_CHECKING:
    from workbench.tui.widgets.conversation import Conversation

# Screens of rows drawn ahead on each side of the window: a page-down needs about one (the window
# keeps two below the view), so two keep a quick run of presses drawn ahead too.
AHEAD_SCREENS = 2
# Drawing ahead goes on for about this long per turn of the event loop (a block at least): one
# message per block would cost Textual's dispatch each time, and a key waits for one turn at most.
SLICE_S = 0.004
# A pane busy with other messages is asked again after this long.
RETRY_S = 0.05


class DrawAhead:
    """Draws, while idle, the blocks the next pages of `pane` would bring in (see the module's docstring)."""

    def __init__(self, pane: Conversation) -> None:
        self.pane = pane
        self._due = False
        self._waiting = False  # a retry is set for when the pane was busy

    @property
    def due(self) -> bool:
        """Blocks may be left to draw: a turn of drawing is queued, or a retry once the pane is less busy."""
        return self._due or self._waiting

    def schedule(self) -> None:
        """Start (or keep) drawing ahead once the messages already waiting are handled."""
        if not self._due:
            self._due = True
            self.pane.call_later(self._step)

    def _busy(self) -> bool:
        pane = self.pane
        # input or other work waiting (a key, a page to mount): it goes first
        return bool(pane._paging or pane.app.message_queue_size or pane.message_queue_size)

    def _step(self) -> None:
        self._due = False
        pane = self.pane
        if not pane.is_attached:
            return
        # Busy, or a page still due (the window filling up, which may bring the scrollbar and so
        # another width): again a little later (a window change schedules it anyway once painted).
        if self._busy() or pane._edge() is not None:
            if not self._waiting:
                self._waiting = True
                pane.set_timer(RETRY_S, self._retry)
            return
        looks, run = pane._looks, pane.first_run()
        if looks is None or run is None or not run.size.width:
            return
        look = run._look_key(run.size.width)
        screens = AHEAD_SCREENS * (2 if not (pane._newer and pane._older) else 1)  # one side alone gets both shares
        budget = screens * pane.scrollable_content_region.height
        start = time.perf_counter()
        for side in (pane._newer, reversed(pane._older)):
            for spec in _within(side, budget, looks, look):
                opened = opened_at_first(spec)
                if looks.cached(spec, False, opened, look) is not None:
                    continue
                looks.draw(spec, False, opened, look)
                if time.perf_counter() - start >= SLICE_S or self._busy():
                    self.schedule()  # the rest on a later turn
                    return

    def _retry(self) -> None:
        self._waiting = False
        self.schedule()


def _within(specs: Any, rows: int, looks: Any, look: tuple) -> Iterator[BlockSpec]:
    """The finished blocks from the start of `specs` whose rows (those drawn counted, the others as
    one row, until drawn) add up to `rows`."""
    total = 0
    for spec in specs:
        if total >= rows or not is_finished(spec):  # a live card is mounted as a widget of its own
            return
        yield spec
        drawn = looks.cached(spec, False, opened_at_first(spec), look)
        total += len(drawn.rows) if drawn is not None else 1
