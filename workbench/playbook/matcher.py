"""The matcher model: ONE structured call per turn, whatever the number of guidelines, through the
session's Provider (anthropic, openai or replay alike).

The model gets the user's message and the numbered conditions still undecided (guidelines no
pattern caught, the current step's transitions) and must answer by calling `report_relevance`
with a score in [0, 1] and a short reason for each. Numbers, not ids, go to the model: ids are
the user's text and could collide with anything. When there is no model to ask (the offline demo,
a replay script with no matcher answer next, `matcher_model = "off"`) or the call fails, matching
falls back to patterns only and says why; the run itself never fails because of the matcher.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from workbench.playbook.matching import JudgeAnswer, Question
from workbench.providers.base import ProviderError, ProviderRequest, StreamDone, ToolSpec

MATCHER_TOOL = "report_relevance"
MAX_REASON = 200

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"scores": {"type": "array", "items": {
        "type": "object",
        "properties": {"n": {"type": "integer", "description": "the condition's number"},
                       "score": {"type": "number", "minimum": 0, "maximum": 1},
                       "reason": {"type": "string", "description": "why, in at most 15 words"}},
        "required": ["n", "score", "reason"]}}},
    "required": ["scores"],
}

SYSTEM = ("You decide which of a software project's playbook conditions apply to the user's latest message "
          "to a coding agent. For every numbered condition give a relevance score from 0 (does not apply) "
          "to 1 (clearly applies) and a reason of at most 15 words. Judge the condition only, not whether "
          f"its action is a good idea. Answer by calling {MATCHER_TOOL} exactly once, scoring every condition.")


def request_text(message: str, questions: list[Question], context: dict[str, Any]) -> str:
    parts = []
    if context.get("last_reply"):
        parts.append(f"<assistant_previous_reply>\n{context['last_reply'][-2000:]}\n</assistant_previous_reply>")
    parts.append(f"<user_message>\n{message}\n</user_message>")
    variables = context.get("variables") or {}
    if variables:
        parts.append("Context variables: " + "; ".join(f"{k} = {v}" for k, v in sorted(variables.items())))
    if context.get("journey"):
        parts.append(f"The conversation is in the journey {context['journey']}.")
    lines = []
    for n, q in enumerate(questions, start=1):
        if q.key.startswith("step:"):
            lines.append(f"{n}. (journey) move on to step {q.key[5:]!r}: {q.condition}")
        else:
            lines.append(f"{n}. {q.condition}")
    parts.append("Conditions:\n" + "\n".join(lines))
    return "\n\n".join(parts)


def _arguments(message: dict[str, Any]) -> Any:
    """The report_relevance call's arguments; else JSON found in the text (a model that answered
    in prose-wrapped JSON); else None."""
    blocks = message.get("content") or []
    for b in blocks:
        if b.get("type") == "toolCall" and b.get("name") == MATCHER_TOOL:
            return b.get("arguments")
    text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
    m = re.search(r"\{.*\}", text, re.DOTALL)
    if m:
        try:
            return json.loads(m.group(0))
        except ValueError:
            return None
    return None


def parse_scores(args: Any, questions: list[Question]) -> dict[str, tuple[float, str]] | None:
    if not isinstance(args, dict) or not isinstance(args.get("scores"), list):
        return None
    out: dict[str, tuple[float, str]] = {}
    for item in args["scores"]:
        if not isinstance(item, dict):
            continue
        n, score = item.get("n"), item.get("score")
        if isinstance(n, str) and n.strip().isdigit():
            n = int(n)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= len(questions):
            continue
        if not isinstance(score, (int, float)) or isinstance(score, bool) or score != score:
            continue
        reason = item.get("reason")
        reason = " ".join(str(reason).split())[:MAX_REASON] if reason is not None else ""
        out[questions[n - 1].key] = (min(1.0, max(0.0, float(score))), reason)
    return out


def _tokens(message: dict[str, Any]) -> int:
    usage = message.get("usage") or {}
    return sum(int(usage.get(k) or 0) for k in ("input", "output", "cacheRead", "cacheWrite"))


class ProviderJudge:
    """A Judge (matching.py) on a Provider. `model`: `[playbook] matcher_model`, else the session's."""

    def __init__(self, provider: Any, model: str, *, off: str | None = None, idle: float | None = 60.0,
                 attempt: float | None = 120.0) -> None:
        self.provider = provider
        self.model = model
        self.off = off  # a reason there is no matcher model at all
        self.idle = idle
        self.attempt = attempt

    def unavailable(self) -> str | None:
        if self.off:
            return self.off
        from workbench.providers.replay import ReplayProvider

        p = self.provider
        if isinstance(p, ReplayProvider):
            if p.is_demo:
                return "offline demo: there is no matcher model, only match patterns apply"
            if not replay_has_answer(p):
                return "the replay script has no matcher answer for this turn: only match patterns apply"
        return None

    async def judge(self, message: str, questions: list[Question], context: dict[str, Any]) -> JudgeAnswer:
        from workbench.providers.deadlines import guarded, where_of

        user = {"role": "user", "content": [{"type": "text", "text": request_text(message, questions, context)}],
                "timestamp": int(time.time() * 1000)}
        request = ProviderRequest(model=self.model, messages=[user], system_prompt=SYSTEM,
                                  tools=[ToolSpec(MATCHER_TOOL, "Report how relevant each numbered condition is.",
                                                  SCHEMA)],
                                  thinking_level="off", max_output_tokens=2048)
        started = time.perf_counter()
        final: dict[str, Any] | None = None
        try:
            async for item in guarded(self.provider.stream(request), idle=self.idle, attempt=self.attempt,
                                      where=where_of(self.provider)):
                if isinstance(item, StreamDone):
                    final = item.message
        except ProviderError as exc:
            return JudgeAnswer(note=f"the matcher model failed ({exc}): only match patterns apply", llm_calls=1,
                               llm_time_ms=_ms(started))
        if final is None:
            return JudgeAnswer(note="the matcher model sent no answer: only match patterns apply", llm_calls=1,
                               llm_time_ms=_ms(started))
        scores = parse_scores(_arguments(final), questions)
        answer = JudgeAnswer(scores=scores or {}, llm_calls=1, tokens=_tokens(final), llm_time_ms=_ms(started),
                             message=final)
        if scores is None:
            answer.note = f"the matcher model did not call {MATCHER_TOOL} with scores: only match patterns apply"
        return answer


def _ms(started: float) -> int:
    return int(round((time.perf_counter() - started) * 1000.0))


def replay_has_answer(provider: Any) -> bool:
    """Whether the replay script's next turn is a matcher answer (a report_relevance call)."""
    turns = provider.script.turns
    if provider.position >= len(turns):
        return False
    return any(c.tool_call is not None and c.tool_call.name == MATCHER_TOOL for c in turns[provider.position].chunks)


def judge_for(settings: Any, provider: Any, session_model: str) -> ProviderJudge:
    """The session's judge: `matcher_model = "off"` turns the model side off."""
    name = settings.matcher_model
    if name is not None and name.strip().lower() in ("off", "none", "patterns"):
        return ProviderJudge(provider, session_model, off=f'matcher_model = "{name}": only match patterns apply')
    return ProviderJudge(provider, name or session_model)
