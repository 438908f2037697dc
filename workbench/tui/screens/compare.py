"""Two branches side by side from their common ancestor: what differs, answers next to each other."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench.sessions.tree_view import BranchComparison, ComparedRow, one_line
from workbench.tui.widgets.file_changes import FileChanges, FileRow
from workbench.tui.sanitize import sanitize

MARKS = {"same": ("=", "dim"), "changed": ("≠", "bold yellow"), "left-only": ("◀", "bold cyan"),
         "right-only": ("▶", "bold magenta")}
ROLE_STYLES = {"user": "bold cyan", "assistant": "bold green", "tool": "dim", "bash": "dim",
               "message": "magenta", "summary": "yellow", "compaction": "blue"}
CELL_LINES = 8  # a long answer is cut here; the conversation pane shows it whole


@dataclass
class FilesFound:
    rows: list[FileRow]
    load_diff: Callable[[str], Awaitable[str]] | None
    message: str | None = None  # instead of rows: why there is nothing to list


FilesLoader = Callable[[], Awaitable[FilesFound | None]]


MARKDOWN_ROLES = frozenset({"assistant", "summary", "compaction"})  # written by the model in Markdown


def _cell(side: tuple[str, str, str] | None, mark: str) -> RenderableType:
    if side is None:
        return Text("")
    entry_id, role, text = side
    head = Text()
    head.append(f"{role} ", style=ROLE_STYLES.get(role, ""))
    head.append(entry_id, style="dim")
    lines = sanitize(text).splitlines() or [""]
    shown = "\n".join(lines[:CELL_LINES])
    style = "dim" if mark == "same" else ""
    more = (Text(f"… {len(lines) - CELL_LINES} more lines", style="dim italic"),) if len(lines) > CELL_LINES else ()
    if role in MARKDOWN_ROLES:  # rendered as the conversation renders it, not as raw Markdown
        from rich.markdown import Markdown

        return Group(head, Markdown(shown, style=style), *more)
    return Group(head, Text(shown, style=style), *more)


def comparison_table(comparison: BranchComparison) -> Table:
    table = Table(expand=True, show_lines=True, box=None, padding=(0, 1), header_style="bold")
    table.add_column(Text(f"◆ {comparison.left_id}"), ratio=1)
    table.add_column("", width=1, justify="center")
    table.add_column(Text(f"▸ {comparison.right_id}"), ratio=1)
    row: ComparedRow
    for row in comparison.rows:
        symbol, style = MARKS[row.mark]
        table.add_row(_cell(row.left, row.mark), Text(symbol, style=style), _cell(row.right, row.mark))
    if not comparison.rows:
        table.add_row(Text("(nothing after the common ancestor)", style="dim"), "", "")
    return table


class CompareScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    CompareScreen { align: center middle; }
    CompareScreen > #compare { width: 95%; height: 90%; border: round $accent; background: $surface; padding: 0 1; }
    CompareScreen #ancestor { color: $text-muted; margin-bottom: 1; }
    CompareScreen #legend { color: $text-muted; dock: bottom; }
    CompareScreen #rows { height: 1fr; }
    CompareScreen #files-title { margin-top: 1; }
    CompareScreen #compare-files { height: 45%; }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="compare.close"),
        Binding("down,j", "scroll(1)", "Down", show=False, id="compare.down"),
        Binding("up,k", "scroll(-1)", "Up", show=False, id="compare.up"),
        Binding("pagedown,space", "scroll(10)", "Page down", show=False, id="compare.page_down"),
        Binding("pageup", "scroll(-10)", "Page up", show=False, id="compare.page_up"),
    ]

    def __init__(self, comparison: BranchComparison, files: FilesLoader | None = None) -> None:
        super().__init__()
        self.comparison = comparison
        self.files = files  # the files the two branches' checkpoints differ in, loaded after the first paint

    def on_mount(self) -> None:
        if self.files is not None:
            self._load_files()

    @work(exclusive=True, group="compare-files")
    async def _load_files(self) -> None:
        assert self.files is not None
        try:
            found = await self.files()
        except Exception as exc:  # git failed: the message comparison still stands
            found = FilesFound([], None, f"files: could not compare ({exc})")
        if found is None:
            return  # neither branch has file checkpoints: nothing to show
        box = self.query_one("#compare", Vertical)
        title = Text()
        title.append("Files", style="bold")
        title.append(f" · {found.message}" if found.message else
                     f" · {len(found.rows)} differ between ◆ and ▸ (enter: diff ◆ → ▸ · tab: focus)")
        await box.mount(Static(title, id="files-title"), before="#legend")
        if found.rows and found.load_diff is not None:
            await box.mount(FileChanges(found.rows, found.load_diff, id="compare-files"), before="#legend")

    def compose(self) -> ComposeResult:
        c = self.comparison
        with Vertical(id="compare"):
            head = Text()
            head.append("Compare branches", style="bold")
            head.append(f" · {c.differing} of {len(c.rows)} differ\n")
            head.append("common ancestor: ", style="dim")
            head.append(one_line(c.ancestor_text, 120) if c.ancestor_id else "(none: separate roots)")
            yield Static(head, id="ancestor")
            with VerticalScroll(id="rows"):
                yield Static(comparison_table(c), id="table")
            yield Static("= same  ≠ differs  ◀ only left  ▶ only right · ↑↓ scroll · escape closes", id="legend")

    def action_scroll(self, lines: int) -> None:
        self.query_one("#rows", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
