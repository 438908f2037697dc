"""The slash commands (/model, /mode, /export, /resume...): what each does, and when it is offered.

The command table (names, help, arguments) is tui/commands.py; the handlers are here, as
`_slash_NAME(arg)` methods that `run_slash` finds by name. A handler raises ValueError to say
what is wrong with the argument (shown as a notice), never a traceback.
"""

from __future__ import annotations

import asyncio
import difflib
from pathlib import Path
from typing import Any, Callable

from rich.text import Text

from workbench.tui import commands
from workbench.tui import format as fmt
from workbench.tui.backend import Limits, PathEntry, current_entry_id
from workbench.tui.commands import SlashCommand
from workbench.tui.palette import needs_argument
from workbench.tui.sanitize import one_line
from workbench.tui.screens import dialogs_module

MODES = ("ask", "edits", "plan", "yolo")
STARTING_COMMANDS = frozenset({"help", "theme", "quit"})  # what works before the agent is set up


class SlashCommands:
    """Mixed into WorkbenchApp (tui/app.py): uses its widgets, backend and state."""

    def _slash_mob(self, arg: str) -> Any:
        from workbench.tui.mob.controller import slash_mob

        return slash_mob(self, arg)

    def command_available(self, cmd: SlashCommand) -> bool:
        if self.starting and cmd.name not in STARTING_COMMANDS:
            return False  # the session and the agent are not there yet (and /mob would race them)
        running = self.backend is not None and self.backend.is_running
        if cmd.needs_idle and running:
            return False
        if cmd.name in ("new", "resume", "fork") and self.sessions is None:
            return False
        if cmd.name == "grants" and self.grant_source is None:
            return False
        if cmd.needs_session and self.backend is None:
            return False
        if cmd.name in ("model", "mode", "compact", "budget", "export", "label", "name", "tree", "agent", "var",
                        "journey", "why") and self.backend is None:
            return False
        return True

    def palette_command(self, cmd: SlashCommand) -> None:
        if needs_argument(cmd) and cmd.name != "theme":
            self.prompt.text = f"/{cmd.name} "
            self.prompt.move_cursor(self.prompt.document.end)
            self.prompt.focus()
        else:
            self.run_slash(cmd.name, "")

    def run_slash(self, name: str, arg: str) -> None:
        cmd = commands.BY_NAME[name]
        if not self.command_available(cmd):
            why = ("while the agent runs" if cmd.needs_idle and self.backend and self.backend.is_running
                   else "yet: the agent is starting" if self.starting else "here")
            self.notify(f"/{name} is not available {why}", severity="warning")
            return
        handler: Callable[[str], Any] = getattr(self, f"_slash_{name}")
        try:
            result = handler(arg)
            if asyncio.iscoroutine(result):
                self.run_worker(result, group="slash")
        except ValueError as exc:
            self.notify(f"/{name}: {exc}", severity="error")

    def _slash_context(self, arg: str) -> None:
        self.project_ui.show_context()

    def _slash_reload(self, arg: str) -> Any:
        return self.project_ui.reload()

    def dynamic_commands(self) -> list[SlashCommand]:
        return self.project_ui.dynamic_commands()

    def complete_mention(self, text: str, cursor: tuple[int, int]) -> tuple[str, tuple[int, int]] | None:
        return self.project_ui.complete_mention(text, cursor)

    def _slash_mcp(self, arg: str) -> Any:
        return self.mcp.command(arg)

    def _slash_help(self, arg: str) -> None:
        self.action_help()

    async def _slash_quit(self, arg: str) -> None:
        await self.action_quit()

    def _slash_grants(self, arg: str) -> None:
        self.action_grants()

    def _slash_hooks(self, arg: str) -> None:
        from workbench.tui.screens.hooks import open_hooks

        open_hooks(self)

    def theme_names(self) -> list[str]:
        """The one list of themes that /theme, its completion, its error, the palette and the
        picker offer: the bundled and user theme files first, then Textual's built-ins."""
        ours = sorted(self.bundled_or_user_themes)
        return ours + sorted(set(self.available_themes) - set(ours))

    def argument_choices(self, command: str) -> list[str]:
        """What Tab completes after `/command `."""
        if command == "theme":
            return self.theme_names()
        if command == "mode":
            return list(MODES)
        if command == "mcp":
            return self.mcp.choices()
        if command in ("agent", "var", "journey"):
            return self.playbook_ui.argument_choices(command)
        return []

    def _slash_theme(self, arg: str) -> None:
        if not arg:
            self.action_change_theme()
            return
        if arg not in self.available_themes:
            names = self.theme_names()
            close = difflib.get_close_matches(arg, names, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ValueError(f"no theme '{arg}'; {hint}themes: {', '.join(names)}")
        self.theme = arg
        self.notify(f"Theme {arg}", timeout=2)

    def _slash_mode(self, arg: str) -> None:
        if arg not in MODES:
            raise ValueError(f"expected one of {', '.join(MODES)}")
        assert self.backend is not None
        self.backend.set_mode(arg)
        self.notify(f"Approval mode {arg}" + (" — tools run WITHOUT asking" if arg == "yolo" else ""),
                    severity="warning" if arg == "yolo" else "information")
        self.refresh_now()

    def _slash_model(self, arg: str) -> None:
        if not arg:
            raise ValueError("give a model name, e.g. /model claude-sonnet-4-5")
        assert self.backend is not None
        before = self.backend.stats().provider
        self.backend.set_model(arg)  # ValueError: refused, with what to do (shown by run_slash)
        after = self.backend.stats()
        moved = f" — now on {after.provider}" if after.provider and after.provider != before else ""
        self.notify(f"Model {after.model or arg}{moved}", timeout=3)
        self.refresh_now()

    def _slash_budget(self, arg: str) -> None:
        assert self.backend is not None
        current = self.backend.stats().limits
        changes = commands.parse_budget(arg)
        values = {f: getattr(current, f) for f in ("tokens", "cost", "turns", "tool_calls", "duration")}
        for key, value in changes.items():
            values[key] = None if value is None else (value if key in ("cost", "duration") else int(value))
        self.backend.set_limits(Limits(**values))
        self.notify("Limits for this session: " + ", ".join(fmt.limit(k, v) for k, v in changes.items()),
                    timeout=4)
        self.refresh_now()

    async def _slash_compact(self, arg: str) -> None:
        assert self.backend is not None
        check = getattr(self.backend, "can_compact", None)  # the runtime says if there is anything to do
        if check is not None:
            possible, what = check()
            if not possible:
                self.notify(what[:1].upper() + what[1:], title="Nothing to compact", timeout=6)
                return
            self.notify(what[:1].upper() + what[1:], title="Compacting", timeout=4)
        try:
            await self.backend.compact(arg or None)
        except Exception as exc:
            self.notify(f"Compaction failed: {exc}", severity="error")
        self.refresh_now()

    def _slash_name(self, arg: str) -> None:
        if not arg:
            raise ValueError("give a name, e.g. /name refactor auth")
        assert self.backend is not None
        self.backend.set_name(arg)
        self.notify(f"Session named {arg}", timeout=2)
        self.refresh_now()

    def _slash_label(self, arg: str) -> None:
        assert self.backend is not None
        if self.session_tree is not None and not arg:  # the tree's label dialog, on the current entry
            self.action_focus_tree()
            self.session_tree.label_at(current_entry_id(self.session_tree.manager))
            return
        entry = self.backend.set_label(arg or None)
        if entry is None:
            raise ValueError("the session has no entries to label yet")
        self.notify(f"Label {'cleared' if not arg else repr(arg)} on {entry[:8]}", timeout=3)
        self.refresh_now()

    def _slash_rewind(self, arg: str) -> None:
        tree = self.session_tree
        if tree is None:
            raise ValueError("the Session pane is not ready yet")
        self.action_focus_tree()
        tree.rewind_at(arg.strip() or tree.view.selected_id)

    def _slash_tree(self, arg: str) -> None:
        assert self.backend is not None
        if self.session_tree is not None:
            self.action_focus_tree()
            return
        rows: list[PathEntry] = self.backend.path_entries()
        text = Text()
        for r in rows:
            text.append(f"{r.entry_id[:8]} ", style="dim")
            text.append(f"{r.role:<11} ", style="bold")
            if r.label:
                text.append(f"[{one_line(r.label, 20)}] ", style="italic")
            text.append(one_line(r.summary, 120) + "\n")
        self.push_screen(dialogs_module().TextScreen("Active path", text if rows else Text("Empty session.")))

    def _slash_export(self, arg: str) -> None:
        assert self.backend is not None
        stats = self.backend.stats()
        fmt, _, rest = arg.partition(" ")
        if fmt not in ("html", "md"):  # `/export [file]`: the format from the file name, Markdown by default
            fmt, rest = ("html" if arg.lower().endswith((".html", ".htm")) else "md"), arg
        rest = rest.strip()
        default = f"session-{(stats.session_id or 'export')[:8]}.{fmt}"
        target = Path(rest).expanduser() if rest else self.cwd / default
        if not target.is_absolute():
            target = self.cwd / target
        if target.exists():
            raise ValueError(f"{target} exists; give another file name")
        if fmt == "html":
            from workbench.export.html import export_html
            from workbench.export.theme import theme_colours

            text = export_html(self.backend.manager, colours=theme_colours(self.theme))
        else:
            model = f"{stats.provider}/{stats.model}" if stats.provider and stats.model else stats.model or None
            from workbench.tui.export import export_markdown  # only /export needs it, not the first frame

            text = export_markdown(self.backend.history(), session_id=stats.session_id, name=stats.session_name,
                                   cwd=str(self.cwd), model=model)
        try:
            with target.open("x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
                out.write(text)
        except OSError as exc:
            raise ValueError(f"could not write {target}: {exc.strerror or exc}") from None
        self.notify(f"Exported to {target}", timeout=4)

    def _slash_new(self, arg: str) -> None:
        assert self.sessions is not None
        mode = self.backend.stats().mode if self.backend is not None else None
        backend = self.sessions.new()
        if mode and backend.stats().mode != mode:  # the approval mode chosen here carries over
            backend.set_mode(mode)
        self.switch_backend(backend)

    def _slash_fork(self, arg: str) -> None:
        assert self.sessions is not None and self.backend is not None
        if self.session_tree is not None:  # at the current entry: the prompt's /fork, not a stale tree cursor
            self.session_tree.fork_at(current_entry_id(self.session_tree.manager))
            return
        self.switch_backend(self.sessions.fork(self.backend))
        self.notify("Forked: you are now in the new session", timeout=3)

    def _slash_resume(self, arg: str) -> None:
        assert self.sessions is not None
        if not arg and hasattr(self.sessions, "store"):
            self.action_resume()
            return
        if arg:
            try:
                self.switch_backend(self.sessions.open(arg))
            except Exception as exc:
                raise ValueError(str(exc)) from None
            return
        rows = self.sessions.list_sessions()
        text = Text()
        for sid, modified, first in rows:
            text.append(f"{sid[:8]} ", style="bold")
            text.append(f"{modified}  ", style="dim")
            text.append(one_line(first, 100) + "\n")
        if not rows:
            text = Text("No sessions in this directory yet.")
        else:
            text.append("\n/resume <id-prefix> opens one", style="dim")
        self.push_screen(dialogs_module().TextScreen("Sessions", text))
