"""A mob member's status, kept from its own runtime events (`StatusTracking`, mixed into
`MobHandle`): running, thinking or which tool, waiting for approval, idle, broken, completed when
a budget ran out — each change logged when final and published as `member_status_changed` — and
the mob's shared budget, which tightens every member's own limits as the mob spends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.mob.members import Member
from workbench.mob.roster import InvalidTransition, MemberStatus, check_member_transition
from workbench.runtime import events as ev

if TYPE_CHECKING:
    import asyncio

    from workbench.mob.definition import MobDefinition
    from workbench.mob.environment import MobEnvironment


class StatusTracking:
    definition: "MobDefinition"
    env: "MobEnvironment"
    id: str
    _members: dict[str, Member]
    _shared_exhausted: str | None

    if TYPE_CHECKING:  # MobHandle's own
        def _append(self, record: dict[str, Any]) -> "asyncio.Future[None] | None": ...
        def _emit(self, event: Any) -> None: ...
        def notify_orchestrator(self, text: str) -> None: ...
        @property
        def total_tokens(self) -> int: ...
        @property
        def total_cost(self) -> float | None: ...

    def _set_status(self, member: Member, status: MemberStatus, activity: str | None = None,
                    error: str | None = None) -> None:
        try:
            check_member_transition(member.identity, member.status, status)
        except InvalidTransition:
            return  # e.g. a late run_completed after retirement began: the stronger status stands
        changed = (status, activity, error) != (member.status, member.activity, member.error)
        member.status, member.activity, member.error = status, activity, error
        if status in ("completed", "broken", "retired") and changed:
            self._append({"type": "member_status", "identity": member.identity, "status": status,
                          "activity": activity, "error": error})
        if changed:
            self._emit_status(member)

    def _emit_status(self, member: Member) -> None:
        self._emit(ev.MemberStatusChanged(mob_id=self.id, identity=member.identity, status=member.status,
                                          activity=member.activity, error=member.error, tokens=member.tokens,
                                          cost_usd=member.cost, member=member.identity,
                                          session_id=member.session.id))

    def _finish_member(self, member: Member, reason: str | None) -> None:
        self._set_status(member, "completed", activity=reason)

    def _on_event(self, event: Any) -> None:
        """Keep each member's status from its own runtime events (synchronous, never awaits)."""
        identity = getattr(event, "member", None)
        member = self._members.get(identity) if identity else None
        if member is None or event.type in ("member_status_changed", "member_spawned", "member_retired",
                                            "members_wired", "members_unwired", "peer_message"):
            return
        if member.status in ("retiring", "retired"):
            return
        kind = event.type
        if kind == "run_started" or kind == "turn_started":
            self._set_status(member, "running", "thinking")
        elif kind == "tool_approval_requested":
            self._set_status(member, "waiting_for_approval", event.name)
        elif kind == "tool_approval_resolved" or kind == "tool_execution_started":
            self._set_status(member, "running", event.name)
        elif kind == "tool_result_received":
            self._set_status(member, "running", "thinking")
        elif kind == "turn_completed":
            member.turns += 1
            self._emit_status(member)  # tokens and cost moved
            self._check_shared_limits()
        elif kind == "budget_exhausted":
            member.exhausted = event.budget_type
        elif kind == "run_completed":
            if event.stop == "budget_exhausted":
                self._exhausted(member)
            else:
                self._set_status(member, "idle")
        elif kind == "run_failed":
            self._set_status(member, "broken", error=f"{event.code}: {event.error}")
            if not member.orchestrator:
                self.notify_orchestrator(f"{member.identity} stopped with an error: {event.error}")

    def _exhausted(self, member: Member) -> None:
        budget = member.exhausted or "budget"
        self._finish_member(member, f"{budget} budget exhausted")
        if not member.orchestrator:
            last = member.session.last_result.text if member.session.last_result else ""
            note = (f"{member.identity} has stopped: its {budget} budget is exhausted "
                    f"({member.tokens} tokens used). It takes no more messages.")
            self.notify_orchestrator(f"{note}\nIts last answer: {last}" if last else note)

    # --- shared limits -----------------------------------------------------------------------

    def _shared_limits(self) -> tuple[int | None, float | None]:
        lim = self.definition.limits
        return (self.env.max_tokens or lim.max_tokens, self.env.max_cost or lim.max_cost)

    def _check_shared_limits(self) -> None:
        """Tighten every member's own limits so the mob as a whole stays within its shared ones:
        each member may spend what it has plus what the mob has left. The runtime then stops the
        member in its orderly way at the next boundary."""
        max_tokens, max_cost = self._shared_limits()
        if max_tokens is None and max_cost is None:
            return
        tokens_left = None if max_tokens is None else max_tokens - self.total_tokens
        cost = self.total_cost
        cost_left = None if (max_cost is None or cost is None) else max_cost - cost
        if (tokens_left is not None and tokens_left <= 0) or (cost_left is not None and cost_left <= 0):
            self._shared_exhausted = "tokens" if tokens_left is not None and tokens_left <= 0 else "cost"
        for m in self._members.values():
            limits = m.own_limits
            if tokens_left is not None:
                cap = max(1, m.tokens + max(tokens_left, 0))
                limits = limits.with_(max_tokens=min(cap, limits.max_tokens or cap))
            if cost_left is not None and m.cost is not None:
                cap_cost = max(1e-9, m.cost + max(cost_left, 0.0))
                limits = limits.with_(max_cost=min(cap_cost, limits.max_cost or cap_cost))
            if limits != m.session.limits:
                m.session.set_limits(limits)
