"""Workspace confinement: every path a tool touches resolves inside the workspace root.

`..`, absolute paths and symlinks that lead outside the root are refused, unless the exact
resolved path was approved by the user (it is then in `ToolContext.approved_paths`). The runtime
calls `outside_paths` before running a call, asks the user about each path, and adds the
approved ones to the context.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.tools.base import Tool, ToolContext


class PathOutsideWorkspace(Exception):
    """A path resolves outside the workspace and the user has not approved it."""

    def __init__(self, raw: str, resolved: Path, workspace: Path):
        self.raw = raw
        self.resolved = resolved
        self.workspace = workspace
        super().__init__(
            f"path '{raw}' resolves to {resolved}, outside the workspace {workspace}; "
            "the user has not approved access to it. Use a path inside the workspace.")


def workspace_root(ctx: "ToolContext") -> Path:
    return Path(ctx.workspace).expanduser().resolve()


def resolve_raw(raw: str, ctx: "ToolContext") -> Path:
    """Where `raw` really points (symlinks followed), without checking confinement."""
    path = Path(os.path.expanduser(raw))
    if not path.is_absolute():
        path = workspace_root(ctx) / path
    return safe_resolve(path)


def safe_resolve(path: Path) -> Path:
    """`path.resolve()`, except that a symlink loop resolves as far as it goes instead of raising
    (the tool then says it is a loop, see `is_loop`)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return Path(os.path.realpath(path))


def is_loop(path: Path) -> bool:
    """A symlink (chain) that never reaches a file: `ln -s a b; ln -s b a`."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def is_inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def is_approved(path: Path, ctx: "ToolContext") -> bool:
    for approved in ctx.approved_paths:
        if Path(approved).expanduser().resolve() == path:
            return True
    return False


def resolve_path(raw: str, ctx: "ToolContext") -> Path:
    """The resolved path for `raw`; raises `PathOutsideWorkspace` when it leaves the workspace
    and was not approved."""
    resolved = resolve_raw(raw, ctx)
    root = workspace_root(ctx)
    if is_inside(resolved, root) or is_approved(resolved, ctx):
        return resolved
    raise PathOutsideWorkspace(raw, resolved, root)


def allowed_root(resolved: Path, ctx: "ToolContext") -> Path:
    """The tree a walk starting at `resolved` may stay in: the workspace, or an approved
    outside directory itself."""
    root = workspace_root(ctx)
    return root if is_inside(resolved, root) else resolved


def display_path(path: Path, ctx: "ToolContext") -> str:
    """Workspace-relative for paths inside the workspace, absolute otherwise."""
    root = workspace_root(ctx)
    if is_inside(path, root):
        rel = path.relative_to(root).as_posix()
        return rel or "."
    return path.as_posix()


def outside_paths(tool: "Tool", args: dict[str, Any], ctx: "ToolContext") -> list[Path]:
    """The resolved paths of this call that leave the workspace and are not yet approved."""
    root = workspace_root(ctx)
    out: list[Path] = []
    for raw in tool.paths(args):
        resolved = resolve_raw(raw, ctx)
        if not is_inside(resolved, root) and not is_approved(resolved, ctx) and resolved not in out:
            out.append(resolved)
    return out
