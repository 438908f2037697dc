"""The mob pane's dialogs: message a member, spawn from a profile, confirm a retirement."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from workbench.mob.definition import is_valid_name
from workbench.tui.sanitize import one_line
from workbench.tui.widgets.ordered_keys import OrderedInput


class MessageScreen(ModalScreen[str | None]):
    """One message from you to a member: it starts the member's next run, or steers it if it runs."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="mob_message.cancel")]

    def __init__(self, identity: str) -> None:
        super().__init__()
        self.identity = identity

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(f"Message to {one_line(self.identity, 40)}", style="bold"))
            yield OrderedInput(placeholder="what should this member do?", id="mob-message")
            yield Static(Text("Enter send (steers the member if it is running) · Esc cancel", style="dim"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class SpawnRequest:
    profile: str
    identity: str
    message: str | None


class SpawnScreen(ModalScreen[SpawnRequest | None]):
    """Pick a profile, name the member, optionally give it a first task."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="mob_spawn.cancel")]

    def __init__(self, profiles: list[tuple[str, str]], taken: set[str]) -> None:
        super().__init__()
        self.profiles = profiles  # (name, description)
        self.taken = taken

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Spawn a member from a profile", style="bold"))
            options = [Option(Text.assemble((one_line(name, 24), "bold"), "  ", (one_line(desc, 40), "dim")), id=name)
                       for name, desc in self.profiles]
            yield OptionList(*options, id="mob-spawn-profile")
            yield OrderedInput(placeholder="identity, e.g. worker-2", id="mob-spawn-identity")
            yield OrderedInput(placeholder="first task (optional)", id="mob-spawn-message")
            yield Static("", id="mob-spawn-problem")
            yield Static(Text("↑↓ profile · Enter spawn · Tab name / first task · Esc cancel", style="dim"))

    def on_mount(self) -> None:
        plist = self.query_one("#mob-spawn-profile", OptionList)
        plist.highlighted = 0
        plist.focus()

    def _suggest(self, profile: str) -> str:
        n = 1
        while f"{profile}-{n}" in self.taken:
            n += 1
        return f"{profile}-{n}"

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        ident = self.query_one("#mob-spawn-identity", Input)
        if not ident.value or ident.value.rsplit("-", 1)[0] in {p for p, _ in self.profiles}:
            ident.value = self._suggest(str(event.option.id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # Enter on a profile spawns it under the suggested name (as the hint says); Tab reaches the
        # name and first-task fields for those who want to change them.
        event.stop()
        self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def _problem(self, text: str, field: str) -> None:
        self.query_one("#mob-spawn-problem", Static).update(Text(text, style="bold red"))
        self.query_one(field, Input).focus()

    def _submit(self) -> None:
        plist = self.query_one("#mob-spawn-profile", OptionList)
        if plist.highlighted is None:
            return
        profile = str(plist.get_option_at_index(plist.highlighted).id)
        identity = self.query_one("#mob-spawn-identity", Input).value.strip()
        if not identity:
            self._problem("Give the member a name.", "#mob-spawn-identity")
            return
        if not is_valid_name(identity) or identity in ("mob", "user"):
            self._problem(f"{one_line(identity, 30)} is not a valid name: use letters, digits, '_', '-', '.' "
                          "(not 'mob' or 'user').", "#mob-spawn-identity")
            return
        if identity in self.taken:
            self._problem(f"{one_line(identity, 30)} is already in the mob.", "#mob-spawn-identity")
            return
        message = self.query_one("#mob-spawn-message", Input).value.strip() or None
        self.dismiss(SpawnRequest(profile, identity, message))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="mob_confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="mob_confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question, style="bold"))
            if self.detail:
                yield Static(Text(self.detail, style="dim"))
            yield Static(Text("y / Enter yes · n / Esc no", style="dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
