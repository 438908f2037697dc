"""What finished conversation blocks look like, drawn cheaply and cached.

Mounting Textual's `Markdown` widget costs tens of milliseconds (a child widget per paragraph, list
item, table cell and fence), a tool card with its collapsible about twenty: paging history in a
screen at a time could not stay within a frame. A finished answer segment is therefore rendered from
a Rich `Markdown` (styled from the theme's markdown variables, code highlighted
with Textual's highlight theme, laid out with the same gaps as the Markdown widget) into strips,
kept in a cache shared by all blocks, so a block scrolled back into view costs no rendering at all.
The cached strips already carry the pane's colours: a `Strip` holds seven small caches of its own,
so every derived strip kept alive (a styled copy per line) costs the garbage collector's full passes.
A finished tool card or thinking block is its header line, expanded on demand. In the pane these
blocks are drawn in runs (conversation_run.py), with the looks of the single-block widgets here.
Only the live, streaming answer uses the `Markdown` widget (conversation.py).
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any, ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich import box
from rich.markdown import CodeBlock, Heading, Markdown as RichMarkdown, TableElement
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.syntax import ANSISyntaxTheme, Syntax
from rich.table import Table
from rich.text import Text
from rich.theme import Theme
from textual.color import Color
from textual.geometry import Region, Size
from textual.highlight import HighlightTheme
from textual.strip import Strip
from textual.style import Style as TextualStyle
from textual.widget import Widget
from textual.widgets import Static

from workbench.tui.widgets.conversation_cards import card_header, finished_status, render_result, result_title
from workbench.tui.widgets.conversation_specs import AnswerSpec, CardSpec, ThinkingSpec
from workbench.tui.widgets.markdown_lines import code_lines, markdown_lines
from workbench.tui.widgets.sized_once import SizedOnce

# Rendered answers, by (markdown, continued, width, theme, pane style): a hundred screens or so of answers
# either way. Not more: what it holds stays alive, and a full collection walks all of it (1,500 held
# ~1.2 million objects after scrolling a 5,000-message session, a one-second collection).
_CACHE_SIZE = 400
# html off: a model's `<tag>` lines are text to show, not HTML to drop (Rich renders no HTML, so
# with html on, `<read-files>` blocks and `<b>` tags vanished from answers and summaries).
_PARSER = MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")  # ~0.6 ms: share it

# Narrower than this, a list's items would have next to no room: Rich lays out the whole answer.
_DIRECT_MIN_WIDTH = 12
# Rows of margin above a block when it opens a segment (as Textual's Markdown lays out its blocks).
_TOP_MARGIN = {"h1": 2, "h2": 2, "h3": 1, "h4": 1, "h5": 1, "h6": 1, "fence": 1, "code_block": 1}


def _name(colour: Color) -> str:
    """A colour as Rich parses it: its hex, or for a theme's ANSI colour Rich's name of it
    (`Color.hex` gives "ansi_yellow", which Rich cannot parse)."""
    return colour.hex if colour.ansi is None else colour.rich_color.name


class _Look:
    """What the theme says a rendered answer looks like (headings, code, tables, quotes), resolved
    to Rich styles as Textual's Markdown widget styles them."""

    def __init__(self, variables: dict[str, str], background: Color) -> None:
        def colour(value: str | Color) -> Color:
            found = Color.parse(value) if isinstance(value, str) else value
            if found.auto:  # "auto": the text colour that contrasts with the background
                found = background.get_contrast_text(found.a)
            return background + found  # a colour with an alpha, blended over the background

        def fg(name: str, default: str) -> str:
            style = TextualStyle.parse(variables.get(name, default), variables)
            return _name(colour(style.foreground)) if style.foreground else default

        self.headings = {
            f"h{n}": Style.parse(variables.get(f"markdown-h{n}-text-style", "bold").replace("none", "") or "none")
            + Style(color=colour(variables.get(f"markdown-h{n}-color", "#FFFFFF")).rich_color)
            for n in range(1, 7)
        }
        code: dict[Any, Style] = {}
        for token, spec in HighlightTheme.STYLES.items():
            style = TextualStyle.parse(spec, variables) if spec else TextualStyle()
            code[token] = Style(color=colour(style.foreground).rich_color if style.foreground else None,
                                bold=style.bold, italic=style.italic, underline=style.underline)
        self.code_theme = ANSISyntaxTheme(code)
        self.code_background = _name(background + Color(0, 0, 0, 0.1))
        warning, primary = fg("text-warning", "#FFC473"), fg("text-primary", "#57A5E2")
        code_ground = _name(background + Color.parse(variables.get("warning", "#FFA62B")).with_alpha(0.1))
        boost = _name(background + Color.parse(variables.get("boost", "#FFFFFF0A")))
        self.table_border = Style(color=(background + Color.parse(variables.get("foreground", "#E0E0E0"))
                                         .with_alpha(0.2)).rich_color)
        self.rich_theme = Theme({
            "markdown.code": Style.parse(f"{warning} on {code_ground}"),
            "markdown.link": "underline", "markdown.link_url": "underline",
            "markdown.block_quote": Style(bgcolor=boost),
            "markdown.item.bullet": Style(color=primary, bold=True), "markdown.item.number": Style(color=primary),
            "markdown.table.header": Style(color=primary), "markdown.hr": self.table_border,
        }, inherit=True)


class _Heading(Heading):
    @classmethod
    def create(cls, markdown: RichMarkdown, token: Token) -> Heading:
        heading = cls(token.tag)
        heading.look_style = markdown.look.headings.get(token.tag, Style())  # type: ignore[attr-defined]
        # Textual gives h1/h2 two rows above: one more than the blank line Rich puts between blocks.
        heading.extra_gap = token.tag in ("h1", "h2") and token is not markdown.first  # type: ignore[attr-defined]
        return heading

    def on_enter(self, context) -> None:  # type: ignore[no-untyped-def]
        self.text = Text()
        context.enter_style(self.look_style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.extra_gap:
            yield Text()
        yield from super().__rich_console__(console, options)


class _CodeBlock(CodeBlock):
    @classmethod
    def create(cls, markdown: RichMarkdown, token: Token) -> CodeBlock:
        block = cls(_lexer_name(token), "")
        block.look = markdown.look  # type: ignore[attr-defined]
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield code_syntax(str(self.text), self.lexer_name, self.look)  # type: ignore[attr-defined]


def _lexer_name(token: Token) -> str:
    """The language a fence names (its info's first word), as Rich's code block reads it."""
    return (token.info or "").partition(" ")[0] or "text"


def code_syntax(code: str, lexer_name: str, look: _Look) -> Syntax:
    """A code block of an answer, highlighted in the theme's code colours on a slightly darker ground."""
    return Syntax(code.rstrip(), _lexer(lexer_name), theme=look.code_theme, word_wrap=True, padding=(1, 2),
                  background_color=look.code_background)


@lru_cache(maxsize=64)
def _lexer(name: str) -> Lexer | str:
    """The lexer `Syntax` would look up by `name` (~0.15 ms each time), kept: lexers are reusable.
    A name Pygments does not know stays a name: `Syntax` falls back as it would."""
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=True, tabsize=Syntax("", "text").tab_size)
    except ClassNotFound:
        return name


class _Table(TableElement):
    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # As Textual's Markdown draws a table: every cell boxed, as wide as the answer.
        look: _Look = self.look  # type: ignore[attr-defined]
        table = Table(box=box.SQUARE, show_lines=True, expand=True, border_style=look.table_border,
                      header_style="markdown.table.header", padding=(0, 1))
        if self.header is not None and self.header.row is not None:
            for column in self.header.row.cells:
                table.add_column(column.content.copy())
        if self.body is not None:
            for row in self.body.rows:
                table.add_row(*[element.content for element in row.cells])
        yield table

    @classmethod
    def create(cls, markdown: RichMarkdown, token: Token) -> TableElement:
        table = cls()
        table.look = markdown.look  # type: ignore[attr-defined]
        return table


class AnswerMarkdown(RichMarkdown):
    """Rich's Markdown with the theme's headings and code blocks, parsed by a shared parser (or given
    the tokens of some of a document's blocks, `first` being the document's first token)."""

    elements: ClassVar[dict[str, type]] = {**RichMarkdown.elements, "heading_open": _Heading,  # type: ignore[misc]
                                           "fence": _CodeBlock, "code_block": _CodeBlock,
                                           "table_open": _Table}

    def __init__(self, markup: str, look: _Look, tokens: list[Token] | None = None,
                 first: Token | None = None) -> None:  # noqa: D107 (same attributes as Rich's)
        self.markup = markup
        self.parsed = _PARSER.parse(markup) if tokens is None else tokens
        self.first = first if tokens is not None else (self.parsed[0] if self.parsed else None)
        self.code_theme = "monokai"
        self.justify = None
        self.style = "none"
        self.hyperlinks = True
        self.inline_code_lexer = None
        self.inline_code_theme = "monokai"
        self.look = look


def answer_rows(console: Console, markdown: str, tokens: list[Token], width: int, look: _Look,
                fell_back: list[Token] | None = None) -> list[list[Segment]]:
    """The lines Rich's Markdown (`AnswerMarkdown`) renders for an answer `width` cells wide, each
    padded to the width. Paragraphs, lists and code blocks are laid out directly (markdown_lines.py),
    every other block by Rich (its first token added to `fell_back`): the lines are the same."""
    first = tokens[0] if tokens else None
    options = console.options.update(width=width, min_width=width, height=None, highlight=False)

    def rich_lines(block: list[Token], block_width: int) -> list[list[Segment]]:
        if fell_back is not None:
            fell_back.append(block[0])
        doc = AnswerMarkdown(markdown, look, tokens=block, first=first)
        return console.render_lines(doc, options.update(width=block_width), pad=True)

    def code_block(token: Token, block_width: int) -> list[list[Segment]]:
        # as `_CodeBlock` renders it (Rich's code block: its text is the fence's content)
        syntax = code_syntax(token.content, _lexer_name(token), look)
        lines = code_lines(console, syntax, block_width)
        return console.render_lines(syntax, options.update(width=block_width), pad=True) if lines is None else lines

    with console.use_theme(look.rich_theme):
        if width < _DIRECT_MIN_WIDTH:
            return rich_lines(tokens, width)
        blank = [Segment(" " * width)]  # Rich's new line between blocks, padded
        return [line or blank for line in markdown_lines(console, tokens, width, rich_lines, code_block)]


def render_answer(console: Console, markdown: str, continued: bool, width: int, look: _Look,
                  base: Style | None = None) -> list[Strip]:
    """An answer segment as strips `width` cells wide, with the rows of margin Textual's Markdown
    widget would give it: the first block's top margin (one less when continuing a segment, whose
    predecessor ends with a blank row) and the last block's bottom margin of one row; `base` (the
    pane's colours) goes under the rendered styles."""
    tokens = _PARSER.parse(markdown)
    lines = answer_rows(console, markdown, tokens, width, look)
    first = tokens[0] if tokens else None
    top = _TOP_MARGIN.get(first.tag if first is not None and first.type == "heading_open" else
                          (first.type if first is not None else ""), 0)
    top = max(0, top - (1 if continued else 0))
    blank = [Segment(" " * width)]
    rows = [blank] * top + lines + ([blank] if lines else [])
    if base is not None:
        return [Strip(Segment.apply_style(line, base), width) for line in rows]
    return [Strip(line, width) for line in rows]


class _StripCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, list[Strip]] = OrderedDict()

    def get(self, key: tuple) -> list[Strip] | None:
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple, strips: list[Strip]) -> None:
        self.items[key] = strips
        if len(self.items) > self.size:
            self.items.popitem(last=False)


STRIPS = _StripCache(_CACHE_SIZE)


def answer_lines(widget: Widget, source: str, continued: bool, width: int,
                 colours: tuple[Style, Color] | None = None) -> list[Strip]:
    """An answer segment rendered `width` cells wide in the colours `widget` has (a HistoryAnswer,
    or the look of one in a run), from the shared cache when it was rendered before. `colours`:
    the widget's `rich_style` and background, when the caller knows them already."""
    if width <= 0:
        return []
    base, background = colours or (widget.rich_style, widget.background_colors[1])
    look_key, look = _look_for(widget, background)
    key = (source, continued, width, look_key, base)
    strips = STRIPS.get(key)
    if strips is None:
        strips = render_answer(widget.app.console, source, continued, width, look, base)
        STRIPS.put(key, strips)
    return strips


class HistoryAnswer(SizedOnce, Widget):
    """A finished answer segment as its own widget: Markdown rendered once per width into cached
    strips. Runs of finished blocks (conversation_run.py) draw answers with its look; tests compare
    runs with it."""

    DEFAULT_CSS = "HistoryAnswer { height: auto; }"
    DEFAULT_CLASSES = "answer-block"

    def __init__(self, markdown: str, *, continued: bool = False) -> None:
        super().__init__(classes="-continued" if continued else None)
        self.source = markdown  # already sanitized (specs hold sanitized text)
        self.continued = continued
        self._painting: list[Strip] | None = None  # the rows of the paint under way

    def spec(self) -> AnswerSpec:
        return AnswerSpec(self.source, self.continued)

    def lines(self, width: int) -> list[Strip]:
        """The rendered rows, in the pane's colours."""
        return answer_lines(self, self.source, self.continued, width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render_lines(self, crop: Region) -> list[Strip]:
        # Look the rows up once per paint, not once per row (the pane style walks every ancestor).
        self._painting = self.lines(self.size.width)
        try:
            return super().render_lines(crop)
        finally:
            self._painting = None

    def render_line(self, y: int) -> Strip:
        lines = self._painting if self._painting is not None else self.lines(self.size.width)
        if y >= len(lines):
            return Strip.blank(self.size.width, self.rich_style)
        return lines[y]

    def notify_style_update(self) -> None:  # a theme switch: render again with its colours
        super().notify_style_update()
        self.refresh(layout=True)


# The look of answers per (theme name, background): the Theme it was made from and the look. A theme
# file edited while the app runs is registered again under its name as a new Theme: the look is made
# again then, not kept from before the edit.
_LOOKS: dict[tuple, tuple[Any, _Look]] = {}


def _look_for(widget: Widget, background: Color) -> tuple[tuple, _Look]:
    """The look of answers in `widget`'s colours (on `background`, its own), and a key naming it for caches."""
    app = widget.app
    theme = app.current_theme
    key = (app.theme, background)
    found = _LOOKS.get(key)
    if found is None or found[0] is not theme:
        found = _LOOKS[key] = (theme, _Look(app.get_css_variables(), key[1]))
    return (key, id(found[0])), found[1]


def _toggle_line(expanded: bool, title: str) -> Padding:
    # As Collapsible draws its title: one cell in, an arrow and the title.
    return Padding(Text(f"{'▼' if expanded else '▶'} {title}"), (0, 0, 0, 1))


def _toggle_text(expanded: bool, title: str) -> Text:
    # `_toggle_line` as plain Text: Textual draws Text through its own Content, several times faster
    # than a Rich renderable such as Padding (the title is short: it never wraps)
    return Text(f" {'▼' if expanded else '▶'} {title}")


def thinking_content(widget: Widget, text: str, collapsed: bool) -> Text | Group:
    """Finished thinking: its title line and, unless collapsed, the text in `widget`'s muted colour."""
    if collapsed:
        return _toggle_text(False, f"Thinking · {len(text):,} chars")
    title = _toggle_line(True, f"Thinking · {len(text):,} chars")
    # the muted text colour of the theme, as the thinking text of the live block has
    muted = (widget.background_colors[1] + Color.parse(widget.app.get_css_variables().get("foreground", "#E0E0E0"))
             .with_alpha(0.6)).hex
    return Group(title, Padding(Text(text, style=f"italic {muted}"), (0, 0, 0, 2)))


def card_content(card: CardSpec, expanded: bool) -> Text | Group:
    """A finished tool call: its header line, the result's title line and, expanded, the result."""
    header = card_header(card.status, card.name, card.args, card.agent, finished_status(card.status, card.duration_s),
                         card.checkpoint, card.notes)
    if not expanded:  # as plain Text (see `_toggle_text`)
        return header + "\n" + _toggle_text(False, result_title(card.result, card.is_error)) if card.result else header
    parts: list[Any] = [header]
    if card.result:
        parts.append(_toggle_line(expanded, result_title(card.result, card.is_error)))
        if expanded:
            parts.append(Padding(render_result(card.name, card.args, card.result), (0, 0, 0, 3)))
    return Group(*parts)


class CompactThinking(SizedOnce, Static):
    """A finished thinking block as its own widget: the look runs draw thinking with (the stylesheet
    styles a hidden one; `-hover`: under the mouse) and what one looks like alone (tests compare runs
    with it). Runs handle the clicks and `t`."""

    DEFAULT_CSS = """
    CompactThinking { height: auto; }
    CompactThinking:hover, CompactThinking.-hover { background: $boost; }
    """

    def __init__(self, text: str, *, collapsed: bool = True) -> None:
        self.text = text  # sanitized
        self.collapsed = collapsed
        super().__init__(thinking_content(self, text, True))  # given now: an update on mount would lay out again

    def spec(self) -> ThinkingSpec:
        return ThinkingSpec(self.text, self.collapsed)

    def on_mount(self) -> None:
        if not self.collapsed:  # the text's colour needs the theme: known once mounted
            self.update(thinking_content(self, self.text, False))


class CompactCard(SizedOnce, Static):
    """A finished tool call as its own widget (header and `▶ result · N lines`): the look runs draw
    cards with (`-hover`: under the mouse) and what one looks like alone (tests compare runs with it).
    Runs handle the clicks and `r`."""

    DEFAULT_CSS = """
    CompactCard { height: auto; }
    CompactCard:hover, CompactCard.-hover { background: $boost; }
    """

    def __init__(self, spec: CardSpec) -> None:
        self.card = spec
        # content given now: an update on mount would lay the pane out again
        super().__init__(card_content(spec, False), classes=f"tool-card compact -{spec.status}")

    def spec(self) -> CardSpec:
        return self.card
