"""Reading a session: its header's fields, entries by id, labels and name, messages by role,
the tree, a branch and the LLM context at a leaf. A mixin of SessionManager, which owns the
records and keeps the indexes (`_by_id`, `_labels`, `_session_infos`, `_tree`) up to date as
entries are appended.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from workbench.sessions.context import SessionContext, build_context
from workbench.sessions.errors import EntryNotFound
from workbench.sessions.jsonl import LoadProblem, Record
from workbench.sessions.lazy import LazyEntry, lazy_entries
from workbench.sessions.tree import TreeNode, build_tree_index
from workbench.sessions.warmup import Warmup

_CURRENT_LEAF: Any = object()




class EntryList(Sequence):
    """The entries in file order as dicts, each parsed when first read."""

    def __init__(self, records: list[Record]):
        self._records = records

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [record.entry() for record in self._records[index]]
        return self._records[index].entry()

    def __iter__(self) -> Iterator[dict]:
        for record in self._records:
            yield record.entry()


class SessionReading:
    """Needs SessionManager's header, path, records, indexes and warm-up state."""

    path: Path | None
    header: dict
    problems: list[LoadProblem]
    leaf_id: str | None
    _records: list[Record]
    _by_id: dict[str, Record]
    _has_duplicates: bool
    _labels: dict[str, str]
    _session_infos: list[Record]
    _tree: tuple[list[TreeNode], dict[str, TreeNode]] | None
    _warmup: Warmup | None
    _warm_after_context: bool
    _closed: bool
    _unwritten: list[bytes] | None

    @property
    def session_id(self) -> str:
        return self.header["id"]

    @property
    def cwd(self) -> str | None:
        cwd = self.header.get("cwd")
        return cwd if isinstance(cwd, str) else None

    @property
    def parent_session(self) -> str | None:
        parent = self.header.get("parentSession")
        return parent if isinstance(parent, str) else None

    @property
    def on_disk(self) -> bool:
        """Whether the session file exists (False for a new session before its first message,
        and for an in-memory one)."""
        return self.path is not None and self._unwritten is None

    @property
    def entries(self) -> EntryList:
        return EntryList(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def entry_ids(self) -> list[str]:
        """Entry ids in file order, without parsing any entry."""
        return [record.id for record in self._records]

    def has_entry(self, entry_id: str) -> bool:
        return entry_id in self._by_id

    def get_entry(self, entry_id: str) -> dict | None:
        record = self._by_id.get(entry_id)
        return record.entry() if record is not None else None

    def entry_type(self, entry_id: str) -> str | None:
        record = self._by_id.get(entry_id)
        return record.type if record is not None else None

    @property
    def labels(self) -> dict[str, str]:
        return dict(self._labels)

    def get_label(self, entry_id: str) -> str | None:
        return self._labels.get(entry_id)

    @property
    def name(self) -> str | None:
        """The name from the latest session_info entry that has one (pi's getSessionName)."""
        for record in reversed(self._session_infos):
            name = record.entry().get("name")
            if isinstance(name, str) and name:
                return name
        return None

    def verify(self) -> list[LoadProblem]:
        """Parse every entry now (loading reads only what it needs) and return all problems.

        Loading vouches for a line from its prefix alone; a line whose body is damaged
        behind a valid prefix is otherwise reported when first read in full."""
        for record in self._records:
            record.entry()
        return list(self.problems)

    def messages(self, role: str, *, keep: bool = True, upto: int | None = None) -> Iterator[dict]:
        """Every message of `role` in the file, all branches, in file order (parses only those:
        the role is read from each line's prefix). `keep=False`: read once, the parse not kept
        (a total over a big session's every branch need not hold them all). `upto`: only among
        the file's first `upto` entries (`len(manager)` taken earlier: what was there then)."""
        for record in self._records if upto is None else self._records[:upto]:
            if self._has_duplicates and self._by_id.get(record.id) is not record:
                continue
            if record.type == "message" and record.role == role:
                message = (record.entry() if keep else record.peek()).get("message")
                if isinstance(message, dict):
                    yield message

    def lazy_entries(self) -> list[LazyEntry]:
        """The entries in file order, each read from its line when a field beyond the prefix is
        needed and not kept parsed (lazy.py): what a view of every entry (the tree) holds."""
        return lazy_entries(self._records)

    def entries_of_type(self, type_: str) -> Iterator[dict]:
        """The entries of one type in file order, all branches (the type is read from each line's
        prefix: no other entry is parsed)."""
        for record in self._records:
            if record.type == type_:
                yield record.entry()

    def count_messages(self, role: str) -> int:
        """How many messages of `role` the file holds, all branches, without parsing any."""
        return sum(1 for record in self._unique_records() if record.type == "message" and record.role == role)

    def wait_warm(self, timeout: float | None = None) -> bool:
        """Wait for the background parse (True at once if none is running)."""
        return self._warmup is None or self._warmup.wait(timeout)

    def _unique_records(self) -> list[Record]:
        if not self._has_duplicates:
            return self._records
        return [record for record in self._records if self._by_id.get(record.id) is record]

    def get_tree(self) -> list[TreeNode]:
        """Roots in file order, children by timestamp. Built once, then kept up to date by
        appends; the nodes are shared between calls, so don't modify them."""
        if self._tree is None:
            self._tree = build_tree_index(self._unique_records(), self._labels)
        return list(self._tree[0])

    def get_children(self, entry_id: str) -> list[dict]:
        """Direct children in file order (pi's getChildren)."""
        return [record.entry() for record in self._unique_records() if record.parent_id == entry_id and record.id != entry_id]

    def _path(self, leaf_id: str) -> list[Record]:
        record = self._by_id.get(leaf_id)
        if record is None:
            raise EntryNotFound(leaf_id, str(self.path) if self.path else None)
        path: list[Record] = []
        seen: set[str] = set()
        by_id = self._by_id
        while record is not None and record.id not in seen:  # a parent cycle ends the walk
            seen.add(record.id)
            path.append(record)
            parent = record.parent_id
            record = by_id.get(parent) if parent is not None else None
        path.reverse()
        return path

    def get_branch_ids(self, from_id: str | None = None) -> list[str]:
        leaf = self.leaf_id if from_id is None else from_id
        return [] if leaf is None else [record.id for record in self._path(leaf)]

    def get_branch(self, from_id: str | None = None) -> list[dict]:
        """Entries root → `from_id` (default: the leaf)."""
        leaf = self.leaf_id if from_id is None else from_id
        return [] if leaf is None else [record.entry() for record in self._path(leaf)]

    def build_context(self, leaf_id: Any = _CURRENT_LEAF) -> SessionContext:
        """The LLM context at `leaf_id` (default: the current leaf; None: before the first entry)."""
        leaf = self.leaf_id if leaf_id is _CURRENT_LEAF else leaf_id
        if leaf is None:
            return SessionContext()
        context = build_context(self._path(leaf))
        if self._warm_after_context:
            self._warm_after_context = False
            if not self._closed:
                self._warmup = Warmup(list(self._records))
        return context
