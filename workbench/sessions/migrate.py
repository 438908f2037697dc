"""Migrating v1/v2 sessions to v3 in memory, as pi's `migrateToCurrentVersion` does.

v1 → v2: every entry gets an id and a parentId chaining it to the previous entry;
a compaction's `firstKeptEntryIndex` (an index into the parsed lines, header = 0)
becomes `firstKeptEntryId`. v2 → v3: the `hookMessage` role is renamed `custom`.
Keys are added and deleted exactly where JavaScript would put them, so a migrated
entry serialises as pi's rewritten file would. The file on disk is not touched.
"""

from __future__ import annotations

from collections.abc import Callable, Container

from workbench.sessions.entries import CURRENT_VERSION
from workbench.sessions.jsonl import Record


def header_version(header: dict) -> int:
    version = header.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


def migrate(header: dict, records: list[Record], new_id: Callable[[Container[str]], str]) -> int:
    """Bring header and records to v3 in place; returns the version the file had."""
    original = header_version(header)
    if original >= CURRENT_VERSION:
        return original
    for record in records:
        record.entry()
        record.dirty = True
    if original < 2:
        _v1_to_v2(header, records, new_id)
    _v2_to_v3(header, records)
    for record in records:
        obj = record.obj
        record.id = obj.get("id")
        parent = obj.get("parentId")
        record.parent_id = parent if isinstance(parent, str) else None
        message = obj.get("message")
        role = message.get("role") if isinstance(message, dict) else None
        record.role = role if isinstance(role, str) else None
    return original


def _v1_to_v2(header: dict, records: list[Record], new_id: Callable[[Container[str]], str]) -> None:
    header["version"] = 2
    ids: set[str] = set()
    previous: str | None = None
    everything: list[dict] = [header] + [record.obj for record in records]
    for obj in everything[1:]:
        obj["id"] = entry_id = new_id(ids)
        ids.add(entry_id)
        obj["parentId"] = previous
        previous = entry_id
        if obj.get("type") == "compaction":
            index = obj.get("firstKeptEntryIndex")
            if isinstance(index, float) and index.is_integer():
                index = int(index)
            if isinstance(index, int) and not isinstance(index, bool):
                target = everything[index] if 0 <= index < len(everything) else None
                if target is not None and target.get("type") != "session" and "id" in target:
                    obj["firstKeptEntryId"] = target["id"]
                del obj["firstKeptEntryIndex"]


def _v2_to_v3(header: dict, records: list[Record]) -> None:
    header["version"] = CURRENT_VERSION
    for record in records:
        obj = record.obj
        message = obj.get("message") if obj.get("type") == "message" else None
        if isinstance(message, dict) and message.get("role") == "hookMessage":
            message["role"] = "custom"
