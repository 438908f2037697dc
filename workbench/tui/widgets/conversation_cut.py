"""Huge blocks shown cut: their head and tail, with a notice that opens the whole text.

A 20 MB user message or a 50 MB answer (a provider sends it in one event) drawn whole froze the
pane for minutes and took gigabytes: every row of it wrapped, styled and kept. A block longer than
`CUT_CHARS` characters or `CUT_LINES` lines is shown as its first `HEAD_LINES` lines and its last
`TAIL_LINES` (each within a character budget too, for text with few newlines), with a `⋯` line
where the rest is left out, followed by a `CutSpec` notice. The notice holds the whole text (the
same string object as the message: no copy) and opens it in the viewer (screens/text_viewer.py),
which draws only the rows on screen. The session file, exports and `workbench sessions show` keep
and give the whole text: only the pane's drawing is cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from workbench.tui.widgets.conversation_specs import (AnswerSpec, BlockSpec, CardSpec, NoticeSpec, ThinkingSpec,
                                                      UserSpec)

CUT_CHARS = 40_000
CUT_LINES = 800
HEAD_LINES, HEAD_CHARS = 120, 8_000
TAIL_LINES, TAIL_CHARS = 40, 3_000


@dataclass(frozen=True)
class CutSpec(NoticeSpec):
    """The notice under a cut block: what was left out, and the whole text for "show all"."""

    title: str = ""  # what the text is: "user message", "answer", "tool result", "thinking"
    full: str = field(default="", repr=False, compare=False)  # the whole text, unsanitised


@dataclass(frozen=True)
class Cut:
    head: str
    tail: str
    hidden_lines: int
    hidden_chars: int


def is_huge(text: str) -> bool:
    """Longer than a block is drawn whole. Counting lines stops at the limit (C speed either way)."""
    return len(text) > CUT_CHARS or (len(text) > CUT_LINES and text.count("\n", 0, CUT_CHARS) >= CUT_LINES)


def cut(text: str) -> Cut:
    """The head and tail of `text` (whole lines where lines are short enough) and what lies between."""
    head_end = min(len(text), HEAD_CHARS)
    at = -1
    for _ in range(HEAD_LINES):
        at = text.find("\n", at + 1, head_end)
        if at < 0:
            break
    else:
        head_end = at
    if at < 0 and head_end < len(text):  # few newlines: end the head at the last one within the budget
        last = text.rfind("\n", 0, head_end)
        head_end = last if last > head_end // 2 else head_end
    tail_start = max(head_end, len(text) - TAIL_CHARS)
    at = len(text) - 1 if text.endswith("\n") else len(text)  # a final newline ends the last line
    for _ in range(TAIL_LINES):
        at = text.rfind("\n", tail_start, at)
        if at < 0:
            break
    else:
        tail_start = at + 1
    if at < 0 and tail_start > head_end:
        first = text.find("\n", tail_start, tail_start + TAIL_CHARS // 2)
        tail_start = first + 1 if first >= 0 else tail_start
    hidden_lines = text.count("\n", head_end, tail_start) - (1 if text.startswith("\n", head_end) else 0)
    return Cut(text[:head_end], text[tail_start:], max(0, hidden_lines), tail_start - head_end)


def size_text(chars: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if chars >= size:
            return f"{chars / size:.1f} {unit}"
    return f"{chars} chars"


def gap_line(c: Cut) -> str:
    return f"⋯ {c.hidden_lines:,} lines ({size_text(c.hidden_chars)}) not shown here ⋯"


def cut_notice(title: str, text: str, c: Cut) -> CutSpec:
    lines = text.count("\n") + 1
    return CutSpec(f"{title} shown cut: {lines:,} lines, {size_text(len(text))} in all — "
                   "click here (or F6, then v): show all", "cut", title=title, full=text)


def fence_balanced(head: str, tail: str) -> tuple[str, str]:
    """A Markdown cut inside a code fence: the head's fence closed and the tail's reopened, so the
    text after the cut is not read as the reverse of what it is."""
    def fences(text: str) -> int:
        return sum(1 for line in text.split("\n") if line.lstrip().startswith(("```", "~~~")))

    if fences(head) % 2:
        head += "\n```"
    if fences(tail) % 2:
        tail = "```\n" + tail
    return head, tail


def cut_specs(spec: BlockSpec) -> list[BlockSpec]:
    """`spec` as shown: itself, or when its text is huge the cut block and its notice."""
    if isinstance(spec, UserSpec) and is_huge(spec.text):
        c = cut(spec.text)
        return [replace(spec, text=f"{c.head}\n{gap_line(c)}\n{c.tail}"), cut_notice("user message", spec.text, c)]
    if isinstance(spec, ThinkingSpec) and is_huge(spec.text):
        c = cut(spec.text)
        return [replace(spec, text=f"{c.head}\n{gap_line(c)}\n{c.tail}"), cut_notice("thinking", spec.text, c)]
    if isinstance(spec, CardSpec) and spec.result and is_huge(spec.result):
        c = cut(spec.result)
        return [replace(spec, result=f"{c.head}\n{gap_line(c)}\n{c.tail}"),
                cut_notice(f"{spec.name} result", spec.result, c)]
    if isinstance(spec, NoticeSpec) and not isinstance(spec, CutSpec) and is_huge(spec.text):
        c = cut(spec.text)
        return [replace(spec, text=f"{c.head}\n{gap_line(c)}\n{c.tail}"), cut_notice("notice", spec.text, c)]
    return [spec]


def cut_answer(markdown: str) -> tuple[str, CutSpec] | None:
    """A huge answer (Markdown) as its cut Markdown and the notice; None if it is drawn whole."""
    if not is_huge(markdown):
        return None
    c = cut(markdown)
    head, tail = fence_balanced(c.head, c.tail)
    return f"{head}\n\n*{gap_line(c)}*\n\n{tail}", cut_notice("answer", markdown, c)
