"""Unified diffs for edit/write results and approval previews."""

from __future__ import annotations

import difflib


def unified_diff(old: str, new: str, path: str, *, context: int = 3) -> str:
    """A `git diff`-style unified diff with `a/path` and `b/path` headers ("" when equal)."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    out: list[str] = []
    from_name = f"a/{path.lstrip('/')}" if old else "/dev/null"
    for line in difflib.unified_diff(old_lines, new_lines, from_name, f"b/{path.lstrip('/')}", n=context):
        if not line.endswith("\n"):
            # diff's own marker, so a missing final newline is visible and the diff stays line-based
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def first_changed_line(old: str, new: str) -> int | None:
    """1-based line number (in the new text) of the first change, None when equal."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    for tag, _i1, _i2, j1, _j2 in matcher.get_opcodes():
        if tag != "equal":
            return j1 + 1
    return None


def change_preview(old: str, new: str, shown: str) -> "Preview":
    """What an approval shows for a file change: its diff, or plainly "no change" and the file
    when the new content is the old one (an empty diff used to fall back to the raw arguments)."""
    from workbench.tools.base import Preview

    if old == new:
        return Preview(kind="text", text=f"no change: {shown} already has exactly this content", path=shown)
    return Preview(kind="diff", text=unified_diff(old, new, shown), path=shown, old_text=old, new_text=new)
