"""The whole of a text the Conversation shows cut (a 20 MB message, a 50 MB answer), full screen.

Only the rows on screen are drawn: the text is indexed once (where each line starts, and for the
view's width how many rows each line wraps into) and a row is cut from it when it is painted, so
200 MB open in seconds and scroll like 200 lines. The text is untrusted: it is shown, never read
as markup, with control characters made visible (workbench.text.sanitize) and tabs expanded.
Esc or q closes it; the keys of any scrolled view move through it.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections import OrderedDict

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from workbench.text import sanitize

# Characters a row can't be cut from by counting characters: controls (shown as escapes, wider),
# tabs, combining and zero-width marks, and the East Asian wide and emoji ranges (two cells each).
_SLOW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\t\u0300-\u036f\u061c\u1100-\u115f\u200b-\u200f\u2028-\u202e"
                   "\u2066-\u2069\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
                   "\U0001f000-\U0001faff\U00020000-\U0003fffd]")
_NEWLINE = re.compile("\n")


def display_line(line: str) -> str:
    """A line as shown: controls visible, tabs as spaces."""
    return sanitize(line).expandtabs(4)


class TextLines(ScrollView, can_focus=True):
    """A long text wrapped at the view's width, with line numbers; rows drawn as they are shown."""

    DEFAULT_CSS = "TextLines { height: 1fr; }"

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text.replace("\r\n", "\n") if "\r" in text else text
        starts = array("q", [0])
        starts.extend(m.end() for m in _NEWLINE.finditer(self.text))
        self._starts = starts  # where each line starts (a line ends one before the next's start)
        self._slow = _SLOW.search(self.text) is not None
        self._gutter = len(f"{len(starts):,}") + 1
        self._width = -1
        self._rows = array("q")  # the first row of each line, at `_width`; one more: the row count
        self._chopped: OrderedDict[int, list[str]] = OrderedDict()  # rows of slow lines recently drawn
        self._number_style = Style(dim=True)

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def _line(self, n: int) -> str:
        start = self._starts[n]
        end = self._starts[n + 1] - 1 if n + 1 < len(self._starts) else len(self.text)
        return self.text[start:end]

    def _text_width(self) -> int:
        return max(1, self.scrollable_content_region.width - self._gutter)

    def _index(self, width: int) -> None:
        """Rows per line at `width` cells: a character each, except on lines with wide or control characters."""
        if width == self._width:
            return
        self._width, self._chopped = width, OrderedDict()
        rows = array("q", [0])
        total = 0
        starts, text = self._starts, self.text
        last = len(starts) - 1
        slow = self._slow
        for n in range(len(starts)):
            length = (starts[n + 1] - 1 if n < last else len(text)) - starts[n]
            if slow and _SLOW.search(text, starts[n], starts[n] + length):
                total += max(1, len(chop_cells(display_line(self._line(n)), width)))
            else:
                total += max(1, -(-length // width))
            rows.append(total)
        self._rows = rows
        self.virtual_size = Size(self.scrollable_content_region.width, total)

    def on_resize(self) -> None:
        self._index(self._text_width())

    def _row_text(self, n: int, k: int, width: int) -> str:
        line = self._line(n)
        if self._slow and _SLOW.search(line):
            chopped = self._chopped.get(n)
            if chopped is None:
                chopped = self._chopped[n] = chop_cells(display_line(line), width) or [""]
                if len(self._chopped) > 256:
                    self._chopped.popitem(last=False)
            return chopped[k] if k < len(chopped) else ""
        return line[k * width:(k + 1) * width]

    def render_line(self, y: int) -> Strip:
        width = self._text_width()
        self._index(width)
        row = self.scroll_offset.y + y
        full = self.scrollable_content_region.width
        if row >= self._rows[-1]:
            return Strip.blank(full, self.rich_style)
        n = bisect_right(self._rows, row) - 1
        k = row - self._rows[n]
        number = f"{n + 1:>{self._gutter - 1}} " if k == 0 else " " * self._gutter
        piece = self._row_text(n, k, width)
        strip = Strip([Segment(number, self._number_style), Segment(piece, self.rich_style)],
                      self._gutter + cell_len(piece))
        return strip.adjust_cell_length(full, self.rich_style)

    def row_of_line(self, n: int) -> int:
        """The first row of line `n` (0-based) at the current width."""
        self._index(self._text_width())
        return self._rows[max(0, min(n, len(self._rows) - 2))]


class TextViewer(Screen[None]):
    """A cut block's whole text, read-only and full screen."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="viewer.close"),
        Binding("g", "top", "Top", show=False, id="viewer.top"),
        Binding("G", "bottom", "Bottom", show=False, id="viewer.bottom"),
    ]
    DEFAULT_CSS = """
    TextViewer { layout: vertical; }
    TextViewer #viewer-head { height: 1; padding: 0 1; background: $boost; }
    TextViewer #viewer-foot { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.lines = TextLines(text, id="viewer-text")

    def compose(self) -> ComposeResult:
        from workbench.tui.widgets.conversation_cut import size_text

        head = f"{self.title_text} · {self.lines.line_count:,} lines · {size_text(len(self.lines.text))}"
        yield Static(Text(head, style="bold"), id="viewer-head")
        yield self.lines
        yield Static("Esc / q close · ↑ ↓ PgUp PgDn Home End (g / G) move · the whole text, read-only",
                     id="viewer-foot")

    def on_mount(self) -> None:
        self.lines.focus()

    def action_top(self) -> None:
        self.lines.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.lines.scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
