"""`TreeLines`: the session tree's rows, drawn line by line (a Line-API ScrollView: only the rows
on screen are rendered), and its keys. It holds the focus and hands each key's move to its owner,
the `SessionTree` pane (widget.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from workbench.tui.tree.widget import SessionTree

STYLE_KEYS = (
    "cursor", "connector", "active", "mark", "label", "user", "assistant", "text", "muted", "error",
    "tool", "dim", "custom", "peer", "compaction", "summary", "fold", "files",
)


class TreeLines(ScrollView, can_focus=True):
    """The rows, drawn line by line; the keys of the tree live here (it holds the focus)."""

    COMPONENT_CLASSES = {f"tree--{key}" for key in STYLE_KEYS} | {"tree--selected"}

    def on_focus(self) -> None:
        self.owner.warm_search()  # the user came to the tree: its search is ready by the first key

    DEFAULT_CSS = """
    TreeLines { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    TreeLines > .tree--cursor { color: $accent; text-style: bold; }
    TreeLines > .tree--connector { color: $text-muted; }
    TreeLines > .tree--active { color: $accent; }
    TreeLines > .tree--mark { color: $warning; text-style: bold; }
    TreeLines > .tree--label { color: $warning; }
    TreeLines > .tree--user { color: $accent; }
    TreeLines > .tree--assistant { color: $success; }
    TreeLines > .tree--text { }
    TreeLines > .tree--muted { color: $text-muted; }
    TreeLines > .tree--error { color: $error; }
    TreeLines > .tree--tool { color: $text-muted; }
    TreeLines > .tree--dim { color: $text-disabled; }
    TreeLines > .tree--custom { color: $secondary; }
    TreeLines > .tree--peer { color: $secondary; text-style: bold; }
    TreeLines > .tree--compaction { color: $primary; }
    TreeLines > .tree--summary { color: $warning; }
    TreeLines > .tree--fold { color: $text-muted; text-style: italic; }
    TreeLines > .tree--files { color: $warning; }
    TreeLines > .tree--selected { background: $accent 25%; text-style: bold; }
    TreeLines:blur > .tree--selected { background: $accent 12%; text-style: none; }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="tree.up"),
        Binding("down", "move(1)", "Down", show=False, id="tree.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="tree.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="tree.page_down"),
        Binding("home", "home", "First", show=False, id="tree.home"),
        Binding("end", "end", "Last", show=False, id="tree.end"),
        Binding("left", "fold", "Fold", id="tree.fold"),
        Binding("right", "unfold", "Unfold", show=False, id="tree.unfold"),
        Binding("ctrl+up", "branch_point(-1)", "Prev branch", show=False, id="tree.prev_branch"),
        Binding("ctrl+down", "branch_point(1)", "Next branch", show=False, id="tree.next_branch"),
        Binding("enter", "branch", "Branch here", id="tree.branch"),
        Binding("ctrl+o", "cycle_filter", "Filter", id="tree.filter"),
        Binding("ctrl+l", "label", "Label", id="tree.label"),
        Binding("ctrl+f", "fork", "Fork", id="tree.fork"),
        Binding("ctrl+y", "copy", "To prompt", id="tree.copy"),
        Binding("ctrl+x", "mark", "Mark", show=False, id="tree.mark"),
        Binding("ctrl+d", "compare", "Compare", id="tree.compare"),
        Binding("ctrl+e", "rewind", "Rewind files", id="tree.rewind"),
        Binding("ctrl+w", "why", "Why (playbook)", id="tree.why"),
        Binding("backspace", "search_backspace", "Delete search char", show=False, id="tree.search_backspace"),
        Binding("escape", "clear_search", "Clear search", show=False, id="tree.clear_search"),
    ]

    def __init__(self, owner: SessionTree) -> None:
        super().__init__()
        self.owner = owner
        self._styles: dict[str, Style] | None = None
        self._piece_styles: dict[bool, dict[str, Style]] = {}

    # -- drawing --------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None

    def _style_map(self) -> dict[str, Style]:
        if self._styles is None:
            # Full styles blend alpha colours ($text-muted, "$accent 25%") over the background;
            # keep only the foreground of a piece so the selection background shows through.
            def fg(name: str) -> Style:
                s = self.get_component_rich_style(name)
                return Style(color=s.color, bold=s.bold, italic=s.italic, underline=s.underline)

            self._styles = {key: fg(f"tree--{key}") for key in STYLE_KEYS}
            sel = self.get_component_rich_style("tree--selected")
            self._styles["selected"] = Style(bgcolor=sel.bgcolor, bold=sel.bold)
            self._styles["base"] = self.rich_style  # computed from the ancestors: costly per line
            self._styles["selected_line"] = self._styles["base"] + self._styles["selected"]
            # each piece's style over the line's, combined once (Style addition costs ~10 µs)
            self._piece_styles = {
                selected: {key: self._styles["selected_line" if selected else "base"] + self._styles[key]
                           for key in STYLE_KEYS}
                for selected in (False, True)
            }
        return self._styles

    def render_line(self, y: int) -> Strip:
        view = self.owner.view
        row = int(self.scroll_offset.y) + y
        styles = self._style_map()
        base = styles["base"]
        width = self.size.width - (self.styles.scrollbar_size_vertical if self.show_vertical_scrollbar else 0)
        if view is None or row >= len(view.rows):
            return Strip.blank(width, base)
        selected = row == view.cursor
        line_style = styles["selected_line"] if selected else base
        # Rows deeper than half the pane show only their innermost levels.
        pieces = view.row_pieces(row, selected, max_indent=max(2, width // 6))
        piece_styles = self._piece_styles[selected]
        segments = [Segment(text, piece_styles[key]) for text, key in pieces]
        return Strip(segments).crop_extend(0, width, line_style)

    def refresh_rows(self) -> None:
        view = self.owner.view
        rows = len(view.rows) if view is not None else 0
        self.virtual_size = Size(self.scrollable_content_region.width or self.size.width, rows)
        self.scroll_to_cursor()
        self.refresh()

    def scroll_to_cursor(self) -> None:
        view = self.owner.view
        height = self.scrollable_content_region.height or self.size.height
        if view is None or height <= 0:
            return
        top = int(self.scroll_offset.y)
        if view.cursor < top:
            self.scroll_to(y=view.cursor, animate=False, immediate=True)
        elif view.cursor >= top + height:
            self.scroll_to(y=view.cursor - height + 1, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.refresh_rows()

    def _moved(self, old: int | None = None) -> None:
        """After a cursor move: scroll if needed; else redraw just the two rows that changed."""
        top = int(self.scroll_offset.y)
        self.scroll_to_cursor()
        view = self.owner.view
        if old is not None and int(self.scroll_offset.y) == top and view is not None:
            self.refresh_line(old)
            self.refresh_line(view.cursor)
        else:
            self.refresh()
        self.owner.update_status()

    async def _on_click(self, event: events.Click) -> None:
        view = self.owner.view
        offset = event.get_content_offset(self)
        if view is None or offset is None:
            return
        row = int(self.scroll_offset.y) + offset.y
        if 0 <= row < len(view.rows):
            old, view.cursor = view.cursor, row
            self._moved(old)
            if event.chain == 2:
                self.owner.branch_at(view.selected_id)

    # -- keys -----------------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        # Type-to-search: printable characters (space included) extend the query.
        if event.is_printable and event.character and event.key not in ("enter", "tab"):
            event.stop()
            event.prevent_default()
            self.owner.type_query(self.owner.typed_query + event.character)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("clear_search", "search_backspace"):
            return bool(self.owner.view and self.owner.typed_query)  # else the key goes on up
        return True

    def action_move(self, delta: int) -> None:
        old = self.owner.view.cursor
        self.owner.view.move(delta)
        self._moved(old)

    def action_page(self, direction: int) -> None:
        height = max(1, (self.scrollable_content_region.height or self.size.height) - 1)
        self.owner.view.move(direction * height)
        self._moved()

    def action_home(self) -> None:
        self.owner.view.home()
        self._moved()

    def action_end(self) -> None:
        self.owner.view.end()
        self._moved()

    def action_fold(self) -> None:
        if self.owner.view.fold():
            self.refresh_rows()
            self.owner.update_status()

    def action_unfold(self) -> None:
        if self.owner.view.unfold():
            self.refresh_rows()
            self.owner.update_status()

    def action_branch_point(self, direction: int) -> None:
        view = self.owner.view
        old = view.cursor
        if view.next_branch_point() if direction > 0 else view.prev_branch_point():
            self._moved(old)

    def action_branch(self) -> None:
        self.owner.branch_at(self.owner.view.selected_id)

    def action_cycle_filter(self) -> None:
        self.owner.cycle_filter()

    def action_label(self) -> None:
        self.owner.label_at(self.owner.view.selected_id)

    def action_fork(self) -> None:
        self.owner.fork_at(self.owner.view.selected_id)

    def action_copy(self) -> None:
        self.owner.copy_at(self.owner.view.selected_id)

    def action_mark(self) -> None:
        self.owner.mark(self.owner.view.selected_id)

    def action_compare(self) -> None:
        self.owner.compare_selected()

    def action_rewind(self) -> None:
        self.owner.rewind_at(self.owner.view.selected_id)

    def action_why(self) -> None:
        selected = self.owner.view.selected_id
        if selected is not None:
            self.owner.post_message(self.owner.WhyWanted(selected))

    def action_search_backspace(self) -> None:
        self.owner.type_query(self.owner.typed_query[:-1])

    def action_clear_search(self) -> None:
        self.owner.set_query("")
