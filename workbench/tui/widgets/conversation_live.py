"""The blocks of the conversation that events still change: the streamed answer segment (Textual's
Markdown fed by a stream), the thinking block and the full tool card. Imported on first use (the
first frame shows none of them)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.containers import Vertical
from markdown_it import MarkdownIt
from textual.widgets import Collapsible, Markdown, Static
from textual.widgets.markdown import MarkdownBlock

from workbench.tui import format as fmt
from workbench.tui.clock import Clock
from workbench.tui.sanitize import one_line, sanitize
from workbench.tui.widgets.conversation_cards import (STATUS_LABEL, card_header, finished_status, render_result,
                                                      result_title)
from workbench.tui.widgets.conversation_specs import LIVE_STATUSES, AnswerSpec, CardSpec, ThinkingSpec
from workbench.tui.widgets.sized_once import SizedOnce


_SIZED_BLOCKS: dict[type[MarkdownBlock], type[MarkdownBlock]] = {}


def _sized_once(cls: type[MarkdownBlock]) -> type[MarkdownBlock]:
    """`cls` laid out once when its size changes (SizedOnce), under the same name: CSS type selectors
    and type-name checks see no difference."""
    sized = _SIZED_BLOCKS.get(cls)
    if sized is None:
        sized = _SIZED_BLOCKS[cls] = type(cls.__name__, (SizedOnce, cls), {"__module__": __name__})
    return sized


def answer_parser() -> MarkdownIt:
    """Textual's own "gfm-like" parser with HTML off: tags a model writes are shown as text (as the
    finished history shows them), never dropped."""
    return MarkdownIt("gfm-like", {"html": False})


class AnswerBlock(SizedOnce, Markdown):
    """One answer segment of the assistant, rendered as Markdown.

    A later segment of the same answer (`-continued`) must sit where its first block would sit in one
    Markdown widget. There the gap between two blocks is the larger of the upper one's bottom margin
    (always 1) and the lower one's top margin; across two widgets the margins add up instead, so the
    first block of a continued segment loses one line of top margin (set inline on that block: a
    `:first-child` CSS rule is matched against every block and halved the streaming speed). Hooked on
    `mount`, which both an append and a block replacing itself use: a first block that changes type as
    text arrives ("#" a paragraph, then "## Title" a heading) is removed and its successor mounted alone.
    """

    DEFAULT_CLASSES = "answer-block"

    def __init__(self, markdown: str | None = None, *, continued: bool = False) -> None:
        super().__init__(markdown, classes="-continued" if continued else None, parser_factory=answer_parser)

    def get_block_class(self, block_name: str) -> type[MarkdownBlock]:
        # A growing block changes size on most frames; Textual would lay the screen out twice for each.
        return _sized_once(super().get_block_class(block_name))

    def mount(self, *widgets, before=None, after=None):  # type: ignore[no-untyped-def]
        if widgets and self.has_class("-continued") and not any(isinstance(c, MarkdownBlock) for c in self.children):
            first = widgets[0]
            top = 1 if type(first).__name__ in ("MarkdownH1", "MarkdownH2") else 0  # their top margin is 2
            first.styles.margin = (top, 0, 1, 0)  # every top-level block has a bottom margin of 1
        return super().mount(*widgets, before=before, after=after)

    def spec(self) -> AnswerSpec:
        return AnswerSpec(self.source, self.has_class("-continued"))


class ThinkingBlock(Collapsible):
    """The model's thinking, collapsed, its title saying how long it is."""

    DEFAULT_CLASSES = "thinking-block"

    def __init__(self, text: str = "", *, collapsed: bool = True) -> None:
        self.text = sanitize(text)
        self.body = Static(Text(self.text), classes="thinking-text")
        super().__init__(self.body, title=self._title_for(self.text), collapsed=collapsed)

    @staticmethod
    def _title_for(text: str) -> str:
        return f"Thinking · {len(text):,} chars"

    def spec(self) -> ThinkingSpec:
        return ThinkingSpec(self.text, self.collapsed)

    def append(self, delta: str) -> None:
        self.text += sanitize(delta)
        self.title = self._title_for(self.text)
        if not self.collapsed:
            self.body.update(Text(self.text))

    def _watch_collapsed(self, collapsed: bool) -> None:  # fill the body only when shown
        if not collapsed:
            self.body.update(Text(self.text))
        super()._watch_collapsed(collapsed)


class ToolCard(Vertical):
    """A tool call: name, one-line summary, status with timing; the result collapsible."""

    DEFAULT_CLASSES = "tool-card"

    def __init__(self, call_id: str, name: str, args: Any, clock: Clock, *, agent: str | None = None) -> None:
        super().__init__()
        self.call_id = call_id
        self.tool = name
        self.args = args
        self.agent = agent
        self.clock = clock
        self.status = "requested"
        self.started: float | None = None
        self.duration_s: float | None = None
        self.header = Static(classes="tool-header")
        self.result_body = Static(classes="tool-result")
        self.result_box = Collapsible(self.result_body, title="result", collapsed=True)
        self.result_box.display = False
        self.result: str | None = None
        self.is_error = False
        self.checkpoint: str | None = None  # set once its call's file checkpoint is known
        self.notes: tuple[str, ...] = ()
        self._timer = None
        self.progress: str | None = None  # what a long call last reported (MCP progress)

    @classmethod
    def from_spec(cls, spec: CardSpec, clock: Clock) -> ToolCard:
        card = cls(spec.call_id, spec.name, spec.args, clock, agent=spec.agent)
        card.status, card.duration_s, card.notes = spec.status, spec.duration_s, spec.notes
        card.checkpoint = spec.checkpoint
        if spec.result is not None:
            card.set_result(spec.result, is_error=spec.is_error)
        return card

    def spec(self) -> CardSpec:
        return CardSpec(self.call_id, self.tool, self.args, self.agent, self.status, self.duration_s, self.result,
                        self.is_error, self.checkpoint, self.notes)

    @property
    def is_live(self) -> bool:
        """Still expecting events (approval, start, result): keep it mounted."""
        return self.status in LIVE_STATUSES

    def compose(self):
        yield self.header
        yield self.result_box

    def on_mount(self) -> None:
        self._set_status_classes()
        self.refresh_header()

    def _set_status_classes(self) -> None:
        for name in STATUS_LABEL:
            self.set_class(name == self.status, f"-{name}")

    def set_status(self, status: str, *, duration_ms: int | None = None) -> None:
        self.status = status
        if status == "running":
            self.started = self.clock.now()
            if not self.clock.frozen and self._timer is None and self.is_mounted:
                self._timer = self.set_interval(1.0, self.refresh_header)
        elif status not in ("requested", "waiting"):
            if duration_ms is not None:
                self.duration_s = duration_ms / 1000
            elif self.started is not None and self.duration_s is None:
                self.duration_s = self.clock.now() - self.started
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
        self._set_status_classes()
        self.refresh_header()

    def set_result(self, result: str, *, is_error: bool) -> None:
        self.result, self.is_error = result, is_error
        self.result_box.title = result_title(result, is_error)
        self.result_body.update(render_result(self.tool, self.args, result))
        self.result_box.display = bool(result)

    def set_progress(self, value: float, total: float | None, message: str | None) -> None:
        done = f"{value / total:.0%}" if total else f"{value:g}"
        self.progress = f"{done} {one_line(message, 60)}" if message else done
        self.refresh_header()

    def status_text(self) -> str:
        if self.status == "running" and self.started is not None:
            running = f"{STATUS_LABEL['running']} {fmt.duration(self.clock.now() - self.started)}"
            return f"{running} · {self.progress}" if self.progress else running
        return finished_status(self.status, self.duration_s)

    def set_retrying(self, attempt: int, max_attempts: int, delay_ms: int, error: str) -> None:
        """A configured tool's attempt failed and it runs again: "retry 2/3 in 400 ms" in the header
        while it waits, and why the attempt failed as a note that stays."""
        self.progress = f"retry {attempt}/{max_attempts} in {delay_ms} ms"
        self.add_note(f"↻ attempt {attempt - 1}/{max_attempts} failed: {one_line(error, 100)}")

    def add_note(self, note: str) -> None:
        """A line under the header (a hook's verdict, "sandboxed"); shown as plain text."""
        if note not in self.notes:
            self.notes += (note,)
            self.refresh_header()

    def refresh_header(self) -> None:
        self.header.update(card_header(self.status, self.tool, self.args, self.agent, self.status_text(),
                                       self.checkpoint, self.notes))

    def set_checkpoint(self, link: str | None) -> None:
        self.checkpoint = link
        self.refresh_header()
