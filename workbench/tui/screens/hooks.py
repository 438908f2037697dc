"""The `/hooks` view: every hook, its source file, whether it runs, and its last runs."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from workbench.hooks.overview import HookRow, describe_run
from workbench.tui.sanitize import one_line, safe_text

EMPTY = ("No hooks. Add [[hooks]] tables to config.toml (your own, or a trusted project's "
         ".workbench/config.toml); docs/hooks.md has examples.")


class HooksScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("r", "reload", "Refresh", id="hooks.refresh"),
        Binding("escape,q", "close", "Close", id="hooks.close"),
    ]

    def __init__(self, list_rows: Callable[[], list[HookRow]], sandbox: str | None = None) -> None:
        super().__init__()
        self.list_rows = list_rows
        self.sandbox = sandbox
        self.rows: list[HookRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="hooks") as box:
            box.border_title = "Hooks"
            box.border_subtitle = "↑↓ select · r refresh · Esc close"
            yield DataTable(cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="hooks-detail"):
                yield Static(id="hooks-detail-text")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("id", "point", "state", "last run", "source")
        self.action_reload()

    def action_reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.rows = self.list_rows()
        for row in self.rows:
            last = describe_run(row.runs[0]).split(" · ", 2)[-1] if row.runs else "never"
            table.add_row(safe_text(row.id), safe_text(row.point), row.state, safe_text(one_line(last, 40)),
                          safe_text(row.source))
        self._show(0)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self._show(message.cursor_row)

    def _show(self, index: int) -> None:
        detail = self.query_one("#hooks-detail-text", Static)
        text = Text()
        if self.sandbox:
            text.append(f"{self.sandbox}\n\n", style="bold")
        if not self.rows:
            text.append(EMPTY, style="dim")
            detail.update(text)
            return
        row = self.rows[min(index, len(self.rows) - 1)]
        text.append(f"{row.id}", style="bold")
        text.append(f"  {row.point} · {row.how} · {row.state}\n")
        text.append("sh -c ", style="dim")
        text.append_text(safe_text(row.command))  # a project's command is untrusted text
        text.append(f"\nfrom {row.source}\n\n", style="dim")
        if not row.runs:
            text.append("No runs yet in this session.", style="dim")
        for run in row.runs:
            text.append_text(safe_text(one_line(describe_run(run), 400)))
            text.append("\n")
        detail.update(text)

    def action_close(self) -> None:
        self.dismiss(None)


def open_hooks(app: object) -> None:
    """Show the view for the app's current session (its hooks and sandbox as it was built)."""
    from workbench.hooks.overview import rows

    sessions = getattr(app, "sessions", None)
    session_hooks = getattr(sessions, "hooks", None)
    backend = getattr(app, "backend", None)
    extra = getattr(getattr(backend, "agent", None), "tool_extra", None) or {}
    sandbox = extra.get("sandbox")
    status = sandbox.status_text() if sandbox is not None else None
    app.push_screen(HooksScreen(lambda: rows(session_hooks), status))  # type: ignore[attr-defined]
