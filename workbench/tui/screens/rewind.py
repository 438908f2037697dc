"""The rewind preview: what restoring an entry would do, before anything changes.

Lists the files that would be added back, modified back or deleted (with who changed them since,
in a mob), the diff of any file on demand, and the conflicts — files changed outside the agent
since its last checkpoint — which are kept unless the user marks them to be overwritten. The
user then picks what to rewind, as in Claude Code: the files, the conversation, or both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench.checkpoints.rewind import RestorePlan
from workbench.tui.sanitize import one_line
from workbench.tui.widgets.file_changes import FileChanges, FileRow

RewindMode = Literal["files", "conversation", "both"]
KEPT = "changed outside the agent: kept (o overwrites)"
OVERWRITE = "changed outside the agent: will be OVERWRITTEN (o keeps)"


@dataclass
class RewindChoice:
    mode: RewindMode
    overwrite: set[str] = field(default_factory=set)  # conflicts the user chose to overwrite


class RewindScreen(ModalScreen[RewindChoice | None]):
    DEFAULT_CSS = """
    RewindScreen { align: center middle; }
    RewindScreen > #rewind { width: 92%; height: 90%; border: round $warning; background: $surface; padding: 0 1; }
    RewindScreen #rewind-head { height: auto; margin-bottom: 1; }
    RewindScreen #rewind-keys { dock: bottom; color: $text-muted; height: auto; }
    """

    BINDINGS = [
        Binding("f", "choose('files')", "Restore files", id="rewind.files"),
        Binding("b", "choose('both')", "Files + conversation", id="rewind.both"),
        Binding("c", "choose('conversation')", "Conversation only", id="rewind.conversation"),
        Binding("o", "toggle_overwrite", "Overwrite/keep conflict", id="rewind.overwrite"),
        Binding("escape,q", "cancel", "Cancel", id="rewind.cancel"),
    ]

    def __init__(self, plan: RestorePlan, entry_text: str, load_diff: Callable[[str], Awaitable[str]], *,
                 can_branch: bool = True) -> None:
        super().__init__()
        self.plan = plan
        self.entry_text = entry_text
        self.can_branch = can_branch
        self.overwrite: set[str] = set()
        self.rows = [FileRow(f.status, f.path, f"changed by {', '.join(f.agents)}" if f.agents else "",
                             KEPT if f.conflict else "") for f in plan.files]
        self.changes = FileChanges(self.rows, load_diff,
                                   empty="the workspace already has these files: nothing to restore",
                                   id="rewind-files")

    def compose(self) -> ComposeResult:
        with Vertical(id="rewind"):
            yield Static(self._head(), id="rewind-head")
            yield self.changes
            yield Static(self._keys(), id="rewind-keys")

    def on_mount(self) -> None:
        self.changes.option_list.focus()

    def _head(self) -> Text:
        plan = self.plan
        counts = plan.counts()
        head = Text()
        head.append("Rewind to ", style="bold")
        head.append(one_line(self.entry_text, 100))
        head.append(f"  ({plan.entry_id})\n", style="dim")
        if not plan.files:
            head.append("The files are already as they were there.", style="green")
        else:
            head.append(f"{len(plan.files)} file(s) would change: ")
            head.append(f"{counts['A']} back", style="green")
            head.append(" · ")
            head.append(f"{counts['M']} modified back", style="yellow")
            head.append(" · ")
            head.append(f"{counts['D']} deleted", style="red")
        if plan.conflicts:
            head.append(f"\n⚠ {len(plan.conflicts)} changed outside the agent since its last checkpoint: kept "
                        "unless you press o on them", style="bold red")
        if not plan.exact:
            head.append("\nNo checkpoint before this entry: these are the files before the first tool call "
                        "that changed any.", style="dim")
        if plan.skipped:
            head.append(f"\n{len(plan.skipped)} file(s) over the size limit are not captured and stay as they are: "
                        + ", ".join(one_line(p, 40) for p, _ in plan.skipped[:3])
                        + ("…" if len(plan.skipped) > 3 else ""), style="dim")
        head.append("\nThe files as they are now are checkpointed first: restoring the entry you are on undoes it.",
                    style="dim")
        return head

    def _keys(self) -> Text:
        keys = Text()
        for key, label in (("f", "files only"), ("b", "files + conversation"), ("c", "conversation only")):
            if key != "f" and not self.can_branch:
                continue
            keys.append(f" {key} ", style="bold reverse")
            keys.append(f" {label}   ")
        keys.append("↑↓ file · enter diff · o overwrite/keep a conflict · esc cancel", style="dim")
        return keys

    def action_toggle_overwrite(self) -> None:
        row = self.changes.highlighted()
        if row is None or not row.warning:
            self.notify("Only a file changed outside the agent (⚠) can be kept or overwritten.", timeout=3)
            return
        index = self.rows.index(row)
        if row.path in self.overwrite:
            self.overwrite.discard(row.path)
            self.rows[index] = FileRow(row.status, row.path, row.note, KEPT)
        else:
            self.overwrite.add(row.path)
            self.rows[index] = FileRow(row.status, row.path, row.note, OVERWRITE)
        self.changes.rows = self.rows
        self.changes.refresh_row(index)

    def action_choose(self, mode: RewindMode) -> None:
        if mode != "files" and not self.can_branch:
            self.notify("This session is read-only: only its files can be restored.", severity="warning")
            return
        self.dismiss(RewindChoice(mode, set(self.overwrite)))

    def action_cancel(self) -> None:
        self.dismiss(None)
