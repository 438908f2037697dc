"""The prompt's side of the app: a submitted message (sent, queued as steering or a follow-up,
held while the agent starts, or a slash command), typing that lands in the prompt whatever has
the focus, recalling queued messages, and Escape.
"""

from __future__ import annotations

import time
from typing import Any

from textual.widgets import Input, TextArea

from workbench.tui import commands
from workbench.tui.widgets.prompt import PromptInput


class PromptActions:
    """Mixed into WorkbenchApp (tui/app.py): uses its widgets, backend and state. The prompt's messages are handled
    by name (on_prompt_input_*, on_text_area_changed): Textual's @on only registers handlers of a
    widget class's own body."""

    def on_prompt_input_submitted(self, message: PromptInput.Submitted) -> None:
        from workbench.context.shell import parse_shell_escape

        escape = parse_shell_escape(message.text)
        if escape is not None:  # the user's own command: runs now, no approval
            self.project_ui.run_shell(escape)
            return
        if self.project_ui.handles(message.text):  # /skill:NAME, a prompt template
            self._send(message.text, follow_up=message.follow_up)
            return
        parsed = commands.parse(message.text)
        if parsed is not None and parsed[0] in commands.BY_NAME:
            self.run_slash(*parsed)
            return
        if parsed is not None and "\n" not in message.text:
            self.notify(f"No command /{parsed[0]} — F1 lists them", severity="warning")
            self.prompt.put_back(message.text)
            return
        self._send(message.text, follow_up=message.follow_up)

    def _send(self, text: str, *, follow_up: bool = False) -> None:
        backend = self.backend
        if backend is None and self.starting:  # sent as soon as the agent is ready
            self._held_prompts.append(text)
            self.notify("The agent is starting: your message is sent as soon as it is ready — alt+up to edit",
                        timeout=3)
            self._stats_dirty = True
            self._redraw()
            return
        if backend is None:
            self.notify("No agent is running: " + (self.startup_error or "see the message at startup"),
                        severity="error")
            self.prompt.put_back(text)
            return
        resolved = self.project_ui.resolve(text)
        if resolved is None:
            return
        if backend.is_running:
            if resolved.prepared.blocks:
                self.notify("Attachments go with a new message, not a steering one: only the text was sent",
                            severity="warning")
            text = resolved.text
            if follow_up:
                backend.follow_up(text)
                self.notify("Queued as a follow-up (after this run) — alt+up to edit", timeout=3)
            else:
                backend.steer(text)
                self.notify("Steering: delivered after the current step — alt+up to edit", timeout=3)
            self._stats_dirty = True
            self._redraw()
            return
        from workbench.runtime import events as ev

        typed, text = text, resolved.text
        options = ({"content": resolved.prepared.content(), "attachments": resolved.prepared.attached}
                   if resolved.prepared.blocks else {})
        self._echoed_prompts.append(text)
        self.run_worker(self.conversation.handle(ev.UserMessage(text=text, attachments=resolved.prepared.attached)),
                        group="echo")
        try:
            backend.start(text, **options)
        except Exception as exc:
            self._echoed_prompts.remove(text)
            message = getattr(exc, "message", None) or str(exc)
            self.notify(message, title="Could not start", severity="error")
            self.prompt.put_back(typed)
            return
        self.conversation.anchor()
        self._stats_dirty = True

    def on_key(self, event: Any) -> None:
        """A printable key that no widget and no binding used goes to the prompt, whatever has the
        focus (the Approvals pane, the conversation, the mob…): typing is never lost."""
        if len(self.screen_stack) > 1 or not event.is_printable or not event.character:
            return
        focused = self.focused
        prompt = self.prompt
        # A printable key typed in the prompt never reaches the app (the prompt inserts it). One that
        # does while the prompt has the focus was typed in the same burst as a key that moved the
        # focus here, and was already on its way to the pane it left: it is typing too.
        if prompt.disabled or (focused is not prompt and isinstance(focused, (Input, TextArea))):
            return
        bound = self.screen.active_bindings.get(event.key)
        if bound is not None and bound.enabled:
            return
        if self.type_into_prompt(event.character):
            event.stop()

    def type_into_prompt(self, character: str) -> bool:
        """Put a typed character in the prompt and focus it (False: the prompt is off)."""
        if self.prompt.disabled:
            return False
        # Now, not at the next turn of the loop (Widget.focus defers it): the keys of the burst
        # still queued behind this one are then matched against the prompt's bindings, not the
        # pane's (the conversation's r or v would have eaten them).
        self.screen.set_focus(self.prompt)
        self.prompt.insert(character)
        return True

    def on_prompt_input_recall_requested(self) -> None:
        if self.backend is None:
            if self._held_prompts:  # still starting: the waiting messages come back to be edited
                self.prompt.put_back("\n".join(self._held_prompts))
                self._held_prompts.clear()
                self._stats_dirty = True
                self._redraw()
            return
        taken = self.backend.take_pending()
        if taken:
            self.prompt.put_back("\n".join(text for _, text in taken))
            self._stats_dirty = True
            self._redraw()

    def on_text_area_changed(self) -> None:
        if self.prompt.text:
            self._last_typed = time.monotonic()
        self.hints.show_for(self.prompt.text, self.project_ui.dynamic_commands(),
                            self.project_ui.mention_hints(self.prompt.text, self.prompt.cursor_location))

    async def action_interrupt(self) -> None:
        """Escape: stop the run. Never touches what is typed in the prompt."""
        if self.project_ui.interrupt():  # a `!command` first: its whole process group
            self.notify("Command stopped", timeout=2)
            return
        if self.backend is not None and self.backend.is_running:
            await self.backend.interrupt()
            # Steering and follow-ups that never got delivered come back to be edited (as pi does).
            queued = bool(self.backend.pending())
            self.on_prompt_input_recall_requested()
            self.notify("Interrupted — your queued messages are back in the prompt" if queued
                        else "Interrupted — what you typed is still in the prompt", timeout=3)
            self._stats_dirty = True
        elif self.focused is not self.prompt:
            self.prompt.focus()
