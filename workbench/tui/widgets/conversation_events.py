"""The Conversation pane's live side: runtime events become blocks, and a streamed answer is
written segment by segment (cut past CUT_CHARS: counted, its end drawn when it ends). A mixin of
Conversation, which holds the state it uses (`_stream`, `_answer`, `_cut`, `cards`…)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.context.display import with_attachments
from workbench.tui import format as fmt
from workbench.tui.sanitize import sanitize
from workbench.tui.widgets.conversation_blocks import (CutNotice, Notice, UserBlock, _history, _is, _live, _num,
                                                       notice_content)
from workbench.tui.widgets.conversation_cut import CutSpec
from workbench.tui.widgets.conversation_stream import FrameStream, SegmentSplitter

if TYPE_CHECKING:
    from workbench.tui.widgets.conversation_live import AnswerBlock, ToolCard

_LIVE = "workbench.tui.widgets.conversation_live"


class ConversationEvents:
    """Needs from Conversation: add_block, blocks, clock, cards, segment_chars and the answer state."""

    # --- streamed answers ------------------------------------------------------------------
    async def end_answer(self, full: str | None = None) -> None:
        """Close the current answer segment: the next text starts a new block. An answer shown cut
        gets its tail and its whole text (`full`: the completed text, else its deltas joined)."""
        if self._stream is not None:
            await self._stream.stop()
        if self._cut is not None:
            await self._end_cut(full if full is not None else "".join(self._answer_deltas))
        self._stream = None
        self._splitter = None
        self._answer = None
        self._answer_chars = 0
        self._answer_deltas = []
        self._thinking = None

    async def _end_cut(self, text: str) -> None:
        from workbench.tui.widgets.conversation_cut import cut, cut_notice, fence_balanced

        notice, self._cut = self._cut, None
        assert notice is not None
        c = cut(text)
        notice.cut = cut_notice("answer", text, c)
        notice.update(notice_content(notice.cut.text, "cut"))
        _, tail = fence_balanced(c.head, c.tail)
        await self.add_block(_history().HistoryAnswer(sanitize(tail), continued=True))

    def _count_cut(self) -> None:
        from workbench.tui.widgets.conversation_cut import size_text

        if self._cut is not None:
            self._cut.update(notice_content(
                f"answer shown cut: {size_text(self._answer_chars)} so far — its end is shown when it ends, "
                "and all of it on a click here (or F6, then v)", "cut"))

    async def _new_segment(self, continued: bool, first: str) -> None:
        """Close the current segment and open one holding `first`, in one batch: one layout pass for
        both instead of one for each step (each lays out every mounted block). While the user types,
        the text still queued for the closing segment is drawn first, an append a frame (see
        FrameStream): more frames in all, but keys wait for one append's frame, not a segment's."""
        pacer = getattr(self.app, "gc_pacer", None)
        if self._stream is not None and pacer is not None and pacer.user_active():
            await self._stream.stop()
        with self.app.batch_update():
            if self._stream is not None:
                await self._stream.stop()
            self._answer = _live().AnswerBlock(continued=continued)
            await self.add_block(self._answer)
            await self._answer.append(first)
        self._stream = FrameStream(self._answer)

    async def _write_text(self, delta: str) -> None:
        from workbench.tui.widgets.conversation_cut import CUT_CHARS

        if self._splitter is None:
            self._splitter = SegmentSplitter(**({"min_chars": self.segment_chars} if self.segment_chars else {}))
        self._answer_deltas.append(delta)
        before, self._answer_chars = self._answer_chars, self._answer_chars + len(delta)
        if self._cut is not None:  # past the cut: counted, drawn at the end (a 50 MB event freezes nothing)
            if before // 65536 != self._answer_chars // 65536:
                self._count_cut()
            return
        if self._answer_chars > CUT_CHARS:  # the head ends here; the notice counts the rest
            await self._write_head(delta[:max(0, CUT_CHARS - before)])
            if self._stream is not None:
                await self._stream.stop()
            self._stream = None
            self._answer = None
            self._cut = CutNotice(CutSpec("", "cut", title="answer"))
            self._count_cut()
            await self.add_block(self._cut)
            return
        await self._write_head(delta)

    async def _write_head(self, delta: str) -> None:
        assert self._splitter is not None
        for i, piece in enumerate(self._splitter.feed(sanitize(delta))):
            if not piece:
                continue
            if self._answer is None or i > 0:
                await self._new_segment(self._answer is not None, piece)
            else:
                assert self._stream is not None
                await self._stream.write(piece)

    @property
    def answer_segments(self) -> list[AnswerBlock]:
        """The mounted answer segments streamed in this run (finished ones from history are drawn in runs)."""
        return [w for w in self.blocks if _is(w, _LIVE, "AnswerBlock")]

    # --- events ----------------------------------------------------------------------------
    async def handle(self, event: Any) -> None:
        """Render one runtime event; events this pane does not show are ignored."""
        from workbench.runtime import events as ev  # pydantic models: off the first frame's path

        if isinstance(event, ev.TextDelta):
            self._thinking = None
            await self._write_text(event.delta)
        elif isinstance(event, ev.ThinkingDelta):
            if self._thinking is None:
                await self.end_answer()
                self._thinking = _live().ThinkingBlock()
                await self.add_block(self._thinking)
            self._thinking.append(event.delta)
        elif isinstance(event, ev.TextComplete):
            if not self._answer_chars and event.content:
                await self._write_text(event.content)
            await self.end_answer(event.content)
        elif isinstance(event, ev.UserMessage):
            await self.end_answer()
            text = with_attachments(event.text, event.attachments) if event.kind != "peer" else event.text
            await self.add_block(UserBlock(text, event.kind, event.sender, event.recipient))
        elif isinstance(event, ev.ToolCallRequested):
            await self.end_answer()
            card = _live().ToolCard(event.id, event.name, event.args, self.clock, agent=event.member)
            self.cards[event.id] = card
            await self.add_block(card)
        elif isinstance(event, ev.ToolApprovalRequested):
            (await self._card_for(event.id, event.name, event.args, event.member)).set_status("waiting")
        elif isinstance(event, ev.ToolApprovalResolved):
            card = self.cards.get(event.id)
            if card is not None:
                card.set_status("denied" if event.decision == "deny" else "requested")
        elif isinstance(event, ev.ToolExecutionStarted):
            card = await self._card_for(event.id, event.name, {}, event.member)
            card.set_status("running")
            if event.sandbox:
                card.add_note(event.sandbox)
        elif isinstance(event, (ev.HookDenied, ev.HookFailed)):
            await self._hook_event(event)
        elif isinstance(event, ev.ToolProgress):
            card = self.cards.get(event.id)
            if card is not None:
                card.set_progress(event.progress, event.total, event.message)
        elif isinstance(event, ev.ToolRetrying):
            card = self.cards.get(event.call_id)
            if card is not None:
                card.set_retrying(event.attempt, event.max_attempts, event.delay_ms, event.error)
        elif isinstance(event, ev.ToolsPending):
            await self.add_block(Notice(event.message, "info"))
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
            await self.add_block(UserBlock(event.text, "peer", event.sender, event.recipient))

    async def _hook_event(self, event: Any) -> None:
        """A hook's refusal or failure: on its tool call's card, else as a notice of the run."""
        from workbench.tui.widgets.conversation_cards import hook_note

        note = hook_note(event)
        card = self.cards.get(event.call_id) if event.call_id else None
        if card is not None:
            card.add_note(note)
        elif event.type == "hook_failed":  # a denied run says why in its run_failed notice
            await self.add_block(Notice(f"{note} (at {event.point})", "error"))

    async def _card_for(self, call_id: str, name: str, args: Any, agent: str | None) -> ToolCard:
        card = self.cards.get(call_id)
        if card is None:  # joined mid-run or the card was unmounted: show it anyway
            await self.end_answer()
            card = _live().ToolCard(call_id, name, args, self.clock, agent=agent)
            self.cards[call_id] = card
            await self.add_block(card)
        return card
