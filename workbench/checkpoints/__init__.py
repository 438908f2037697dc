"""File checkpoints in a shadow git repository, and restoring them (rewind).

`open_repo(cwd)` gives the workspace's ShadowRepo from the settings (`[checkpoints]`), or None
with the reason (switched off, git missing) in `unavailable(cwd)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.checkpoints.shadow import ShadowRepo

import importlib

# Loaded on first use (PEP 562): `workbench --help` and every headless start build the argument
# parser, which reaches this package for `sessions files|restore`; git.py and shadow.py pull in
# asyncio and concurrent.futures (~0.2 s there), none of which argument parsing needs.
_LAZY = {
    "GIT_MISSING": "git", "CheckpointError": "git", "GitMissing": "git", "git_program": "git",
    "Change": "shadow", "ShadowRepo": "shadow", "Snapshot": "shadow",
    "CHECKPOINT_TYPE": "timeline", "Timeline": "timeline", "is_checkpoint": "timeline",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

__all__ = ["CHECKPOINT_TYPE", "Change", "CheckpointError", "GitMissing", "ShadowRepo", "Snapshot", "Timeline", "checkpoint_settings",
           "is_checkpoint", "open_repo", "unavailable"]


def checkpoint_settings(cwd: Path) -> Any:
    from workbench.config import load_settings

    return load_settings(cwd).settings.checkpoints


def unavailable(cwd: Path, settings: Any = None) -> str | None:
    """Why checkpoints are off here (None: they are on)."""
    settings = settings if settings is not None else checkpoint_settings(cwd)
    from workbench.checkpoints.git import GIT_MISSING, git_program

    if not settings.enabled:
        return "checkpoints are off ([checkpoints] enabled = false)"
    if git_program() is None:
        return GIT_MISSING
    return None


def open_repo(cwd: Path | str, settings: Any = None) -> ShadowRepo | None:
    from workbench.checkpoints.shadow import ShadowRepo
    from workbench.config import data_home

    cwd = Path(cwd)
    settings = settings if settings is not None else checkpoint_settings(cwd)
    if unavailable(cwd, settings) is not None:
        return None
    return ShadowRepo(cwd, data_home(), ignore=settings.ignore, max_file_mb=settings.max_file_mb)
