"""The Conversation pane: streamed answers, thinking, tool cards and notices.

Toad's approach: each answer segment is its own `Markdown` widget fed through
`Markdown.get_stream`, so finished text is never re-rendered; the scroll container is anchored
to the bottom while the user follows and Textual releases the anchor when they scroll up. Only
the newest `max_blocks` blocks stay mounted: older ones are pruned (the session file keeps them,
/tree browses them), so a 5,000-message session opens and scrolls like a short one.
"""

from __future__ import annotations

import json
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Collapsible, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from workbench.runtime import events as ev
from workbench.tui import format as fmt
from workbench.tui.backend import message_text
from workbench.tui.clock import Clock
from workbench.tui.sanitize import one_line, safe_text, sanitize

# Keep syntax-highlighting cost bounded on huge tool outputs.
_RESULT_CHARS = 20_000


class UserBlock(Static):
    """A user message (prompt, steering, follow-up or a peer's message)."""

    def __init__(self, text: str, kind: str = "prompt", sender: str | None = None) -> None:
        label = {"prompt": "you", "steer": "you · steer", "follow_up": "you · follow-up"}.get(kind, kind)
        if kind == "peer":
            label = f"{sender or 'peer'} → "
        head = Text(f"{label} ", style="bold")
        super().__init__(head + safe_text(text), classes=f"user-block -{kind}")


class AnswerBlock(Markdown):
    """One answer segment of the assistant, rendered as Markdown."""

    DEFAULT_CLASSES = "answer-block"


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

    def append(self, delta: str) -> None:
        self.text += sanitize(delta)
        self.title = self._title_for(self.text)
        if not self.collapsed:
            self.body.update(Text(self.text))

    def _watch_collapsed(self, collapsed: bool) -> None:  # fill the body only when shown
        if not collapsed:
            self.body.update(Text(self.text))
        super()._watch_collapsed(collapsed)


STATUS_LABEL = {
    "requested": "requested",
    "waiting": "waiting for approval",
    "running": "running",
    "done": "done",
    "failed": "failed",
    "denied": "denied",
    "timed_out": "timed out",
    "skipped": "skipped",
    "interrupted": "interrupted",
}
STATUS_ICON = {
    "requested": "○", "waiting": "◌", "running": "◐", "done": "✓", "failed": "✗",
    "denied": "⊘", "timed_out": "⧗", "skipped": "–", "interrupted": "■",
}


def render_result(tool: str, args: Any, result: str) -> Syntax | Text:
    """Tool output, highlighted: diffs with the diff lexer, file contents by their extension."""
    text = sanitize(result[:_RESULT_CHARS])
    if len(result) > _RESULT_CHARS:
        text += f"\n… {len(result) - _RESULT_CHARS:,} more characters"
    stripped = text.lstrip()
    if stripped.startswith(("--- ", "diff --git", "@@ ")):
        return Syntax(text, "diff", theme="ansi_dark", word_wrap=True, background_color="default")
    path = args.get("path") if isinstance(args, dict) else None
    if tool in ("read", "write", "edit") and isinstance(path, str):
        lexer = Syntax.guess_lexer(path, code=text)
        if lexer not in ("default", "text"):
            return Syntax(text, lexer, theme="ansi_dark", word_wrap=True, background_color="default")
    return Text(text)


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
        self._timer = None

    def compose(self):
        yield self.header
        yield self.result_box

    def on_mount(self) -> None:
        self.refresh_header()

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
        for name in STATUS_LABEL:
            self.set_class(name == status, f"-{name}")
        self.refresh_header()

    def set_result(self, result: str, *, is_error: bool) -> None:
        lines = result.count("\n") + 1 if result else 0
        self.result_box.title = f"{'error' if is_error else 'result'} · {lines} line{'s' if lines != 1 else ''}"
        self.result_body.update(render_result(self.tool, self.args, result))
        self.result_box.display = bool(result)

    def status_text(self) -> str:
        label = STATUS_LABEL.get(self.status, self.status)
        if self.status == "running" and self.started is not None:
            return f"{label} {fmt.duration(self.clock.now() - self.started)}"
        if self.duration_s is not None and self.status in ("done", "failed", "timed_out"):
            return f"{label} in {fmt.duration(self.duration_s)}"
        return label

    def refresh_header(self) -> None:
        line = Text()
        line.append(f"{STATUS_ICON.get(self.status, '?')} ", style="bold")
        if self.agent:
            line.append(f"{one_line(self.agent, 20)} · ", style="italic")
        line.append(self.tool, style="bold")
        line.append("  ")
        line.append(fmt.arg_summary(self.tool, self.args, 60))
        line.append(f"  · {self.status_text()}", style="italic")
        self.header.update(line)


class Notice(Static):
    """A distinct notice: retry, budget, compaction, error, info."""

    def __init__(self, text: str, kind: str) -> None:
        icon = {"retry": "↻", "budget": "$", "compaction": "⇲", "error": "✗", "info": "ℹ", "peer": "✉"}.get(kind, "•")
        super().__init__(Text(f"{icon} ") + safe_text(text), classes=f"notice -{kind}")
        self.kind = kind


class Conversation(VerticalScroll):
    """Renders the runtime's events as blocks; follows the bottom until the user scrolls up."""

    BINDINGS = [
        Binding("home", "scroll_home", "Top", show=False, id="conversation.top"),
        Binding("end", "follow", "Follow", show=False, id="conversation.follow"),
        Binding("t", "toggle_thinking", "Thinking", show=False, id="conversation.toggle_thinking"),
        Binding("r", "toggle_results", "Results", show=False, id="conversation.toggle_results"),
    ]

    def __init__(self, *, clock: Clock | None = None, max_blocks: int = 200, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=True)
        self.border_title = "Conversation"
        self.clock = clock or Clock()
        self.max_blocks = max_blocks
        self.hidden_count = 0
        self._hidden_marker = Static("", classes="hidden-marker")
        self._hidden_marker.display = False
        self._answer: AnswerBlock | None = None
        self._stream: MarkdownStream | None = None
        self._answer_text = ""
        self._thinking: ThinkingBlock | None = None
        self.cards: dict[str, ToolCard] = {}

    def compose(self):
        yield self._hidden_marker

    def on_mount(self) -> None:
        self.anchor()

    # --- block bookkeeping -----------------------------------------------------------------
    @property
    def blocks(self) -> list[Widget]:
        return [w for w in self.children if w is not self._hidden_marker]

    async def add_block(self, widget: Widget) -> Widget:
        await self.mount(widget)
        self._prune()
        return widget

    def _prune(self) -> None:
        blocks = self.blocks
        excess = len(blocks) - self.max_blocks
        if excess <= 0:
            return
        doomed = [w for w in blocks[:excess] if w is not self._answer]
        for card in doomed:
            if isinstance(card, ToolCard):
                self.cards.pop(card.call_id, None)
        self.hidden_count += len(doomed)
        self.remove_children(doomed)
        self._hidden_marker.update(Text(
            f"… {self.hidden_count:,} earlier blocks not shown here (the session keeps them; /tree browses them)"))
        self._hidden_marker.display = True

    async def end_answer(self) -> None:
        """Close the current answer segment: the next text starts a new block."""
        if self._stream is not None:
            await self._stream.stop()
        self._stream = None
        self._answer = None
        self._answer_text = ""
        self._thinking = None

    async def _write_text(self, delta: str) -> None:
        if self._answer is None:
            self._answer = AnswerBlock()
            await self.add_block(self._answer)
            self._stream = Markdown.get_stream(self._answer)
        self._answer_text += delta
        assert self._stream is not None
        await self._stream.write(sanitize(delta))

    # --- events ----------------------------------------------------------------------------
    async def handle(self, event: Any) -> None:
        """Render one runtime event; events this pane does not show are ignored."""
        if isinstance(event, ev.TextDelta):
            self._thinking = None
            await self._write_text(event.delta)
        elif isinstance(event, ev.ThinkingDelta):
            if self._thinking is None:
                await self.end_answer()
                self._thinking = ThinkingBlock()
                await self.add_block(self._thinking)
            self._thinking.append(event.delta)
        elif isinstance(event, ev.TextComplete):
            if not self._answer_text and event.content:
                await self._write_text(event.content)
            await self.end_answer()
        elif isinstance(event, ev.UserMessage):
            await self.end_answer()
            await self.add_block(UserBlock(event.text, event.kind, event.sender))
        elif isinstance(event, ev.ToolCallRequested):
            await self.end_answer()
            card = ToolCard(event.id, event.name, event.args, self.clock, agent=event.member)
            self.cards[event.id] = card
            await self.add_block(card)
        elif isinstance(event, ev.ToolApprovalRequested):
            (await self._card_for(event.id, event.name, event.args, event.member)).set_status("waiting")
        elif isinstance(event, ev.ToolApprovalResolved):
            card = self.cards.get(event.id)
            if card is not None:
                card.set_status("denied" if event.decision == "deny" else "requested")
        elif isinstance(event, ev.ToolExecutionStarted):
            (await self._card_for(event.id, event.name, {}, event.member)).set_status("running")
        elif isinstance(event, ev.ToolExecutionCompleted):
            card = await self._card_for(event.id, event.name, {}, event.member)
            card.set_result(event.result, is_error=event.is_error)
            card.set_status("failed" if event.is_error else "done", duration_ms=event.duration_ms)
        elif isinstance(event, ev.ToolExecutionTimedOut):
            card = await self._card_for(event.id, event.name, {}, event.member)
            card.set_status("timed_out", duration_ms=event.timeout_ms)
        elif isinstance(event, ev.ToolResultReceived):
            card = self.cards.get(event.id)
            if card is not None and event.status != "done" and card.status != event.status:
                card.set_status(event.status)
        elif isinstance(event, ev.Retrying):
            await self.add_block(Notice(
                f"{event.kind or 'provider error'}: {event.error} — retry {event.attempt}/{event.max_attempts} "
                f"in {fmt.duration(event.delay_ms / 1000)}", "retry"))
        elif isinstance(event, ev.BudgetWarning):
            await self.add_block(Notice(
                f"budget: {event.budget_type} at {event.percent:.0f}% ({_num(event.used)} of {_num(event.limit)})",
                "budget"))
        elif isinstance(event, ev.BudgetExhausted):
            await self.end_answer()
            how = "orderly stop" if event.orderly else "hard stop (failure)"
            await self.add_block(Notice(
                f"budget exhausted: {event.budget_type} {_num(event.used)} of {_num(event.limit)} — {how}", "budget"))
        elif isinstance(event, ev.CompactionStarted):
            await self.add_block(Notice(
                f"compacting {event.message_count} messages (~{fmt.tokens(event.estimated_history_tokens)} tokens)…",
                "compaction"))
        elif isinstance(event, ev.CompactionCompleted):
            await self.add_block(Notice(
                f"compacted: {event.messages_before} → {event.messages_after} messages, "
                f"summary {fmt.tokens(event.summary_tokens)} tokens", "compaction"))
        elif isinstance(event, ev.CompactionFailed):
            await self.add_block(Notice(f"compaction failed: {event.error}", "error"))
        elif isinstance(event, ev.RunFailed):
            await self.end_answer()
            await self.add_block(Notice(f"run failed ({event.code}): {event.error}", "error"))
        elif isinstance(event, ev.RunCompleted):
            await self.end_answer()
            if event.stop == "interrupted":
                await self.add_block(Notice("interrupted", "info"))
        elif isinstance(event, ev.PeerMessage):
            await self.add_block(UserBlock(event.text, "peer", f"{event.sender} → {event.recipient}"))

    async def _card_for(self, call_id: str, name: str, args: Any, agent: str | None) -> ToolCard:
        card = self.cards.get(call_id)
        if card is None:  # joined mid-run or the card was pruned: show it anyway
            await self.end_answer()
            card = ToolCard(call_id, name, args, self.clock, agent=agent)
            self.cards[call_id] = card
            await self.add_block(card)
        return card

    # --- history ---------------------------------------------------------------------------
    async def load_history(self, messages: list[dict[str, Any]]) -> None:
        """Show a session's messages (pi format); only the newest blocks are mounted."""
        blocks: list[Widget] = []
        cards: dict[str, ToolCard] = {}
        for msg in messages:
            role = msg.get("role")
            if role == "user":
                blocks.append(UserBlock(message_text(msg)))
            elif role == "assistant":
                for block in msg.get("content") or []:
                    if not isinstance(block, dict):
                        continue
                    if block.get("type") == "thinking" and block.get("thinking"):
                        blocks.append(ThinkingBlock(str(block["thinking"])))
                    elif block.get("type") == "text" and block.get("text"):
                        blocks.append(AnswerBlock(sanitize(str(block["text"]))))
                    elif block.get("type") == "toolCall":
                        card = ToolCard(str(block.get("id")), str(block.get("name")), block.get("arguments") or {},
                                        self.clock)
                        card.status = "requested"
                        cards[card.call_id] = card
                        blocks.append(card)
                if msg.get("stopReason") == "error" and msg.get("errorMessage"):
                    blocks.append(Notice(str(msg["errorMessage"]), "error"))
            elif role == "toolResult":
                card = cards.get(str(msg.get("toolCallId")))
                if card is not None:
                    card.set_result(message_text(msg), is_error=bool(msg.get("isError")))
                    card.status = "failed" if msg.get("isError") else "done"
            elif role == "bashExecution":
                blocks.append(UserBlock(f"$ {msg.get('command', '')}\n{msg.get('output', '')}", "prompt"))
            elif role in ("compactionSummary", "branchSummary"):
                blocks.append(Notice(str(msg.get("summary", "")), "compaction"))
            elif role == "custom" and msg.get("display", True):
                content = msg.get("content")
                blocks.append(Notice(content if isinstance(content, str) else json.dumps(content), "info"))
        keep = blocks[-self.max_blocks:]
        self.hidden_count = len(blocks) - len(keep)
        self.cards = {c.call_id: c for c in keep if isinstance(c, ToolCard)}
        if self.hidden_count:
            self._hidden_marker.update(Text(
                f"… {self.hidden_count:,} earlier blocks not shown here (the session keeps them; /tree browses them)"))
            self._hidden_marker.display = True
        await self.mount_all(keep)
        for card in self.cards.values():
            card.set_status(card.status)
        self.anchor()

    async def clear(self) -> None:
        await self.end_answer()
        await self.remove_children([w for w in self.children if w is not self._hidden_marker])
        self.cards.clear()
        self.hidden_count = 0
        self._hidden_marker.display = False

    # --- actions ---------------------------------------------------------------------------
    def action_follow(self) -> None:
        self.anchor()

    def action_toggle_thinking(self) -> None:
        blocks = list(self.query(ThinkingBlock))
        if blocks:
            target = not blocks[-1].collapsed
            for b in blocks:
                b.collapsed = target

    def action_toggle_results(self) -> None:
        cards = [c for c in self.query(ToolCard) if c.result_box.display]
        if cards:
            target = not cards[-1].result_box.collapsed
            for c in cards:
                c.result_box.collapsed = target


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
