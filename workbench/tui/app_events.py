"""The runtime's events in the app: pumped from the backend into the conversation, the
Approvals pane and notices, and the status, budget and path redrawn from them (at most ten
times a second).
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import work
from textual.content import Content

from workbench.tui.backend import Backend, message_text
from workbench.tui.sanitize import one_line
from workbench.tui.widgets.approvals import PendingApproval
from workbench.tui.widgets.meters import no_agent_content


def starting_content() -> Content:
    """The status line until the runtime is set up (a fraction of a second, after the first frame)."""
    return Content.assemble((" STARTING… ", "bold reverse $accent"), " ",
                            ("opening the session and the model — a prompt sent now waits for it", "$foreground 70%"),
                            ("  · F1 help · ctrl+q quit", "$foreground 60%"))


class RuntimeEvents:
    """Mixed into WorkbenchApp (tui/app.py): uses its widgets, backend and state."""

    def _start_pump(self) -> None:
        assert self.backend is not None
        self._pump_task = asyncio.create_task(self._pump(self.backend))
        self._watch_withdrawals(getattr(self.backend, "broker", None))
        self.project_ui.begin()
        self.playbook_ui.begin()  # --agent/--var/--journey, the playbook files' problems
        self._history_shown.clear()
        self._load_history(self.backend)

    @work(group="history")
    async def _load_history(self, backend: Backend) -> None:
        from workbench.tui.widgets.conversation_cut import CUT_CHARS

        try:
            messages = backend.history()
            if messages:
                await self.conversation.load_history(messages)
                for m in messages:
                    if m.get("role") == "user":
                        text = message_text(m)
                        if len(text) > CUT_CHARS:  # recalled with ↑ it would fill the prompt: not kept
                            continue
                        text = text.strip()
                        if text and (not self.prompt.sent or self.prompt.sent[-1] != text):
                            self.prompt.sent.append(text)
        finally:
            self._history_shown.set()  # the session tree is built after it (app_sessions.py)
        if backend is self.backend:
            await self.project_ui.notice()

    async def _pump(self, backend: Backend) -> None:
        async for event in backend.subscribe():
            if backend is not self.backend:
                return
            try:
                await self.on_runtime_event(event)
            except Exception as exc:  # one bad event never kills the UI
                self.log.error(f"event {getattr(event, 'type', event)!r} failed: {exc!r}")
                self.notify(f"Could not show event {getattr(event, 'type', '?')}: {exc}", severity="error")

    async def on_runtime_event(self, event: Any) -> None:
        from workbench.runtime import events as ev

        note = getattr(self.backend, "note_event", None)
        if note is not None:
            note(event)
        self.playbook_ui.on_event(event)  # the offline demo's playbook tour follows its runs
        if isinstance(event, ev.UserMessage) and event.kind == "prompt" and event.text in self._echoed_prompts:
            self._echoed_prompts.remove(event.text)  # already shown when it was sent
        elif getattr(self.backend, "in_conversation", lambda e: True)(event):  # a mob shows one member
            await self.conversation.handle(event)
        if isinstance(event, ev.ToolResultReceived) and event.id in self.conversation.cards:
            from workbench.tui.widgets.conversation_specs import live_checkpoint_link

            self.conversation.cards[event.id].set_checkpoint(
                live_checkpoint_link(getattr(self.backend, "manager", None), event.id))  # its ✎N link
        if isinstance(event, ev.ToolApprovalRequested):
            if self._still_pending(event.request_id):
                self._approval_arrived(PendingApproval.from_event(event))
        elif isinstance(event, ev.ToolApprovalResolved):
            self.approvals.remove(event.request_id)
            if event.saved_rule:
                self.notify(f"Saved rule {event.saved_rule}", timeout=4)
        elif isinstance(event, ev.BudgetWarning):
            self.notify(event.message or f"{event.budget_type} at {event.percent:.0f}% of the limit", title="Budget",
                        severity="warning", timeout=6)
        elif isinstance(event, ev.BudgetExhausted):
            how = "an orderly stop: the current step finished" if event.orderly else "a hard stop (failure)"
            text = f"Budget exhausted: {event.budget_type} reached its limit — {how}. /budget raises limits."
            self.banner.update(Text(text))
            self.banner.add_class("-shown")
            self.budget.set_banner(f"STOPPED: {event.budget_type} limit — {'orderly' if event.orderly else 'failure'}")
            self.notify(text, severity="error", timeout=10)
        elif isinstance(event, ev.RunStarted):
            self.banner.remove_class("-shown")
            self.budget.set_banner(None)
        elif isinstance(event, ev.ToolsPending):
            self.notify(event.message, title="MCP", severity="warning", timeout=6)
        elif isinstance(event, ev.RunFailed):
            self.notify(one_line(event.error, 200), title=f"Run failed ({event.code})", severity="error", timeout=10)
        if isinstance(event, (ev.UserMessage, ev.TurnCompleted, ev.RunCompleted, ev.RunFailed,
                              ev.CompactionCompleted, ev.ToolResultReceived)):
            self._path_dirty = True
        self._stats_dirty = True

    def _redraw(self) -> None:
        """Redraw status, budget, pending queue and session path at most ten times a second."""
        self.sizer.apply()
        if self.backend is None:
            if self._stats_dirty:  # say why nothing runs, instead of a blank line
                self._stats_dirty = False
                self.status.update(starting_content() if self.starting else no_agent_content(self.startup_error))
                self.pending_bar.show([("follow_up", text) for text in self._held_prompts])
            return
        if self._stats_dirty or (self.backend.is_running and not self.clock.frozen):
            self._stats_dirty = False
            stats = self.backend.stats()
            self.status.show(stats, mcp=self.mcp.counts(), mcp_failed=self.mcp.failed())
            self.budget.show(stats)
            self.prompt_box.set_class(stats.running, "-running")  # held: a query fails while the app closes
            self.pending_bar.show(self.backend.pending())
        if self._path_dirty:
            self._path_dirty = False
            if self.session_tree is not None and self.session_tree.is_mounted:
                self.session_tree.sync()  # new entries at once (the tree also polls the file's manager)
            elif getattr(self.backend, "manager", None) is None:  # else the session's tree takes the pane
                self.session_pane.show_path(self.backend.path_entries())

    def refresh_now(self) -> None:
        self._stats_dirty = self._path_dirty = True
        self._redraw()
