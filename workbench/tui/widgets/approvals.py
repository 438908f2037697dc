"""The Approvals pane: the queue of pending tool calls and the current one in full.

Keys (when the pane has focus): y allow once · s allow for this session · a always (shows the
rule, asks before saving) · n deny · f deny with feedback · d side-by-side diff · z full screen ·
j/k next/previous request. A new request takes the focus only when the prompt is empty, so
nothing typed is ever swallowed; otherwise the pane lights up and F4 jumps to it. Any other key
typed here goes to the prompt (the app's on_key).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from workbench.tui import format as fmt
from workbench.text import has_controls
from workbench.tui.sanitize import exact_text, one_line, safe_text, sanitize

if TYPE_CHECKING:
    from workbench.runtime import events as ev


@dataclass
class PendingApproval:
    request_id: str
    call_id: str
    tool: str
    args: Any
    agent: str | None
    preview: dict[str, Any] = field(default_factory=dict)
    scope: str | None = None
    reason: str | None = None  # why it asks (the runtime's decision)

    @classmethod
    def from_event(cls, e: ev.ToolApprovalRequested) -> "PendingApproval":
        return cls(e.request_id, e.id, e.name, e.args, e.agent or e.member, dict(e.preview or {}), e.scope,
                   getattr(e, "reason", None))

    @property
    def diff(self) -> str | None:
        if self.preview.get("kind") == "diff":
            return self.preview.get("diff") or self.preview.get("text")
        return None

    @property
    def command(self) -> str | None:
        if self.preview.get("kind") == "command":
            return self.preview.get("command") or self.preview.get("text")
        if self.tool == "bash" and isinstance(self.args, dict):
            return self.args.get("command")
        return None

    @property
    def cwd(self) -> str | None:
        cwd = self.preview.get("cwd")
        if cwd is None and isinstance(self.args, dict):
            cwd = self.args.get("cwd")
        return cwd

    def rule(self) -> str:
        """The rule an "always" answer saves: the runtime's scope, else the exact call."""
        if self.scope:
            return self.scope
        return f"{self.tool}({fmt.arg_summary(self.tool, self.args, 200).removeprefix('$ ')})"


CONTROL_WARNING = ("⚠ this command holds control characters, shown highlighted as ␛ and \\xNN: "
                   "they are part of what runs")


def describe(req: PendingApproval, *, side: bool = False) -> RenderableType:
    """The request in full: who asks, the tool, its arguments, the diff or the exact command."""
    parts: list[RenderableType] = []
    head = Text()
    if req.agent:
        head.append(f"{one_line(req.agent, 30)} asks to run ", style="italic")
    head.append(req.tool, style="bold")
    parts.append(head)
    if req.reason:  # a protected path or a repository's git config is a warning; the mode is a note
        warn = "protected" in req.reason or "repository" in req.reason or "can't be read" in req.reason
        parts.append(Text(("⚠ " if warn else "") + one_line(req.reason, 400),
                          style="bold yellow" if warn else "dim"))
    command = req.command
    if req.preview.get("kind") == "mcp":
        parts.extend(mcp_preview(req.preview))
    elif command is not None:
        line = Text("$ ", style="bold") + exact_text(command)
        parts.append(line)
        if has_controls(command):
            parts.append(Text(CONTROL_WARNING, style="bold red"))
        parts.append(Text(f"in {sanitize(req.cwd or '.')}", style="dim"))
        sandbox = req.preview.get("sandbox")
        if sandbox:  # the runtime's own label, never the model's
            parts.append(Text(f"⛨ {sandbox}", style="bold green" if sandbox == "sandboxed" else "bold red"))
    elif isinstance(req.args, dict):
        for key, value in req.args.items():
            if key in ("old_string", "new_string", "oldText", "newText", "content") and req.diff:
                continue  # shown as the diff below
            shown = value if isinstance(value, str) else repr(value)
            parts.append(Text(f"{key}: ", style="bold") + safe_text(one_line(shown, 300)))
            if isinstance(value, str) and has_controls(value) and key in ("path", "file_path", "cwd"):
                parts.append(Text(CONTROL_WARNING.replace("this command", f"this {key}"), style="bold red"))
    diff = req.diff
    if diff:
        parts.append(Text(""))
        from workbench.tui.diffview import render_diff  # an edit's approval: not on the first frame

        parts.append(render_diff(diff, side=side))
    elif req.preview.get("kind") in ("text", "path") and req.preview.get("text"):
        parts.append(safe_text(str(req.preview["text"])))
    return Group(*parts)


def mcp_preview(preview: dict[str, Any]) -> list[RenderableType]:
    """An MCP call: the server and tool, the server's own hints (shown, not trusted) and the
    arguments as highlighted JSON (sanitized first: the model wrote them)."""
    from rich.syntax import Syntax

    out: list[RenderableType] = [Text.assemble(("MCP server ", "dim"), safe_text(str(preview.get("server", "?")), "bold"),
                                               ("  tool ", "dim"), safe_text(str(preview.get("tool", "?")), "bold"))]
    hints = preview.get("annotations") or {}
    names = {"read_only_hint": "read-only", "destructive_hint": "destructive", "idempotent_hint": "idempotent",
             "open_world_hint": "open world"}
    said = [f"{label}: {'yes' if hints[key] else 'no'}" for key, label in names.items() if key in hints]
    if said:
        out.append(Text("the server says " + ", ".join(said) + " (hints, not verified)", style="italic dim"))
    out.append(Syntax(sanitize(str(preview.get("text", "{}"))), "json", theme="ansi_dark",
                      background_color="default", word_wrap=True))
    return out


NOTHING_WAITING = Text("Nothing waiting for approval.", style="dim")


class ApprovalsPane(VerticalScroll):
    BINDINGS = [
        Binding("y", "decide('once')", "Allow once", id="approval.once"),
        Binding("s", "decide('session')", "Allow session", id="approval.session"),
        Binding("a", "decide('always')", "Always", id="approval.always"),
        Binding("n", "decide('deny')", "Deny", id="approval.deny"),
        Binding("f", "feedback", "Deny + feedback", id="approval.feedback"),
        Binding("d", "toggle_side", "Side-by-side", show=False, id="approval.side_by_side"),
        Binding("z", "fullscreen", "Full screen", show=False, id="approval.fullscreen"),
        Binding("j,down", "move(1)", "Next", show=False, id="approval.next"),
        Binding("k,up", "move(-1)", "Previous", show=False, id="approval.previous"),
    ]

    @dataclass
    class Decided(Message):
        request: PendingApproval
        kind: str
        feedback: str | None = None

    @dataclass
    class FeedbackWanted(Message):
        request: PendingApproval

    @dataclass
    class AlwaysWanted(Message):
        request: PendingApproval

    @dataclass
    class FullscreenWanted(Message):
        request: PendingApproval

    @dataclass
    class SideBySideWanted(Message):
        """`d`: the app makes room for the diff side by side (or says it cannot)."""
        on: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=True)
        self.border_title = "Approvals"
        self.queue: list[PendingApproval] = []
        self.index = 0
        self.side = False
        self._armed_at = 0.0
        self.queue_view = Static(NOTHING_WAITING, classes="approval-queue")
        self.detail = Static(classes="approval-detail")

    def compose(self):
        yield self.queue_view
        yield self.detail

    def on_mount(self) -> None:
        if self.queue:  # empty: composed as it should look (restyling the column costs the first frame)
            self.render_queue()

    @property
    def current(self) -> PendingApproval | None:
        return self.queue[self.index] if self.queue else None

    def add(self, req: PendingApproval) -> None:
        if any(r.request_id == req.request_id for r in self.queue):
            return
        self.queue.append(req)
        self.render_queue()

    def remove(self, request_id: str) -> None:
        before = len(self.queue)
        self.queue = [r for r in self.queue if r.request_id != request_id]
        if len(self.queue) != before:
            self.index = min(self.index, max(0, len(self.queue) - 1))
            self.render_queue()

    def render_queue(self) -> None:
        self.set_class(bool(self.queue), "-pending")
        if self.parent is not None:  # the side column makes room for a waiting request (tcss)
            self.parent.set_class(bool(self.queue), "-approval-pending")
        self.border_subtitle = f"{len(self.queue)} waiting" if self.queue else ""
        if not self.queue:
            self.queue_view.update(NOTHING_WAITING)
            self.detail.update("")
            return
        lines = Text()
        for i, r in enumerate(self.queue):
            mark = "▶ " if i == self.index else "  "
            style = "bold reverse" if i == self.index else ""
            lines.append(mark, style=style)
            if r.agent:
                lines.append(f"[{one_line(r.agent, 16)}] ", style=f"{style} italic".strip())
            lines.append(f"{r.tool} ", style=f"{style} bold".strip())
            lines.append(fmt.arg_summary(r.tool, r.args, 40), style=style)
            lines.append("\n")
        lines.append("y once · s session · a always · n deny · f feedback", style="dim")
        if self.current and self.current.diff:
            lines.append(" · d side-by-side · z full", style="dim")
        self.queue_view.update(lines)
        assert self.current is not None
        self.detail.update(describe(self.current, side=self.side))

    def arm(self, delay: float) -> None:
        """Ignore answers for `delay` seconds: keys already on their way were meant for the prompt."""
        self._armed_at = time.monotonic() + delay

    def on_key(self, event: events.Key) -> None:
        # Not armed yet: an answer key already on its way was meant for the prompt. It goes there
        # instead of answering or being dropped (other keys go there anyway: the app's on_key).
        if time.monotonic() < self._armed_at and event.is_printable and event.character and self._answers(event.key):
            type_into = getattr(self.app, "type_into_prompt", None)
            if type_into is not None and type_into(event.character):
                event.stop()
                event.prevent_default()

    def _answers(self, key: str) -> bool:
        bound = self.screen.active_bindings.get(key)
        return bound is not None and bound.node is self and bound.binding.action.startswith(("decide", "feedback"))

    # --- actions ---------------------------------------------------------------------------
    def action_decide(self, kind: str) -> None:
        req = self.current
        if req is None or time.monotonic() < self._armed_at:
            return
        if kind == "always":
            self.post_message(self.AlwaysWanted(req))
            return
        self.post_message(self.Decided(req, kind))

    def action_feedback(self) -> None:
        if self.current is not None and time.monotonic() >= self._armed_at:
            self.post_message(self.FeedbackWanted(self.current))

    def action_toggle_side(self) -> None:
        if self.current is None or not self.current.diff:
            return
        self.post_message(self.SideBySideWanted(not self.side))

    def action_fullscreen(self) -> None:
        if self.current is not None:
            self.post_message(self.FullscreenWanted(self.current))

    def action_move(self, step: int) -> None:
        if self.queue:
            self.index = (self.index + step) % len(self.queue)
            self.render_queue()
