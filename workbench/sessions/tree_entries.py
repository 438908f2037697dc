"""Session entries as the tree shows them: their kinds (what filters key on), their text as one
safe line, a tool call's short form. Pure functions and tables, no state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from workbench.sessions.lazy import LazyEntry
from workbench.text import LINE_TABLE

FilterMode = Literal["default", "no-tools", "user-only", "labelled-only", "all"]
FILTERS: tuple[FilterMode, ...] = ("default", "no-tools", "user-only", "labelled-only", "all")
FILTER_TITLES: dict[FilterMode, str] = {
    "default": "default",
    "no-tools": "no tools",
    "user-only": "user only",
    "labelled-only": "labelled only",
    "all": "everything",
}

# Bookkeeping entries the default filter hides (pi hides the same, plus session_info here).
SETTINGS_KINDS = frozenset({"label", "custom", "model", "thinking", "session_info"})
# Entries that carry text a user may want to copy back into the prompt.
LEAF_MARKER_TYPE = "workbench.leaf"

SUMMARY_CHARS = 200  # a row never shows more than this of an entry's text
SEARCH_CHARS = 1000  # how much of an entry's text type-to-search looks at
# Row text is untrusted: controls shown visibly (␛, \x07; workbench.text), whitespace as spaces.
_CONTROL_TABLE = LINE_TABLE


def one_line(text: str, limit: int = SUMMARY_CHARS) -> str:
    """Untrusted text as one safe line: controls visible, newlines → spaces, runs collapsed."""
    if len(text) > limit * 4:
        text = text[: limit * 4]
    return " ".join(text.translate(_CONTROL_TABLE).split())[:limit]


def content_text(content: Any, limit: int | None = None) -> str:
    """The text blocks of a message `content` (a string or a list of blocks), joined."""
    if isinstance(content, str):
        return content if limit is None else content[:limit]
    if not isinstance(content, list):
        return ""
    parts: list[str] = []
    size = 0
    for block in content:
        if isinstance(block, dict) and block.get("type") == "text":
            text = block.get("text")
            if isinstance(text, str):
                parts.append(text)
                size += len(text)
                if limit is not None and size >= limit:
                    break
    joined = "".join(parts)
    return joined if limit is None else joined[:limit]


def _has_text(content: Any) -> bool:
    if isinstance(content, str):
        return bool(content.strip())
    if isinstance(content, list):
        for block in content:
            if isinstance(block, dict) and block.get("type") == "text":
                text = block.get("text")
                if isinstance(text, str) and text.strip():
                    return True
    return False


_TYPE_KINDS = {
    "custom_message": "custom_message",
    "compaction": "compaction",
    "branch_summary": "branch_summary",
    "model_change": "model",
    "thinking_level_change": "thinking",
    "custom": "custom",
    "label": "label",
    "session_info": "session_info",
}
_ROLE_KINDS = {"user": "user", "toolResult": "tool", "bashExecution": "bash"}
# Every kind `classify` returns, as a byte: a filter is a translation table over them.
KIND_CODES = {kind: code for code, kind in enumerate((
    "user", "assistant", "assistant_error", "assistant_tools", "tool", "bash", "message_other", "custom_message",
    "compaction", "branch_summary", "model", "thinking", "custom", "label", "session_info", "other"))}


def _filter_table(hidden: frozenset[str]) -> bytes:
    return bytes(0 if code in {KIND_CODES[k] for k in hidden} else 1 for code in range(256))


_DEFAULT_HIDDEN = SETTINGS_KINDS | {"assistant_tools"}
FILTER_TABLES: dict[str, bytes] = {
    "default": _filter_table(_DEFAULT_HIDDEN),
    "no-tools": _filter_table(_DEFAULT_HIDDEN | {"tool"}),
    "user-only": _filter_table(frozenset(KIND_CODES) - {"user"}),
}


def classify(entry: Mapping[str, Any]) -> str:
    """A short kind for one entry: what filters and row styles key on. An entry read on demand
    (LazyEntry) is classified from its line's prefix where that says enough (all but assistant
    messages): a big session's tool results are not parsed to build its tree."""
    if isinstance(entry, LazyEntry):
        etype = entry.get("type")
        if etype != "message" and etype in _TYPE_KINDS:
            return _TYPE_KINDS[etype]
        role = entry.role
        if role is not None and role != "assistant" and role in _ROLE_KINDS:
            return _ROLE_KINDS[role]
    etype = entry.get("type")
    if etype != "message":
        return _TYPE_KINDS.get(etype, "other")  # type: ignore[arg-type]
    msg = entry.get("message")
    if not isinstance(msg, dict):
        return "message_other"
    role = msg.get("role")
    if role != "assistant":
        return _ROLE_KINDS.get(role, "message_other")  # type: ignore[arg-type]
    if _has_text(msg.get("content")):
        return "assistant"
    if msg.get("stopReason") in ("error", "aborted") or msg.get("errorMessage"):
        return "assistant_error"
    return "assistant_tools"  # only tool calls / thinking: its results stand for it


def format_tool_call(name: str, args: Mapping[str, Any]) -> str:
    """`[read: path:1-40]`, `[edit: path]`, `[bash: cmd…]` — what a tool result row shows."""
    def arg(*keys: str, default: str = "") -> str:
        for key in keys:
            value = args.get(key)
            if value is not None and value != "":
                return str(value)
        return default

    if name == "read":
        shown = arg("path", "file_path")
        offset, limit = args.get("offset"), args.get("limit")
        if isinstance(offset, int) or isinstance(limit, int):
            start = offset if isinstance(offset, int) else 1
            shown += f":{start}" + (f"-{start + limit - 1}" if isinstance(limit, int) else "")
        return f"[read: {shown}]"
    if name in ("write", "edit"):
        return f"[{name}: {arg('path', 'file_path')}]"
    if name == "bash":
        raw = one_line(arg("command"), 10_000)
        return f"[bash: {raw[:50]}{'…' if len(raw) > 50 else ''}]"
    if name in ("grep", "find"):
        pattern = arg("pattern")
        where = arg("path", default=".")
        return f"[grep: /{pattern}/ in {where}]" if name == "grep" else f"[find: {pattern} in {where}]"
    if name == "ls":
        return f"[ls: {arg('path', default='.')}]"
    dumped = json.dumps(dict(args), ensure_ascii=False, separators=(",", ":"), default=str)
    return f"[{name}: {dumped[:40]}{'…' if len(dumped) > 40 else ''}]"


# A row's text as (text, style key) pieces; the widget maps style keys to its theme.
Piece = tuple[str, str]
