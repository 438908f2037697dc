"""Trust this project? Asked once per project (and again when its config files change) before the
agent starts, listing exactly what the project's own configuration would change or start.

Trust records the project (workbench.trust); Not now keeps it untrusted for this run: its files
may only tighten, and a notice says what was ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench import trust
from workbench.tui.sanitize import safe_text, sanitize

_KINDS = {"setting": "setting", "mcp_server": "MCP server", "hook": "hook"}


class TrustScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("t", "answer(True)", "Trust", id="trust.yes"),
        Binding("n,escape", "answer(False)", "Not now", id="trust.no"),
    ]

    def __init__(self, workspace: Path, items: list[trust.TrustItem]) -> None:
        super().__init__()
        self.workspace = workspace
        self.items = items

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog trust") as box:
            box.border_title = "Trust this project?"
            box.border_subtitle = "t trust · n / Esc not now"
            body = Text()
            body.append("This folder's own configuration asks for more than it may take by itself:\n", style="bold")
            body.append_text(safe_text(str(self.workspace)))
            body.append("\n\n")
            source = None
            for item in self.items:  # grouped by file, in the order the subsystems list them
                shown = trust.relative_source(self.workspace, item)
                if shown != source:
                    body.append("\n" if source is not None else "")
                    body.append_text(safe_text(shown, "underline"))
                    body.append("\n")
                    source = shown
                body.append(f"  {_KINDS.get(item.kind, item.kind):<10} ", style="dim")
                body.append_text(safe_text(item.summary, "bold"))
                body.append("\n")
            body.append("\nTrust only a project whose files you wrote or checked: these settings can send "
                        "your API key elsewhere, approve commands and start programs.\n", style="")
            body.append("t  trust (remembered until one of these files changes)\n"
                        "n  not now: the project's files may only tighten in this run", style="dim")
            yield Static(body)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def ask_trust(app: Any, workspace: Path, then: Callable[[], None], *, override: bool = False) -> None:
    """Show the dialog when the project's configuration waits for trust, then call `then` (the
    agent starts after the answer, so it starts with the settings the user chose). `override`:
    `--trust-project`, trusted for this run without asking."""
    try:
        items = [] if trust.is_trusted(workspace, override=override) else trust.describe(workspace)
    except OSError:
        items = []
    if not items:
        then()
        return

    def answered(yes: bool | None) -> None:
        if yes:
            try:
                trust.trust(workspace)
            except OSError as exc:
                app.notify(f"Could not record the trust ({exc}): the project stays untrusted; "
                           "--trust-project trusts it for one run.", title="Trust", severity="error", timeout=12)
        else:
            app.notify(ignored_notice(items), title="Project configuration", severity="warning", timeout=12)
        then()

    app.push_screen(TrustScreen(workspace, items), answered)


def ignored_notice(items: list[trust.TrustItem]) -> str:
    """One plain-text notice (the app's notify never reads markup) of what stays ignored."""
    shown = "; ".join(sanitize(item.summary) for item in items[:4]) + (f" (and {len(items) - 4} more)" if len(items) > 4 else "")
    return f"Project not trusted — ignored: {shown}. Trust it with --trust-project, or answer t when asked next time."
