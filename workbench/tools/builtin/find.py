"""find: files and directories whose name (or path) matches a glob."""

from __future__ import annotations

import asyncio
from typing import Any

from workbench.tools.base import Effect, Tool, ToolContext, ToolResult
from workbench.tools.builtin.common import SKIP_DIRS, Skipped, ToolFailure, fail, resolve_arg, walk
from workbench.tools.globs import glob_match
from workbench.tools.paths import allowed_root, display_path

DEFAULT_LIMIT = 1000


def name_matcher(pattern: str):
    """A glob with a '/' matches the path relative to the search root, otherwise the name."""
    pattern = pattern.removeprefix("./")
    if "/" in pattern:
        return lambda rel, name: glob_match(pattern, rel)
    return lambda rel, name: glob_match(pattern, name)


class FindTool(Tool):
    name = "find"
    description = (
        "Find files and directories by glob, e.g. '*.py', 'src/**/*.ts', 'test_*'. A pattern without "
        "'/' matches names; with '/' it matches paths relative to the search path ('**' crosses "
        f"directories). Skips what .gitignore ignores and {', '.join(sorted(SKIP_DIRS))}. Results "
        "are workspace-relative paths.")
    parameters = {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "minLength": 1, "description": "Glob pattern"},
            "path": {"type": "string", "description": "Directory to search (default: workspace root)"},
            "limit": {"type": "integer", "minimum": 1, "description": "Maximum number of results"},
        },
        "required": ["pattern"],
        "additionalProperties": False,
    }
    effect = Effect.READ
    timeout_s = 60.0

    def paths(self, args: dict[str, Any]) -> list[str]:
        return [args.get("path") or "."]

    def summary(self, args: dict[str, Any]) -> str:
        return str(args.get("pattern", ""))

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await asyncio.to_thread(self._find, args, ctx)
        except ToolFailure as exc:
            return fail(str(exc))

    def _find(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        pattern = args["pattern"]
        raw = args.get("path") or "."
        root = resolve_arg("find", raw, ctx)
        if not root.is_dir():
            raise ToolFailure(f"find: '{raw}' is not a directory.")
        limit = int(args.get("limit") or DEFAULT_LIMIT)
        matches = name_matcher(pattern)
        found: list[str] = []
        more = False
        skipped = Skipped()
        for path, is_dir in walk(root, allowed_root(root, ctx), ctx, skipped):
            rel = path.relative_to(root).as_posix()
            if matches(rel, path.name):
                if len(found) == limit:
                    more = True
                    break
                found.append(display_path(path, ctx) + ("/" if is_dir else ""))
        note = skipped.note()
        if not found:
            return ToolResult(f"No files found matching '{pattern}' in {raw}." + (f"\n\n{note}" if note else ""),
                              details={"count": 0})
        text = "\n".join(found)
        if more:
            text += f"\n\n[Stopped at {limit} results; narrow the pattern or path, or raise limit.]"
        if note:
            text += "\n\n" + note
        return ToolResult(text, details={"count": len(found), "truncated": more})
