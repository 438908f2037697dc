"""The project in the TUI: the start notice (context files, skills), `/context` and `/reload`,
`/skill:NAME` and prompt templates in completion and the palette, `@` file completion, and the
user's `!command` shown as a bash card (Esc stops it).

The logic lives in workbench/context (shared with headless mode and mobs); this module only
connects it to the app's widgets.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from workbench.tui.commands import SlashCommand
from workbench.tui.sanitize import one_line

if TYPE_CHECKING:
    from workbench.context.fileindex import FileIndex
    from workbench.context.prompts import ResolvedPrompt
    from workbench.context.shell import ShellEscape

_MENTION_AT_CURSOR = re.compile(r'(?:^|(?<=[\s(\[{"\']))@([^\s"\'()\[\]{},;]*)$')
HINT_ROWS = 8


class ProjectUi:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.index: FileIndex | None = None
        self.shell_task: asyncio.Task[Any] | None = None

    # --- what the session knows ------------------------------------------------------------------

    @property
    def agent(self) -> Any:
        return getattr(self.app.backend, "agent", None)

    @property
    def project(self) -> Any:
        return getattr(self.agent, "project", None)

    def workspace(self) -> Path:
        return Path(getattr(self.agent, "cwd", None) or self.app.cwd)

    def begin(self) -> None:
        """A session is shown (start, /new, /resume): index its workspace for `@` (in a thread)."""
        from workbench.context.fileindex import FileIndex

        root = self.workspace().resolve()
        if self.index is None or self.index.root != root:
            self.index = FileIndex(root).start()

    def summary(self) -> list[str]:
        project = self.project
        if project is None:
            return []
        lines = project.summary_lines()
        if lines:
            lines.append(f"system prompt: ~{_tokens(self.agent.system_prompt)} tokens — /context shows it")
        return lines

    def dynamic_commands(self) -> list[SlashCommand]:
        """`/skill:NAME` for each skill and `/NAME` for each prompt template, after the built-ins."""
        project = self.project
        if project is None:
            return []
        out = [SlashCommand(f"skill:{s.name}", "[arguments]", one_line(s.description, 80))
               for s in project.skills.ordered()]
        out += [SlashCommand(t.name, t.argument_hint or "[arguments]", one_line(t.description or "prompt template", 80))
                for t in project.templates.ordered()]
        return out

    def palette_entries(self) -> list[tuple[str, str, Any]]:
        out = []
        for cmd in self.dynamic_commands():
            out.append((f"/{cmd.name}", cmd.help, lambda name=cmd.name: self._fill_prompt(f"/{name} ")))
        return out

    def _fill_prompt(self, text: str) -> None:
        prompt = self.app.prompt
        prompt.text = text
        prompt.move_cursor(prompt.document.end)
        prompt.focus()

    def handles(self, text: str) -> bool:
        """A `/skill:…` or prompt-template command: sent (expanded) like a prompt."""
        if not text.startswith("/"):
            return False
        head = text[1:].split(None, 1)[0] if text[1:].strip() else ""
        project = self.project
        return head.startswith("skill:") or (project is not None and project.templates.get(head) is not None)

    # --- sending -------------------------------------------------------------------------------

    def resolve(self, text: str) -> ResolvedPrompt | None:
        """Skills, templates, `@mentions` and pasted images resolved; None (with the reason shown
        and the text back in the prompt) when it cannot be sent."""
        from workbench.context.prompts import resolve_prompt
        from workbench.context.templates import TemplateArgumentError
        from workbench.errors import WorkbenchError

        try:
            resolved = resolve_prompt(text, self.project, self.workspace())
        except (WorkbenchError, TemplateArgumentError) as exc:
            self.app.notify(getattr(exc, "message", None) or str(exc), title="Not sent", severity="error")
            self.app.prompt.put_back(text)
            return None
        for note in resolved.prepared.notes:
            self.app.notify(note, title="Attachment", severity="warning", timeout=8)
        return resolved

    # --- `!command` ----------------------------------------------------------------------------

    def run_shell(self, escape: ShellEscape) -> None:
        if self.shell_task is not None and not self.shell_task.done():
            self.app.notify("A command is already running: Esc stops it", severity="warning")
            self.app.prompt.put_back(("!!" if escape.exclude_from_context else "!") + escape.command)
            return
        self.shell_task = asyncio.ensure_future(self._shell(escape))

    async def _shell(self, escape: ShellEscape) -> None:
        from workbench.context.shell import run_shell_escape
        from workbench.tui.widgets.conversation import build_block
        from workbench.tui.widgets.conversation_specs import CardSpec

        conversation = self.app.conversation
        who = "you · not in context" if escape.exclude_from_context else "you"
        card: Any = build_block(CardSpec(f"bang-{time.monotonic_ns()}", "bash", {"command": escape.command}, who,
                                         "running"), conversation.clock)
        await conversation.add_block(card)
        card.set_status("running")
        conversation.anchor()
        shown: list[str] = []
        last = 0.0

        def output(chunk: str) -> None:
            nonlocal last
            shown.append(chunk)
            now = time.monotonic()
            if now - last > 0.2:  # a chatty command must not redraw the card per line
                last = now
                card.set_result("".join(shown)[-20_000:], is_error=False)
                card.result_box.collapsed = False

        sandbox = (getattr(self.agent, "tool_extra", None) or {}).get("sandbox")
        checkpoints = getattr(self.agent, "checkpoints", None)
        if checkpoints is not None and not self.agent.is_running:  # the files before it, for rewind
            await checkpoints.before_user_command(self.agent)
        started = time.monotonic()
        message = await run_shell_escape(escape, self.workspace(), on_output=output, sandbox=sandbox)
        from workbench.tui.widgets.conversation_specs import bash_execution_spec

        final = bash_execution_spec(message)
        card.set_result(final.result or "", is_error=final.is_error)
        card.result_box.collapsed = False
        card.set_status(final.status, duration_ms=int((time.monotonic() - started) * 1000))
        agent = self.agent
        if agent is not None and hasattr(agent, "record_bash_execution"):
            await agent.record_bash_execution(message)  # after the run, if one is going
            self.app.refresh_now()

    def interrupt(self) -> bool:
        """Esc: stop a running `!command` (its whole process group). True if there was one."""
        task = self.shell_task
        if task is None or task.done():
            return False
        task.cancel()
        return True

    # --- `@` file completion -------------------------------------------------------------------

    @staticmethod
    def mention_at(text: str, cursor: tuple[int, int]) -> tuple[int, int, str] | None:
        """(row, column where `@` is, the partial path) when the cursor ends an `@partial`."""
        row, col = cursor
        lines = text.split("\n")
        if row >= len(lines):
            return None
        match = _MENTION_AT_CURSOR.search(lines[row][:col])
        return (row, match.start(), match.group(1)) if match else None

    def mention_hints(self, text: str, cursor: tuple[int, int]) -> Text | None:
        found = self.mention_at(text, cursor)
        if found is None or self.index is None:
            return None
        if not self.index.ready:
            return Text("@ indexing the workspace's files…", style="dim italic")
        matches = self.index.query(found[2], limit=HINT_ROWS)
        if not matches:
            return Text(f"@{found[2]}: no file matches", style="dim italic")
        line = Text()
        for i, m in enumerate(matches):
            if i:
                line.append("   ")
            line.append("@" + one_line(m.path, 60), style="bold" if i == 0 else "")
        line.append("   Tab completes", style="dim italic")
        return line

    def complete_mention(self, text: str, cursor: tuple[int, int]) -> tuple[str, tuple[int, int]] | None:
        found = self.mention_at(text, cursor)
        if found is None or self.index is None or not self.index.ready:
            return None
        row, start, partial = found
        matches = self.index.query(partial, limit=HINT_ROWS)
        if not matches:
            return None
        paths = [m.path for m in matches]
        choice = paths[(paths.index(partial) + 1) % len(paths)] if partial in paths else paths[0]
        if " " in choice:
            choice = f'"{choice}"'
        lines = text.split("\n")
        line = lines[row]
        new = line[:start] + "@" + choice + ("" if choice.endswith("/") else " ")
        lines[row] = new + line[cursor[1]:]
        return "\n".join(lines), (row, len(new))

    # --- /context and /reload --------------------------------------------------------------------

    def show_context(self) -> None:
        from workbench.tui.screens.context_view import ContextView

        agent = self.agent
        if agent is None:
            self.app.notify("No agent: no system prompt to show", severity="warning")
            return
        project = self.project
        lines = (project.summary_lines() if project is not None else []) or ["no context files and no skills"]
        lines.append(f"the whole system prompt: ~{_tokens(agent.system_prompt)} tokens, "
                     f"{len(agent.system_prompt.encode('utf-8')):,} bytes")
        self.app.push_screen(ContextView(lines, agent.system_prompt))

    async def reload(self) -> None:
        project = self.project
        if project is None:
            self.app.notify("No agent: nothing to reload", severity="warning")
            return
        await asyncio.to_thread(project.reload)
        if self.index is not None:
            self.index.refresh()
        await self.notice()
        self.app.notify("Context files, skills and prompt templates read again", timeout=3)

    async def notice(self) -> None:
        """The start-of-session line: which files were loaded (tokens), skills, problems."""
        lines = self.summary()
        if lines:
            from workbench.tui.widgets.conversation import Notice

            await self.app.conversation.add_block(Notice("\n".join(lines), "info"))


def _tokens(text: str) -> str:
    from workbench.context.files import estimate_tokens

    return f"{estimate_tokens(text):,}"
