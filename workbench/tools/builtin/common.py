"""Helpers shared by the built-in tools."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from workbench.tools.base import ToolContext, ToolResult
from workbench.tools.limits import BINARY_SNIFF_BYTES, looks_binary
from workbench.tools.paths import PathOutsideWorkspace, is_inside, resolve_path

# Heavy or private directories find/grep never descend into (they do not read .gitignore).
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache",
})


def fail(message: str, **details: object) -> ToolResult:
    return ToolResult(content=message, is_error=True, details=dict(details) or None)


class ToolFailure(Exception):
    """An expected failure; the tool turns it into an error result with this message."""


def resolve_arg(tool: str, raw: str, ctx: ToolContext) -> Path:
    try:
        return resolve_path(raw, ctx)
    except PathOutsideWorkspace as exc:
        raise ToolFailure(f"{tool}: {exc}") from None


def read_head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(BINARY_SNIFF_BYTES)


def is_binary_file(path: Path) -> bool:
    return looks_binary(read_head(path))


def walk(root: Path, allowed: Path) -> Iterator[tuple[Path, bool]]:
    """(path, is_dir) under `root`, in sorted order, skipping SKIP_DIRS, not following symlinked
    directories and skipping symlinks that lead outside `allowed`."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        entries = [(name, True) for name in dirnames] + [(name, False) for name in sorted(filenames)]
        entries.sort(key=lambda e: e[0])
        for name, is_dir in entries:
            path = here / name
            if path.is_symlink() and not is_inside(path.resolve(), allowed):
                continue
            yield path, is_dir
