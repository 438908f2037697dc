"""A finished answer's Markdown laid out into lines with less of Rich's rendering machinery.

Rich's `Markdown` renders each block through its console: every paragraph, list item, nested list
and code block is a renderable that is rendered, split into lines, styled and padded again at each
level of nesting, and paging a long session renders a screen of answers on every page-down. Here the
common blocks (paragraphs, bullet and numbered lists nested to any depth, with inline code,
emphasis, strike and links; code blocks) are laid out straight into lines with the primitives Rich
ends up using (a `Text` per paragraph styled from the same style stack, wrapped and rendered; the
highlighted `Text` of a `Syntax`), so the lines are the ones it would give, segment for segment.
Any other top-level block (headings, tables, quotes, rules, HTML, images) is rendered by Rich's
`Markdown` itself, alone, and its lines put in place: Rich renders top-level blocks one after the
other, with a blank line between them. Measured on the session benchmark's answers, alternating
with Rich's own path in one process (two runs, medians): 1.64 -> 1.28 and 1.74 -> 1.36 ms an answer
without code, 4.60 -> 3.41 and 4.92 -> 3.61 ms with a code block. What is left is markdown-it's
parse, Pygments' lexing and Rich's wrapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from markdown_it.token import Token
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text

Line = list[Segment]
# Renders tokens of whole top-level blocks `width` cells wide with Rich's `Markdown`.
Fallback = Callable[[Sequence[Token], int], list[Line]]
# Renders a code block's token `width` cells wide, as the Markdown's code block element would.
CodeRenderer = Callable[[Token, int], list[Line]]

_INLINE_STYLES = {"em", "strong", "s"}  # markdown-it's tags for *em*, **strong**, ~~s~~
_LIST_OPEN = ("bullet_list_open", "ordered_list_open")
_DIRECT = {"paragraph_open", *_LIST_OPEN, "fence", "code_block"}  # top-level blocks laid out here
# What Rich's Markdown handles inline (no element of its own): by token type, and by tag.
_RICH_INLINE = {"text", "hardbreak", "softbreak", "link_open", "link_close", "html_inline"}
_RICH_INLINE_TAGS = {*_INLINE_STYLES, "code"}  # `code`: inline code, a token of its own here


class _Unsupported(Exception):
    """A block this module does not lay out: Rich renders it."""


class _Paragraph:
    def __init__(self, text: Text) -> None:
        self.text = text

    def lines(self, console: Console, width: int) -> list[Line]:
        # As `Text.__rich_console__` renders a paragraph: justified left (every line padded to the
        # width), folded where a word is longer than a line.
        wrapped = self.text.wrap(console, width, justify="left", overflow="fold", tab_size=console.tab_size or 8,
                                 no_wrap=False)
        return [list(line.render(console)) for line in wrapped]


class _Code:
    def __init__(self, token: Token, render: CodeRenderer) -> None:
        self.token, self.render = token, render

    def lines(self, console: Console, width: int) -> list[Line]:
        return self.render(self.token, width)


class _Item:
    def __init__(self, style: Style) -> None:
        self.style = style
        self.children: list[_Paragraph | _List | _Code] = []

    def lines(self, console: Console, width: int) -> list[Line]:
        # As `ListItem.render_bullet/number` render the item's blocks: one after the other, with the
        # item's style under their own (Rich's `render_lines(..., style=)`).
        style = self.style
        lines = [line for child in self.children for line in child.lines(console, width)]
        if not style:
            return lines
        return [[Segment(text, None if control else style + segment_style, control)
                 for text, segment_style, control in line] for line in lines]


class _List:
    def __init__(self, ordered: bool, start: int, bullet: Style, number: Style) -> None:
        self.ordered, self.start = ordered, start
        self.bullet, self.number = bullet, number
        self.items: list[_Item] = []

    def lines(self, console: Console, width: int) -> list[Line]:
        out: list[Line] = []
        if not self.ordered:
            bullet, padding, inner = Segment(" • ", self.bullet), Segment("   ", self.bullet), width - 3
            for item in self.items:
                for n, line in enumerate(item.lines(console, inner)):
                    out.append([bullet if n == 0 else padding, *line])
            return out
        last = self.start + len(self.items)
        number_width = len(str(last)) + 2
        padding = Segment(" " * number_width, self.number)
        for index, item in enumerate(self.items):
            numeral = Segment(f"{self.start + index}".rjust(number_width - 1) + " ", self.number)
            for n, line in enumerate(item.lines(console, width - number_width)):
                out.append([numeral if n == 0 else padding, *line])
        return out


def code_lines(console: Console, syntax: Syntax, width: int) -> list[Line] | None:
    """A word-wrapped, padded `Syntax` (as an answer's code blocks are) laid out `width` cells
    wide: the lines Rich renders for it (its highlighted `Text`, each line wrapped and padded, in
    the background and padding rows around), or None for any other kind of `Syntax`."""
    pad_top, pad_right, pad_bottom, pad_left = syntax.padding
    code_width = width - pad_left - pad_right
    base = syntax._get_base_style()
    if (code_width < 1 or not syntax.word_wrap or syntax.line_numbers or syntax.indent_guides or syntax.line_range
            or syntax.highlight_lines or syntax.code_width is not None or base.transparent_background):
        return None
    ends_on_nl, code = syntax._process_code(syntax.code)
    styled: dict[Style | None, Style] = {}  # Rich styles each segment twice: the line's background, the padding's

    def style(segment_style: Style | None) -> Style:
        found = styled.get(segment_style)
        if found is None:
            found = styled[segment_style] = base + (base + segment_style)
        return found

    blank = [Segment(" " * width, base)]
    left = [Segment(" " * pad_left, base)] if pad_left else []
    right = [Segment(" " * pad_right, base)] if pad_right else []
    lines: list[Line] = [blank] * pad_top
    for line in syntax.highlight(code).split("\n", allow_blank=ends_on_nl):
        tab_size = console.tab_size if line.tab_size is None else line.tab_size
        for wrapped in line.wrap(console, code_width, justify=line.justify or "left", overflow=line.overflow or "fold",
                                 tab_size=tab_size or 8, no_wrap=False):
            lines.append([*left, *(Segment(text, style(segment_style)) for text, segment_style, _ in
                                    wrapped.render(console)), *right])
    return lines + [blank] * pad_bottom


class _Builder:
    """Walks one top-level block's tokens as Rich's `Markdown.__rich_console__` walks them, with the
    same style stack, and builds the blocks it would render."""

    def __init__(self, console: Console, link_style: Style, hyperlinks: bool, code: CodeRenderer) -> None:
        self.console = console
        self.code = code
        self.link_style = link_style
        self.hyperlinks = hyperlinks
        self.styles: list[Style] = [console.get_style("none", default="none")]
        self.containers: list[_Item | _List] = []
        self.text: Text | None = None
        self.done: _Paragraph | _List | _Code | None = None

    def push(self, style: str | Style) -> None:
        self.styles.append(self.styles[-1] + self.console.get_style(style, default="none"))

    def close(self, block: _Paragraph | _List | _Code) -> None:
        if not self.containers:
            self.done = block
        else:
            parent = self.containers[-1]
            if not isinstance(parent, _Item):
                raise _Unsupported(block)
            parent.children.append(block)

    def token(self, token: Token) -> None:
        kind = token.type
        if kind == "inline":
            for child in token.children or ():
                self.inline(child)
        elif kind == "paragraph_open":
            self.push("markdown.paragraph")
            self.text = Text(justify="left")
        elif kind == "paragraph_close":
            self.styles.pop()
            assert self.text is not None
            self.close(_Paragraph(self.text))
            self.text = None
        elif kind in _LIST_OPEN:
            get = self.console.get_style
            self.containers.append(_List(kind == "ordered_list_open", int(token.attrs.get("start", 1)),
                                         get("markdown.item.bullet", default="none"),
                                         get("markdown.item.number", default="none")))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            done = self.containers.pop()
            assert isinstance(done, _List)
            self.close(done)
        elif kind in ("fence", "code_block"):
            self.close(_Code(token, self.code))
        elif kind == "list_item_open":
            self.push("markdown.item")
            self.containers.append(_Item(self.styles[-1]))
        elif kind == "list_item_close":
            self.styles.pop()
            item = self.containers.pop()
            parent = self.containers[-1]
            assert isinstance(item, _Item) and isinstance(parent, _List)
            parent.items.append(item)
        else:
            raise _Unsupported(kind)

    def inline(self, token: Token) -> None:
        kind, tag = token.type, token.tag
        if kind == "text":
            self.append(token.content)
        elif kind == "softbreak":
            self.append(" ")
        elif kind == "hardbreak":
            self.append("\n")
        elif kind == "code_inline":
            self.push("markdown.code")
            if token.content:
                self.append(token.content)
            self.styles.pop()
        elif tag in _INLINE_STYLES and token.nesting == 1:
            self.push(f"markdown.{tag}")
        elif tag in _INLINE_STYLES and token.nesting == -1:
            self.styles.pop()
        elif kind == "link_open" and self.hyperlinks:
            self.push(self.link_style + Style(link=str(token.attrs.get("href", ""))))
        elif kind == "link_close" and self.hyperlinks:
            self.styles.pop()
        else:  # images, HTML, links shown as text: Rich's own path
            raise _Unsupported(kind)

    def append(self, text: str) -> None:
        if self.text is None:
            raise _Unsupported("text outside a paragraph")
        self.text.append(text, self.styles[-1])


def _top_level_blocks(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Each top-level block's token range [start, end)."""
    blocks, start, depth = [], 0, 0
    for i, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            blocks.append((start, i + 1))
            start = i + 1
    return blocks


def _flat(tokens: Sequence[Token]) -> Iterator[Token]:
    """The tokens as Rich's `Markdown._flatten_tokens` walks them."""
    for token in tokens:
        if token.children and not (token.tag == "img" or token.type == "fence"):
            yield from _flat(token.children)
        else:
            yield token


def _opens_with_new_line(block: Sequence[Token]) -> bool:
    """Whether Rich, rendering `block` alone, starts it with a new line of its own.

    Rich starts a new line before it renders an element if any element closed before it, in the
    document: a block after another one starts with a blank line. Within the block, an inner
    element that closes before the first render (a list's item, a table's cell, a quote's
    paragraph) starts it too, alone as in the document; a block that renders before anything in
    it closed (a paragraph, a heading, a code block, an image) does not, alone."""
    last = block[-1]
    for token in _flat(block):
        kind = token.type
        if kind in _RICH_INLINE or (token.tag in _RICH_INLINE_TAGS and kind not in ("fence", "code_block")):
            continue
        if token.nesting != 1:  # an element closing, or one that is whole in itself
            return token is not last and kind != "image"
    return False


def markdown_lines(console: Console, tokens: Sequence[Token], width: int, fallback: Fallback, code: CodeRenderer,
                   hyperlinks: bool = True) -> list[Line]:
    """`tokens` (markdown-it's, of one document) laid out `width` cells wide: the lines Rich's
    `Markdown` would render, unpadded where it leaves a blank line between blocks. Call it inside
    the console's theme (`console.use_theme`): the `markdown.*` styles are looked up there."""
    link_style = console.get_style("markdown.link_url", default="none")
    out: list[Line] = []
    after = False  # whether a block came before that Rich leaves a blank line after
    for start, end in _top_level_blocks(tokens):
        block = tokens[start:end]
        lines: list[Line] | None = None
        if block[0].type in _DIRECT:
            builder = _Builder(console, link_style, hyperlinks, code)
            try:
                for token in block:
                    builder.token(token)
            except _Unsupported:
                pass
            else:
                if builder.done is not None:
                    lines = builder.done.lines(console, width)
        opens = _opens_with_new_line(block)
        if lines is None:
            lines = fallback(block, width)  # with the new line it opens with, if it does
            if after and not opens:
                out.append([])  # the blank line Rich leaves between two blocks
        elif after or opens:
            out.append([])
        out.extend(lines)
        after = block[-1].type != "hr"  # a rule draws its own blank line below it
    return out
