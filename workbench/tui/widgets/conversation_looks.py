"""How finished blocks are drawn in runs (conversation_run.py), and the rows drawn so far.

The stylesheet styles a hidden prototype of each kind of block (`BlockLooks`), and a block's rows are
its content rendered with that prototype's style, framed as Textual's own styles renderer frames it
(padding, border, background). The rows of each block are kept for the whole pane, not per run: a
block drawn ahead of time (`draw`, while the app is idle: see conversation_ahead.py) or in a run
since unmounted or reused costs nothing when a page brings it in, so a page-down's frame mostly
lays out and paints.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.content import Content
from textual.geometry import Size, Spacing
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.visual import Visual, visualize
from textual.widget import Widget

from workbench.tui.widgets.conversation import Notice, UserBlock, notice_content, user_content
from workbench.tui.widgets.conversation_history import (CompactCard, CompactThinking, HistoryAnswer, answer_lines,
                                                        card_content, thinking_content)
from workbench.tui.widgets.conversation_specs import (AnswerSpec, BlockSpec, CardSpec, NoticeSpec, ThinkingSpec, UserSpec,
                                                      expandable)
from workbench.tui.widgets.plain_styles import content_untouched

# Blocks whose rows are kept, drawn or drawn ahead: the mounted window (at most 200 blocks) and a few
# screens either side. Not more: what is kept stays alive, and each full collection walks it.
_KEPT_BLOCKS = 600


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


class Layout(NamedTuple):
    """Where a block's content is in its rows: rows of frame above and below it, and on each
    content row the segments of frame (and margin) before and after it."""

    top: int
    bottom: int
    lead: int
    trail: int


class Drawn(NamedTuple):
    """A block's rows in one look, where its content is in them (None: not known, not selectable),
    and whether Textual's `ANSIToTruecolor` filter would leave every row as it is."""

    spec: BlockSpec
    rows: list[Strip]
    layout: Layout | None
    truecolour: bool


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
    pane) when first needed: the stylesheet styles it as it would the block, wherever it sits. And
    the rows of the blocks drawn with them, per look (`look`: width, theme, the runs' style)."""

    def __init__(self, holder: Widget) -> None:
        self.holder = holder
        self._protos: dict[tuple, Widget] = {}
        self._drawn: OrderedDict[tuple, Drawn] = OrderedDict()  # by (id(spec), hover, opened, look); LRU
        self._look: tuple | None = None  # the look the colours and frames below are for
        self._colours: dict[int, _Colours] = {}  # per prototype
        self._frames: dict[tuple[int, int], _Frame] = {}  # per prototype and width

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

    def protos_for(self, specs: list[BlockSpec]) -> None:
        """Every look `specs` are drawn with, in the DOM before they are laid out."""
        for spec in specs:
            self.proto(spec)
            if expandable(spec):
                self.proto(spec, hover=True)

    # --- drawing ---------------------------------------------------------------------------
    def cached(self, spec: BlockSpec, hover: bool, opened: bool, look: tuple) -> Drawn | None:
        """The rows of `spec` in `look` if they were drawn (and are still kept)."""
        key = (id(spec), hover, opened, look)  # an entry holds its spec: no other spec has its id meanwhile
        found = self._drawn.get(key)
        if found is not None:
            self._drawn.move_to_end(key)
        return found

    def draw(self, spec: BlockSpec, hover: bool, opened: bool, look: tuple) -> Drawn:
        """The rows of `spec` drawn in `look` (width, theme name, theme, the style of the runs it sits
        in), `hover`ed and `opened` or not; kept for the next time."""
        found = self.cached(spec, hover, opened, look)
        if found is not None:
            return found
        if look != self._look:  # a theme or a style of the pane changed: every colour and frame with it
            self._look, self._colours, self._frames = look, {}, {}
        proto = self.proto(spec, hover)
        rows, layout = self._block(spec, opened, proto, look[0], look[-1])
        truecolour = all(_truecolour(segment.style) for row in rows for segment in row)
        found = self._drawn[(id(spec), hover, opened, look)] = Drawn(spec, rows, layout, truecolour)
        if len(self._drawn) > _KEPT_BLOCKS:
            self._drawn.popitem(last=False)
        return found

    def _block(self, spec: BlockSpec, opened: bool, proto: Widget, width: int,
               run_style: Style) -> tuple[list[Strip], Layout | None]:
        """The rows of one block, as its own widget would render them in a `width`-wide pane, and
        where its content is in them."""
        styles = proto.styles
        margin = styles.margin
        box_width = max(0, width - margin.width)
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
            return self._in_margin(rows, margin, width, run_style), Layout(0, 0, sides[0], sides[1])
        if content_untouched(styles, proto.opacity) and content_width:  # a frame the same on every row
            frame = self._frames.get((id(proto), box_width))
            if frame is None:
                frame = self._frames[(id(proto), box_width)] = _Frame(
                    lambda rows: self._styles_render(proto, colours, box_width, content_width, rows), content_width,
                    gutter.top)
            layout = Layout(len(frame.top), len(frame.bottom), len(frame.left) + sides[0], len(frame.right) + sides[1])
            return self._in_margin(frame.around(content, inner), margin, width, run_style), layout
        # framed by the styles renderer: where the content is in its rows is not known (not selectable)
        rows = self._styles_render(proto, colours, box_width, content_width, content)
        return self._in_margin(rows, margin, width, run_style), None

    @staticmethod
    def _styles_render(proto: Widget, colours: _Colours, box_width: int, content_width: int,
                       content: list[Strip]) -> list[Strip]:
        """`content` framed by Textual's styles renderer as `proto`'s styles say (padding, border, background)."""
        styles = proto.styles
        inner_blank = Strip.blank(content_width, colours.rich_style)
        return StylesCache().render(
            styles, Size(box_width, len(content) + styles.gutter.height), colours.base_background, colours.background,
            lambda y: content[y] if y < len(content) else inner_blank, [], None, None,
            content_size=Size(content_width, len(content)), padding=styles.padding,
            opacity=proto.opacity, ansi_theme=proto.app.ansi_theme, native_ansi=proto.app.native_ansi_color)

    @staticmethod
    def _in_margin(box: list[Strip], margin: Spacing, width: int, run_style: Style) -> list[Strip]:
        if not margin.left and not margin.right:
            return box
        left = [Segment(" " * margin.left, run_style)] if margin.left else []
        right = [Segment(" " * margin.right, run_style)] if margin.right else []
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
