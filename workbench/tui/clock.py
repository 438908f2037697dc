"""Time seen by the UI, injectable so snapshots freeze elapsed timers and spinners."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable


class Clock:
    """Real monotonic time; `frozen` is False so timers tick."""

    frozen = False

    def now(self) -> float:
        return time.monotonic()


@dataclass
class FrozenClock(Clock):
    """A clock that only moves when told to (tests, snapshots)."""

    value: float = 1000.0
    frozen = True

    def now(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


ClockLike = Clock | Callable[[], float]
