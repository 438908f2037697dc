"""Entries read on demand and not kept: for views of every entry of a big session (the tree).

The tree of a 100 MB session has a row per entry, but shows a screen of them at a time. Holding
every entry parsed beside the file's bytes took ~250 MB more; a `LazyEntry` answers `type`, `id`
and `parentId` (and the message role, for `kind_hint`) from the line's prefix, and anything else
from a parse of its line that is not kept (`Record.peek`): the last one (unless huge) is
remembered, so the several reads of one row cost one parse. An entry already parsed (the current context, appended
entries) is read from the record's own dict.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from workbench.sessions.jsonl import Record

_last: tuple[Record | None, dict] = (None, {})  # the last entry parsed here (one tuple: thread-safe swap)
_MEMO_BYTES = 1 << 16


class LazyEntry(Mapping):
    """One entry as a read-only mapping, parsed when a field beyond its prefix is read."""

    __slots__ = ("record",)

    def __init__(self, record: Record) -> None:
        self.record = record

    def _entry(self) -> dict:
        global _last
        record = self.record
        if record.obj is not None:
            return record.obj
        last = _last
        if last[0] is record:
            return last[1]
        entry = record.peek()
        if record.end - record.start < _MEMO_BYTES:  # a huge one is parsed again rather than held
            _last = (record, entry)
        return entry

    @property
    def role(self) -> str | None:
        """The message role read from the prefix (None: not a message, or not known without parsing)."""
        return self.record.role if self.record.type == "message" and not self.record.bad else None

    def get(self, key: str, default: Any = None) -> Any:
        record = self.record
        if key == "type" and record.type is not None:
            return record.type
        if key == "id" and record.id is not None:
            return record.id
        if key == "parentId":
            return record.parent_id
        return self._entry().get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self._entry()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entry())

    def __len__(self) -> int:
        return len(self._entry())

    def __repr__(self) -> str:
        return f"LazyEntry({self.record!r})"


def lazy_entries(records: Sequence[Record]) -> list[LazyEntry]:
    return [LazyEntry(record) for record in records]
