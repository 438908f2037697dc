"""What happened to the offline demo's tool calls, read from the provider request alone.

The runtime answers every tool call with a toolResult message (pi format: toolCallId, toolName,
content, isError) before it asks the model again; that is all a real model sees, so it is all the
demo looks at. A call the user denied comes back as an error whose text begins with
`USER_DENIED`, followed by ` Feedback: <text>` when the user gave some (the runtime's
`gate.denial_text`; a test keeps the two in step, since providers do not import the runtime).
Any other error result (a refusal by the approval mode or a rule, a tool failure, a call skipped
or interrupted) is a call that did not go through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

USER_DENIED = "The user denied this tool call."
FEEDBACK_MARK = " Feedback: "
QUOTE_LIMIT = 300  # characters of untrusted text quoted back; the rest is cut with an ellipsis


@dataclass(frozen=True)
class CallOutcome:
    call_id: str
    tool: str
    ok: bool
    text: str                   # the result's text, as the runtime wrote it
    denied: bool = False        # the user answered the approval with "deny"
    feedback: str | None = None  # what the user said with the denial
    latest: bool = False        # answered after the model's last message: news to this turn


def _result_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b.get("text") or "" for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def call_outcomes(messages: Iterable[dict[str, Any]]) -> list[CallOutcome]:
    """Every tool result in the context, oldest first, with what it says about its call."""
    messages = list(messages)
    last_assistant = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    outcomes = []
    for index, msg in enumerate(messages):
        if msg.get("role") != "toolResult":
            continue
        text = _result_text(msg)
        failed = bool(msg.get("isError"))
        denied = failed and text.startswith(USER_DENIED)
        feedback = None
        if denied and FEEDBACK_MARK in text:
            feedback = text.split(FEEDBACK_MARK, 1)[1].strip() or None
        outcomes.append(CallOutcome(call_id=str(msg.get("toolCallId", "")), tool=str(msg.get("toolName", "")),
                                    ok=not failed, text=text, denied=denied, feedback=feedback,
                                    latest=index > last_assistant))
    return outcomes


def plain_quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Untrusted text as one Markdown code span, so it shows literally: Markdown, Rich markup and
    escape sequences in it are never interpreted (controls and line breaks become spaces)."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split()) or "(empty)"
    if len(flat) > limit:
        flat = flat[:limit - 1] + "…"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
