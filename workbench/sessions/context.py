"""The LLM context at a leaf, exactly as pi's `buildSessionContext` computes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.sessions.entries import iso_to_ms
from workbench.sessions.jsonl import Record


@dataclass(frozen=True)
class SessionContext:
    """Messages are pi AgentMessage dicts (shared with the session's cache: don't mutate them)."""

    messages: list[dict] = field(default_factory=list)
    thinking_level: str = "off"
    model: dict | None = None  # {"provider", "modelId"}

    def to_json(self) -> dict:
        return {"messages": self.messages, "thinkingLevel": self.thinking_level, "model": self.model}


def custom_message(entry: dict) -> dict:
    message: dict[str, Any] = {
        "role": "custom",
        "customType": entry.get("customType"),
        "content": entry.get("content"),
        "display": entry.get("display"),
    }
    if "details" in entry:
        message["details"] = entry["details"]
    message["timestamp"] = iso_to_ms(entry.get("timestamp"))
    return message


def branch_summary_message(entry: dict) -> dict:
    return {
        "role": "branchSummary",
        "summary": entry.get("summary"),
        "fromId": entry.get("fromId"),
        "timestamp": iso_to_ms(entry.get("timestamp")),
    }


def compaction_summary_message(entry: dict) -> dict:
    return {
        "role": "compactionSummary",
        "summary": entry.get("summary"),
        "tokensBefore": entry.get("tokensBefore"),
        "timestamp": iso_to_ms(entry.get("timestamp")),
    }


def _append_message(record: Record, messages: list[dict]) -> None:
    kind = record.type
    if kind == "message":
        entry = record.entry()
        message = entry.get("message")
        if isinstance(message, dict) and not record.bad:
            messages.append(message)
    elif kind == "custom_message":
        entry = record.entry()
        if not record.bad:
            messages.append(custom_message(entry))
    elif kind == "branch_summary":
        entry = record.entry()
        if entry.get("summary") and not record.bad:
            messages.append(branch_summary_message(entry))


def _is_assistant(record: Record) -> bool:
    if record.type != "message":
        return False
    if record.role is None:  # the fast path saw no role: look at the entry
        message = record.entry().get("message")
        role = message.get("role") if isinstance(message, dict) else None
        record.role = role if isinstance(role, str) else ""
    return record.role == "assistant"


def build_context(path: list[Record]) -> SessionContext:
    """`path` runs root → leaf. Settings come from the last matching entries on the path;
    messages from the last compaction on (summary, kept entries, then the rest)."""
    if not path:
        return SessionContext()
    thinking_level: Any = "off"
    thinking_found = False
    model: dict | None = None
    model_found = False
    compaction_index = -1
    # one backwards pass: the last entry of each kind wins, so stop once all three are found
    for index in range(len(path) - 1, -1, -1):
        record = path[index]
        kind = record.type
        if not thinking_found and kind == "thinking_level_change":
            thinking_level = record.entry().get("thinkingLevel")
            thinking_found = True
        elif not model_found and kind == "model_change":
            entry = record.entry()
            model = {"provider": entry.get("provider"), "modelId": entry.get("modelId")}
            model_found = True
        elif not model_found and kind == "message" and _is_assistant(record):
            message = record.entry().get("message")
            if isinstance(message, dict):
                model = {"provider": message.get("provider"), "modelId": message.get("model")}
                model_found = True
        elif compaction_index < 0 and kind == "compaction":
            compaction_index = index
        if thinking_found and model_found and compaction_index >= 0:
            break

    messages: list[dict] = []
    if compaction_index >= 0:
        compaction = path[compaction_index].entry()
        messages.append(compaction_summary_message(compaction))
        first_kept = compaction.get("firstKeptEntryId")
        found = False
        for record in path[:compaction_index]:
            if not found and record.id == first_kept:
                found = True
            if found:
                _append_message(record, messages)
        for record in path[compaction_index + 1:]:
            _append_message(record, messages)
    else:
        for record in path:
            _append_message(record, messages)
    return SessionContext(messages, thinking_level, model)

