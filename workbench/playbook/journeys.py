"""Journeys step by step: starting one, choosing a transition (patterns first, then the matcher
model's scores, highest priority wins), and what a step needs before it may move on."""

from __future__ import annotations

from typing import Any, Iterable

from workbench.playbook.model import Journey, JourneyStep, Transition, first_hit, hit_reason
from workbench.playbook.state import JourneyState


def start(journey: Journey) -> JourneyState:
    first = journey.step(journey.initial_step)
    status = "completed" if first is not None and first.is_terminal else "active"
    return JourneyState(journey.id, journey.initial_step, (journey.initial_step,), status)


def move(journey: Journey, state: JourneyState, to: str) -> JourneyState:
    """The state after taking a transition to `to`; reaching a terminal step completes it."""
    moved = state.moved(to)
    step = journey.step(to)
    return moved if step is None or not step.is_terminal else JourneyState(moved.journey_id, to, moved.path, "completed")


def missing_context(step: JourneyStep | None, variables: dict[str, Any]) -> list[str]:
    return [k for k in (step.required_context if step else ()) if k not in variables]


def by_pattern(step: JourneyStep, message: str) -> tuple[Transition, str] | None:
    """The highest-priority transition whose patterns hit the message (file order breaks ties)."""
    best: tuple[Transition, str] | None = None
    for t in step.transitions:
        hit = first_hit(t.match, message)
        if hit is not None and (best is None or t.priority > best[0].priority):
            best = (t, hit_reason(hit))
    return best


def by_scores(step: JourneyStep, scores: dict[str, tuple[float, str]], threshold: float) -> tuple[Transition, str] | None:
    """Among the transitions the model scored at or above the threshold, the highest priority (then
    the highest score)."""
    best: tuple[Transition, float, str] | None = None
    for t in step.transitions:
        scored = scores.get(t.to)
        if scored is None or scored[0] < threshold:
            continue
        if best is None or (t.priority, scored[0]) > (best[0].priority, best[1]):
            best = (t, scored[0], scored[1])
    return (best[0], f"score {best[1]:.2f}: {best[2]}") if best else None


def transition_record(journey: Journey, before: JourneyState | None, after: JourneyState | None,
                      source: str, reason: str) -> dict[str, Any]:
    return {"journey": journey.id, "from": before.step if before else None, "to": after.step if after else None,
            "source": source, "reason": reason, "status": after.status if after else "stopped"}


def progress(journey: Journey, state: JourneyState) -> str:
    """"2/5 run the tests" for the status line."""
    step = journey.step(state.step)
    name = step.name if step else state.step
    return f"{journey.index_of(state.step)}/{len(journey.steps)} {name}"


def step_text(journey: Journey, state: JourneyState, variables: dict[str, Any]) -> list[str]:
    """The journey part of the turn's system-context block."""
    step = journey.step(state.step)
    if step is None:
        return []
    lines = [f"## Journey: {journey.name} — step {journey.index_of(step.id)} of {len(journey.steps)}: {step.name}"]
    if journey.description:
        lines.append(journey.description)
    if state.status == "completed":
        lines.append("This is the journey's last step: it is complete once this step is done.")
    if step.description:
        lines.append(f"This step: {step.description}")
    missing = missing_context(step, variables)
    if missing:
        lines.append(f"Before this step can move on, find out: {', '.join(missing)} (ask the user if unknown).")
    nexts: Iterable[str] = (f"{t.to} (when {t.condition or 'its patterns match'})" for t in step.transitions)
    listed = ", ".join(nexts)
    if listed and state.status == "active":
        lines.append(f"Next steps: {listed}.")
    return lines
