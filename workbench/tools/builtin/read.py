"""read: a text file with line numbers, a window of it at a time."""

from __future__ import annotations

import asyncio
from typing import Any

from workbench.tools.base import Effect, Tool, ToolContext, ToolResult
from workbench.tools.builtin.common import ToolFailure, fail, read_head, resolve_arg
from workbench.tools.limits import (MAX_FILE_BYTES, MAX_LINE_CHARS, MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES,
                                    cut_line, human_size, looks_binary)

DEFAULT_LIMIT = MAX_OUTPUT_LINES


class ReadTool(Tool):
    name = "read"
    description = (
        "Read a text file. Lines come numbered (cat -n style). For long files pass offset (first "
        f"line, 1-based) and limit (number of lines); one call returns at most {DEFAULT_LIMIT} lines "
        f"or {MAX_OUTPUT_BYTES // 1024} KB. Relative paths resolve from the workspace root.")
    parameters = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "minLength": 1, "description": "File to read"},
            "offset": {"type": "integer", "minimum": 1, "description": "First line to read (1-based)"},
            "limit": {"type": "integer", "minimum": 1, "description": "Maximum number of lines"},
        },
        "required": ["path"],
        "additionalProperties": False,
    }
    effect = Effect.READ
    timeout_s = 30.0

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await asyncio.to_thread(self._read, args, ctx)
        except ToolFailure as exc:
            return fail(str(exc))

    def summary(self, args: dict[str, Any]) -> str:
        path = str(args.get("path", ""))
        offset, limit = args.get("offset"), args.get("limit")
        if offset is None and limit is None:
            return path
        start = int(offset or 1)
        end = str(start + int(limit) - 1) if limit is not None else ""
        return f"{path}:{start}-{end}"

    def _read(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        raw = args["path"]
        path = resolve_arg("read", raw, ctx)
        if not path.exists():
            raise ToolFailure(f"read: file not found: '{raw}'. Use ls or find to locate it.")
        if path.is_dir():
            raise ToolFailure(f"read: '{raw}' is a directory; use ls to list it.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ToolFailure(
                f"read: '{raw}' is {human_size(size)}, over the {human_size(MAX_FILE_BYTES)} read limit. "
                "Use grep to find the lines you need, or bash with `sed -n 'START,ENDp'`.")
        if looks_binary(read_head(path)):
            raise ToolFailure(f"read: '{raw}' looks like a binary file ({human_size(size)}); it was not read.")
        text = path.read_bytes().decode("utf-8", errors="replace")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the final newline ends the last line, it does not start a new one
        total = len(lines)
        if total == 0:
            return ToolResult("(empty file)", details={"totalLines": 0})
        offset = int(args.get("offset") or 1)
        limit = int(args.get("limit") or DEFAULT_LIMIT)
        if offset > total:
            raise ToolFailure(f"read: offset {offset} is past the end of '{raw}', which has {total} lines.")

        out: list[str] = []
        used = 0
        cut = False
        end = offset - 1
        for n in range(offset, min(total, offset + limit - 1) + 1):
            line = lines[n - 1].removesuffix("\r")
            if len(line) > MAX_LINE_CHARS:
                cut = True
                line = cut_line(line, MAX_LINE_CHARS)
            row = f"{n:>6}\t{line}"
            if out and used + len(row) + 1 > MAX_OUTPUT_BYTES:
                break
            out.append(row)
            used += len(row) + 1
            end = n
        notes: list[str] = []
        if end < total:
            notes.append(f"[Showing lines {offset}-{end} of {total}. Use offset={end + 1} to read more.]")
        if cut:
            notes.append(f"[Lines longer than {MAX_LINE_CHARS} characters were cut; "
                         "use grep or bash to see them in full.]")
        content = "\n".join(out) + ("\n\n" + "\n".join(notes) if notes else "")
        return ToolResult(content, details={"totalLines": total, "startLine": offset, "endLine": end,
                                            "truncated": end < total or cut})
