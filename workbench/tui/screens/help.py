"""The help screen, generated from the bindings in force (after the user's [keys] remapping)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench.tui.commands import COMMANDS


@dataclass(frozen=True)
class KeyRow:
    where: str
    binding_id: str
    keys: str
    description: str


def binding_rows(app: App, owners: list[tuple[str, type]]) -> list[KeyRow]:
    """Every binding with an id of each owner class, with the keys the keymap gives it now."""
    keymap: dict[str, str] = dict(getattr(app, "_keymap", {}) or {})
    rows = []
    for where, cls in owners:
        for b in cls.BINDINGS:
            if not isinstance(b, Binding) or not b.id:
                continue
            keys = keymap.get(b.id, b.key)
            shown = ", ".join(app.get_key_display(Binding(k.strip(), b.action)) for k in keys.split(","))
            rows.append(KeyRow(where, b.id, shown, b.description or b.action))
    return rows


def help_table(rows: list[KeyRow]) -> Table:
    table = Table(box=None, expand=True, show_header=True, header_style="bold", padding=(0, 1))
    table.add_column("where", no_wrap=True)
    table.add_column("keys", no_wrap=True, style="bold")
    table.add_column("action")
    table.add_column("id ([keys] in config.toml)", style="dim", no_wrap=True)
    for r in rows:
        table.add_row(r.where, r.keys, r.description, r.binding_id)
    return table


def commands_table() -> Table:
    table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for c in COMMANDS:
        table.add_row(f"/{c.name} {c.args}".rstrip(), c.help)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1", "close", "Close", id="help.close")]

    def __init__(self, rows: list[KeyRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="help") as scroll:
            scroll.border_title = "Keys and commands"
            scroll.border_subtitle = "Esc close"
            yield Static(help_table(self.rows))
            yield Static(Text("\nSlash commands (type / in the prompt; also in the palette, ctrl+p)", style="bold"))
            yield Static(commands_table())

    def action_close(self) -> None:
        self.dismiss(None)
