"""grep: lines matching a regular expression (Python `re` syntax), with line numbers."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from workbench.tools.base import Effect, Tool, ToolContext, ToolResult
from workbench.tools.builtin.common import (SKIP_DIRS, Skipped, ToolFailure, denied_by, fail, is_binary_file,
                                            resolve_arg, walk)
from workbench.tools.builtin.find import name_matcher
from workbench.tools.limits import MAX_FILE_BYTES, MAX_GREP_LINE_CHARS, MAX_OUTPUT_BYTES, cut_line
from workbench.tools.paths import allowed_root, display_path

DEFAULT_LIMIT = 100


class GrepTool(Tool):
    name = "grep"
    description = (
        "Search file contents with a regular expression (Python re syntax). Output lines look like "
        "'path:line: text'. Optional: glob to filter file names (e.g. '*.py'), ignoreCase, literal "
        f"(treat pattern as plain text), context (lines around each match), limit (default "
        f"{DEFAULT_LIMIT} matches). Skips binary files, what .gitignore ignores and "
        f"{', '.join(sorted(SKIP_DIRS))}.")
    parameters = {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "minLength": 1, "description": "Regular expression"},
            "path": {"type": "string", "description": "File or directory to search (default: workspace root)"},
            "glob": {"type": "string", "description": "Only files matching this glob"},
            "ignoreCase": {"type": "boolean", "description": "Case-insensitive search"},
            "literal": {"type": "boolean", "description": "Treat pattern as a literal string"},
            "context": {"type": "integer", "minimum": 0, "description": "Lines of context around matches"},
            "limit": {"type": "integer", "minimum": 1, "description": "Maximum number of matches"},
        },
        "required": ["pattern"],
        "additionalProperties": False,
    }
    effect = Effect.READ
    timeout_s = 60.0

    def paths(self, args: dict[str, Any]) -> list[str]:
        return [args.get("path") or "."]

    def summary(self, args: dict[str, Any]) -> str:
        return f"/{args.get('pattern', '')}/ in {args.get('path') or '.'}"

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await asyncio.to_thread(self._grep, args, ctx)
        except ToolFailure as exc:
            return fail(str(exc))

    def _files(self, root: Path, args: dict[str, Any], ctx: ToolContext, skipped: Skipped):
        if root.is_file():
            rule = denied_by(root, ctx)
            if rule is not None:
                skipped.hide(rule)
            else:
                yield root
            return
        glob = args.get("glob")
        matches = name_matcher(glob) if glob else None
        for path, is_dir in walk(root, allowed_root(root, ctx), ctx, skipped):
            if is_dir or not path.is_file():
                continue
            if matches and not matches(path.relative_to(root).as_posix(), path.name):
                continue
            yield path

    def _grep(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        pattern = args["pattern"]
        raw = args.get("path") or "."
        root = resolve_arg("grep", raw, ctx)
        if not root.exists():
            raise ToolFailure(f"grep: not found: '{raw}'.")
        source = re.escape(pattern) if args.get("literal") else pattern
        try:
            regex = re.compile(source, re.IGNORECASE if args.get("ignoreCase") else 0)
        except re.error as exc:
            raise ToolFailure(f"grep: invalid regular expression {pattern!r}: {exc}. "
                              "Escape special characters or pass literal: true.") from None
        limit = int(args.get("limit") or DEFAULT_LIMIT)
        context = int(args.get("context") or 0)
        out: list[str] = []
        used = 0
        count = 0
        stop_reason = ""
        skipped = Skipped()
        for path in self._files(root, args, ctx, skipped):
            try:
                if path.stat().st_size > MAX_FILE_BYTES or is_binary_file(path):
                    continue
                lines = path.read_bytes().decode("utf-8", errors="replace").split("\n")
                if lines[-1] == "":
                    lines.pop()  # the final newline ends the last line, it does not start a new one
            except OSError as exc:  # unreadable (permissions, vanished): skipped like grep -s, and said
                skipped.problems.append(f"{display_path(path, ctx)} ({exc.strerror or exc})")
                continue
            hits: list[int] = []
            for i, line in enumerate(lines, start=1):
                if regex.search(line):
                    if count + len(hits) == limit:
                        stop_reason = f"[Stopped at {limit} matches; narrow the pattern or path, or raise limit.]"
                        break
                    hits.append(i)
            if not hits:
                continue
            block = _render(display_path(path, ctx), lines, hits, context)
            size = sum(len(b) + 1 for b in block)
            if out and used + size > MAX_OUTPUT_BYTES:
                stop_reason = (f"[Output reached {MAX_OUTPUT_BYTES // 1024} KB after {count} matches; "
                               "narrow the pattern or path.]")
                break
            if out and context:
                out.append("--")
            out.extend(block)
            used += size
            count += len(hits)
            if stop_reason:
                break
        note = skipped.note()
        if count == 0:
            return ToolResult(f"No matches found for /{pattern}/ in {raw}." + (f"\n\n{note}" if note else ""),
                              details={"matches": 0})
        text = "\n".join(out)
        if stop_reason:
            text += "\n\n" + stop_reason
        if note:
            text += "\n\n" + note
        return ToolResult(text, details={"matches": count, "truncated": bool(stop_reason)})


def _render(shown: str, lines: list[str], hits: list[int], context: int) -> list[str]:
    """ripgrep-style rows: `path:N: text` for matches, `path-N- text` for context, `--` between
    windows that do not touch."""
    hit_set = set(hits)
    wanted: list[int] = []
    for i in hits:
        for n in range(max(1, i - context), min(len(lines), i + context) + 1):
            if not wanted or n > wanted[-1]:
                wanted.append(n)
    rows: list[str] = []
    prev = 0
    for n in wanted:
        if prev and n > prev + 1:
            rows.append("--")
        sep = ":" if n in hit_set else "-"
        text = cut_line(lines[n - 1].removesuffix("\r"), MAX_GREP_LINE_CHARS)
        rows.append(f"{shown}{sep}{n}{sep} {text}")
        prev = n
    return rows
