"""The AgentSession's side of playbook agent profiles and configured tools (workbench/playbook).

A profile (`[[agents]]`) changes the system prompt (appended or replacing), the tools the model is
offered (the registry's allow-list), provider/model/thinking, and how many model turns a run may
take: `max_turns`, after which the run ends in order with stop reason "turn_limit". Configured
command tools retry on their own; each retry becomes a tool_retrying event for the tool card.
"""

from __future__ import annotations

from typing import Any, Callable

from workbench.runtime import events as ev

TURN_LIMIT = "turn_limit"  # RunCompleted.stop when an agent profile's max_turns ends the run


class AgentProfiles:
    agent_profile: Any = None  # workbench.playbook.agents.AgentProfile, or None
    _before_agent: Any = None  # what the session ran with before the profile (to go back)

    def _with_profile_prompt(self, base: str) -> str:
        if self.agent_profile is None:
            return base
        from workbench.playbook.agents import profile_prompt

        return profile_prompt(self.agent_profile, base)

    def _turn_limit_reached(self) -> bool:
        """The profile's max_turns (the seed's max engine iterations) is used up for this run."""
        limit = getattr(self.agent_profile, "max_turns", None)
        return limit is not None and self.turns >= limit  # type: ignore[attr-defined]

    def _turn_limit_message(self) -> str:
        profile = self.agent_profile
        return (f"stopped after {profile.max_turns} model turn{'s' if profile.max_turns != 1 else ''}: "
                f"agent '{profile.name}' allows no more per run (max_turns = {profile.max_turns})")

    def _retry_reporter(self, call_id: str, name: str) -> Callable[[int, int, int, str], None]:
        def report(attempt: int, max_attempts: int, delay_ms: int, error: str) -> None:
            self._emit(ev.ToolRetrying(call_id=call_id, tool_name=name, attempt=attempt,  # type: ignore[attr-defined]
                                       max_attempts=max_attempts, delay_ms=delay_ms, error=error,
                                       **self._base()))  # type: ignore[attr-defined]
        return report
