"""The messages the agent writes, in pi's session format, and what it reads back out of them.

Plain functions (no session state): AgentSession, its mixins, the mob and the front ends share them.
"""

from __future__ import annotations

import time
from typing import Any

from workbench.runtime import events as ev


def now_ms() -> int:
    return int(time.time() * 1000)


def usage_of(message: dict[str, Any]) -> ev.Usage:
    u = message.get("usage") or {}
    return ev.Usage(input_tokens=int(u.get("input") or 0), output_tokens=int(u.get("output") or 0),
                    cache_creation_tokens=int(u.get("cacheWrite") or 0),
                    cache_read_tokens=int(u.get("cacheRead") or 0))


def text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content or () if b.get("type") == "text")


def user_message(text: str, images: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """`images`: pi's image blocks ({"type": "image", "data": base64, "mimeType": ...})."""
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    content.extend(images or ())
    return {"role": "user", "content": content, "timestamp": now_ms()}


def tool_result_message(call_id: str, name: str, text: str, *, is_error: bool,
                        details: dict[str, Any] | None = None,
                        images: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "toolResult", "toolCallId": call_id, "toolName": name,
                           "content": [{"type": "text", "text": text}, *(images or ())]}
    if details:
        msg["details"] = details
    msg["isError"] = is_error
    msg["timestamp"] = now_ms()
    return msg


