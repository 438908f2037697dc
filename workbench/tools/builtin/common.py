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
from workbench.tools.paths import PathOutsideWorkspace, is_inside, is_loop, outside_paths, resolve_path, safe_resolve

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
        path = resolve_path(raw, ctx)
    except PathOutsideWorkspace as exc:
        raise ToolFailure(f"{tool}: {exc}") from None
    if is_loop(path):
        raise ToolFailure(f"{tool}: '{raw}' is a symbolic link loop: it never reaches a file or directory.")
    return path


class Skipped:
    """What a walk left out, for the note at the end of a listing or search."""

    def __init__(self) -> None:
        self.hidden = 0                   # entries a deny rule hides
        self.rules: list[str] = []
        self.problems: list[str] = []     # "a (symbolic link loop)", "d/ (permission denied)"

    def hide(self, rule: str) -> None:
        self.hidden += 1
        if rule not in self.rules:
            self.rules.append(rule)

    def note(self) -> str:
        parts = []
        if self.hidden:
            parts.append(f"[{self.hidden} entr{'y' if self.hidden == 1 else 'ies'} hidden by the deny rule "
                         f"{', '.join(self.rules)}.]")
        if self.problems:
            shown = ", ".join(self.problems[:10]) + (f" and {len(self.problems) - 10} more" if len(self.problems) > 10 else "")
            parts.append(f"[Skipped: {shown}.]")
        return "\n".join(parts)


def denied_by(path: Path, ctx: ToolContext) -> str | None:
    """The deny rule hiding `path` from this call (by its own name and where it leads), else None."""
    return ctx.read_denied(path) if ctx.read_denied is not None else None


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


def walk(root: Path, allowed: Path, ctx: ToolContext | None = None,
         skipped: Skipped | None = None) -> Iterator[tuple[Path, bool]]:
    """(path, is_dir) under `root`, in sorted order, skipping SKIP_DIRS and what git ignores,
    not following symlinked directories and skipping symlinks that lead outside `allowed`.
    With `ctx`, entries a deny rule hides are left out; loops and unreadable folders are skipped;
    both are counted in `skipped` for the tool's note."""
    ignored = git_ignored(root) or set()
    skipped = skipped if skipped is not None else Skipped()

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "?"
        skipped.problems.append(f"{where}/ ({exc.strerror or exc})")

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and f"{prefix}{d}/" not in ignored)
        files = [f for f in filenames if f"{prefix}{f}" not in ignored]
        entries = sorted([(name, True) for name in dirnames] + [(name, False) for name in files])
        hidden_dirs = set()
        for name, is_dir in entries:
            path = here / name
            if path.is_symlink():
                if is_loop(path):
                    skipped.problems.append(f"{prefix}{name} (symbolic link loop)")
                    continue
                if not is_inside(safe_resolve(path), allowed):
                    continue
            rule = denied_by(path, ctx) if ctx is not None else None
            if rule is not None:
                skipped.hide(rule)
                if is_dir:
                    hidden_dirs.add(name)
                continue
            yield path, is_dir
        if hidden_dirs:
            dirnames[:] = [d for d in dirnames if d not in hidden_dirs]
