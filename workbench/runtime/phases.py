"""The agent's phases: each model stream, approval wait, hook and tool run is its own task.

A mixin of AgentSession. `interrupt()` (or a time limit) cancels the current phase; the loop
sees _Interrupted or _TimeUp instead of being cancelled itself, so it still owns the partial
state and records it (agent.py's module docstring tells the whole story).
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, TypeVar

from workbench.runtime.budget import BudgetLimits, BudgetTracker

T = TypeVar("T")


class _Interrupted(Exception):
    """The current phase was cancelled by interrupt()."""


class _TimeUp(Exception):
    def __init__(self, budget_type: str, limit: float):
        super().__init__(budget_type)
        self.budget_type = budget_type
        self.limit = limit


class Phases:
    """Needs `limits`, `_budget`, `_phase`, `_interrupt` from AgentSession."""

    limits: BudgetLimits
    _budget: BudgetTracker
    _phase: asyncio.Future[Any] | None
    _interrupt: bool

    def _deadline(self, turn: bool) -> tuple[float | None, str | None, float]:
        """Seconds left before a hard time limit, and which one."""
        best: float | None = None
        which: str | None = None
        limit = 0.0
        if self.limits.max_duration is not None:
            best = self.limits.max_duration - self._budget.elapsed()
            which, limit = "duration", self.limits.max_duration
        if turn and self.limits.max_turn_duration is not None:
            if best is None or self.limits.max_turn_duration < best:
                best, which, limit = self.limits.max_turn_duration, "turn_duration", self.limits.max_turn_duration
        return best, which, limit

    async def _phase_run(self, coro: Awaitable[T], *, turn: bool = False) -> T:
        """Run one interruptible step; raise _Interrupted or _TimeUp instead of cancelling the run."""
        task = asyncio.ensure_future(coro)
        self._phase = task
        if self._interrupt:
            task.cancel()
        timeout, which, limit = self._deadline(turn)
        try:
            if timeout is None:
                await asyncio.wait((task,))
            else:
                done, _ = await asyncio.wait((task,), timeout=max(0.0, timeout))
                if not done:
                    task.cancel()
                    await asyncio.wait((task,), timeout=10)
                    assert which is not None
                    raise _TimeUp(which, limit)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            self._phase = None
        if task.cancelled():
            raise _Interrupted()
        return task.result()

    async def _interruptible(self, coro: Awaitable[T], interrupted: T) -> T:
        """A hook at the run's edge: Esc stops it (the loop then sees the interrupt) rather than
        waiting for its timeout."""
        try:
            return await self._phase_run(coro)
        except _Interrupted:
            return interrupted

