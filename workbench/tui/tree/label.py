"""A small modal that asks for an entry's label (empty clears it)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from workbench.tui.widgets.ordered_keys import OrderedInput


class LabelScreen(ModalScreen[str | None]):
    """Dismisses with the new label ("" clears it) or None when cancelled."""

    DEFAULT_CSS = """
    LabelScreen { align: center middle; }
    LabelScreen > #dialog { width: 60; height: auto; padding: 1 2; border: round $accent; background: $surface; }
    LabelScreen #entry { color: $text-muted; margin-bottom: 1; }
    LabelScreen #hint { color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="label.cancel")]

    def __init__(self, current: str, entry_summary: str) -> None:
        super().__init__()
        self.current = current
        self.entry_summary = entry_summary

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.entry_summary, no_wrap=True, overflow="ellipsis"), id="entry")
            yield OrderedInput(value=self.current, placeholder="label (empty clears)", id="label")
            yield Static("enter saves · empty clears · escape cancels", id="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
