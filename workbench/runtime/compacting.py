"""The agent's side of compaction: when to compact, and recording the summary in the session.

A mixin of AgentSession (compaction.py holds the pure parts: the cut, the estimate, the request).
Automatic compaction runs before a turn once the context nears the model's window, and once more
when the provider says the context is too long.
"""

from __future__ import annotations

import functools
from typing import Any

from workbench.errors import ProviderFailure, SessionBusy
from workbench.providers.base import ProviderError
from workbench.runtime import events as ev
from workbench.runtime.compaction import (CompactionSettings, estimate_context_tokens, estimate_tokens,
                                          plan_cut, summarise, summary_request)
from workbench.runtime.phases import _Interrupted
from workbench.runtime.retry import RetryPolicy, describe


class Compacting:
    """Needs AgentSession's manager, provider, model, context and `_emit`, `_base`, `_account`,
    `_phase_run`, `persist`."""

    manager: Any
    provider: Any
    model: str
    compaction: CompactionSettings
    retry: RetryPolicy
    context_tokens: int
    _context: list[dict[str, Any]]
    _running: bool
    _interrupt: bool
    _budget: Any
    _compaction_error: str | None

    def _estimate_context(self) -> int:
        return estimate_context_tokens(self._context)

    def can_compact(self) -> tuple[bool, str]:
        """Whether `compact()` has something to do now, and why not (or what it would do). The
        token figures are `context_tokens`, the number the context meter shows."""
        if self._running:
            return False, "the agent is running; compact after the run ends"
        plan = plan_cut(self.manager.get_branch(), self.compaction.keep_recent_tokens)
        if plan is None or not plan.summarise:
            return False, (f"nothing to compact yet: the context (~{self.context_tokens:,} tokens) has no "
                           "turns older than the latest prompt to summarise")
        older = sum(estimate_tokens(m) for m in plan.summarise)
        return True, (f"{len(plan.summarise)} older messages (~{older:,} tokens) would be summarised; "
                      f"{plan.kept_messages} recent ones kept; the context is ~{self.context_tokens:,} tokens")

    async def _maybe_compact(self) -> None:
        window = self.context_window
        if not self.compaction.enabled or not window:
            return
        if self.context_tokens > window - self.compaction.reserve_tokens:
            await self._compact(None, automatic=True)

    async def compact(self, instructions: str | None = None) -> str | None:
        """Compact on demand (not while a run is going: call it between runs)."""
        if self._running:
            raise SessionBusy(f"session {self.id} is running; compact after the run ends")
        self._running = True
        try:
            return await self._compact(instructions, automatic=False)
        finally:
            self._running = False

    async def _compact(self, instructions: str | None, *, automatic: bool) -> str | None:
        base = self._base()
        before = len(self._context)
        tokens_before = self.context_tokens
        plan = plan_cut(self.manager.get_branch(), self.compaction.keep_recent_tokens)
        self._emit(ev.CompactionStarted(input_tokens=tokens_before,
                                        estimated_history_tokens=sum(estimate_tokens(m) for m in (plan.summarise if plan else [])),
                                        message_count=before, **base))
        if plan is None or not plan.summarise:
            self._compaction_failed("nothing to compact: the context has no older turns")
            return None
        request = summary_request(self.model, plan.summarise, instructions)
        try:
            summary, final = await self._phase_run(summarise(self.provider, request, idle=self.retry.idle_timeout,
                                                                   attempt=self.retry.attempt_timeout))
        except _Interrupted:
            self._compaction_failed("compaction was interrupted")
            return None
        except ProviderError as exc:
            self._compaction_failed(describe(exc))
            if automatic:
                return None
            raise ProviderFailure(describe(exc)) from None
        if not summary:
            self._compaction_failed("the model returned an empty summary")
            return None
        if final is not None:
            usage, cost = self._account(final)
            self._budget.tokens += usage.total_tokens
            if cost is None:
                self._budget.cost = None
            elif self._budget.cost is not None:
                self._budget.cost += cost
        entry_id = await self.persist(functools.partial(self.manager.append_compaction, summary,
                                                        plan.first_kept_entry_id, tokens_before))
        self._context = list(self.manager.build_context().messages)
        self.context_tokens = self._estimate_context()
        self._emit(ev.CompactionCompleted(summary_tokens=estimate_tokens({"role": "compactionSummary", "summary": summary}),
                                          messages_before=before, messages_after=len(self._context),
                                          entry_id=entry_id, **base))
        return entry_id

    def _compaction_failed(self, error: str) -> None:
        self._compaction_error = error
        self._emit(ev.CompactionFailed(error=error, **self._base()))

    async def _compact_after_overflow(self, exc: ProviderError, details: dict[str, Any]) -> bool:
        """The provider said the context is too long: compact now. True to retry the turn, False
        when the user interrupted; raises ProviderFailure when compaction can't help."""
        if not self.compaction.enabled:
            raise ProviderFailure(f"{describe(exc)}. Automatic compaction is off: compact the conversation "
                                  "(/compact) or start a new session.", details=details)
        entry_id = await self._compact(None, automatic=True)
        if entry_id is None:
            if self._interrupt:
                return False
            raise ProviderFailure(f"{describe(exc)}, and compacting it failed: {self._compaction_error}. "
                                  "Start a new session, or fork the session from an earlier point.",
                                  details=details)
        self._emit(ev.Retrying(attempt=2, max_attempts=2, error=f"{describe(exc)}; compacted, sending the turn again",
                               delay_ms=0, kind=exc.kind, **self._base()))
        return True
