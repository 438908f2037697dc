"""What a turn's playbook did, in two forms: the system-context block the model reads for that
run (never the user's words), and the `workbench.playbook.turn` record the "why" view shows (the
seed's ProcessMessageResponse: matched guidelines, journey before and after, context variables,
ProcessingMetadata)."""

from __future__ import annotations

from typing import Any

from workbench.playbook import journeys as jr
from workbench.playbook.matching import TurnOutcome
from workbench.playbook.model import Playbook
from workbench.playbook.state import PlaybookState

HEADER = "# Playbook guidance for this turn"


def injected_block(pb: Playbook, outcome: TurnOutcome, variables: dict[str, Any]) -> str:
    """The text added to this run's system prompt; "" when nothing applies."""
    lines: list[str] = []
    if outcome.matched:
        lines.append("The project's playbook applies these guidelines to the user's latest message "
                     "(highest priority first). Follow them unless the user asks otherwise.")
        for m in outcome.matched:
            g = pb.guideline(m.id)
            if g is None:
                continue
            tools = f" (tools: {', '.join(g.tools)})" if g.tools else ""
            lines.append(f"- [{g.id}] When {g.condition.rstrip('.')}: {g.action}{tools}")
    js = outcome.journey_after
    journey = pb.journey(js.journey_id) if js is not None and js.status != "stopped" else None
    if journey is not None and js is not None and (js.status == "active" or outcome.transition):
        if lines:
            lines.append("")
        lines.extend(jr.step_text(journey, js, variables))
    if variables and lines:
        lines.append("")
        lines.append("Context variables: " + "; ".join(f"{k} = {v}" for k, v in sorted(variables.items())))
    return f"{HEADER}\n" + "\n".join(lines) if lines else ""


def metadata(*, total_ms: float, llm_ms: float, matching_ms: float, tool_ms: float, llm_calls: int,
             tokens: int) -> dict[str, int]:
    """The seed's ProcessingMetadata, in whole milliseconds."""
    return {"total_time_ms": int(round(total_ms)), "llm_time_ms": int(round(llm_ms)),
            "guideline_matching_time_ms": int(round(matching_ms)), "tool_execution_time_ms": int(round(tool_ms)),
            "llm_calls": int(llm_calls), "tokens_used": int(tokens)}


def turn_record(outcome: TurnOutcome, state: PlaybookState, *, prompt_entry_id: str | None, injected: str,
                meta: dict[str, int]) -> dict[str, Any]:
    return {
        "prompt_entry_id": prompt_entry_id,
        "agent": state.agent,
        "matcher": outcome.matcher,
        "matcher_note": outcome.matcher_note,
        "matched": [m.to_json() for m in outcome.matched],
        "skipped": list(outcome.skipped),
        "journey_before": outcome.journey_before.to_json() if outcome.journey_before else None,
        "journey_after": outcome.journey_after.to_json() if outcome.journey_after else None,
        "transition": outcome.transition,
        "tools": list(outcome.tools),
        "variables": dict(state.variables),
        "injected": injected,
        "metadata": meta,
    }
