"""`/context`: the files and skills that went into the system prompt, its size, and the whole
prompt, read-only and full screen (Esc or q closes it)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static, TextArea

from workbench.tui.sanitize import safe_text, sanitize


class ContextView(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="context.close"),
    ]
    DEFAULT_CSS = """
    ContextView { layout: vertical; }
    ContextView #context-head { height: auto; padding: 0 1; background: $boost; }
    ContextView #context-prompt { height: 1fr; }
    ContextView #context-foot { height: 1; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, summary: list[str], prompt: str) -> None:
        super().__init__()
        self.summary = summary
        self.prompt_text = prompt

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text("\n".join(self.summary)), id="context-head")
            area = TextArea(sanitize(self.prompt_text), read_only=True, soft_wrap=True, show_line_numbers=True,
                            id="context-prompt")
            yield area
            yield Static("Esc / q close · the system prompt as the next request sends it (read-only)",
                         id="context-foot")

    def on_mount(self) -> None:
        self.query_one("#context-prompt", TextArea).focus()

    def action_close(self) -> None:
        self.dismiss(None)
