"""Finished answers laid out directly (workbench/tui/widgets/markdown_lines.py) give exactly the
lines Rich's Markdown renders for the whole document: every cell, every segment, at every width,
whatever mix of blocks the answer holds."""

import random

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.color import Color

from workbench.tui.widgets import conversation_history as history
from workbench.tui.widgets.markdown_lines import code_lines

WIDTHS = (12, 13, 20, 37, 80, 110)
WORDS = ("the handler parses config once per request it retries on TimeoutError up to times cache key ignores "
         "session id which is bug").split()


@pytest.fixture(scope="module")
def look():
    app = App()
    return history._Look(app.get_css_variables(), Color.parse("#1e1e1e"))


@pytest.fixture(scope="module")
def console():
    return Console(width=120, color_system="truecolor", force_terminal=True, legacy_windows=False)


def rich_document(console, look, markdown: str, width: int) -> list[list[tuple[str, str]]]:
    """What Rich's Markdown renders for the whole answer, as (text, style) segments per line."""
    options = console.options.update(width=width, min_width=width, height=None, highlight=False)
    with console.use_theme(look.rich_theme):
        return as_segments(console.render_lines(history.AnswerMarkdown(markdown, look), options, pad=True))


def direct(console, look, markdown: str, width: int, fell_back: list | None = None) -> list[list[tuple[str, str]]]:
    """The lines render_answer lays out (without its margins and pane colours)."""
    return as_segments(history.answer_rows(console, markdown, history._PARSER.parse(markdown), width, look, fell_back))


def as_segments(lines) -> list[list[tuple[str, str]]]:
    # A link's style has a random id per render: compared by what it shows (its URL is in str(style)).
    return [[(segment.text, str(segment.style) if segment.style else "") for segment in line] for line in lines]


def words(r: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        word, k = r.choice(WORDS), r.random()
        for limit, shaped in ((0.08, f"`{word}`"), (0.14, f"**{word}**"), (0.18, f"*{word}*"), (0.2, f"~~{word}~~"),
                              (0.22, f"[{word}](https://example.com/{word})"),
                              (0.23, "supercalifragilisticexpialidocious_" * 2), (0.24, "日本語のテキスト"),
                              (0.25, "emoji 🎉"), (0.26, word + "  \n"), (0.27, word + "\n"), (0.28, f"***{word}***"),
                              (0.29, f"<kbd>{word}</kbd>"), (0.3, f"a\t{word}")):
            if k < limit:
                word = shaped
                break
        out.append(word)
    return " ".join(out)


def block(r: random.Random, depth: int = 0) -> str:
    k = r.random()
    if k < 0.4 or depth > 2:
        return words(r, r.randint(1, 40))
    if k < 0.6:
        items = []
        for _ in range(r.randint(1, 4)):
            body = words(r, r.randint(0, 20))
            if r.random() < 0.25:
                body += "\n\n" + "\n".join("   " + line if line else "" for line in block(r, depth + 1).split("\n"))
            items.append(f"- {body}")
        return ("\n\n" if r.random() < 0.3 else "\n").join(items)
    if k < 0.75:
        start = r.choice([1, 1, 3, 9, 99])
        return "\n".join(f"{start + i}. {words(r, r.randint(1, 15))}" for i in range(r.randint(1, 11)))
    others = [f"```python\ndef f(x):\n    return x + {r.randint(0, 9)}\n```", f"{'#' * r.randint(1, 4)} {words(r, 4)}",
              "| a | b |\n|---|---|\n| 1 | 2 |", "> " + words(r, 10), "---", "<div>html</div>",
              f"![img](https://x/y.png) {words(r, 3)}", "#"]
    return r.choice(others)


def test_generated_answers_lay_out_as_rich_renders_them(console, look):
    r = random.Random(20261121)
    checked = 0
    for _ in range(400):
        markdown = "\n\n".join(block(r) for _ in range(r.randint(1, 5)))
        width = r.choice(WIDTHS)
        assert direct(console, look, markdown, width) == rich_document(console, look, markdown, width), markdown
        checked += 1
    assert checked == 400


@pytest.mark.parametrize("markdown", [
    "- a list first\n- opens with a blank line",
    "para\n\n- a\n\n  loose second paragraph\n- b\n\n  1. nested\n  2. numbers\n\nafter",
    "before\n\n---\n\nafter a rule: no blank line of ours",
    "text\n\n![image](https://x/y.png) and words",
    "# Title\n\n- list\n\n## Second heading after a list",
    "99. ninety-nine\n100. a hundred\n101. wider numbers",
    "- \n- empty item above",
    "- an item with code\n\n  ```bash\n  ls -la | grep x\n  ```\n- next",
    "```\nno language\n```\n\n```nosuchlanguage\nx = 1\n```\n\n    indented code block",
    "line one  \nhard break, *em* **strong** ~~gone~~ `code` [link](https://example.com)",
])
def test_hand_picked_answers_lay_out_as_rich_renders_them(console, look, markdown):
    for width in WIDTHS:
        assert direct(console, look, markdown, width) == rich_document(console, look, markdown, width)


def test_paragraphs_lists_and_code_never_go_through_rich_markdown(console, look):
    fell_back: list = []
    markdown = ("Here is `code`, **bold**, *em* and a [link](https://e.com).\n\n- one\n- two\n\n  1. nested\n\n"
                "  ```python\n  x = 1\n  ```\n\n```python\ny = 2\n```\n\nLast paragraph.")
    direct(console, look, markdown, 80, fell_back)
    assert fell_back == []
    direct(console, look, markdown + "\n\n> quote\n\n# heading", 80, fell_back)
    assert [token.type for token in fell_back] == ["blockquote_open", "heading_open"]


def test_render_answer_keeps_its_margins_and_colours(console, look):
    base = Style(color="#e0e0e0", bgcolor="#1e1e1e")
    strips = history.render_answer(console, "- first\n\nsecond", False, 30, look, base)
    rows = ["".join(segment.text for segment in strip) for strip in strips]
    assert rows == [" " * 30, " • first" + " " * 22, " " * 30, "second" + " " * 24, " " * 30]
    assert all(segment.style.bgcolor == base.bgcolor for strip in strips for segment in strip)
    assert all(strip.cell_length == 30 for strip in strips)


CODE = [("python", "def f(x):\n    return x + 1  # comment\n\nclass A:\n\tpass"),
        ("bash", "echo $HOME && ls -la | grep 'x'"), ("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new"),
        ("json", '{"a": [1, 2, 3], "b": null}'), ("text", "plain text " * 30), ("nosuchlanguage", "x = 1"),
        ("python", "x = '日本語のテキスト' * 20 + 'supercalifragilistic' * 9"), ("python", ""),
        ("rust", "fn main() {\n    println!(\"hi\");\n}\n\n\n")]


@pytest.mark.parametrize("lexer, code", CODE)
def test_code_blocks_lay_out_as_rich_renders_them(console, look, lexer, code):
    for width in (5, 6, 12, 37, 80, 110):
        syntax = history.code_syntax(code, lexer, look)
        options = console.options.update(width=width, min_width=width, height=None, highlight=False)
        assert as_segments(code_lines(console, syntax, width)) == as_segments(
            console.render_lines(syntax, options, pad=True))


def test_other_kinds_of_syntax_are_left_to_rich(console, look):
    from rich.syntax import Syntax
    assert code_lines(console, Syntax("x = 1", "python", line_numbers=True), 40) is None
    assert code_lines(console, Syntax("x = 1", "python", word_wrap=False), 40) is None
    assert code_lines(console, history.code_syntax("x = 1", "python", look), 4) is None  # no room for the code
