"""Budgets: what a run may spend, and the bookkeeping that says when it has spent it.

Tokens, cost, turns and tool calls are *orderly* limits: checked at boundaries (before a model
turn, before a tool call), and running out ends the run with what it has. Wall time and time per
turn are *hard* limits: the runtime tears the run (or the turn) down when they pass. A warning fires when usage crosses 50, 80 or 95 % of a limit that
is set: once per threshold, and once only when one step crosses several.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from workbench.runtime.events import BudgetExhausted, BudgetWarning

WARNING_THRESHOLDS: tuple[int, ...] = (50, 80, 95)
ORDERLY = ("tokens", "cost", "turns", "tool_calls")
TIMED = ("duration", "turn_duration")


@dataclass(frozen=True)
class BudgetLimits:
    max_tokens: int | None = None
    max_cost: float | None = None         # dollars
    max_turns: int | None = 100
    max_tool_calls: int | None = None
    max_duration: float | None = None     # seconds, the whole run
    max_turn_duration: float | None = None  # seconds, one model turn (streaming)

    def __post_init__(self) -> None:
        for name in ("max_tokens", "max_cost", "max_turns", "max_tool_calls", "max_duration",
                     "max_turn_duration"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"budget {name} must be positive, got {value!r}")

    @classmethod
    def from_settings(cls, budget: Any, **overrides: Any) -> "BudgetLimits":
        """From config's BudgetSettings, with CLI overrides (None = keep the setting)."""
        values = {name: getattr(budget, name, None) for name in
                  ("max_tokens", "max_cost", "max_turns", "max_tool_calls", "max_duration",
                   "max_turn_duration")}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> "BudgetLimits":
        return replace(self, **changes)

    def limit_for(self, budget_type: str) -> float | None:
        return {
            "tokens": self.max_tokens, "cost": self.max_cost, "turns": self.max_turns,
            "tool_calls": self.max_tool_calls, "duration": self.max_duration,
            "turn_duration": self.max_turn_duration,
        }[budget_type]


@dataclass
class BudgetTracker:
    """Usage so far against the limits. The agent feeds it; it answers with events to publish."""

    limits: BudgetLimits
    tokens: int = 0
    cost: float | None = 0.0   # None once an unpriced turn was counted: unknown, never $0
    turns: int = 0
    tool_calls: int = 0
    started_at: float = field(default_factory=time.monotonic)
    _warned: set[tuple[str, int]] = field(default_factory=set)

    def restart_clock(self) -> None:
        self.started_at = time.monotonic()

    def new_run(self) -> None:
        """A run starts: turns, tool calls and time count from zero again, and so do their
        warnings (tokens and cost count the whole session and keep theirs)."""
        self.turns = 0
        self.tool_calls = 0
        self.restart_clock()
        self._warned = {key for key in self._warned if key[0] in ("tokens", "cost")}

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def used(self, budget_type: str) -> float | None:
        if budget_type == "tokens":
            return self.tokens
        if budget_type == "cost":
            return self.cost
        if budget_type == "turns":
            return self.turns
        if budget_type == "tool_calls":
            return self.tool_calls
        if budget_type == "duration":
            return self.elapsed()
        raise KeyError(budget_type)

    def add_turn(self, tokens: int, cost: float | None) -> None:
        self.turns += 1
        self.tokens += tokens
        if cost is None:
            self.cost = None
        elif self.cost is not None:
            self.cost += cost

    def add_tool_call(self) -> None:
        self.tool_calls += 1

    def warnings(self) -> list[BudgetWarning]:
        """Warnings newly due for the orderly limits (each threshold fires once)."""
        out: list[BudgetWarning] = []
        for budget_type in ORDERLY:
            limit = self.limits.limit_for(budget_type)
            if limit is None:
                continue
            used = self.used(budget_type)
            if used is None:  # an unpriced model: no "cost at 0 %" warning; the meters say "unpriced"
                continue
            out.extend(self._threshold_warnings(budget_type, float(used), float(limit)))
        return out

    def time_warnings(self, budget_type: str, used: float) -> list[BudgetWarning]:
        limit = self.limits.limit_for(budget_type)
        if limit is None:
            return []
        return self._threshold_warnings(budget_type, used, float(limit))

    def _threshold_warnings(self, budget_type: str, used: float, limit: float) -> list[BudgetWarning]:
        """One warning when usage crosses one or more thresholds: thresholds passed at once (a
        turns limit of 1 goes from 0 to 100 %) say the same thing, so only one is reported."""
        percent = 100.0 * used / limit
        crossed = [t for t in WARNING_THRESHOLDS if percent >= t and (budget_type, t) not in self._warned]
        if not crossed:
            return []
        self._warned.update((budget_type, t) for t in crossed)
        return [BudgetWarning(budget_type=budget_type, used=used, limit=limit, percent=round(percent, 1))]

    def exhausted(self, *, next_tool_call: bool = False) -> BudgetExhausted | None:
        """The first orderly limit used up, as the event to publish, or None.
        Checked before a model turn (turns/tokens/cost) or before a tool call (tool_calls)."""
        checks = ("tool_calls",) if next_tool_call else ("tokens", "cost", "turns")
        for budget_type in checks:
            limit = self.limits.limit_for(budget_type)
            used = self.used(budget_type)
            if limit is None or used is None:
                continue
            if used >= limit:
                return BudgetExhausted(budget_type=budget_type, used=float(used), limit=float(limit))
        return None
