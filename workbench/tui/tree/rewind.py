"""Rewinding from the Session pane: the files (and/or the conversation) back to an entry.

The tree calls `rewind(tree, entry_id)` (its key and the palette's /rewind): the plan is computed
off the UI thread (git runs as subprocesses), the preview asks what to rewind, then the restore
is applied — checkpointed first, so it can be undone from the tree — and the conversation is
branched there too if asked. Also here: the `✎N` marks of the entries that changed files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Iterator

from workbench.checkpoints import CheckpointError, Timeline, open_repo, unavailable
from workbench.checkpoints.rewind import apply_restore, direct_append, plan_restore
from workbench.checkpoints.timeline import file_mark
from workbench.sessions.tree_view import KIND_CODES

if TYPE_CHECKING:
    from workbench.tui.tree.widget import SessionTree


class _EntriesById(Mapping[str, Mapping[str, Any]]):
    """The tree index's entries looked up by id (no copy of a 50,000-entry session)."""

    def __init__(self, index: Any) -> None:
        self.index = index

    def __getitem__(self, key: str) -> Mapping[str, Any]:
        return self.index.entries[self.index.pos[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.index.ids)

    def __len__(self) -> int:
        return len(self.index.ids)


def update_marks(marks: dict[str, int], index: Any, entries: Sequence[Mapping[str, Any]]) -> None:
    """Add the `✎N` marks of newly indexed entries (each looks only at the entries above it).
    Only an entry right below a `custom` entry can have one: a session without any (most of a
    50,000-entry session's entries) costs one byte search."""
    custom = KIND_CODES["custom"]
    if custom not in index.kind_codes:
        return
    by_id = _EntriesById(index)
    pos, kinds = index.pos, index.kinds
    for entry in entries:
        eid = entry.get("id")
        parent = pos.get(entry.get("parentId"))  # type: ignore[arg-type]
        if isinstance(eid, str) and parent is not None and kinds[parent] == "custom":
            count = file_mark(by_id, entry)
            if count:
                marks[eid] = count


async def rewind(tree: "SessionTree", entry_id: str) -> None:
    from workbench.tui.screens.rewind import RewindScreen

    manager = tree.manager
    backend = getattr(tree.app, "backend", None)
    if backend is not None and getattr(backend, "is_running", False):
        tree.notify("The agent is running: rewind after the run (Escape interrupts it).", severity="warning")
        return
    workspace = getattr(manager, "cwd", None)
    why = unavailable(workspace) if workspace else "this session has no workspace directory"
    repo = open_repo(workspace) if not why else None
    if repo is None:
        tree.notify(f"Cannot rewind files: {why}", severity="warning")
        return
    tree.busy = "reading the checkpoints…"
    tree.update_status()
    try:
        plan = await plan_restore(repo, Timeline(manager.entries), entry_id)
    except CheckpointError as exc:
        tree.notify(f"Cannot rewind files: {exc.message}", severity="warning")
        return
    finally:
        tree.busy = None
        tree.update_status()
    n = tree.view.index.pos[entry_id]
    text = "".join(t for t, _ in tree.view.index.summary(n))

    async def load_diff(path: str) -> str:
        return await repo.file_diff(plan.current.tree, plan.target, path)

    choice = await tree.app.push_screen_wait(RewindScreen(plan, text, load_diff))
    if choice is None:
        return
    if choice.mode == "conversation":
        tree.branch_at(entry_id)
        return
    target, prompt_text = tree.view.branch_target(entry_id)

    async def move_leaf() -> None:
        if target is None:
            manager.reset_leaf()
        else:
            manager.branch(target)

    try:
        result = await apply_restore(repo, plan, manager, direct_append, overwrite=choice.overwrite,
                                     before_leaf=move_leaf if choice.mode == "both" else None)
    except CheckpointError as exc:
        tree.notify(f"Restore failed: {exc.message}", severity="error")
        tree.sync()
        return
    tree.sync(follow_leaf=True)
    kept = f"; kept {len(result.kept)} file(s) changed outside the agent" if result.kept else ""
    tree.notify(f"Restored {len(result.written)} file(s){kept}. The entry you left has the files as they "
                "were: rewind to it to undo.", timeout=6)
    if choice.mode == "both":
        tree.post_message(tree.Navigated(manager.leaf_id, target, prompt_text, None))


def compare_files_loader(manager: Any, left_id: str, right_id: str) -> Any:
    """What the compare screen calls to list the files two branches differ in (None when
    neither side has a file checkpoint: a session without any shows no files section)."""
    from workbench.tui.screens.compare import FilesFound
    from workbench.tui.widgets.file_changes import FileRow

    async def load() -> FilesFound | None:
        timeline = Timeline(manager.entries)
        if not timeline.checkpoints:
            return None
        left, right = timeline.state_at(left_id), timeline.state_at(right_id)
        if left is None or right is None:
            return None
        workspace = getattr(manager, "cwd", None)
        why = unavailable(workspace) if workspace else "this session has no workspace directory"
        repo = open_repo(workspace) if not why else None
        if repo is None:
            return FilesFound([], None, f"cannot compare files: {why}")
        changes = await repo.diff(left.tree, right.tree)
        if not changes:
            return FilesFound([], None, "the two branches left the same files")
        notes = {"A": "▶ only right", "D": "◀ only left", "M": "≠ differs"}
        rows = [FileRow(c.status, c.path, notes.get(c.status, "")) for c in changes]

        async def load_diff(path: str) -> str:
            return await repo.file_diff(left.tree, right.tree, path)

        return FilesFound(rows, load_diff)

    return load
