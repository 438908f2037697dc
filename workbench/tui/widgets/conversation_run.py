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
from functools import lru_cache
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.content import Content
from textual.filter import ANSIToTruecolor
from textual.geometry import Region, Size, Spacing
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.visual import Visual, visualize
from textual.widget import Widget

from workbench.tui.widgets.conversation import Notice, UserBlock, notice_content, user_content
from workbench.tui.widgets.conversation_history import (CompactCard, CompactThinking, HistoryAnswer, answer_lines,
                                                        card_content, thinking_content)
from workbench.tui.widgets.conversation_specs import AnswerSpec, BlockSpec, CardSpec, NoticeSpec, ThinkingSpec, UserSpec
from workbench.tui.widgets.plain_styles import content_untouched
from workbench.tui.widgets.sized_once import SizedOnce


def _expandable(spec: BlockSpec) -> bool:
    return isinstance(spec, ThinkingSpec) or (isinstance(spec, CardSpec) and bool(spec.result))


def _bare(styles: Any, opacity: float) -> bool:
    """Styles that add nothing around or over the content (no gutter, background or effect): the
    styles renderer would hand such a block's rows back unchanged."""
    return not any(styles.gutter) and not styles.background.a and content_untouched(styles, opacity)


class _Colours(NamedTuple):
    """A prototype's colours: what is under it, its background, its style, the style its padding
    and the rest of a short row are filled with."""

    base_background: Color
    background: Color
    rich_style: Style
    inner: Style


class _Layout(NamedTuple):
    """Where a block's content is in its rows: rows of frame above and below it, and on each
    content row the segments of frame (and margin) before and after it."""

    top: int
    bottom: int
    lead: int
    trail: int


class _Frame:
    """What Textual's styles renderer puts around a block's content rows, cut from one block it
    framed whose single content row was a sentinel: the rows above and below (border, padding)
    and, on each content row, the segments left and right of the content. Framing a block is then a
    concatenation per row instead of the renderer's work per row (~40 µs)."""

    def __init__(self, render: Callable[[list[Strip]], list[Strip]], content_width: int, top: int) -> None:
        sentinel = Segment(" " * content_width)
        rendered = render([Strip([sentinel], content_width)])
        self.top, self.bottom = rendered[:top], rendered[top + 1:]
        row = list(rendered[top])
        at = next(i for i, segment in enumerate(row) if segment is sentinel)
        self.left, self.right = row[:at], row[at + 1:]
        self.width, self.content_width = rendered[top].cell_length, content_width

    def around(self, content: list[Strip], inner: Style) -> list[Strip]:
        # as the renderer does to each row: sized to the content width, padded in the inner style
        left, right, width, content_width = self.left, self.right, self.width, self.content_width
        return [*self.top,
                *(Strip([*left, *row.adjust_cell_length(content_width, inner), *right], width) for row in content),
                *self.bottom]


@lru_cache(maxsize=1024)
def _truecolour(style: Style | None) -> bool:
    """Whether Textual's `ANSIToTruecolor` filter leaves `style` as it is: no ANSI (or default)
    colour to turn into its truecolour, no dim colour to blend (see `ANSIToTruecolor.truecolor_style`)."""
    if style is None:
        return True
    color, bgcolor = style.color, style.bgcolor
    return ((color is None or color.triplet is not None) and (bgcolor is None or bgcolor.triplet is not None)
            and not (style.dim and color is not None))


class BlockLooks:
    """One hidden prototype per kind of block, mounted in `holder` (a `display: none` child of the
    pane) when first needed: the stylesheet styles it as it would the block, wherever it sits."""

    def __init__(self, holder: Widget) -> None:
        self.holder = holder
        self._protos: dict[tuple, Widget] = {}

    @staticmethod
    def _key(spec: BlockSpec, hover: bool) -> tuple:
        if isinstance(spec, (UserSpec, NoticeSpec)):
            return (type(spec), spec.kind)
        if isinstance(spec, AnswerSpec):
            return (AnswerSpec, spec.continued)
        if isinstance(spec, CardSpec):
            return (CardSpec, spec.status, hover)
        return (ThinkingSpec, hover)

    def proto(self, spec: BlockSpec, hover: bool = False) -> Widget:
        key = self._key(spec, hover)
        found = self._protos.get(key)
        if found is None:
            if isinstance(spec, UserSpec):
                found = UserBlock("", spec.kind)
            elif isinstance(spec, NoticeSpec):
                found = Notice("", spec.kind)
            elif isinstance(spec, AnswerSpec):
                found = HistoryAnswer("", continued=spec.continued)
            elif isinstance(spec, CardSpec):
                found = CompactCard(CardSpec("", "", {}, status=spec.status))
            else:
                found = CompactThinking("")
            if hover:
                found.add_class("-hover")
            # mounted at once: the stylesheet is applied as it is registered (the mount's messages follow)
            self.holder.mount(found)
            self._protos[key] = found
        return found


class BlockRun(SizedOnce, Widget):
    """Finished blocks, top to bottom, drawn as one widget (see the module's docstring)."""

    DEFAULT_CSS = "BlockRun { height: auto; }"

    def __init__(self, specs: Iterable[BlockSpec], looks: BlockLooks) -> None:
        super().__init__()
        self._looks = looks
        self._blocks_look: tuple | None = None
        self._frames: dict[tuple[int, int], _Frame] = {}  # per prototype and width, in `_blocks_look`
        self._colours: dict[int, _Colours] = {}  # per prototype, in `_blocks_look`
        self._look: tuple | None = None
        self._hold(specs)

    def _hold(self, specs: Iterable[BlockSpec]) -> None:
        self._specs = list(specs)
        # what the user opened: a card's result, a thinking block's text
        self._open = [isinstance(s, ThinkingSpec) and not s.collapsed for s in self._specs]
        self._hover: int | None = None
        self._drawn: tuple[tuple, list[Strip], list[tuple[int, int]], list[_Layout | None]] | None = None
        # each block's rows and where its content is in them, per state, in `_blocks_look`
        self._blocks: dict[tuple, tuple[list[Strip], _Layout | None]] = {}
        self._truecolour_rows: set[int] = set()  # rows in `_blocks` the ANSI-to-truecolour filter leaves as they are
        looks = self._looks
        for spec in self._specs:  # every look this run draws with, in the DOM before it is laid out
            looks.proto(spec)
            if _expandable(spec):
                looks.proto(spec, hover=True)
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
        if _expandable(self._specs[index]):
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
        if self._blocks_look != look:
            self._blocks, self._frames, self._colours, self._truecolour_rows = {}, {}, {}, set()
            self._blocks_look = look
        # margins between blocks: the pane's background, as where no widget is
        blank = Strip.blank(width, Style(bgcolor=look[-1].bgcolor))
        rows: list[Strip] = []
        spans: list[tuple[int, int]] = []
        layouts: list[_Layout | None] = []
        below = None  # the bottom margin of the block above
        for i, spec in enumerate(self._specs):
            state = (i, i == self._hover, self._open[i])  # a block drawn once per state (hover, open)
            proto = self._looks.proto(spec, hover=state[1])
            margin = proto.styles.margin
            if below is not None:
                rows.extend([blank] * max(below, margin.top))
            drawn = self._blocks.get(state)
            if drawn is None:
                drawn = self._blocks[state] = self._block(spec, self._open[i], proto, width, margin)
                if all(_truecolour(segment.style) for row in drawn[0] for segment in row):
                    self._truecolour_rows.update(id(row) for row in drawn[0])
            block, layout = drawn
            spans.append((len(rows), len(rows) + len(block)))
            layouts.append(layout)
            rows.extend(block)
            below = margin.bottom
        self._drawn = (key, rows, spans, layouts)
        return rows, spans

    def _block(self, spec: BlockSpec, opened: bool, proto: Widget, width: int,
               margin: Spacing) -> tuple[list[Strip], _Layout | None]:
        """The rows of one block, as its own widget would render them in a `width`-wide pane, and
        where its content is in them."""
        box_width = max(0, width - margin.width)
        styles = proto.styles
        gutter = styles.gutter
        content_width = max(0, box_width - gutter.width)
        colours = self._colours.get(id(proto))
        if colours is None:  # each walks the prototype's ancestors: once per prototype and look
            base_background, background = proto.background_colors
            colours = self._colours[id(proto)] = _Colours(
                base_background, background, proto.rich_style,
                TextualStyle(background=base_background + background).rich_style)
        background, rich_style, inner = colours.background, colours.rich_style, colours.inner
        if isinstance(spec, AnswerSpec):
            content = answer_lines(proto, spec.markdown, spec.continued, content_width, (rich_style, background))
        else:
            visual = visualize(proto, self._content(spec, opened, proto), markup=False)
            height: int | None = 0
            if content_width:  # Text's lines are as many as it wraps into: not wrapped twice to count them
                height = None if isinstance(visual, Content) else visual.get_height(styles, content_width)
            content = Visual.to_strips(proto, visual, content_width, height, proto.visual_style)
        sides = (bool(margin.left), bool(margin.right))  # the margin's segments on each side of a row
        if _bare(styles, proto.opacity):  # nothing to frame the content with: its rows, as wide as the block, are the block's
            rows = [row if row.cell_length == content_width else row.adjust_cell_length(content_width, inner)
                    for row in content]
            return self._in_margin(rows, margin, width), _Layout(0, 0, sides[0], sides[1])
        if content_untouched(styles, proto.opacity) and content_width:  # a frame the same on every row
            frame = self._frames.get((id(proto), box_width))
            if frame is None:
                frame = self._frames[(id(proto), box_width)] = _Frame(
                    lambda rows: self._styles_render(proto, colours, box_width, content_width, rows), content_width,
                    gutter.top)
            layout = _Layout(len(frame.top), len(frame.bottom), len(frame.left) + sides[0], len(frame.right) + sides[1])
            return self._in_margin(frame.around(content, inner), margin, width), layout
        # framed by the styles renderer: where the content is in its rows is not known (not selectable)
        rows = self._styles_render(proto, colours, box_width, content_width, content)
        return self._in_margin(rows, margin, width), None

    def _styles_render(self, proto: Widget, colours: _Colours, box_width: int, content_width: int,
                       content: list[Strip]) -> list[Strip]:
        """`content` framed by Textual's styles renderer as `proto`'s styles say (padding, border, background)."""
        styles = proto.styles
        inner_blank = Strip.blank(content_width, colours.rich_style)
        return StylesCache().render(
            styles, Size(box_width, len(content) + styles.gutter.height), colours.base_background, colours.background,
            lambda y: content[y] if y < len(content) else inner_blank, [], None, None,
            content_size=Size(content_width, len(content)), padding=styles.padding,
            opacity=proto.opacity, ansi_theme=self.app.ansi_theme, native_ansi=self.app.native_ansi_color)

    def _in_margin(self, box: list[Strip], margin: Spacing, width: int) -> list[Strip]:
        if not margin.left and not margin.right:
            return box
        left = [Segment(" " * margin.left, self.rich_style)] if margin.left else []
        right = [Segment(" " * margin.right, self.rich_style)] if margin.right else []
        return [Strip([*left, *strip, *right], width) for strip in box]

    @staticmethod
    def _content(spec: BlockSpec, opened: bool, proto: Widget) -> Any:
        if isinstance(spec, UserSpec):
            return user_content(spec.text, spec.kind, spec.sender, spec.recipient)
        if isinstance(spec, NoticeSpec):
            return notice_content(spec.text, spec.kind)
        if isinstance(spec, CardSpec):
            return card_content(spec, opened)
        assert isinstance(spec, ThinkingSpec)
        return thinking_content(proto, spec.text, not opened)

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
        if self._blocks_look is not None and self._blocks_look != self._look_key(self.size.width):
            self.refresh(layout=True)

    # --- the mouse -------------------------------------------------------------------------
    def _hovering(self, index: int | None) -> None:
        if index != self._hover:
            self._hover = index
            self.refresh()  # the same rows, another background: no layout

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self.block_at(event.y)
        self._hovering(index if index is not None and _expandable(self._specs[index]) else None)

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
