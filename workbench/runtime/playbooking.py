"""The agent's side of playbooks: a mixin of AgentSession (agent.py calls `_playbook_*` at each point
in one line), so the agent loop stays readable and workbench/playbook/ never imports the loop.

Around a run: before the prompt is appended the playbook matches it (one matcher-model call at
most) and may move its journey; the matched guidelines' block rides in the system prompt of this
run's requests only (never in the user's words); the tools they name are offered for the run; at
the end the turn's record (with ProcessingMetadata) is appended.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

log = logging.getLogger(__name__)


class SessionJudge:
    """The matcher model of a session: `[playbook] matcher_model` on the session's current
    provider (else the session's own model), looked up at each turn so /model switches follow."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def _judge(self) -> Any:
        from workbench.playbook.matcher import judge_for

        pb = self.session.playbook
        retry = getattr(self.session, "retry", None)
        judge = judge_for(pb.playbook.settings, self.session.provider, self.session.model)
        if retry is not None:
            judge.idle, judge.attempt = retry.idle_timeout, retry.attempt_timeout
        return judge

    def unavailable(self) -> str | None:
        return self._judge().unavailable()

    async def judge(self, message: str, questions: list[Any], context: dict[str, Any]) -> Any:
        return await self._judge().judge(message, questions, context)


class PlaybookTurns:
    """Needs `playbook` (a PlaybookRuntime or None), `manager`, `events`, `_context`, `_emit`,
    `_base`, `_persist_now` and `_interruptible` from AgentSession."""

    playbook: Any
    manager: Any
    events: Any
    _context: list[dict[str, Any]]

    def _emit(self, event: Any) -> None: ...  # pragma: no cover - AgentSession's
    def _base(self) -> dict[str, Any]: ...  # pragma: no cover - AgentSession's
    def _persist_now(self, append: Callable[[], str]) -> str: ...  # pragma: no cover - AgentSession's

    def attach_playbook(self, runtime: Any) -> None:
        """Run this session under `runtime` (a PlaybookRuntime): its state is read from the
        session's leaf now (a resumed session's agent, variables and journey come back)."""
        self.playbook = runtime
        self._playbook_attach()

    def _playbook_attach(self) -> None:
        """In __init__: read the state at the session's leaf, write through the session."""
        self._playbook_unlisten: Callable[[], None] | None = None
        pb = self.playbook
        if pb is None:
            return
        if pb.judge is None:
            pb.judge = SessionJudge(self)
        pb.on_agent = self._playbook_agent
        pb.bind(self.manager, write=self._persist_now, emit=self._playbook_event)

    def _playbook_agent(self, profile: Any) -> None:
        """The playbook's agent changed (/agent, --agent, or restored from the session): apply it."""
        if profile is getattr(self, "agent_profile", None):
            return
        from workbench.playbook.agents import apply_agent

        apply_agent(self, profile)

    def _playbook_event(self, kind: str, fields: dict[str, Any]) -> None:
        from workbench.runtime import events as ev

        cls = ev.GuidelinesMatched if kind == "guidelines_matched" else ev.JourneyTransitioned
        self._emit(cls(**fields, **self._base()))

    def _last_reply(self) -> str:
        for message in reversed(self._context):
            if message.get("role") == "assistant":
                return "".join(b.get("text", "") for b in message.get("content") or () if b.get("type") == "text")
        return ""

    async def _playbook_begin(self, prompt: str) -> None:
        """Before the prompt is appended (matching needs it; the journey state it moves to is
        stored after it: `_playbook_prompted`)."""
        pb = self.playbook
        if pb is None:
            return
        self._playbook_unlisten = self.events.add_listener(pb.observe)
        pb.apply_start_options()
        begin = pb.begin_turn(prompt, context={"last_reply": self._last_reply()})
        if pb.engaged(prompt):  # matching may call the model: Esc interrupts it
            outcome = await self._interruptible(begin, None)  # type: ignore[attr-defined]
        else:  # nothing to match: no task, no scheduling point (a run without a playbook is unchanged)
            outcome = await begin
        if outcome is not None and outcome.matcher_message is not None:
            self._playbook_account(outcome.matcher_message)
        self._playbook_tools(pb.turn_tools())

    def _playbook_account(self, message: dict[str, Any]) -> None:
        """The matcher's call is spending like any other: in the session's usage and the budget."""
        usage, cost = self._account(message)  # type: ignore[attr-defined]
        budget = self._budget  # type: ignore[attr-defined]
        budget.tokens += usage.total_tokens
        if cost is None:
            budget.cost = None
        elif budget.cost is not None:
            budget.cost += cost

    def _playbook_prompted(self) -> None:
        if self.playbook is not None:
            self.playbook.prompt_appended()

    def _playbook_block(self) -> str:
        block = self.playbook.request_block() if self.playbook is not None else ""
        return f"\n\n{block}" if block else ""

    def _playbook_tools(self, names: tuple[str, ...]) -> None:
        from workbench.playbook.agents import allow_turn_tools

        allow_turn_tools(self, names)

    def _playbook_end(self) -> None:
        """After the run, whatever its end: the turn's record; the turn's extra tools go."""
        pb = self.playbook
        if pb is None:
            return
        unlisten, self._playbook_unlisten = self._playbook_unlisten, None
        if unlisten is not None:
            unlisten()
        try:
            pb.end_turn()
        except Exception as exc:  # the record is an explanation: losing it must not fail the run
            log.warning("playbook: the turn record was not written: %s", exc)
        self._playbook_tools(())
