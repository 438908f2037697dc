"""Checkpoints around the agent's tool calls (the runtime's side of workbench.checkpoints).

Before a call that may change files the workspace is snapshotted; if it changed since the last
checkpoint any agent of this workspace took, that change is recorded as an "external" checkpoint
(it happened outside the agents). After the call — finished, failed, timed out or interrupted —
the workspace is snapshotted again and, if the call changed files, a "tool" checkpoint entry is
appended just before the call's toolResult. A tool counts as read-only only if it declares
`Effect.READ` (read, ls, find, grep, the mob tools); everything else is checkpointed.

Checkpoints never fail a tool call: a git error turns them off for the session and says why
once (`problem`).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from workbench.checkpoints import (CHECKPOINT_TYPE, CheckpointError, ShadowRepo, checkpoint_settings, open_repo,
                                   unavailable)
from workbench.checkpoints.timeline import checkpoint_data
from workbench.tools.base import Effect

log = logging.getLogger(__name__)


USER_COMMAND = "!command"  # the key and "tool" name of the user's own shell command's checkpoint


class _UserCommand:
    effect = Effect.EXEC


def may_change_files(tool: Any) -> bool:
    return getattr(tool, "effect", None) != Effect.READ or getattr(tool, "read_only", None) is False


class ToolCheckpoints:
    def __init__(self, repo: ShadowRepo | None, problem: str | None = None) -> None:
        self.repo = repo
        self.problem = problem          # why checkpoints are off (shown once by the front end)
        self._pending: dict[str, str] = {}  # call id → the tree before it ran

    @classmethod
    def for_workspace(cls, cwd: Any) -> "ToolCheckpoints":
        try:
            settings = checkpoint_settings(cwd)
            if not settings.enabled:
                return cls(None)  # switched off on purpose: nothing to tell
            why = unavailable(cwd, settings)
            return cls(None if why else open_repo(cwd, settings), why)
        except Exception as exc:  # a broken config must not stop the agent: checkpoints off
            return cls(None, f"checkpoints are off: {exc}")

    @property
    def active(self) -> bool:
        return self.repo is not None

    def _fail(self, exc: Exception) -> None:
        self.problem = f"checkpoints are off for this session: {exc}"
        log.warning(self.problem)
        self.repo = None

    async def before(self, session: Any, call_id: str, tool: Any) -> None:
        if self.repo is None or not may_change_files(tool):
            return
        try:
            snap = await self.repo.snapshot()
            last = self.repo.last_tree()
            if last is not None and last != snap.tree:
                outside = await self.repo.changes_since(last, snap)
                data = checkpoint_data(snap.tree, last, outside, kind="external", skipped=snap.skipped)
                await session.persist(functools.partial(session.manager.append_custom, CHECKPOINT_TYPE, data))
                self.repo.journal({"kind": "external", "tree": snap.tree, "agent": "outside the agent",
                                   "files": data["files"], "session": session.id})
            elif last is None:
                self.repo.journal({"kind": "baseline", "tree": snap.tree, "files": [], "session": session.id})
        except CheckpointError as exc:
            self._fail(exc)
            return
        self._pending[call_id] = snap.tree

    async def after(self, session: Any, call_id: str, tool_name: str, **extra: Any) -> dict[str, Any] | None:
        """Checkpoint what the call changed; returns {"entry", "files"} (None: nothing changed)."""
        base = self._pending.pop(call_id, None)
        if base is None or self.repo is None:
            return None
        try:
            snap = await self.repo.snapshot()
            changed = await self.repo.changes_since(base, snap)
            if not changed:
                return None
            agent = getattr(session, "agent", None)
            user = call_id == USER_COMMAND
            kind = "command" if user else "tool"
            who = "user (!command)" if user else agent
            self.repo.journal({"kind": kind, "tree": snap.tree, "agent": who,
                               "files": [c.to_json() for c in changed], "session": session.id,
                               "tool": tool_name, "toolCallId": None if user else call_id})
            data = checkpoint_data(snap.tree, base, changed, kind=kind, skipped=snap.skipped,
                                   tool=tool_name, toolCallId=None if user else call_id, agent=agent, **extra)
            entry_id = await session.persist(functools.partial(session.manager.append_custom, CHECKPOINT_TYPE, data))
        except CheckpointError as exc:
            self._fail(exc)
            return None
        return {"entry": entry_id, "files": len(changed)}

    # -- the user's own `!command` ------------------------------------------------------------

    async def before_user_command(self, session: Any) -> None:
        """Call before running a `!command`: the files as they were before it."""
        await self.before(session, USER_COMMAND, _UserCommand())

    async def after_user_command(self, session: Any, command: str) -> dict[str, Any] | None:
        """Before its bashExecution is recorded: what the command changed (since
        `before_user_command`, or else since the last checkpoint of this workspace)."""
        if self.repo is None:
            return None
        if USER_COMMAND not in self._pending:
            last = self.repo.last_tree()
            if last is None:
                return None  # nothing known from before it: no checkpoint can say what it did
            self._pending[USER_COMMAND] = last
        return await self.after(session, USER_COMMAND, USER_COMMAND, command=command)
