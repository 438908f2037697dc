"""How a user message with attachments, a skill or a `!command` shows in a conversation: the text
the user typed, then one line per attachment (never the attached file's whole text)."""

from __future__ import annotations

import re
from typing import Any, Iterable

_SKILL = re.compile(r'^<skill name="([^"]+)" location="[^"]*">\n.*?\n</skill>(?:\n\n(.*))?\Z', re.S)
_ATTACHED = re.compile(r'^<(file|folder) path="([^"]+)">\n')


def with_attachments(text: str, attachments: Iterable[str] = ()) -> str:
    """The typed text (a skill's body folded to its name), then `↳ attachment` lines."""
    match = _SKILL.match(text)
    if match:
        text = f"/skill:{match.group(1)}" + (f" {match.group(2)}" if match.group(2) else "")
    lines = [f"↳ {a}" for a in attachments]
    return "\n".join([text, *lines]) if lines else text


def attachment_line(block: dict[str, Any]) -> str | None:
    """The line for one stored content block after the first (None: not an attachment)."""
    if block.get("type") != "text":
        return None  # the image itself: its label is the text block before it
    text = str(block.get("text", ""))
    match = _ATTACHED.match(text)
    if match:
        size = len(text.encode("utf-8"))
        return f"{match.group(2)} ({'listing' if match.group(1) == 'folder' else f'~{max(1, size // 1024)} KB'})" \
            if size >= 1024 or match.group(1) == "folder" else match.group(2)
    if text.startswith("[image: "):
        return text
    return None


def user_message_display(msg: dict[str, Any]) -> str | None:
    """A stored user message as the conversation shows it; None when it has no attachments
    (the caller shows its text as before)."""
    content = msg.get("content")
    if not isinstance(content, list) or not content:
        return None
    first = content[0]
    if not isinstance(first, dict) or first.get("type") != "text":
        return None
    lines = [line for b in content[1:] if isinstance(b, dict) and (line := attachment_line(b))]
    text = str(first.get("text", ""))
    if not lines and not _SKILL.match(text):
        return None
    return with_attachments(text, lines)
