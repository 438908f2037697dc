"""The Approvals pane's side of the app: a request arriving (focus or a notice), answered by a
key, a dialog (always / feedback) or the full-screen view, and withdrawn when its run ends.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text

from workbench.tui import format as fmt
from workbench.tui.sanitize import one_line, safe_text
from workbench.tui.screens import dialogs_module
from workbench.tui.widgets.approvals import ApprovalsPane, PendingApproval


def approval_notice(req: PendingApproval) -> str:
    """`lead asks: write hello.py — F4 to review`: who, the tool and what it touches."""
    who = f"{one_line(req.agent, 30)} asks: " if req.agent else ""
    what = fmt.arg_summary(req.tool, req.args, 60) if req.args else ""
    return f"{who}{req.tool} {what} — F4 to review" if what else f"{who}{req.tool} — F4 to review"


class ApprovalActions:
    """Mixed into WorkbenchApp (tui/app.py): uses its widgets, backend and state. The pane's messages are handled
    by name (on_approvals_pane_*): Textual's @on only registers handlers of a widget class's own body."""

    def _watch_withdrawals(self, broker: Any) -> None:
        """A request whose run ended (Esc, a stop, a failure, a time limit) leaves the pane at once:
        it can no longer be answered. One watch per broker (sessions and mob members share one)."""
        if broker is None or broker is self._watched_broker:
            return
        if self._unwatch_broker is not None:
            self._unwatch_broker()
        self._watched_broker = broker
        self._unwatch_broker = broker.on_withdrawn(self._withdrawn)

    def _withdrawn(self, request_id: str) -> None:
        self.approvals.remove(request_id)
        if not self.approvals.queue and self.focused is self.approvals:
            self.prompt.focus()

    def _still_pending(self, request_id: str) -> bool:
        """False for a request its run already withdrew (its event can arrive after that)."""
        broker = self._watched_broker
        return broker is None or any(r.request_id == request_id for r in broker.pending())

    def _approval_arrived(self, req: PendingApproval) -> None:
        self.approvals.add(req)
        typing = bool(self.prompt.text.strip())
        quiet = time.monotonic() - self._last_typed >= self.approval_focus_quiet
        visible = self.pane_visible("side")
        focused = self.focused
        if not typing and quiet and visible and (focused is None or focused is self.prompt):
            self.approvals.arm(self.approval_arm_delay)
            self.approvals.focus()  # nothing typed: nothing to lose
            return
        self.approvals.add_class("-attention")
        self.notify(approval_notice(req), title="Approval needed", severity="warning", timeout=6)

    def _resolve(self, req: PendingApproval, kind: str, feedback: str | None = None) -> None:
        if self.backend is None:
            return
        try:
            self.backend.resolve_approval(req.request_id, kind, feedback)  # type: ignore[arg-type]
        except Exception as exc:  # e.g. the run was interrupted and the request withdrawn
            self.notify(f"Could not answer: {exc}", severity="error")
        else:  # a key answered: say so, never silently
            said = {"once": "Allowed once", "session": "Allowed for this session", "deny": "Denied"}.get(kind)
            if said:
                what = fmt.arg_summary(req.tool, req.args, 50) if req.args else ""
                self.notify(f"{said}: {req.tool} {what}".rstrip(), timeout=3)
        self.approvals.remove(req.request_id)
        if not self.approvals.queue and self.focused is self.approvals:
            self.prompt.focus()

    def on_approvals_pane_decided(self, message: ApprovalsPane.Decided) -> None:
        self._resolve(message.request, message.kind, message.feedback)

    def on_approvals_pane_side_by_side_wanted(self, message: ApprovalsPane.SideBySideWanted) -> None:
        """`d`: the side column widens to show the diff side by side (and narrows back after)."""
        if message.on and not self.sizer.side_by_side_fits():
            self.notify("Too narrow for side-by-side here (it needs a terminal about 160 columns wide): "
                        "z opens the diff full screen.", timeout=4)
            return
        self.approvals.side = message.on
        self.sizer.apply()
        self.approvals.render_queue()

    def on_approvals_pane_always_wanted(self, message: ApprovalsPane.AlwaysWanted) -> None:
        req = message.request
        where = self.grant_source.where() if self.grant_source is not None else "the project's .workbench/config.toml"

        def done(yes: bool | None) -> None:
            if yes:
                self._resolve(req, "always")

        self.push_screen(dialogs_module().ConfirmRuleScreen(req.rule(), where), done)

    def on_approvals_pane_feedback_wanted(self, message: ApprovalsPane.FeedbackWanted) -> None:
        req = message.request

        def done(text: str | None) -> None:
            if text is not None:
                self._resolve(req, "deny", text or None)

        self.push_screen(dialogs_module().FeedbackScreen(req.tool), done)

    def on_approvals_pane_fullscreen_wanted(self, message: ApprovalsPane.FullscreenWanted) -> None:
        """The request full screen; its answer keys answer it there and close the view."""
        req = message.request

        def answered(kind: str | None) -> None:
            if kind is None or not any(r.request_id == req.request_id for r in self.approvals.queue):
                return  # closed, or the request went away meanwhile
            if kind == "always":
                self.post_message(ApprovalsPane.AlwaysWanted(req))
            elif kind == "feedback":
                self.post_message(ApprovalsPane.FeedbackWanted(req))
            else:
                self._resolve(req, kind)

        if req.diff:
            self.push_screen(dialogs_module().DiffScreen(f"{req.tool} {req.preview.get('path') or ''}".strip(), req.diff,
                                        side=self.size.width >= 120, answers=True), answered)
        elif req.command:
            body = Text("$ ", style="bold") + safe_text(req.command)
            body.append_text(Text(f"\nin {one_line(req.cwd or '.', 200)}", style="dim"))
            self.push_screen(dialogs_module().TextScreen(req.tool, body, answers=True), answered)
        else:
            from workbench.tui.widgets.approvals import describe  # its arguments as the pane shows them, never a raw dict

            self.push_screen(dialogs_module().TextScreen(req.tool, describe(req), answers=True), answered)

    def action_grants(self) -> None:
        if self.grant_source is None:
            self.notify("Saved rules are not available " + ("yet: the agent is starting" if self.starting
                                                             else "in this session"), severity="warning")
            return
        from workbench.tui.screens.grants import GrantsScreen

        self.push_screen(GrantsScreen(self.grant_source.list, self.grant_source.remove))
