"""The Conversation pane's own blocks (a user message, a notice, a cut notice, the window's
markers), how a spec becomes its widget, and the loaders of the heavier block modules (loaded on
first use: the first frame shows none of them). conversation.py re-exports these names."""

from __future__ import annotations

import sys
from typing import Any

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from workbench.tui.clock import Clock
from workbench.tui.sanitize import safe_text
from workbench.tui.widgets.conversation_specs import (AnswerSpec, BlockSpec, CardSpec, NoticeSpec, ThinkingSpec,
                                                      UserSpec, is_finished)
from workbench.tui.widgets.sized_once import SizedOnce

def _live() -> Any:
    from workbench.tui.widgets import conversation_live
    return conversation_live


def _history() -> Any:
    from workbench.tui.widgets import conversation_history
    return conversation_history


def _runs() -> Any:
    from workbench.tui.widgets import conversation_run
    return conversation_run


def _is(widget: object, module: str, *names: str) -> bool:
    """isinstance against classes of a module loaded on first use (no instance exists before)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(widget, tuple(getattr(loaded, n) for n in names))


def user_content(text: str, kind: str = "prompt", sender: str | None = None,
                 recipient: str | None = None) -> Text:
    """A user message as shown: who sent it (and, for a peer message, to whom), then the text
    (never read as markup)."""
    label = {"prompt": "you", "steer": "you · steer", "follow_up": "you · follow-up"}.get(kind, kind)
    if kind == "peer":
        label = f"{sender or 'peer'} → {recipient}" if recipient else f"from {sender or 'a peer'}"
    return Text(f"{label} ", style="bold") + safe_text(text)


def notice_content(text: str, kind: str) -> Text:
    icon = {"retry": "↻", "budget": "$", "compaction": "⇲", "error": "✗", "info": "ℹ", "peer": "✉",
            "cut": "✂"}.get(kind, "•")
    return Text(f"{icon} ") + safe_text(text)


class UserBlock(SizedOnce, Static):
    """A user message (prompt, steering, follow-up or a peer's message)."""

    def __init__(self, text: str, kind: str = "prompt", sender: str | None = None,
                 recipient: str | None = None) -> None:
        self.text, self.kind, self.sender, self.recipient = text, kind, sender, recipient
        super().__init__(user_content(text, kind, sender, recipient), classes=f"user-block -{kind}")

    def spec(self) -> UserSpec:
        return UserSpec(self.text, self.kind, self.sender, self.recipient)


class Notice(SizedOnce, Static):
    """A distinct notice: retry, budget, compaction, error, info."""

    def __init__(self, text: str, kind: str) -> None:
        super().__init__(notice_content(text, kind), classes=f"notice -{kind}")
        self.text = text
        self.kind = kind

    def spec(self) -> NoticeSpec:
        return NoticeSpec(self.text, self.kind)


class CutNotice(Notice):
    """The notice under a block shown cut: a click (or `v` in the pane) shows the whole text."""

    def __init__(self, spec: Any) -> None:
        super().__init__(spec.text, spec.kind)
        self.cut = spec

    def spec(self) -> Any:
        return self.cut

    def on_click(self) -> None:
        show_all(self, self.cut)


def show_all(widget: Widget, spec: Any) -> None:
    """Open the whole text of a cut block in the viewer (only the rows on screen are drawn)."""
    from workbench.tui.screens.text_viewer import TextViewer

    widget.app.push_screen(TextViewer(spec.title, spec.full))


def build_block(spec: BlockSpec, clock: Clock) -> Widget:
    """A block's own widget: a tool call still expecting events as the full card (the pane mounts it
    so), a finished block as the single widget whose look runs draw it with (conversation_run.py;
    tests compare runs with these)."""
    if isinstance(spec, UserSpec):
        return UserBlock(spec.text, spec.kind, spec.sender, spec.recipient)
    if isinstance(spec, AnswerSpec):
        return _history().HistoryAnswer(spec.markdown, continued=spec.continued)
    if isinstance(spec, ThinkingSpec):
        return _history().CompactThinking(spec.text, collapsed=spec.collapsed)
    if isinstance(spec, CardSpec):
        if not is_finished(spec):
            return _live().ToolCard.from_spec(spec, clock)
        return _history().CompactCard(spec)
    if spec.kind == "cut":
        return CutNotice(spec)
    return Notice(spec.text, spec.kind)


class WindowMarker(SizedOnce, Static):
    """`↑ N earlier blocks` / `↓ N later blocks`: what is not mounted above or below the window."""


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
