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
from workbench.tui.widgets.ordered_keys import OrderedInput


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
            yield OrderedInput(placeholder="e.g. don't touch the lockfile, use the Makefile target", id="feedback")
            yield Static(Text("Enter deny with this message · Esc back", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


ANSWER_KEYS = "y once · s session · a always · n deny · f feedback"
ANSWERS = ("once", "session", "always", "deny", "feedback")


ANSWER_BINDINGS = [
    Binding("y", "answer_request('once')", "Allow once", id="fullscreen.once"),
    Binding("s", "answer_request('session')", "Allow session", id="fullscreen.session"),
    Binding("a", "answer_request('always')", "Always", id="fullscreen.always"),
    Binding("n", "answer_request('deny')", "Deny", id="fullscreen.deny"),
    Binding("f", "answer_request('feedback')", "Deny + feedback", id="fullscreen.feedback"),
]


class AnswerKeys:
    """The approval keys (ANSWER_BINDINGS, listed in each screen's BINDINGS: Textual only merges
    bindings of DOM classes) on a full-screen view of a request: the screen closes with the
    answer (one of ANSWERS) and the app carries it out. Inactive when `answers` is False."""

    BINDINGS = ANSWER_BINDINGS  # for the help screen and the keymap check
    answers = False

    def answer_hint(self, rest: str, width: int) -> str:
        """The border subtitle: the answer keys (spelled out when they fit) and then `rest`."""
        if not self.answers:
            return rest
        full = f"{ANSWER_KEYS} · {rest}"
        return full if len(full) + 6 <= width else f"y/s/a/n/f answer · {rest}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.answers if action == "answer_request" else True

    def action_answer_request(self, kind: str) -> None:
        self.dismiss(kind)  # type: ignore[attr-defined]


class DiffScreen(AnswerKeys, ModalScreen[str | None]):
    """A diff full screen; d toggles side-by-side. With `answers`, the approval keys answer the
    request it shows and close it (the result is the answer)."""

    BINDINGS = [
        Binding("escape,q,z", "close", "Close", id="diff.close"),
        Binding("d", "toggle_side", "Side-by-side", id="diff.side_by_side"),
        *ANSWER_BINDINGS,
    ]

    def __init__(self, title: str, diff: str, *, side: bool = False, answers: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.diff = diff
        self.side = side
        self.answers = answers
        self.body = Static()

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="diff-full") as scroll:
            scroll.border_title = self.title_text
            scroll.border_subtitle = self.answer_hint("d side-by-side · Esc close", self.app.size.width)
            yield self.body

    def on_resize(self) -> None:
        self.query_one(VerticalScroll).border_subtitle = self.answer_hint("d side-by-side · Esc close",
                                                                          self.size.width)

    def on_mount(self) -> None:
        self.body.update(render_diff(self.diff, side=self.side))

    def action_toggle_side(self) -> None:
        self.side = not self.side
        self.body.update(render_diff(self.diff, side=self.side))

    def action_close(self) -> None:
        self.dismiss(None)


class ProblemsScreen(ModalScreen[None]):
    """What went wrong at startup, all in one dialog (the agent that could not start, broken
    settings): each section a heading and its problems as bullets."""

    BINDINGS = [Binding("escape,enter,q", "close", "Continue", id="problems.close")]

    def __init__(self, sections: list[tuple[str, list[str]]], footer: str) -> None:
        super().__init__()
        self.sections = sections
        self.problems = [p for _, problems in sections for p in problems]
        self.footer = footer

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog problems") as box:
            box.border_title = "Problems at startup"
            box.border_subtitle = "Enter continue"
            body = Text()
            for n, (heading, problems) in enumerate(self.sections):
                body.append(("\n" if n else "") + heading + "\n", style="bold")
                for p in problems:
                    body.append("• ")
                    body.append_text(safe_text(p))
                    body.append("\n")
            body.append("\n")
            body.append(self.footer, style="dim")
            yield Static(body)

    def action_close(self) -> None:
        self.dismiss(None)


class TextScreen(AnswerKeys, ModalScreen[str | None]):
    """A read-only page of text (session lists, the entries of /tree, a request in full: then,
    with `answers`, the approval keys answer it)."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="text.close"), *ANSWER_BINDINGS]

    def __init__(self, title: str, text: Text, *, answers: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.answers = answers

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide") as scroll:
            scroll.border_title = self.title_text
            scroll.border_subtitle = self.answer_hint("Esc close", self.app.size.width * 9 // 10)
            yield Static(self.text)

    def action_close(self) -> None:
        self.dismiss(None)
