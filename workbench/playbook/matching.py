"""Matching a user message against the playbook (the seed's match_guidelines), once per run.

1. The active journey's current step: a transition whose `match` patterns hit is taken now.
2. Guidelines that may apply (enabled, the agent's, the journey/step they belong to, their
   `required_context` set) are candidates; the others are skipped with the reason.
3. Candidates whose patterns hit are in (score 1.0, source "pattern"). The rest, and the step's
   transitions when no pattern moved it, go to the matcher model in ONE structured call
   (matcher.py), however many there are; each gets a score and a short reason, and
   `relevance_threshold` decides. Without a matcher model only patterns match, and `matcher_note`
   says why.
4. Highest priority first (then score), `max_matches` kept; a kept guideline's `starts_journey`
   starts that journey when none is running; the current step's own guidelines are added.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from workbench.playbook import journeys as jr
from workbench.playbook.model import Guideline, Journey, Playbook, first_hit, hit_reason
from workbench.playbook.state import JourneyState, PlaybookState


@dataclass(frozen=True)
class GuidelineMatch:
    """The seed's GuidelineMatch: which guideline, how relevant, why, and how it was found."""

    id: str
    score: float
    reason: str
    source: str  # "pattern" | "model" | "journey"
    priority: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "score": round(self.score, 3), "reason": self.reason, "source": self.source,
                "priority": self.priority}


@dataclass(frozen=True)
class Question:
    """One condition the matcher model scores: a guideline (`key` its id) or a transition of the
    current step (`key` "step:<to>")."""

    key: str
    condition: str
    action: str = ""


@dataclass
class JudgeAnswer:
    scores: dict[str, tuple[float, str]] = field(default_factory=dict)  # key -> (score, reason)
    note: str | None = None  # set when there is no usable answer: only patterns matched
    llm_calls: int = 0
    tokens: int = 0
    llm_time_ms: int = 0
    message: dict[str, Any] | None = None  # the matcher's answer (pi format): the session accounts its usage


class Judge(Protocol):
    """The matcher model (matcher.py). `unavailable()` says why there is none (None: there is)."""

    def unavailable(self) -> str | None: ...

    async def judge(self, message: str, questions: list[Question], context: dict[str, Any]) -> JudgeAnswer: ...


@dataclass
class TurnOutcome:
    matched: list[GuidelineMatch]
    skipped: list[dict[str, Any]]
    matcher: str                      # "model" | "patterns-only"
    matcher_note: str | None
    journey_before: JourneyState | None
    journey_after: JourneyState | None
    transition: dict[str, Any] | None
    tools: tuple[str, ...]
    llm_calls: int = 0
    tokens: int = 0
    llm_time_ms: int = 0
    matching_time_ms: float = 0.0
    matcher_message: dict[str, Any] | None = None


def _skip(out: list[dict[str, Any]], gid: str, reason: str) -> None:
    out.append({"id": gid, "reason": reason})


def _eligible(pb: Playbook, js: JourneyState | None, variables: dict[str, Any], agent: Any,
              step_ids: set[str], skipped: list[dict[str, Any]]) -> list[Guideline]:
    active = js if js is not None and js.status != "stopped" else None
    out = []
    for g in pb.guidelines:
        if g.id in step_ids:
            continue  # the current step brings it in
        if not g.enabled:
            _skip(skipped, g.id, "disabled")
        elif agent is not None and not agent.allows_guideline(g.id):
            _skip(skipped, g.id, f"not one of agent {agent.name}'s guidelines")
        elif g.journey is not None and (active is None or active.journey_id != g.journey):
            _skip(skipped, g.id, f"applies only during journey {g.journey}")
        elif g.step is not None and active is not None and active.step != g.step:
            _skip(skipped, g.id, f"applies only at step {g.step} of journey {g.journey}")
        else:
            missing = [k for k in g.required_context if k not in variables]
            if missing:
                _skip(skipped, g.id, f"required context missing: {', '.join(missing)}")
            else:
                out.append(g)
    return out


def _step_guidelines(pb: Playbook, journey: Journey | None, js: JourneyState | None) -> list[Guideline]:
    if journey is None or js is None or js.status == "stopped":
        return []
    step = journey.step(js.step)
    return [g for g in (pb.guideline(gid) for gid in (step.guidelines if step else ())) if g is not None]


async def match_turn(pb: Playbook, state: PlaybookState, message: str, judge: Judge | None,
                     agent: Any = None, context: dict[str, Any] | None = None) -> TurnOutcome:
    started = time.perf_counter()
    settings = pb.settings
    variables = state.variables
    before = state.journey if state.journey is not None and state.journey.active else None
    journey = pb.journey(before.journey_id) if before else None
    after = before if journey is not None else None
    transition: dict[str, Any] | None = None
    skipped: list[dict[str, Any]] = []
    step = journey.step(before.step) if journey is not None and before is not None else None
    may_move = step is not None and not step.is_terminal and bool(step.transitions)
    if may_move and step is not None:
        missing = jr.missing_context(step, variables)
        if missing:
            may_move = False
            _skip(skipped, f"step:{step.id}", f"journey {journey.id} stays at {step.id}: "  # type: ignore[union-attr]
                                              f"required context missing: {', '.join(missing)}")
        else:
            hit = jr.by_pattern(step, message)
            if hit is not None:
                after = jr.move(journey, before, hit[0].to)  # type: ignore[arg-type]
                transition = jr.transition_record(journey, before, after, "pattern", hit[1])  # type: ignore[arg-type]
                may_move = False
    step_guides = _step_guidelines(pb, journey, after)
    candidates = _eligible(pb, after, variables, agent, {g.id for g in step_guides}, skipped)

    matched: list[GuidelineMatch] = []
    rest: list[Guideline] = []
    for g in candidates:
        hit = first_hit(g.match, message)
        if hit is not None:
            matched.append(GuidelineMatch(g.id, 1.0, hit_reason(hit), "pattern", g.priority))
        else:
            rest.append(g)

    questions = [Question(g.id, g.condition, g.action) for g in rest]
    if may_move and step is not None:
        questions += [Question(f"step:{t.to}", t.condition or f"move on to {t.to}") for t in step.transitions
                      if t.condition]
    why_not = judge.unavailable() if judge is not None else "no matcher model"
    answer = JudgeAnswer(note=why_not)
    if questions and why_not is None:
        asked = {**(context or {}), "variables": variables,
                 "journey": f"{journey.name} at step {step.name}" if journey is not None and step is not None else None}
        answer = await judge.judge(message, questions, asked)  # type: ignore[union-attr]
    matcher = "model" if why_not is None and answer.note is None else "patterns-only"
    note = answer.note if matcher == "patterns-only" else None
    threshold = settings.relevance_threshold
    for g in rest:
        scored = answer.scores.get(g.id)
        if matcher == "patterns-only":
            _skip(skipped, g.id, "no pattern matched" + (" (no match patterns)" if not g.match else ""))
        elif scored is None:
            _skip(skipped, g.id, "the matcher model gave it no score")
        elif scored[0] >= threshold:
            matched.append(GuidelineMatch(g.id, scored[0], scored[1], "model", g.priority))
        else:
            _skip(skipped, g.id, f"score {scored[0]:.2f} below relevance_threshold {threshold:g}: {scored[1]}")
    if may_move and step is not None and matcher == "model":
        steps = {k.removeprefix("step:"): v for k, v in answer.scores.items() if k.startswith("step:")}
        chosen = jr.by_scores(step, steps, threshold)
        if chosen is not None:
            after = jr.move(journey, before, chosen[0].to)  # type: ignore[arg-type]
            transition = jr.transition_record(journey, before, after, "model", chosen[1])  # type: ignore[arg-type]
            step_guides = _step_guidelines(pb, journey, after)

    order = {g.id: i for i, g in enumerate(pb.guidelines)}
    matched.sort(key=lambda m: (-m.priority, -m.score, order.get(m.id, 0)))
    for extra in matched[settings.max_matches:]:
        _skip(skipped, extra.id, f"over max_matches ({settings.max_matches}); score {extra.score:.2f}")
    matched = matched[:settings.max_matches]

    if after is None or after.status != "active":
        for m in matched:
            g = pb.guideline(m.id)
            target = pb.journey(g.starts_journey) if g is not None and g.starts_journey else None
            if target is None:
                continue
            if agent is not None and not agent.allows_journey(target.id):
                _skip(skipped, f"journey:{target.id}", f"agent {agent.name} does not run journey {target.id}")
                continue
            after = jr.start(target)
            journey = target
            transition = jr.transition_record(target, None, after, "guideline", f"guideline {m.id} matched")
            step_guides = _step_guidelines(pb, target, after)
            break
    have = {m.id for m in matched}
    for g in step_guides:
        if g.id not in have and g.enabled:
            matched.append(GuidelineMatch(g.id, 1.0, f"step {after.step} of journey {after.journey_id}",  # type: ignore[union-attr]
                                          "journey", g.priority))
    matched.sort(key=lambda m: (-m.priority, -m.score, order.get(m.id, 0)))
    tools: dict[str, None] = {}
    for m in matched:
        g = pb.guideline(m.id)
        for t in g.tools if g is not None else ():
            tools[t] = None
    return TurnOutcome(matched, skipped, matcher, note, state.journey, after if after is not None else state.journey,
                       transition, tuple(tools),
                       answer.llm_calls, answer.tokens, answer.llm_time_ms,
                       (time.perf_counter() - started) * 1000.0, answer.message)

