"""The prompt: a multi-line input with history, slash completion and steer / follow-up keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static, TextArea
from rich.text import Text

from workbench.tui import commands
from workbench.tui.sanitize import one_line
from workbench.tui.widgets.ordered_keys import OrderedKeys


INDENT = "    "


class PromptInput(OrderedKeys, TextArea):
    """Enter sends (steers while the agent runs); ctrl+j / alt+enter insert a newline;
    ctrl+f queues a follow-up; Up/Down walk the history from the first/last line; Tab completes
    slash commands and indents anything else. Escape is the app's interrupt and never clears what is typed."""

    # None of these is a priority binding: a priority binding runs as soon as the app reads the
    # key, ahead of the characters typed just before it that still wait in this widget's queue
    # (Enter would send half a line). OrderedKeys runs this widget's bindings (Enter, backspace…)
    # as each key comes, in the order typed, and skips TextArea's own newline for a bound Enter.
    BINDINGS = [
        Binding("enter", "submit", "Send", id="prompt.submit"),
        Binding("ctrl+j,alt+enter,shift+enter", "newline", "Newline", show=False, id="prompt.newline"),
        Binding("ctrl+f", "follow_up", "Follow-up", id="prompt.follow_up"),
        Binding("up", "history_prev", "History", show=False, id="prompt.history_prev"),
        Binding("down", "history_next", "History", show=False, id="prompt.history_next"),
        Binding("tab", "complete", "Complete / indent", show=False, id="prompt.complete"),
        Binding("alt+up", "recall", "Recall queued", show=False, id="prompt.recall"),
        # F7 (TextArea's select all) is the app's grants key; this keeps select-all reachable.
        Binding("alt+a", "select_all", "Select all", show=False, id="prompt.select_all"),
    ]

    @dataclass
    class Submitted(Message):
        text: str
        follow_up: bool = False

    class RecallRequested(Message):
        """Take queued steering / follow-up messages back for editing."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         compact=True, placeholder="Ask, or / for commands · Enter send · ctrl+j newline")
        self.sent: list[str] = []
        self._history_index: int | None = None
        self._draft = ""

    def _send(self, follow_up: bool) -> None:
        text = self.text.strip()
        if not text:
            return
        if not self.sent or self.sent[-1] != text:
            self.sent.append(text)
        self._history_index = None
        self.clear()
        self.post_message(self.Submitted(text, follow_up))

    def action_submit(self) -> None:
        self._send(False)

    def action_follow_up(self) -> None:
        self._send(True)

    def action_newline(self) -> None:
        self.insert("\n")

    def action_history_prev(self) -> None:
        if self.cursor_location[0] != 0 or not self.sent:
            self.action_cursor_up()
            return
        if self._history_index is None:
            self._draft = self.text
            self._history_index = len(self.sent)
        if self._history_index > 0:
            self._history_index -= 1
            self._load(self.sent[self._history_index])

    def action_history_next(self) -> None:
        last_row = self.document.line_count - 1
        if self.cursor_location[0] != last_row or self._history_index is None:
            self.action_cursor_down()
            return
        self._history_index += 1
        if self._history_index >= len(self.sent):
            self._history_index = None
            self._load(self._draft)
        else:
            self._load(self.sent[self._history_index])

    def _load(self, text: str) -> None:
        self.text = text
        self.move_cursor(self.document.end)

    def action_complete(self) -> None:
        """Tab completes an `@path` at the cursor or a slash command (skills and prompt templates
        included); anywhere else it indents (code typed in the prompt). It never moves the focus
        away: that is what F4/F5/F6/F8 are for."""
        mention = getattr(self.app, "complete_mention", None)
        if mention is not None:
            found = mention(self.text, self.cursor_location)
            if found is not None:  # (text, cursor): `@partial` replaced by the chosen path
                self.text = found[0]
                self.move_cursor(found[1])
                return
        extra = getattr(self.app, "dynamic_commands", lambda: ())()
        done = commands.complete(self.text, getattr(self.app, "argument_choices", None), extra)
        if done is not None:
            self._load(done)
        elif commands.parse(self.text) is None or "\n" in self.text:
            self.insert(INDENT)

    def action_recall(self) -> None:
        self.post_message(self.RecallRequested())

    def put_back(self, text: str) -> None:
        """Put recalled text in front of what is typed, never losing either."""
        current = self.text
        self._load(text if not current.strip() else f"{text}\n{current}")


class SlashHints(Static):
    """The slash commands matching what is typed, shown above the prompt."""

    def show_for(self, text: str, extra: Sequence[commands.SlashCommand] = (),
                 mentions: Text | None = None) -> None:
        if mentions is not None:  # `@` file completion (workbench/tui/project_ui.py)
            self.update(mentions)
            self.display = True
            return
        found = commands.matches(text, extra)
        if not found:
            self.display = False
            return
        line = Text()
        for i, cmd in enumerate(found[:8]):
            if i:
                line.append("   ")
            line.append(f"/{cmd.name}", style="bold")
            if cmd.args:
                line.append(f" {cmd.args}", style="dim")
            if len(found) == 1:
                line.append(f" — {cmd.help}", style="italic")
        self.update(line)
        self.display = True


class PendingBar(Static):
    """Steering and follow-up messages waiting for the agent; alt+up takes them back."""

    def show(self, pending: list[tuple[str, str]]) -> None:
        if not pending:
            self.display = False
            return
        line = Text()
        for kind, text in pending:
            line.append("steer › " if kind == "steer" else "follow-up › ", style="bold")
            line.append(one_line(text, 70) + "\n")
        line.append("alt+up to edit", style="dim italic")
        self.update(line)
        self.display = True
