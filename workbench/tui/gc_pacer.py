"""Full garbage collections at quiet moments instead of in the middle of typing.

CPython's full (generation 2) collection walks every live object. A Textual app streaming a long
answer holds a few hundred thousand (render caches: strips, segments, their small caches), so one
full collection blocks the event loop for 200–400 ms on a busy 2-core machine — the main cause of
swallowed key presses while streaming, and a third of the CPU spent streaming a 10,000-token answer
(measured: docs/tui.md, Performance). Young generations are still collected automatically (cheap);
the pacer turns off automatic full collections and runs one itself when nothing was typed for
`quiet_s` and none ran for `interval_s` — or regardless after `max_delay_s`, so memory held in
reference cycles is always returned.
"""

from __future__ import annotations

import gc
import time
from typing import Callable

# gen 2 threshold meaning "never automatically" (it counts generation-1 collections).
_NEVER = 1 << 30


class GcPacer:
    def __init__(self, *, quiet_s: float = 1.0, interval_s: float = 10.0, max_delay_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, collect: Callable[[], object] = gc.collect,
                 last_input: Callable[[], float] | None = None) -> None:
        self.quiet_s = quiet_s
        self.interval_s = interval_s
        self.max_delay_s = max_delay_s
        self.clock = clock
        self.collect = collect
        self._last_input = last_input  # when the user last typed (same clock), if the app tracks it
        self._noted = float("-inf")
        self.last_collect = clock()
        self.collections = 0
        self._saved: tuple[int, int, int] | None = None

    def install(self) -> GcPacer:
        """Turn off automatic full collections (young generations keep their thresholds)."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            gen0, gen1, _ = self._saved
            gc.set_threshold(gen0, gen1, _NEVER)
        return self

    def uninstall(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def note_input(self) -> None:
        """The user typed: no full collection for the next `quiet_s`."""
        self._noted = self.clock()

    @property
    def last_input(self) -> float:
        return max(self._noted, self._last_input() if self._last_input is not None else float("-inf"))

    def user_active(self, within_s: float | None = None) -> bool:
        """The user typed (or scrolled) within `within_s` (default `quiet_s`): other work that can be
        split should favour short steps now (the conversation pane draws a streamed backlog frame by frame)."""
        return self.clock() - self.last_input < (self.quiet_s if within_s is None else within_s)

    def due(self) -> bool:
        now = self.clock()
        since = now - self.last_collect
        if since >= self.max_delay_s:
            return True
        return since >= self.interval_s and now - self.last_input >= self.quiet_s

    def tick(self) -> bool:
        """Call a few times a second; runs a full collection when one is due. True if it ran."""
        if not self.due():
            return False
        self.collect()
        self.last_collect = self.clock()
        self.collections += 1
        return True
