"""A run of finished blocks drawn as one widget.

Every widget mounted costs Textual the same bookkeeping whatever it shows: registering, styling,
its messages (mount, show, resize), a place in each layout pass and each paint. Paging through a long
session mounts a screen of blocks on every page-down; as one widget per block that bookkeeping was
most of a step's time. A `BlockRun` holds a page of finished blocks (answers, thinking, tool cards,
user messages, notices) and draws each one as its own widget would be drawn: the stylesheet styles a
hidden prototype of each kind of block (`BlockLooks`), and a block's rows are its content rendered
with that prototype's style, framed as Textual's own styles renderer frames it (padding, border,
background), with the margins between blocks collapsed as the vertical layout collapses them.

A click on a tool call or thinking expands it in place, as the single-block widgets do; the mouse
lights up the block under it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.geometry import Region, Size, Spacing
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from workbench.tui.widgets.conversation_looks import BlockLooks, Layout
from workbench.tui.widgets.conversation_specs import (BlockSpec, CardSpec, NoticeSpec, ThinkingSpec, expandable,
                                                      opened_at_first)
from workbench.tui.widgets.sized_once import SizedOnce

__all__ = ["BlockLooks", "BlockRun"]


class BlockRun(SizedOnce, Widget):
    """Finished blocks, top to bottom, drawn as one widget (see the module's docstring)."""

    DEFAULT_CSS = "BlockRun { height: auto; }"

    def __init__(self, specs: Iterable[BlockSpec], looks: BlockLooks) -> None:
        super().__init__()
        self._looks = looks
        self._drawn_look: tuple | None = None  # the look the rows in `_drawn` were drawn in
        self._look: tuple | None = None
        self._hold(specs)

    def _hold(self, specs: Iterable[BlockSpec]) -> None:
        self._specs = list(specs)
        # what the user opened: a card's result, a thinking block's text
        self._open = [opened_at_first(s) for s in self._specs]
        self._hover: int | None = None
        self._drawn: tuple[tuple, list[Strip], list[tuple[int, int]], list[Layout | None]] | None = None
        self._truecolour_rows: set[int] = set()  # rows in `_drawn` the ANSI-to-truecolour filter leaves as they are
        looks = self._looks
        looks.protos_for(self._specs)  # every look this run draws with, in the DOM before it is laid out
        first, last = looks.proto(self._specs[0]).styles.margin, looks.proto(self._specs[-1]).styles.margin
        # The first block's top margin and the last one's bottom margin are the run's: the layout
        # collapses them with its neighbours' as it would the blocks'.
        self.styles.margin = Spacing(first.top, 0, last.bottom, 0)

    def reuse(self, specs: Iterable[BlockSpec]) -> None:
        """Hold other blocks instead: paging reuses a run scrolled far out of view for the page it
        brings in, as mounting one and unmounting the other would cost Textual ~3 ms of messages."""
        self._hold(specs)
        selections = self.screen.selections
        if self in selections:  # what was selected here is not shown here any more
            self.screen.selections = {widget: found for widget, found in selections.items() if widget is not self}
        self.refresh(layout=True)

    # --- what it holds ---------------------------------------------------------------------
    def specs(self) -> list[BlockSpec]:
        """The blocks, as specs (thinking keeps whether it was open)."""
        return [replace(s, collapsed=not opened) if isinstance(s, ThinkingSpec) else s
                for s, opened in zip(self._specs, self._open)]

    def spans(self) -> list[tuple[BlockSpec, int, int]]:
        """Each block with its first row and the row after its last, in the run's rows (laid out)."""
        _, spans = self._rows(self.size.width)
        return [(spec, top, bottom) for spec, (top, bottom) in zip(self.specs(), spans)]

    def block_at(self, y: int) -> int | None:
        """The index of the block drawn on row `y`, if any (not a margin between blocks)."""
        for i, (top, bottom) in enumerate(self._rows(self.size.width)[1]):
            if top <= y < bottom:
                return i
        return None

    @property
    def thinking(self) -> list[bool]:
        """Whether each thinking block is collapsed."""
        return [not o for s, o in zip(self._specs, self._open) if isinstance(s, ThinkingSpec)]

    @property
    def results(self) -> list[bool]:
        """Whether each tool result is shown."""
        return [o for s, o in zip(self._specs, self._open) if isinstance(s, CardSpec) and s.result]

    def set_thinking(self, collapsed: bool) -> None:
        self._set_open(lambda s: isinstance(s, ThinkingSpec), not collapsed)

    def set_results(self, shown: bool) -> None:
        self._set_open(lambda s: isinstance(s, CardSpec) and bool(s.result), shown)

    def _set_open(self, which: Callable[[BlockSpec], bool], opened: bool) -> None:
        changed = False
        for i, spec in enumerate(self._specs):
            if which(spec) and self._open[i] != opened:
                self._open[i], changed = opened, True
        if changed:
            self.refresh(layout=True)  # drawn again: `_rows` keys on what is open

    def toggle(self, index: int) -> None:
        if expandable(self._specs[index]):
            self._open[index] = not self._open[index]
            self.refresh(layout=True)

    # --- drawing ---------------------------------------------------------------------------
    def _look_key(self, width: int) -> tuple:
        # What the colours depend on: the theme and the pane's style (walking every ancestor: ~0.1 ms,
        # on each of several layouts a step). Kept until the styles change: `notify_style_update`
        # reaches the run whenever its own or an ancestor's styles are applied again.
        if self._look is None:
            app = self.app
            self._look = (app.theme, id(app.current_theme), self.rich_style)
        return (width, *self._look)

    def _rows(self, width: int) -> tuple[list[Strip], list[tuple[int, int]]]:
        look = self._look_key(width)
        key = (look, self._hover, tuple(self._open))
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1], self._drawn[2]
        # margins between blocks: the pane's background, as where no widget is
        blank = Strip.blank(width, Style(bgcolor=look[-1].bgcolor))
        rows: list[Strip] = []
        spans: list[tuple[int, int]] = []
        layouts: list[Layout | None] = []
        truecolour: set[int] = set()
        below = None  # the bottom margin of the block above
        looks = self._looks
        for i, spec in enumerate(self._specs):
            hover = i == self._hover
            margin = looks.proto(spec, hover).styles.margin
            if below is not None:
                rows.extend([blank] * max(below, margin.top))
            drawn = looks.draw(spec, hover, self._open[i], look)  # drawn once per state (hover, open) and look
            if drawn.truecolour:
                truecolour.update(id(row) for row in drawn.rows)
            spans.append((len(rows), len(rows) + len(drawn.rows)))
            layouts.append(drawn.layout)
            rows.extend(drawn.rows)
            below = margin.bottom
        self._drawn, self._drawn_look, self._truecolour_rows = (key, rows, spans, layouts), look, truecolour
        return rows, spans

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._rows(width)[0])

    def render_lines(self, crop: Region) -> list[Strip]:
        # The rows are final: a run has no border, padding or background of its own to add, so they
        # skip the styles renderer (which would build every row again, ~40 µs each, on each paint of
        # a newly shown run). Only the app's line filters apply, as to any widget.
        rows = self._rows(self.size.width)[0]
        width = self.size.width
        strips = [rows[y] if y < len(rows) else Strip.blank(width, self.rich_style) for y in crop.line_range]
        selection = self.text_selection
        if selection is not None:
            strips = [self._selected(strip, y, selection) for strip, y in zip(strips, crop.line_range)]
        filters = self.get_line_filters()
        if filters:
            background = self.background_colors[1]
            for line_filter in filters:
                if isinstance(line_filter, ANSIToTruecolor):  # it would copy every row the same (~25 µs a row)
                    done = self._truecolour_rows
                    strips = [strip if id(strip) in done else strip.apply_filter(line_filter, background)
                              for strip in strips]
                else:
                    strips = [strip.apply_filter(line_filter, background) for strip in strips]
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        # Asked for by Textual's selection, which reads where a cell is in the text from each
        # segment's "offset": the text of a row is its block's content, not the frame around it.
        rows = self._rows(self.size.width)[0]
        if y >= len(rows):
            return Strip.blank(self.size.width, self.rich_style)
        found = self._content_at(y)
        if found is None:
            return rows[y]
        segments, lead, count = found

        def at(x: int, text: str, style: Style | None) -> Segment:
            meta = Style.from_meta({"offset": (x, y)})
            return Segment(text, style + meta if style else meta)

        # a cell of the frame stands for the start of the text (left) or its end (right), one by one
        out = [at(0, char, style) for text, style, _ in segments[:lead] for char in text]
        x = 0
        for text, style, _ in segments[lead:lead + count]:
            out.append(at(x, text, style))
            x += len(text)
        out += [at(x, char, style) for text, style, _ in segments[lead + count:] for char in text]
        return Strip(out, rows[y].cell_length)

    # --- selecting text --------------------------------------------------------------------
    def _content_at(self, y: int) -> tuple[list[Segment], int, int] | None:
        """Row `y`'s segments, and which of them (from `lead`, `count` of them) are its block's
        content; None on a row of margin or frame."""
        self._rows(self.size.width)
        assert self._drawn is not None
        _, rows, spans, layouts = self._drawn
        for (top, bottom), layout in zip(spans, layouts):
            if top <= y < bottom:
                if layout is None or not top + layout.top <= y < bottom - layout.bottom:
                    return None
                segments = list(rows[y])
                return segments, layout.lead, len(segments) - layout.lead - layout.trail
        return None

    def _text_of(self, y: int) -> str:
        found = self._content_at(y)
        if found is None:
            return ""
        segments, lead, count = found
        return "".join(segment.text for segment in segments[lead:lead + count])

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        text = "\n".join(self._text_of(y) for y in range(len(self._rows(self.size.width)[0])))
        return "\n".join(line.rstrip() for line in selection.extract(text).split("\n")), "\n"

    def _selected(self, strip: Strip, y: int, selection: Selection) -> Strip:
        """`strip` (row `y`) with the selected part of its content in the screen's selection style."""
        span = selection.get_span(y)
        found = self._content_at(y) if span is not None else None
        if found is None:
            return strip
        segments, lead, count = found
        start, end = span  # type: ignore[misc]
        chosen = self.screen.get_component_styles("screen--selection")
        selected: dict[Style | None, Style] = {}

        def selected_style(style: Style | None) -> Style:
            # As Textual's own text is drawn selected: the selection's background blended over the
            # text's, the text in its own colour unless the selection has one ("transparent" by default).
            found = selected.get(style)
            if found is None:
                under = Color.from_rich_color(style.bgcolor) if style is not None and style.bgcolor else \
                    self.background_colors[1]
                background = under + chosen.background
                colour = (style.color if style is not None else None) if not chosen.color.a else \
                    (background + chosen.color).rich_color
                found = selected[style] = (style or Style()) + Style(color=colour, bgcolor=background.rich_color)
            return found

        out, x = list(segments[:lead]), 0
        for text, segment_style, control in segments[lead:lead + count]:
            stop = x + len(text)
            cut_from, cut_to = max(start, x), stop if end == -1 else min(end, stop)
            if cut_from >= cut_to:
                out.append(Segment(text, segment_style, control))
            else:
                a, b = cut_from - x, cut_to - x
                out += [Segment(part, part_style) for part, part_style in (
                    (text[:a], segment_style), (text[a:b], selected_style(segment_style)),
                    (text[b:], segment_style)) if part]
            x = stop
        out += segments[lead + count:]
        return Strip(out, strip.cell_length)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A theme switch draws the blocks again in its colours (`_look_key` changes). Only then: the
        # run's own :hover, as the mouse comes in, asks this too.
        self._look = None
        if self._drawn_look is not None and self._drawn_look != self._look_key(self.size.width):
            self.refresh(layout=True)

    # --- the mouse -------------------------------------------------------------------------
    def _hovering(self, index: int | None) -> None:
        if index != self._hover:
            self._hover = index
            self.refresh()  # the same rows, another background: no layout

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self.block_at(event.y)
        self._hovering(index if index is not None and expandable(self._specs[index]) else None)

    def on_leave(self, event: events.Leave) -> None:
        self._hovering(None)

    def on_click(self, event: events.Click) -> None:
        index = self.block_at(event.y)
        if index is None:
            return
        spec = self._specs[index]
        if isinstance(spec, NoticeSpec) and spec.kind == "cut":  # a huge block's notice: its whole text
            from workbench.tui.widgets.conversation import show_all

            show_all(self, spec)
        else:
            self.toggle(index)
