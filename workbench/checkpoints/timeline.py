"""Where the checkpoints sit in a session's tree: pure functions over its entries (no git).

A checkpoint is a `custom` entry (`customType` "workbench.checkpoint"), which pi's context and
tree ignore. The runtime appends it just before the toolResult of the call that changed files,
so every entry below it on that path has the files the checkpoint recorded:

    assistant (toolCall) → checkpoint {tree, base, files} → toolResult → …

The files "at" an entry are those of the last checkpoint on the path root → entry; an entry with
none above it has the files the first checkpoint below it started from (its `base`). A restore
appends a "before-restore" checkpoint under the leaf being left, so going back to that leaf
brings those files back: that is the undo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CHECKPOINT_TYPE = "workbench.checkpoint"
KINDS = ("tool", "command", "external", "before-restore", "restore")  # command: the user's `!command`
MAX_LISTED_FILES = 500  # a checkpoint lists at most this many paths (it keeps the count)


_TREE_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def is_tree_id(value: Any) -> bool:
    """A git object id and nothing else: a session file is untrusted, and a "tree" that starts
    with `-` would reach git as an option."""
    return isinstance(value, str) and _TREE_ID.fullmatch(value) is not None


def is_checkpoint(entry: Mapping[str, Any]) -> bool:
    return entry.get("type") == "custom" and entry.get("customType") == CHECKPOINT_TYPE \
        and isinstance(entry.get("data"), dict) and is_tree_id(entry["data"].get("tree"))


def checkpoint_data(tree: str, base: str | None, files: Sequence[Any], *, kind: str,
                    skipped: Sequence[tuple[str, int]] = (), **extra: Any) -> dict[str, Any]:
    """The entry's `data`: the tree id, the tree it was compared with, the files that changed."""
    listed = [f.to_json() if hasattr(f, "to_json") else dict(f) for f in files[:MAX_LISTED_FILES]]
    data: dict[str, Any] = {"v": 1, "kind": kind, "tree": tree, "base": base, "count": len(files),
                            "files": listed}
    if skipped:
        data["skipped"] = [{"path": p, "size": size} for p, size in skipped[:MAX_LISTED_FILES]]
    data.update({k: v for k, v in extra.items() if v is not None})
    return data


@dataclass(frozen=True)
class State:
    """The files of the workspace at an entry: a tree id, and the checkpoint entry it comes from."""

    tree: str
    checkpoint_id: str
    exact: bool  # False: no checkpoint above the entry, the state the first one below started from


class Timeline:
    """The checkpoints of one session, indexed by entry id."""

    def __init__(self, entries: Iterable[Mapping[str, Any]]) -> None:
        self.by_id: dict[str, Mapping[str, Any]] = {}
        self.order: dict[str, int] = {}
        self.children: dict[str | None, list[str]] = {}
        self.checkpoints: list[str] = []
        for entry in entries:
            eid = entry.get("id")
            if not isinstance(eid, str) or entry.get("type") == "session" or eid in self.by_id:
                continue
            self.by_id[eid] = entry
            self.order[eid] = len(self.order)
            self.children.setdefault(entry.get("parentId"), []).append(eid)
            if is_checkpoint(entry):
                self.checkpoints.append(eid)

    def __contains__(self, entry_id: str) -> bool:
        return entry_id in self.by_id

    def data(self, entry_id: str) -> dict[str, Any]:
        return self.by_id[entry_id]["data"]  # type: ignore[return-value]

    def path(self, entry_id: str) -> list[str]:
        """root → entry."""
        out = []
        seen: set[str] = set()
        cur: str | None = entry_id
        while cur is not None and cur in self.by_id and cur not in seen:
            seen.add(cur)
            out.append(cur)
            cur = self.by_id[cur].get("parentId")  # type: ignore[assignment]
        out.reverse()
        return out

    def _trailing_snapshot(self, entry_id: str) -> str | None:
        """A "before-restore" checkpoint hung under the entry (through other custom entries):
        the files as they were when a restore left this entry."""
        found = None
        stack = list(self.children.get(entry_id, ()))
        while stack:
            cid = stack.pop()
            entry = self.by_id[cid]
            if entry.get("type") != "custom":
                continue
            if is_checkpoint(entry):
                if entry["data"].get("kind") != "before-restore":
                    continue
                if found is None or self.order[cid] > self.order[found]:
                    found = cid
            stack.extend(self.children.get(cid, ()))
        return found

    def state_at(self, entry_id: str) -> State | None:
        """The files at an entry (None: the session has no checkpoint that tells)."""
        if entry_id not in self.by_id:
            raise KeyError(entry_id)
        trailing = self._trailing_snapshot(entry_id)
        if trailing is not None:
            return State(self.data(trailing)["tree"], trailing, True)
        for eid in reversed(self.path(entry_id)):
            if is_checkpoint(self.by_id[eid]):
                return State(self.data(eid)["tree"], eid, True)
        # Nothing above: the first checkpoint after it (below it if there is one) started from it.
        below = self._first_below(entry_id)
        candidates = [below] if below else [c for c in self.checkpoints if self.order[c] > self.order[entry_id]]
        for cid in candidates:
            data = self.data(cid)
            base = data.get("base")
            return State(base if is_tree_id(base) else data["tree"], cid, False)
        return None

    def _first_below(self, entry_id: str) -> str | None:
        best = None
        stack = list(self.children.get(entry_id, ()))
        while stack:
            cid = stack.pop()
            if is_checkpoint(self.by_id[cid]):
                if best is None or self.order[cid] < self.order[best]:
                    best = cid
                continue
            stack.extend(self.children.get(cid, ()))
        return best

    def last_on_path(self, entry_id: str | None) -> str | None:
        """The last checkpoint entry on root → entry (the leaf's: what the agent last saw)."""
        if entry_id is None:
            return None
        for eid in reversed(self.path(entry_id)):
            if is_checkpoint(self.by_id[eid]):
                return eid
        return None

    def on_path(self, entry_id: str | None) -> list[str]:
        if entry_id is None:
            return []
        return [eid for eid in self.path(entry_id) if is_checkpoint(self.by_id[eid])]

    def changed_at(self, entry_id: str) -> list[str]:
        """The checkpoints that belong to an entry: those between it and the entry above it that
        is not a custom entry (a toolResult's own checkpoints), or the entry itself."""
        if is_checkpoint(self.by_id[entry_id]):
            return [entry_id]
        out = []
        cur = self.by_id[entry_id].get("parentId")
        while isinstance(cur, str) and cur in self.by_id and self.by_id[cur].get("type") == "custom":
            if is_checkpoint(self.by_id[cur]):
                out.append(cur)
            cur = self.by_id[cur].get("parentId")
        out.reverse()
        return out

    def files_changed_at(self, entry_id: str) -> list[dict[str, str]]:
        seen: dict[str, dict[str, str]] = {}
        for cid in self.changed_at(entry_id):
            data = self.data(cid)
            if data.get("kind") in ("tool", "command", "restore"):
                for f in data.get("files") or ():
                    if isinstance(f, dict) and isinstance(f.get("path"), str):
                        seen[f["path"]] = {"status": str(f.get("status", "M")), "path": f["path"]}
        return list(seen.values())

    def for_tool_call(self, call_id: str) -> str | None:
        for cid in reversed(self.checkpoints):
            if self.data(cid).get("toolCallId") == call_id:
                return cid
        return None


def file_mark(entries_by_id: Mapping[str, Mapping[str, Any]], entry: Mapping[str, Any]) -> int:
    """How many files the checkpoints just above a (non-custom) entry changed: the tree's `✎N`."""
    if entry.get("type") == "custom":
        return 0
    paths: set[str] = set()
    cur = entry.get("parentId")
    while isinstance(cur, str):
        above = entries_by_id.get(cur)
        if above is None or above.get("type") != "custom":
            break
        if is_checkpoint(above) and above["data"].get("kind") in ("tool", "command", "restore"):
            files = above["data"].get("files") or ()
            count = above["data"].get("count")
            if isinstance(count, int) and count > len(files):
                return count
            paths.update(f.get("path") for f in files if isinstance(f, dict))
        cur = above.get("parentId")
    paths.discard(None)  # type: ignore[arg-type]
    return len(paths)
