"""Unified diffs as Rich renderables: highlighted inline, or side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from workbench.tui.sanitize import sanitize


def _shown(diff: str) -> str:
    """A diff's text, one-for-one: a line break is a line break (CRLF files read as usual), any
    other carriage return or control is a visible escape, so added text can't hide a line."""
    return sanitize(diff.replace("\r\n", "\n"), exact=True)

if TYPE_CHECKING:
    from rich.syntax import Syntax


def inline_diff(diff: str) -> Syntax:
    from rich.syntax import Syntax  # with Pygments, ~30 ms to import: not before a diff is shown

    return Syntax(_shown(diff), "diff", theme="ansi_dark", word_wrap=True, background_color="default")


@dataclass(frozen=True)
class Row:
    left: str | None  # None: nothing on this side
    right: str | None
    kind: str  # "same" | "change" | "hunk" | "file"


def side_by_side_rows(diff: str) -> list[Row]:
    """Pair the lines of a unified diff: removals on the left next to the additions that replace
    them, context on both sides."""
    rows: list[Row] = []
    minus: list[str] = []
    plus: list[str] = []

    def flush() -> None:
        for i in range(max(len(minus), len(plus))):
            rows.append(Row(minus[i] if i < len(minus) else None, plus[i] if i < len(plus) else None, "change"))
        minus.clear()
        plus.clear()

    for line in _shown(diff).splitlines():
        if line.startswith(("--- ", "+++ ")):
            flush()
            rows.append(Row(line[4:], None, "file") if line.startswith("---") else Row(None, line[4:], "file"))
        elif line.startswith("@@"):
            flush()
            rows.append(Row(line, line, "hunk"))
        elif line.startswith("-"):
            minus.append(line[1:])
        elif line.startswith("+"):
            plus.append(line[1:])
        else:
            flush()
            body = line[1:] if line.startswith(" ") else line
            rows.append(Row(body, body, "same"))
    flush()
    # merge the ---/+++ header pair into one row
    merged: list[Row] = []
    for row in rows:
        if row.kind == "file" and merged and merged[-1].kind == "file" and merged[-1].right is None:
            merged[-1] = Row(merged[-1].left, row.right, "file")
        else:
            merged.append(row)
    return merged


def side_by_side(diff: str) -> Table:
    table = Table.grid(expand=True, padding=(0, 1))
    table.add_column(ratio=1)
    table.add_column(ratio=1)
    for row in side_by_side_rows(diff):
        if row.kind == "file":
            table.add_row(Text(row.left or "", style="bold"), Text(row.right or "", style="bold"))
        elif row.kind == "hunk":
            table.add_row(Text(row.left or "", style="cyan"), Text(row.right or "", style="cyan"))
        elif row.kind == "same":
            table.add_row(Text(" " + (row.left or ""), style="dim"), Text(" " + (row.right or ""), style="dim"))
        else:
            left = Text("-" + row.left, style="red") if row.left is not None else Text("")
            right = Text("+" + row.right, style="green") if row.right is not None else Text("")
            table.add_row(left, right)
    return table


def render_diff(diff: str, *, side: bool) -> RenderableType:
    return side_by_side(diff) if side else inline_diff(diff)
