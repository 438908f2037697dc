"""Session entries as pi writes them: ids, timestamps, key order and byte encoding.

Entries are plain dicts (the JSON objects of the file). Builders here return dicts
whose key order is pi's (`type, id, parentId, timestamp`, then the type's fields; pi
spreads custom/custom_message fields before the id), so `encode_line` produces the
same bytes pi's `JSON.stringify(entry) + "\\n"` would.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Container
from datetime import datetime, timezone
from typing import Any

CURRENT_VERSION = 3

ENTRY_TYPES: tuple[str, ...] = (
    "message",
    "thinking_level_change",
    "model_change",
    "compaction",
    "branch_summary",
    "custom",
    "custom_message",
    "label",
    "session_info",
)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

THINKING_LEVELS: tuple[str, ...] = ("off", "minimal", "low", "medium", "high", "xhigh")


def iso_now() -> str:
    """Current UTC time as JavaScript's `Date.prototype.toISOString` prints it."""
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def iso_to_ms(timestamp: Any) -> int | None:
    """Milliseconds since the epoch, as `new Date(ts).getTime()`; None where JS gives NaN."""
    if not isinstance(timestamp, str):
        return None
    try:
        parsed = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    if parsed.tzinfo is None:  # JS reads date-time strings without offset as local; pi never writes them
        parsed = parsed.replace(tzinfo=timezone.utc)
    delta = parsed - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def new_entry_id(taken: Container[str]) -> str:
    """8 hex chars not in `taken` (pi: the first 8 chars of a random UUID, 100 tries, then a full UUID)."""
    for _ in range(100):
        candidate = uuid.uuid4().hex[:8]
        if candidate not in taken:
            return candidate
    return str(uuid.uuid4())


class EntryFactory:
    """Where new ids and timestamps come from; tests inject fixed ones."""

    def __init__(
        self,
        *,
        now: Callable[[], str] = iso_now,
        new_id: Callable[[Container[str]], str] = new_entry_id,
        new_session_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ):
        self.now = now
        self.new_id = new_id
        self.new_session_id = new_session_id


# ---------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def encode_line(obj: dict) -> bytes:
    """One JSONL line (with its `\\n`) exactly as JSON.stringify writes it: compact, non-ASCII
    kept as UTF-8, lone surrogates escaped. NaN/Infinity are refused (JSON has none)."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")
    return data + b"\n"


# ---------------------------------------------------------------------------
# Builders (pi's key order)
# ---------------------------------------------------------------------------

def _base(kind: str, entry_id: str, parent_id: str | None, timestamp: str) -> dict:
    return {"type": kind, "id": entry_id, "parentId": parent_id, "timestamp": timestamp}


def _put_optional(entry: dict, key: str, value: Any) -> None:
    # pi leaves undefined fields out of the JSON; we never write null for an optional field
    if value is not None:
        entry[key] = value


def make_header(
    session_id: str,
    timestamp: str,
    cwd: str,
    parent_session: str | None = None,
    extra: dict | None = None,
) -> dict:
    header = {"type": "session", "version": CURRENT_VERSION, "id": session_id, "timestamp": timestamp, "cwd": cwd}
    _put_optional(header, "parentSession", parent_session)
    for key, value in (extra or {}).items():
        if key in header or key == "parentSession":
            raise ValueError(f"extra_header may not override the header field {key!r}")
        header[key] = value
    return header


def make_message(entry_id: str, parent_id: str | None, timestamp: str, message: dict) -> dict:
    entry = _base("message", entry_id, parent_id, timestamp)
    entry["message"] = message
    return entry


def make_thinking_level_change(entry_id: str, parent_id: str | None, timestamp: str, level: str) -> dict:
    entry = _base("thinking_level_change", entry_id, parent_id, timestamp)
    entry["thinkingLevel"] = level
    return entry


def make_model_change(entry_id: str, parent_id: str | None, timestamp: str, provider: str, model_id: str) -> dict:
    entry = _base("model_change", entry_id, parent_id, timestamp)
    entry["provider"] = provider
    entry["modelId"] = model_id
    return entry


def make_compaction(
    entry_id: str,
    parent_id: str | None,
    timestamp: str,
    summary: str,
    first_kept_entry_id: str,
    tokens_before: int,
    details: Any = None,
    from_hook: bool | None = None,
) -> dict:
    entry = _base("compaction", entry_id, parent_id, timestamp)
    entry["summary"] = summary
    entry["firstKeptEntryId"] = first_kept_entry_id
    entry["tokensBefore"] = tokens_before
    _put_optional(entry, "details", details)
    _put_optional(entry, "fromHook", from_hook)
    return entry


def make_branch_summary(
    entry_id: str,
    parent_id: str | None,
    timestamp: str,
    from_id: str,
    summary: str,
    details: Any = None,
    from_hook: bool | None = None,
) -> dict:
    entry = _base("branch_summary", entry_id, parent_id, timestamp)
    entry["fromId"] = from_id
    entry["summary"] = summary
    _put_optional(entry, "details", details)
    _put_optional(entry, "fromHook", from_hook)
    return entry


def make_custom(entry_id: str, parent_id: str | None, timestamp: str, custom_type: str, data: Any = None) -> dict:
    # pi builds `{type, customType, data, id, parentId, timestamp}`: the id fields come last
    entry: dict = {"type": "custom", "customType": custom_type}
    _put_optional(entry, "data", data)
    entry.update(id=entry_id, parentId=parent_id, timestamp=timestamp)
    return entry


def make_custom_message(
    entry_id: str,
    parent_id: str | None,
    timestamp: str,
    custom_type: str,
    content: Any,
    display: bool = True,
    details: Any = None,
) -> dict:
    entry: dict = {"type": "custom_message", "customType": custom_type, "content": content, "display": display}
    _put_optional(entry, "details", details)
    entry.update(id=entry_id, parentId=parent_id, timestamp=timestamp)
    return entry


def make_label(entry_id: str, parent_id: str | None, timestamp: str, target_id: str, label: str | None) -> dict:
    entry = _base("label", entry_id, parent_id, timestamp)
    entry["targetId"] = target_id
    _put_optional(entry, "label", label)  # a cleared label has no `label` key
    return entry


def make_session_info(entry_id: str, parent_id: str | None, timestamp: str, name: str) -> dict:
    entry = _base("session_info", entry_id, parent_id, timestamp)
    entry["name"] = name
    return entry
