"""Compaction with pi's semantics: summarise the older part of the context, keep the recent part.

A compaction entry holds `summary`, `firstKeptEntryId` (the first entry whose message stays in the
context verbatim) and `tokensBefore` (the context's estimated size before). build_context then
yields [compactionSummary, kept messages…]. The cut is always at a user message, so a tool call is
never separated from its result; we keep the most recent `keep_recent_tokens` worth of messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workbench.providers.base import ProviderRequest, StreamDone, TextDeltaEvent

SUMMARY_SYSTEM_PROMPT = (
    "You are summarising a coding session so it can continue in a fresh context window. "
    "Write a concise, structured summary: ## Goal, ## Progress (done / in progress), "
    "## Key decisions, ## Files read and modified, ## Next steps. Keep exact file paths, "
    "commands, error messages and names. Do not add anything that did not happen."
)


@dataclass(frozen=True)
class CompactionSettings:
    enabled: bool = True
    reserve_tokens: int = 16_384      # compact when the context exceeds window - reserve
    keep_recent_tokens: int = 20_000  # keep at least this much of the newest messages verbatim


@dataclass
class CutPlan:
    first_kept_entry_id: str
    summarise: list[dict[str, Any]]   # messages that the summary replaces (oldest first)
    kept_messages: int


def estimate_tokens(message: dict[str, Any]) -> int:
    """pi's heuristic: about four characters per token over the message's text."""
    return max(1, _chars(message) // 4)


def reported_tokens(message: dict[str, Any]) -> int:
    """The context size the model reported with an assistant message (all four usage counts)."""
    u = message.get("usage") or {}
    return sum(int(u.get(k) or 0) for k in ("input", "output", "cacheRead", "cacheWrite"))


def estimate_context_tokens(messages: list[dict[str, Any]]) -> int:
    """The one estimate of the context's size (the context meter, compaction, /compact): pi's —
    the last complete assistant message's reported usage, plus ~4 characters per token for every
    message after it. Usage reported before the latest compaction describes the context before it
    was summarised, so there the estimate is characters only."""
    compacted_at = max((m.get("timestamp") or 0 for m in messages if m.get("role") == "compactionSummary"),
                       default=None)
    total = 0
    for message in reversed(messages):
        if message.get("role") == "assistant" and message.get("stopReason") not in ("aborted", "error"):
            reported = reported_tokens(message)
            if reported and (compacted_at is None or (message.get("timestamp") or 0) >= compacted_at):
                return total + reported
        total += estimate_tokens(message)
    return total


def _chars(message: dict[str, Any]) -> int:
    role = message.get("role")
    if role in ("compactionSummary", "branchSummary"):
        return len(message.get("summary") or "")
    if role == "bashExecution":
        return len(message.get("command") or "") + len(message.get("output") or "")
    content = message.get("content")
    if isinstance(content, str):
        return len(content)
    n = 0
    for block in content or ():
        t = block.get("type")
        if t == "text":
            n += len(block.get("text") or "")
        elif t == "thinking":
            n += len(block.get("thinking") or "")
        elif t == "toolCall":
            n += len(block.get("name") or "") + len(json.dumps(block.get("arguments") or {}))
        elif t == "image":
            n += 4800  # pi counts an image as ~1200 tokens
    return n


def plan_cut(path_entries: list[dict[str, Any]], keep_recent_tokens: int) -> CutPlan | None:
    """Where to cut the current path. `path_entries` is root → leaf (SessionManager.get_branch()).

    Only the part of the path that is in the context counts: after the last compaction, from its
    firstKeptEntryId on. Returns None when there is nothing older than the newest user message.
    """
    start = 0
    for i in range(len(path_entries) - 1, -1, -1):
        e = path_entries[i]
        if e.get("type") == "compaction":
            kept = e.get("firstKeptEntryId")
            start = next((j for j, x in enumerate(path_entries) if x.get("id") == kept), i + 1)
            break
    region = [e for e in path_entries[start:] if e.get("type") == "message"]
    user_idx = [i for i, e in enumerate(region) if (e.get("message") or {}).get("role") == "user"]
    candidates = [i for i in user_idx if i > 0]
    if not candidates:
        return None
    # Walk back from the newest message until keep_recent_tokens are covered; cut at the user
    # message at or before that point (keeps at least the budget), else the oldest candidate.
    suffix = 0
    cut = None
    for i in range(len(region) - 1, 0, -1):
        suffix += estimate_tokens(region[i]["message"])
        if i in candidates:
            cut = i
            if suffix >= keep_recent_tokens:
                break
    if cut is None:
        cut = candidates[-1]
    return CutPlan(first_kept_entry_id=region[cut]["id"],
                   summarise=[e["message"] for e in region[:cut]],
                   kept_messages=len(region) - cut)


def _render(message: dict[str, Any]) -> str:
    role = message.get("role")
    if role == "compactionSummary":
        return "[Earlier summary]\n" + (message.get("summary") or "")
    if role == "branchSummary":
        return "[Summary of another branch]\n" + (message.get("summary") or "")
    if role == "bashExecution":
        return f"[User ran] $ {message.get('command')}\n{message.get('output') or ''}"
    if role == "toolResult":
        text = "".join(b.get("text", "") for b in message.get("content") or () if b.get("type") == "text")
        err = " (error)" if message.get("isError") else ""
        return f"[Tool result{err}: {message.get('toolName')}]\n{text[:4000]}"
    content = message.get("content")
    if isinstance(content, str):
        return f"[{role}]\n{content}"
    parts = []
    for b in content or ():
        if b.get("type") == "text":
            parts.append(b.get("text", ""))
        elif b.get("type") == "toolCall":
            parts.append(f"(calls {b.get('name')} {json.dumps(b.get('arguments') or {})[:2000]})")
    return f"[{role}]\n" + "\n".join(parts)


def summary_request(model: str, messages: list[dict[str, Any]], instructions: str | None,
                    previous_summary: str | None = None) -> ProviderRequest:
    transcript = "\n\n".join(_render(m) for m in messages)
    ask = "Summarise the conversation above following the structure in your instructions."
    if instructions:
        ask += f"\nAdditional instructions from the user: {instructions}"
    text = f"<conversation>\n{transcript}\n</conversation>\n\n{ask}"
    user = {"role": "user", "content": [{"type": "text", "text": text}], "timestamp": 0}
    return ProviderRequest(model=model, messages=[user], system_prompt=SUMMARY_SYSTEM_PROMPT, tools=[])


async def summarise(provider: Any, request: ProviderRequest, *, idle: float | None = 120.0,
                    attempt: float | None = 600.0) -> tuple[str, dict[str, Any] | None]:
    """Run the summary request; returns (summary text, the assistant message or None). A server
    that goes quiet for `idle` seconds, or takes over `attempt`, ends it (providers/deadlines.py)."""
    from workbench.providers.deadlines import guarded, where_of

    chunks: list[str] = []
    final = None
    async for ev in guarded(provider.stream(request), idle=idle, attempt=attempt, where=where_of(provider)):
        if isinstance(ev, TextDeltaEvent):
            chunks.append(ev.text)
        elif isinstance(ev, StreamDone):
            final = ev.message
    text = "".join(chunks)
    if final is not None:
        done = "".join(b.get("text", "") for b in final.get("content") or () if b.get("type") == "text")
        text = done or text
    return text.strip(), final
