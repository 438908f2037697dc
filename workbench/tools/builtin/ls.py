"""ls: the entries of one directory."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from workbench.tools.base import Effect, Tool, ToolContext, ToolResult
from pathlib import Path

from workbench.tools.builtin.common import Skipped, ToolFailure, denied_by, fail, resolve_arg
from workbench.tools.paths import is_loop

DEFAULT_LIMIT = 500


class LsTool(Tool):
    name = "ls"
    description = (
        "List a directory (default: the workspace root), sorted by name, directories with a "
        f"trailing '/', dotfiles included. At most limit entries (default {DEFAULT_LIMIT}).")
    parameters = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Directory to list (default: workspace root)"},
            "limit": {"type": "integer", "minimum": 1, "description": "Maximum number of entries"},
        },
        "additionalProperties": False,
    }
    effect = Effect.READ
    timeout_s = 30.0

    def paths(self, args: dict[str, Any]) -> list[str]:
        return [args.get("path") or "."]

    def summary(self, args: dict[str, Any]) -> str:
        return str(args.get("path") or ".")

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await asyncio.to_thread(self._ls, args, ctx)
        except ToolFailure as exc:
            return fail(str(exc))

    def _ls(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        raw = args.get("path") or "."
        path = resolve_arg("ls", raw, ctx)
        if not path.exists():
            raise ToolFailure(f"ls: not found: '{raw}'.")
        if not path.is_dir():
            raise ToolFailure(f"ls: '{raw}' is a file, not a directory; use read to see it.")
        limit = int(args.get("limit") or DEFAULT_LIMIT)
        try:
            with os.scandir(path) as it:
                listed = sorted(it, key=lambda e: (e.name.lower(), e.name))
        except OSError as exc:
            raise ToolFailure(f"ls: cannot list '{raw}': {exc.strerror or exc}.") from None
        skipped = Skipped()
        entries = []
        for e in listed:
            rule = denied_by(Path(e.path), ctx)
            if rule is not None:
                skipped.hide(rule)
            else:
                entries.append(e)
        note = skipped.note()
        if not entries:
            return ToolResult("(empty directory)" + (f"\n\n{note}" if note else ""), details={"entries": 0})
        names = [e.name + _suffix(e) for e in entries[:limit]]
        text = "\n".join(names)
        if len(entries) > limit:
            text += (f"\n\n[Showing {limit} of {len(entries)} entries. "
                     "Pass a higher limit to see more, or use find with a pattern.]")
        if note:
            text += "\n\n" + note
        return ToolResult(text, details={"entries": len(entries), "truncated": len(entries) > limit})


def _suffix(entry: os.DirEntry) -> str:
    """"/" for a directory, a note for a symlink loop (is_dir raises ELOOP on one)."""
    try:
        return "/" if entry.is_dir() else ""
    except OSError:
        return " -> (symbolic link loop)" if is_loop(Path(entry.path)) else " (unreadable)"
