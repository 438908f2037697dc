"""The Session and Mob panes: titled containers other issues mount richer widgets into."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from workbench.tui.backend import PathEntry
from workbench.tui.sanitize import one_line

ROLE_MARK = {"user": "›", "assistant": "◆", "toolResult": "⚙", "bashExecution": "$", "compaction": "⇲",
             "branch": "⑂", "model": "⚑", "custom": "•"}


class PathList(Static):
    """The active path of the session as a compact list: role mark + one-line summary."""

    def show(self, rows: list[PathEntry], width: int = 30) -> None:
        if not rows:
            self.update(Text("Empty session: the first message starts it.", style="dim"))
            return
        out = Text()
        for row in rows:
            out.append(f"{ROLE_MARK.get(row.role, '·')} ", style="bold")
            if row.label:
                out.append(f"[{one_line(row.label, 12)}] ", style="italic")
            out.append(one_line(row.summary, max(8, width - 4)) + "\n")
        out.rstrip()
        self.update(out)


class _BodyPane(Vertical):
    """A titled pane whose content widget can be swapped."""

    def __init__(self, title: str, body: Widget, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self.body = body

    def compose(self):
        yield self.body

    async def set_body(self, widget: Widget) -> None:
        """Replace the pane's content (e.g. the session tree of issue 6, the mob graph of issue 7)."""
        old = self.body
        self.body = widget
        await self.mount(widget)
        await old.remove()


class SessionPane(_BodyPane):
    def __init__(self, *, id: str | None = None) -> None:
        self.path_list = PathList(classes="path-list")
        super().__init__("Session", VerticalScroll(self.path_list), id=id)

    def show_path(self, rows: list[PathEntry]) -> None:
        if self.path_list.is_attached:
            self.path_list.show(rows, self.size.width - 2 if self.size.width else 30)
            if isinstance(self.body, VerticalScroll):
                self.body.scroll_end(animate=False)


MOB_EMPTY = "No mob in this session — start one with `workbench --mob team.toml`"
MOB_EMPTY_DEMO = "No mob yet — type /mob demo to watch a team of agents work offline (no API key needed)"


class MobPane(_BodyPane):
    """Empty (class `-empty`, folded away on a small screen) until a mob mounts its view."""

    def __init__(self, *, id: str | None = None, demo: bool = False) -> None:
        empty = MOB_EMPTY_DEMO if demo else MOB_EMPTY
        super().__init__("Mob", Static(Text(empty, style="dim"), classes="mob-empty"), id=id)
        self.add_class("-empty")

    async def set_body(self, widget: Widget) -> None:
        self.remove_class("-empty")
        await super().set_body(widget)
