"""Small modal screens: confirm a rule, one-line feedback, a full-screen diff, config problems."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from workbench.tui.diffview import render_diff
from workbench.tui.sanitize import safe_text


class ConfirmRuleScreen(ModalScreen[bool]):
    """Before "always": show the exact rule that will be saved and where."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Save rule", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Cancel", id="confirm.no"),
    ]

    def __init__(self, rule: str, where: str) -> None:
        super().__init__()
        self.rule = rule
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Always allow — this rule will be saved:", style="bold"))
            yield Static(safe_text(self.rule, "bold"), classes="rule")
            yield Static(Text(f"in {self.where}\n\ny / Enter save and allow · n / Esc cancel", style="dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class FeedbackScreen(ModalScreen[str | None]):
    """Deny with feedback: one line whose text goes to the model."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="feedback.cancel")]

    def __init__(self, tool: str) -> None:
        super().__init__()
        self.tool = tool

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Deny {self.tool} and tell the model why:", style="bold"))
            yield Input(placeholder="e.g. don't touch the lockfile, use the Makefile target", id="feedback")
            yield Static(Text("Enter deny with this message · Esc back", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class DiffScreen(ModalScreen[None]):
    """A diff full screen; d toggles side-by-side."""

    BINDINGS = [
        Binding("escape,q,z", "close", "Close", id="diff.close"),
        Binding("d", "toggle_side", "Side-by-side", id="diff.side_by_side"),
    ]

    def __init__(self, title: str, diff: str, *, side: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.diff = diff
        self.side = side
        self.body = Static()

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="diff-full") as scroll:
            scroll.border_title = self.title_text
            scroll.border_subtitle = "d side-by-side · Esc close"
            yield self.body

    def on_mount(self) -> None:
        self.body.update(render_diff(self.diff, side=self.side))

    def action_toggle_side(self) -> None:
        self.side = not self.side
        self.body.update(render_diff(self.diff, side=self.side))

    def action_close(self) -> None:
        self.dismiss(None)


class ProblemsScreen(ModalScreen[None]):
    """Broken settings or themes: what, where, and that defaults are in use."""

    BINDINGS = [Binding("escape,enter,q", "close", "Continue", id="problems.close")]

    def __init__(self, title: str, problems: list[str], footer: str) -> None:
        super().__init__()
        self.title_text = title
        self.problems = problems
        self.footer = footer

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog problems"):
            yield Static(Text(self.title_text, style="bold"))
            body = Text()
            for p in self.problems:
                body.append("• ")
                body.append_text(safe_text(p))
                body.append("\n")
            yield Static(body)
            yield Static(Text(self.footer + "\n\nEnter continue", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)


class TextScreen(ModalScreen[None]):
    """A read-only page of text (session lists, the entries of /tree)."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="text.close")]

    def __init__(self, title: str, text: Text) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide") as scroll:
            scroll.border_title = self.title_text
            scroll.border_subtitle = "Esc close"
            yield Static(self.text)

    def action_close(self) -> None:
        self.dismiss(None)
