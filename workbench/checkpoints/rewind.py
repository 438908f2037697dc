"""Restoring the workspace to the files at a session entry: the plan (what a preview shows) and
its application (checkpointed first, so it can be undone).

Conflicts: a file that changed since the last checkpoint any agent of this workspace took was
changed outside the agents (by the user, an editor, a build). A restore that would overwrite such
a file keeps it unless the user says otherwise (`force`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Collection, Mapping, Sequence

from workbench.checkpoints.git import CheckpointError
from workbench.checkpoints.shadow import Change, ShadowRepo, Snapshot
from workbench.checkpoints.timeline import CHECKPOINT_TYPE, Timeline, checkpoint_data

# Appends one entry to the session and returns its id once it is on disk (AgentSession.persist
# for a live agent, a plain manager call for the CLI).
Append = Callable[[Callable[[], str]], Awaitable[str]]


@dataclass(frozen=True)
class PlannedFile:
    status: str          # "A" comes back, "M" goes back to its old content, "D" goes away
    path: str
    conflict: bool       # changed outside the agents since their last checkpoint
    agents: tuple[str, ...] = ()  # who changed it since the target state (mob members, "user")

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "path": self.path, "conflict": self.conflict, "changedBy": list(self.agents)}


@dataclass
class RestorePlan:
    entry_id: str
    target: str          # the tree the workspace goes back to
    current: Snapshot    # the workspace now
    files: list[PlannedFile]
    exact: bool          # False: the entry has no checkpoint above it (the files before the first one)
    skipped: list[tuple[str, int]] = field(default_factory=list)

    @property
    def conflicts(self) -> list[PlannedFile]:
        return [f for f in self.files if f.conflict]

    def to_apply(self, force: bool, overwrite: Collection[str] = ()) -> list[PlannedFile]:
        """What a restore writes: everything but the conflicts, except those the user chose to
        overwrite (all of them with `force`)."""
        return [f for f in self.files if force or not f.conflict or f.path in overwrite]

    def counts(self) -> dict[str, int]:
        out = {"A": 0, "M": 0, "D": 0}
        for f in self.files:
            out[f.status] = out.get(f.status, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {"entry": self.entry_id, "tree": self.target, "current": self.current.tree, "exact": self.exact,
                "files": [f.to_json() for f in self.files], "conflicts": [f.path for f in self.conflicts],
                "skipped": [{"path": p, "size": s} for p, s in self.skipped]}


@dataclass
class RestoreResult:
    plan: RestorePlan
    written: list[PlannedFile]
    kept: list[PlannedFile]   # conflicts left as they were
    before_tree: str
    after_tree: str
    entry_ids: list[str]      # the before-restore and restore checkpoints appended


def _who_changed(repo: ShadowRepo, target: str, paths: set[str]) -> dict[str, list[str]]:
    """For each path, the agents whose checkpoints changed it after the workspace last was
    `target` (the shared journal holds every member's checkpoints)."""
    records = repo.journal_records()
    start = 0
    for i in range(len(records) - 1, -1, -1):
        if records[i].get("tree") == target:
            start = i + 1
            break
    out: dict[str, list[str]] = {}
    for record in records[start:]:
        who = record.get("agent")
        if not who:
            continue  # a single agent's own change: nothing to tell apart
        who = str(who)
        for f in record.get("files") or ():
            path = f.get("path") if isinstance(f, dict) else None
            if path in paths and who not in out.setdefault(path, []):
                out[path].append(who)
    return out


async def plan_restore(repo: ShadowRepo, timeline: Timeline, entry_id: str) -> RestorePlan:
    if entry_id not in timeline:
        raise CheckpointError(f"entry {entry_id} is not in this session")
    state = timeline.state_at(entry_id)
    if state is None:
        raise CheckpointError("this session has no file checkpoints: no tool call has changed files yet")
    if not await repo.has_tree(state.tree):
        raise CheckpointError(f"checkpoint {state.tree[:12]} of entry {entry_id} is missing from {repo.git_dir}")
    current = await repo.snapshot()
    changes = await repo.diff(current.tree, state.tree)
    last = repo.last_tree()
    outside = {c.path for c in await repo.diff(last, current.tree)} if last else set()
    paths = {c.path for c in changes}
    who = _who_changed(repo, state.tree, paths)
    for path in outside & paths:
        who.setdefault(path, []).append("outside the agent")
    files = [PlannedFile(c.status, c.path, c.path in outside, tuple(who.get(c.path, ()))) for c in changes]
    return RestorePlan(entry_id, state.tree, current, files, state.exact, list(current.skipped))


async def apply_restore(repo: ShadowRepo, plan: RestorePlan, manager: Any, append: Append, *,
                        force: bool = False, overwrite: Collection[str] = (), agent: str | None = None,
                        before_leaf: Callable[[], Awaitable[None]] | None = None) -> RestoreResult:
    """Checkpoint the workspace as it is (under the current leaf), optionally move the leaf
    (`before_leaf`: branching the conversation too), write the files, checkpoint the result."""
    last = repo.last_tree()
    outside = await repo.diff(last, plan.current.tree) if last else []
    before = checkpoint_data(plan.current.tree, last, outside, kind="before-restore",
                             skipped=plan.current.skipped, target=plan.entry_id, agent=agent)
    ids = [await append(functools.partial(manager.append_custom, CHECKPOINT_TYPE, before))]
    repo.journal({"kind": "before-restore", "tree": plan.current.tree, "agent": "outside the agent",
                  "files": [c.to_json() for c in outside], "session": manager.session_id})
    if before_leaf is not None:
        await before_leaf()
    todo = plan.to_apply(force, overwrite)
    kept = [f for f in plan.files if f not in todo]
    await repo.apply(plan.target, [f.path for f in todo if f.status != "D"],
                     [f.path for f in todo if f.status == "D"])
    after = await repo.snapshot()
    changed: Sequence[Change] = await repo.diff(plan.current.tree, after.tree)
    data = checkpoint_data(after.tree, plan.current.tree, changed, kind="restore", skipped=after.skipped,
                           target=plan.entry_id, agent=agent,
                           kept=[f.path for f in kept] or None)
    ids.append(await append(functools.partial(manager.append_custom, CHECKPOINT_TYPE, data)))
    repo.journal({"kind": "restore", "tree": after.tree, "agent": agent or "a rewind",
                  "files": [c.to_json() for c in changed], "session": manager.session_id})
    return RestoreResult(plan, todo, kept, plan.current.tree, after.tree, ids)


async def direct_append(append: Callable[[], str]) -> str:
    """For callers that own the manager outright (CLI, TUI without a running agent)."""
    return append()


def describe_plan(plan: RestorePlan, *, force: bool = False) -> list[str]:
    """Plain lines: the CLI's output and the preview's text form."""
    names = {"A": "add", "M": "modify", "D": "delete"}
    lines = []
    for f in plan.files:
        who = f" (changed by {', '.join(f.agents)})" if f.agents else ""
        keep = " — CONFLICT: changed outside the agent, kept" if f.conflict and not force else \
            (" — conflict, overwritten (--force)" if f.conflict else "")
        lines.append(f"{names.get(f.status, f.status):<6} {f.path}{who}{keep}")
    for path, size in plan.skipped:
        lines.append(f"skip   {path} ({size / 1024 / 1024:.1f} MB, over the checkpoint size limit: not captured)")
    return lines


def by_path(files: Sequence[PlannedFile]) -> Mapping[str, PlannedFile]:
    return {f.path: f for f in files}
