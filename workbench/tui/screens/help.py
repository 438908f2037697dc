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
    seen: set[str] = set()  # a binding shared by several screens is listed once, under the first
    for where, cls in owners:
        for b in cls.BINDINGS:
            if not isinstance(b, Binding) or not b.id or b.id in seen:
                continue
            seen.add(b.id)
            keys = keymap.get(b.id, b.key)
            shown = ", ".join(app.get_key_display(Binding(k.strip(), b.action)) for k in keys.split(","))
            rows.append(KeyRow(where, b.id, shown, b.description or b.action))
    return rows


WIDE_HELP = 96  # content columns from which the binding id gets a column of its own


def help_table(rows: list[KeyRow], width: int = 120) -> Table:
    """Keys grouped under where they work. Wide: keys | action | id; narrow (80 columns): the id
    follows the action (wrapping if it must), so no column is ever squeezed out. Headers are Text: `[keys]` would
    be read as markup in a plain string."""
    wide = width >= WIDE_HELP
    table = Table(box=None, expand=True, show_header=True, header_style="bold", padding=(0, 1))
    table.add_column(Text("keys"), no_wrap=True, style="bold")
    table.add_column(Text("action"), ratio=1, min_width=12)
    if wide:
        table.add_column(Text("id ([keys] in config.toml)"), style="dim", no_wrap=True)
    where = None
    for r in rows:
        if r.where != where:
            where = r.where
            heading = Text(where, style="bold underline")
            table.add_row(heading, "", "") if wide else table.add_row(heading, "")
        if wide:
            table.add_row(Text(r.keys), Text(r.description), Text(r.binding_id))
        else:
            table.add_row(Text(r.keys), Text.assemble(r.description, "  ", (r.binding_id, "dim")))
    return table


def commands_table(width: int = 120) -> Table:
    table = Table(box=None, expand=True, show_header=False, padding=(0, 1))
    table.add_column(style="bold", ratio=1 if width < WIDE_HELP else None)
    table.add_column(ratio=1, min_width=12)
    for c in COMMANDS:
        table.add_row(Text(f"/{c.name} {c.args}".rstrip()), Text(c.help))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1", "close", "Close", id="help.close")]

    def __init__(self, rows: list[KeyRow]) -> None:
        super().__init__()
        self.rows = rows
        self._drawn_for = -1  # the width the tables were laid out for

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="help") as scroll:
            scroll.border_title = "Keys and commands"
            scroll.border_subtitle = "Esc close"
            yield Static(id="help-keys")
            yield Static(Text("\nSlash commands (type / in the prompt; also in the palette, ctrl+p)", style="bold"))
            yield Static(id="help-commands")

    def on_mount(self) -> None:
        self.call_after_refresh(self._draw)

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.query_one("#help", VerticalScroll).content_size.width or self.size.width
        if width != self._drawn_for:
            self._drawn_for = width
            self.query_one("#help-keys", Static).update(help_table(self.rows, width))
            self.query_one("#help-commands", Static).update(commands_table(width))

    def action_close(self) -> None:
        self.dismiss(None)
