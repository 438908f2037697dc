"""File checkpoints in a shadow git repository, and restoring them (rewind).

`open_repo(cwd)` gives the workspace's ShadowRepo from the settings (`[checkpoints]`), or None
with the reason (switched off, git missing) in `unavailable(cwd)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.checkpoints.git import GIT_MISSING, CheckpointError, GitMissing, git_program
from workbench.checkpoints.shadow import Change, ShadowRepo, Snapshot
from workbench.checkpoints.timeline import CHECKPOINT_TYPE, Timeline, is_checkpoint

__all__ = ["CHECKPOINT_TYPE", "Change", "CheckpointError", "GitMissing", "ShadowRepo", "Snapshot", "Timeline", "checkpoint_settings",
           "is_checkpoint", "open_repo", "unavailable"]


def checkpoint_settings(cwd: Path) -> Any:
    from workbench.config import load_settings

    return load_settings(cwd).settings.checkpoints


def unavailable(cwd: Path, settings: Any = None) -> str | None:
    """Why checkpoints are off here (None: they are on)."""
    settings = settings if settings is not None else checkpoint_settings(cwd)
    if not settings.enabled:
        return "checkpoints are off ([checkpoints] enabled = false)"
    if git_program() is None:
        return GIT_MISSING
    return None


def open_repo(cwd: Path | str, settings: Any = None) -> ShadowRepo | None:
    from workbench.config import data_home

    cwd = Path(cwd)
    settings = settings if settings is not None else checkpoint_settings(cwd)
    if unavailable(cwd, settings) is not None:
        return None
    return ShadowRepo(cwd, data_home(), ignore=settings.ignore, max_file_mb=settings.max_file_mb)
