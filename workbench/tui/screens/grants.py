"""The grants screen: saved "always" rules (project and user), deletable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from rich.text import Text

from workbench.tui.sanitize import safe_text


@dataclass(frozen=True)
class Grant:
    scope: str  # "project" | "user"
    kind: str   # "allow" | "ask" | "deny"
    rule: str
    where: str  # the file it lives in


class GrantsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("delete,x,backspace", "delete", "Delete rule", id="grants.delete"),
        Binding("escape,q", "close", "Close", id="grants.close"),
    ]

    def __init__(self, list_grants: Callable[[], list[Grant]], remove: Callable[[Grant], None]) -> None:
        super().__init__()
        self.list_grants = list_grants
        self.remove_grant = remove  # not `self.remove`: that is Widget.remove(), called on dismiss
        self.grants: list[Grant] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="grants") as box:
            box.border_title = "Saved approval rules"
            box.border_subtitle = "x / Delete remove · Esc close"
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Static(id="grants-empty")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("scope", "kind", "rule", "file")
        self.reload()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.grants = self.list_grants()
        for g in self.grants:
            table.add_row(g.scope, g.kind, safe_text(g.rule), safe_text(g.where))
        empty = self.query_one("#grants-empty", Static)
        empty.update(Text("No saved rules. Answer an approval with a (always) to add one.", style="dim")
                     if not self.grants else "")

    def action_delete(self) -> None:
        table = self.query_one(DataTable)
        if not self.grants:
            return
        grant = self.grants[table.cursor_row]
        try:
            self.remove_grant(grant)
        except Exception as exc:  # a file we cannot write: say so, keep the list as it is
            self.notify(f"Could not remove {grant.rule}: {exc}", severity="error")
            return
        self.notify(f"Removed {grant.kind} rule {grant.rule} ({grant.scope})")
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
