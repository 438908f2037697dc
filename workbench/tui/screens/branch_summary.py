"""The question asked before the leaf moves: summarise the branch being left?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from workbench.tui.widgets.ordered_keys import OrderedInput


@dataclass(frozen=True)
class BranchSummaryChoice:
    kind: Literal["none", "summarise"]
    instructions: str | None = None  # only with kind="summarise": what the summary should focus on


class BranchSummaryScreen(ModalScreen[BranchSummaryChoice | None]):
    """No summary / summarise / summarise with my instructions. Escape cancels the move (None)."""

    DEFAULT_CSS = """
    BranchSummaryScreen { align: center middle; }
    BranchSummaryScreen > #dialog {
        width: 64; height: auto; padding: 1 2;
        border: round $accent; background: $surface;
    }
    BranchSummaryScreen #question { margin-bottom: 1; }
    BranchSummaryScreen OptionList { height: auto; border: none; padding: 0; }
    BranchSummaryScreen #instructions { display: none; margin-top: 1; }
    BranchSummaryScreen.-instructions #instructions { display: block; }
    BranchSummaryScreen #hint { color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="branch_summary.cancel"),
        Binding("n", "choose('none')", "No summary", show=False, id="branch_summary.none"),
        Binding("s", "choose('summarise')", "Summarise", show=False, id="branch_summary.summarise"),
        Binding("i", "choose('instructions')", "With instructions", show=False, id="branch_summary.instructions"),
    ]

    def __init__(self, entries_left: int) -> None:
        super().__init__()
        self.entries_left = entries_left

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Text(f"Summarise the branch you are leaving ({self.entries_left} "
                     f"entr{'y' if self.entries_left == 1 else 'ies'})?"),
                id="question",
            )
            yield OptionList(
                Option("No summary", id="none"),
                Option("Summarise", id="summarise"),
                Option("Summarise with my instructions…", id="instructions"),
                id="choices",
            )
            yield OrderedInput(placeholder="What should the summary focus on? (enter to go)", id="instructions")
            yield Static("n / s / i · enter chooses · escape cancels the move", id="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option.id or "none")

    def action_choose(self, kind: str) -> None:
        if self.has_class("-instructions"):
            return  # typing instructions: letters are text, not shortcuts
        if kind == "instructions":
            self.add_class("-instructions")
            self.query_one("#instructions", Input).focus()
            return
        self.dismiss(BranchSummaryChoice("summarise" if kind == "summarise" else "none"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        self.dismiss(BranchSummaryChoice("summarise", text or None))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and self.has_class("-instructions"):
            return False  # let the Input have n, s and i
        return True

    def action_cancel(self) -> None:
        if self.has_class("-instructions"):
            self.remove_class("-instructions")
            self.query_one(OptionList).focus()
            return
        self.dismiss(None)
