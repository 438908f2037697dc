"""Helpers shared by the built-in tools."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from workbench.tools.base import Tool, ToolContext, ToolResult
from workbench.tools.limits import BINARY_SNIFF_BYTES, looks_binary
from workbench.tools.paths import PathOutsideWorkspace, is_inside, outside_paths, resolve_path

# Heavy or private directories find/grep never descend into (in or out of a git repository).
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


def preview_context(tool: Tool, args: dict, ctx: ToolContext) -> ToolContext:
    """The context a preview runs in: as if the outside paths it is asked about were approved,
    so the user sees the diff they are approving rather than a refusal."""
    extra = outside_paths(tool, args, ctx)
    return replace(ctx, approved_paths=set(ctx.approved_paths) | set(extra)) if extra else ctx


def git_ignored(root: Path) -> set[str] | None:
    """Paths under `root` (relative, dirs with a trailing '/') that git ignores, by git's own
    rules (.gitignore files, .git/info/exclude, core.excludesFile); None outside a repository."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        proc = subprocess.run(
            [git, "-C", str(root), "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
            capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None  # not a work tree (or git failed): nothing is filtered
    return {p for p in proc.stdout.decode("utf-8", errors="surrogateescape").split("\0") if p}


def walk(root: Path, allowed: Path) -> Iterator[tuple[Path, bool]]:
    """(path, is_dir) under `root`, in sorted order, skipping SKIP_DIRS and what git ignores,
    not following symlinked directories and skipping symlinks that lead outside `allowed`."""
    ignored = git_ignored(root) or set()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and f"{prefix}{d}/" not in ignored)
        files = [f for f in filenames if f"{prefix}{f}" not in ignored]
        entries = sorted([(name, True) for name in dirnames] + [(name, False) for name in files])
        for name, is_dir in entries:
            path = here / name
            if path.is_symlink() and not is_inside(path.resolve(), allowed):
                continue
            yield path, is_dir
