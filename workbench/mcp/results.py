"""An MCP tool result as the model and the pane see it.

Text blocks stay text; images go to the model as images (the pane shows one line per image);
embedded resources and resource links become text with their URI; `structuredContent` is
added as JSON when the text does not already carry it; `isError` makes a tool error. The text is
cut at the built-in tools' output limit with a note saying so, and every configured secret value
is masked before anything is stored or shown.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable

from workbench.tools.base import ToolResult
from workbench.tools.limits import MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES, human_size

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # what the providers accept for one image


def _resource_text(resource: Any) -> str:
    uri = str(getattr(resource, "uri", ""))
    mime = getattr(resource, "mime_type", None)
    text = getattr(resource, "text", None)
    if text is not None:
        return f"[resource {uri}{f' ({mime})' if mime else ''}]\n{text}"
    blob = getattr(resource, "blob", None) or ""
    size = len(base64.b64decode(blob, validate=False)) if blob else 0
    return f"[resource {uri}: binary{f' {mime}' if mime else ''}, {human_size(size)}, not shown]"


def cut(text: str, limit_bytes: int = MAX_OUTPUT_BYTES, limit_lines: int = MAX_OUTPUT_LINES) -> str:
    """At most the output limit, with a note saying how much was left out."""
    lines = text.split("\n")
    data = text.encode("utf-8")
    if len(lines) <= limit_lines and len(data) <= limit_bytes:
        return text
    kept = "\n".join(lines[:limit_lines])
    encoded = kept.encode("utf-8")
    if len(encoded) > limit_bytes:
        kept = encoded[:limit_bytes].decode("utf-8", "ignore")
    shown_lines = kept.count("\n") + 1
    return (f"{kept}\n\n[output cut: {len(lines)} lines, {human_size(len(data))} in all; showing the first "
            f"{shown_lines} lines, {human_size(len(kept.encode('utf-8')))}]")


def convert(result: Any, *, server: str, tool: str, redact: Callable[[str], str] = lambda s: s) -> ToolResult:
    """The SDK's CallToolResult → the workbench's ToolResult."""
    parts: list[str] = []
    images: list[dict[str, Any]] = []
    image_lines: list[str] = []
    for block in result.content or ():
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(block.text)
        elif kind == "image":
            data = block.data or ""
            size = len(data) * 3 // 4
            mime = block.mime_type or "image/png"
            if size > MAX_IMAGE_BYTES:
                parts.append(f"[image {mime}, {human_size(size)}: too large to send to the model]")
                continue
            images.append({"type": "image", "data": data, "mimeType": mime})
            image_lines.append(f"[image {mime}, {human_size(size)}]")
        elif kind == "audio":
            parts.append(f"[audio {block.mime_type}, not supported: left out]")
        elif kind == "resource":
            parts.append(_resource_text(block.resource))
        elif kind == "resource_link":
            label = block.title or block.name
            desc = f" — {block.description}" if block.description else ""
            parts.append(f"[resource link {block.uri}: {label}{desc}]")
        else:
            parts.append(f"[{kind or 'unknown'} content left out]")
    structured = getattr(result, "structured_content", None)
    if structured is not None:
        as_json = json.dumps(structured, ensure_ascii=False, indent=2)
        already = any(_same_json(p, structured) for p in parts)
        if not already:
            parts.append(as_json if not parts else f"structuredContent:\n{as_json}")
    text = redact("\n".join(parts + image_lines))
    if not text.strip():
        text = "(no output)"
    is_error = bool(getattr(result, "is_error", False))
    details: dict[str, Any] = {"mcp": {"server": server, "tool": tool}}
    if image_lines:
        details["mcp"]["images"] = len(images)
    return ToolResult(cut(text), is_error=is_error, details=details, images=images or None)


def _same_json(text: str, value: Any) -> bool:
    """A text block that is the structured content itself (servers often send both; the SDK's
    servers wrap a plain return value as {"result": value})."""
    if isinstance(value, dict) and set(value) == {"result"} and text == value["result"]:
        return True
    try:
        parsed = json.loads(text)
    except (ValueError, TypeError):
        return False
    if parsed == value:
        return True
    return isinstance(value, dict) and set(value) == {"result"} and parsed == value["result"]
