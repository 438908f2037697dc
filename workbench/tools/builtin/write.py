"""write: create or overwrite a file with the given content."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from workbench.tools.base import Effect, Preview, Tool, ToolContext, ToolResult
from workbench.tools.builtin.common import ToolFailure, fail, is_binary_file, preview_context, resolve_arg
from workbench.tools.diffs import change_preview, unified_diff
from workbench.tools.limits import MAX_FILE_BYTES
from workbench.tools.nofollow import SymlinkRace, write_bytes_nofollow
from workbench.tools.paths import display_path


def current_text(path: Path) -> str | None:
    """The file's text for a diff; None when it is binary or too big to diff sensibly."""
    if not path.is_file():
        return ""
    if path.stat().st_size > MAX_FILE_BYTES or is_binary_file(path):
        return None
    return path.read_bytes().decode("utf-8", errors="replace")


def write_text(path: Path, content: str) -> int:
    """Write exactly `content` (no newline translation) to the resolved `path`, following no
    symlink (tools/nofollow.py: a link swapped in after the check fails the write); returns the
    number of bytes."""
    return write_bytes_nofollow(path, content.encode("utf-8"))


class WriteTool(Tool):
    name = "write"
    description = (
        "Write content to a file, creating it (and its parent directories) or replacing it "
        "entirely. Prefer edit for changing part of an existing file.")
    parameters = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "minLength": 1, "description": "File to write"},
            "content": {"type": "string", "description": "The whole new content of the file"},
        },
        "required": ["path", "content"],
        "additionalProperties": False,
    }
    effect = Effect.WRITE
    timeout_s = 30.0

    def summary(self, args: dict[str, Any]) -> str:
        return str(args.get("path", ""))

    def _target(self, args: dict[str, Any], ctx: ToolContext) -> tuple[Path, str | None]:
        raw = args["path"]
        path = resolve_arg("write", raw, ctx)
        if path.is_dir():
            raise ToolFailure(f"write: '{raw}' is a directory; give a file path.")
        return path, current_text(path)

    def preview(self, args: dict[str, Any], ctx: ToolContext) -> Preview | None:
        ctx = preview_context(self, args, ctx)
        try:
            path, old = self._target(args, ctx)
        except ToolFailure as exc:
            return Preview(kind="text", text=str(exc), path=str(args.get("path")))
        except OSError as exc:  # the file changed under us: say so, the write decides later
            return Preview(kind="text", text=f"write: cannot read '{args.get('path')}': {exc.strerror or exc}",
                           path=str(args.get("path")))
        shown = display_path(path, ctx)
        new = args.get("content", "")
        if old is None:
            return Preview(kind="text", text=f"overwrite binary or very large file {shown}", path=shown)
        return change_preview(old, new, shown)

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await asyncio.to_thread(self._write, args, ctx)
        except ToolFailure as exc:
            return fail(str(exc))
        except SymlinkRace as exc:
            return fail(f"write: refused '{args['path']}': {exc.strerror}")
        except OSError as exc:
            return fail(f"write: could not write '{args['path']}': {exc.strerror or exc}")

    def _write(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        path, old = self._target(args, ctx)
        content = args["content"]
        n = write_text(path, content)
        shown = display_path(path, ctx)
        diff = unified_diff(old, content, shown) if old is not None else ""
        return ToolResult(f"Successfully wrote {n} bytes to {args['path']}", details={"diff": diff})
