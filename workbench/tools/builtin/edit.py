"""edit: replace one exact, unique piece of text in a file."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.tools.base import Effect, Preview, Tool, ToolContext, ToolResult
from workbench.tools.builtin.common import ToolFailure, fail, is_binary_file, preview_context, resolve_arg
from workbench.tools.builtin.write import write_text
from workbench.tools.diffs import change_preview, first_changed_line, unified_diff
from workbench.tools.limits import MAX_FILE_BYTES, human_size
from workbench.tools.paths import display_path


@dataclass(frozen=True)
class EditPlan:
    path: Path
    shown: str
    old: str
    new: str


class EditTool(Tool):
    name = "edit"
    description = (
        "Replace exact text in a file. oldText must match the file exactly once, including "
        "whitespace and indentation; include enough surrounding lines to make it unique. "
        "Returns a diff of the change.")
    parameters = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "minLength": 1, "description": "File to edit"},
            "oldText": {"type": "string", "minLength": 1, "description": "Exact text to replace"},
            "newText": {"type": "string", "description": "Text to put in its place"},
        },
        "required": ["path", "oldText", "newText"],
        "additionalProperties": False,
    }
    effect = Effect.WRITE
    timeout_s = 30.0

    def summary(self, args: dict[str, Any]) -> str:
        return str(args.get("path", ""))

    def plan(self, args: dict[str, Any], ctx: ToolContext) -> EditPlan:
        """Compute the edit without writing anything; raises ToolFailure saying what is wrong."""
        raw, old_text, new_text = args["path"], args["oldText"], args["newText"]
        path = resolve_arg("edit", raw, ctx)
        if not path.exists():
            raise ToolFailure(f"edit: file not found: '{raw}'. Use write to create a new file.")
        if path.is_dir():
            raise ToolFailure(f"edit: '{raw}' is a directory, not a file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ToolFailure(f"edit: '{raw}' is {human_size(size)}, over the {human_size(MAX_FILE_BYTES)} limit.")
        if is_binary_file(path):
            raise ToolFailure(f"edit: '{raw}' looks like a binary file; it cannot be edited as text.")
        if old_text == "":
            raise ToolFailure("edit: oldText is empty; give the exact text to replace "
                              "(use write to create or overwrite a whole file).")
        if old_text == new_text:
            raise ToolFailure("edit: oldText and newText are identical; there is nothing to change.")
        content = path.read_bytes().decode("utf-8", errors="replace")
        crlf = False
        if (old_text not in content and "\r\n" in content and "\r\n" not in old_text
                and content.count("\r\n") == content.count("\n")):
            # A model writes "\n"; match against the file's CRLF lines and keep them CRLF.
            content, crlf = content.replace("\r\n", "\n"), True
        first = content.find(old_text)
        if first == -1:
            raise ToolFailure(
                f"edit: oldText was not found in '{raw}'. It must match the file exactly, including "
                "whitespace and indentation; read the file again and copy the text exactly.")
        if content.find(old_text, first + 1) != -1:
            count = max(2, content.count(old_text))
            raise ToolFailure(
                f"edit: oldText matches {count} times in '{raw}'; it must match exactly once. "
                "Include more surrounding lines so it identifies a single place.")
        updated = content[:first] + new_text + content[first + len(old_text):]
        if crlf:
            content, updated = content.replace("\n", "\r\n"), updated.replace("\n", "\r\n")
        return EditPlan(path, display_path(path, ctx), content, updated)

    def preview(self, args: dict[str, Any], ctx: ToolContext) -> Preview | None:
        ctx = preview_context(self, args, ctx)
        try:
            p = self.plan(args, ctx)
        except ToolFailure as exc:
            return Preview(kind="text", text=f"this edit would fail: {exc}", path=str(args.get("path")))
        except OSError as exc:  # the file changed under us: the edit itself decides later
            return Preview(kind="text", text=f"this edit would fail: {exc.strerror or exc}", path=str(args.get("path")))
        return change_preview(p.old, p.new, p.shown)

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            return await asyncio.to_thread(self._edit, args, ctx)
        except ToolFailure as exc:
            return fail(str(exc))
        except OSError as exc:
            return fail(f"edit: could not write '{args['path']}': {exc.strerror or exc}")

    def _edit(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        p = self.plan(args, ctx)
        write_text(p.path, p.new)
        diff = unified_diff(p.old, p.new, p.shown)
        return ToolResult(f"Successfully replaced text in {args['path']}.",
                          details={"diff": diff, "firstChangedLine": first_changed_line(p.old, p.new)})
