"""A list of changed files with the diff of the highlighted one, loaded on demand.

Used by the rewind preview (what a restore would change) and the compare-branches screen (the
files two branches differ in). Paths and diffs are untrusted: shown as sanitised Text, never
parsed as markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from workbench.tui.sanitize import sanitize

STATUS = {"A": ("+", "added", "green"), "M": ("~", "modified", "yellow"), "D": ("-", "deleted", "red")}
DIFF_LINES = 400  # a longer diff is cut here (the file itself is one `git diff` away)


@dataclass(frozen=True)
class FileRow:
    status: str            # A / M / D, as the change would be made
    path: str
    note: str = ""         # e.g. "changed by worker-1"
    warning: str = ""      # e.g. "changed outside the agent: kept"


def diff_text(diff: str) -> Text:
    out = Text()
    lines = sanitize(diff).splitlines()
    for line in lines[:DIFF_LINES]:
        style = ("bold" if line.startswith(("diff ", "index ", "+++", "---")) else
                 "green" if line.startswith("+") else "red" if line.startswith("-") else
                 "cyan" if line.startswith("@@") else "")
        out.append(line + "\n", style=style)
    if len(lines) > DIFF_LINES:
        out.append(f"… {len(lines) - DIFF_LINES} more lines\n", style="dim italic")
    if not lines:
        out.append("(no textual difference)", style="dim")
    return out


def row_text(row: FileRow) -> Text:
    mark, word, style = STATUS.get(row.status, ("?", row.status, ""))
    text = Text()
    text.append(f"{mark} {word:<8} ", style=style)
    text.append(sanitize(row.path).replace("\n", " "))
    if row.note:
        text.append("  ")
        text.append(sanitize(row.note), style="dim")
    if row.warning:
        text.append("  ")
        text.append(f"⚠ {row.warning}", style="bold red")
    return text


class FileChanges(Vertical):
    """Files on top, the highlighted file's diff below (Enter loads it)."""

    DEFAULT_CSS = """
    FileChanges { height: 1fr; }
    FileChanges > OptionList { height: auto; max-height: 40%; border: none; padding: 0; }
    FileChanges > #diff-scroll { height: 1fr; border-top: solid $primary-darken-2; }
    FileChanges #diff-title { color: $text-muted; }
    """

    def __init__(self, rows: Sequence[FileRow], load_diff: Callable[[str], Awaitable[str]], *,
                 empty: str = "no files differ", id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = list(rows)
        self.load_diff = load_diff
        self.empty = empty
        self.shown: str | None = None  # the path whose diff is on screen

    def compose(self) -> ComposeResult:
        options = [Option(row_text(r), id=str(i)) for i, r in enumerate(self.rows)]
        yield OptionList(*options, id="files")
        with VerticalScroll(id="diff-scroll"):
            yield Static(Text("Enter shows the highlighted file's diff" if self.rows else self.empty,
                              style="dim"), id="diff")

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#files", OptionList)

    def highlighted(self) -> FileRow | None:
        index = self.option_list.highlighted
        return self.rows[index] if index is not None and 0 <= index < len(self.rows) else None

    def refresh_row(self, index: int) -> None:
        self.option_list.replace_option_prompt_at_index(index, row_text(self.rows[index]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = self.rows[event.option_index]
        self.show_diff(row.path)

    def show_diff(self, path: str) -> None:
        self.shown = path
        self.query_one("#diff", Static).update(Text(f"loading the diff of {sanitize(path)}…", style="dim"))
        self._load(path)

    @work(exclusive=True, group="file-diff")
    async def _load(self, path: str) -> None:
        try:
            diff = await self.load_diff(path)
        except Exception as exc:  # git failed: say so where the diff would be
            self.query_one("#diff", Static).update(Text(f"no diff: {exc}", style="red"))
            return
        if self.shown == path:
            self.query_one("#diff", Static).update(diff_text(diff))
            self.query_one("#diff-scroll", VerticalScroll).scroll_home(animate=False)
