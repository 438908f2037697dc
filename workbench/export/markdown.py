"""Markdown export (/export, `workbench sessions export --format md`): a session's conversation
(the messages of the active path) as a Markdown document.

Layout: a title (the session's name, else its id) with the export date, session id, directory and
model; then one section per message: `## You`, `## Assistant`, `## Shell`, `## Summary`. Tool calls
show their arguments as JSON in a ```json block; results are fenced as text (marked when they
are errors). Thinking is kept but folded: a `<details>` block, closed by default in renderers
that know it (GitHub, most editors); empty or redacted thinking is left out.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any


def message_text(msg: dict[str, Any]) -> str:
    content = msg.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(str(b.get("text", "")) for b in content or [] if isinstance(b, dict) and b.get("type") == "text")


def fence(text: str, lang: str = "") -> str:
    """A fenced code block that the text cannot close: the fence is longer than any run of
    backticks inside (CommonMark)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text.rstrip(chr(10))}\n{ticks}"


def _json(value: Any) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        return json.dumps(repr(value), ensure_ascii=False)


def _time(ms: Any) -> str:
    try:
        return datetime.fromtimestamp(float(ms) / 1000).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError, OverflowError, OSError):
        return ""


def _thinking(text: str) -> str:
    return (f"<details>\n<summary>Thinking ({len(text):,} characters)</summary>\n\n"
            f"{fence(text)}\n\n</details>")


def _assistant(m: dict[str, Any]) -> str:
    parts: list[str] = []
    for block in m.get("content") or []:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and str(block.get("text", "")).strip():
            parts.append(str(block["text"]).strip())
        elif kind == "thinking" and str(block.get("thinking", "")).strip():
            parts.append(_thinking(str(block["thinking"]).strip()))
        elif kind == "toolCall":
            parts.append(f"**Tool call** `{block.get('name', '?')}`\n\n{fence(_json(block.get('arguments', {})), 'json')}")
    if m.get("stopReason") in ("error", "aborted"):
        why = m.get("errorMessage") or ("interrupted" if m.get("stopReason") == "aborted" else "error")
        parts.append(f"> _The answer stopped: {str(why).strip()}_")
    model = m.get("model")
    head = f"## Assistant · {model}" if model else "## Assistant"
    return head + "\n\n" + ("\n\n".join(parts) if parts else "_(no text)_")


def _section(m: dict[str, Any]) -> str | None:
    role = m.get("role")
    if role == "user":
        content = m.get("content")
        text = message_text(m).strip()
        if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "image" for b in content):
            text += "\n\n_(image attached)_"
        return f"## You\n\n{text}"
    if role == "assistant":
        return _assistant(m)
    if role == "toolResult":
        label = "Error" if m.get("isError") else "Result"
        return f"**{label}** of `{m.get('toolName', '?')}`\n\n{fence(message_text(m), 'text')}"
    if role == "bashExecution":
        body = f"$ {m.get('command', '')}\n{m.get('output', '')}"
        extra = f" (exit {m['exitCode']})" if m.get("exitCode") not in (None, 0) else ""
        return f"## Shell{extra}\n\n{fence(body, 'console')}"
    if role in ("compactionSummary", "branchSummary"):
        title = "Summary of the earlier conversation" if role == "compactionSummary" else "Summary of another branch"
        return f"## {title}\n\n{str(m.get('summary', '')).strip()}"
    if role == "custom" and m.get("display", True):
        content = m.get("content")
        text = content if isinstance(content, str) else message_text(m)
        return f"## Note ({m.get('customType', 'custom')})\n\n{str(text).strip()}"
    return None


def export_markdown(messages: list[dict[str, Any]], *, session_id: str = "", name: str | None = None,
                    cwd: str | None = None, model: str | None = None, now: datetime | None = None) -> str:
    when = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    title = name or (f"Session {session_id[:8]}" if session_id else "Session")
    facts = [f"Exported {when}"]
    if session_id:
        facts.append(f"session `{session_id}`")
    if model:
        facts.append(f"model `{model}`")
    if cwd:
        facts.append(f"in `{cwd}`")
    started = _time(messages[0].get("timestamp")) if messages else ""
    if started:
        facts.append(f"started {started}")
    out = [f"# {title}", " · ".join(facts)]
    for m in messages:
        section = _section(m)
        if section:
            out.append(section)
    return "\n\n".join(out) + "\n"
