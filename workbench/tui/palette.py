"""Command palette provider: every slash command, offered only when it makes sense now."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from workbench.tui.commands import COMMANDS, SlashCommand

if TYPE_CHECKING:
    from workbench.tui.app import WorkbenchApp


class WorkbenchCommands(Provider):
    def _entries(self) -> list[tuple[str, str, object]]:
        app: WorkbenchApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, str, object]] = []
        for cmd in COMMANDS:
            if app.command_available(cmd):
                out.append((f"/{cmd.name}", cmd.help, partial(app.palette_command, cmd)))
        if app.backend is not None:  # the project's skills and prompt templates
            out.extend(app.project_ui.palette_entries())
        for name in app.theme_names():  # the same list /theme completes and names in its error
            if name != app.theme:
                out.append((f"/theme {name}", "switch theme", partial(app.run_slash, "theme", name)))
        if app.mob is not None:  # the mob pane's actions (workbench/tui/mob/controller.py)
            out.extend(app.mob.palette_entries())
        if app.approvals.current is not None:
            for kind, label in (("once", "allow once"), ("session", "allow for this session"),
                                ("always", "always allow (shows the rule)"), ("deny", "deny")):
                out.append((f"approval: {label}", app.approvals.current.tool,
                            partial(app.approvals.action_decide, kind)))
        return out

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]


def needs_argument(cmd: SlashCommand) -> bool:
    return cmd.args.startswith("<")
