"""The mob graph: members as boxes, wires as orthogonal lines, drawn on a scrollable canvas.

Only the lines in view are handed to Textual (`render_line`); the canvas is rebuilt once per
frame at most, when the model, the selection, a highlight or the width changed, and the layout
(`workbench.mob.layout`) only when members or wires changed. Colours are component classes, so
they follow the theme. Every string from a member (names, models, tool names, errors) is
sanitised and drawn as plain segments: never markup, never escapes.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workbench.mob.layout import GraphLayout, draw, layout_graph
from workbench.tui import format as fmt
from workbench.tui.mob.model import STATUS_GLYPH, STATUS_WORD, MemberView, MobModel
from workbench.tui.sanitize import one_line

STATUS_CLASS = {"idle": "idle", "running": "running", "waiting_for_approval": "waiting", "retiring": "retiring",
                "retired": "retired", "broken": "broken", "completed": "completed"}


def node_lines(m: MemberView, width: int) -> list[tuple[str, str]]:
    """The four lines inside a member's box: (text, component-class suffix)."""
    head = _fit(f"{STATUS_GLYPH.get(m.status, '?')} {one_line(m.identity, width)}", width)
    role = "orchestrator" if m.orchestrator else one_line(m.profile, width)
    model = one_line(m.model or "", width)
    second = f"{role} · {model}" if model else role
    third = f"{fmt.tokens(m.tokens)} tok · {fmt.money(m.cost_usd)}"
    if m.approvals:
        n = len(m.approvals)
        tool = one_line(next(iter(m.approvals.values())), width)
        fourth, cls = f"! {n} approval{'s' if n > 1 else ''}: {tool}", "waiting"
    elif m.status == "broken":
        fourth, cls = f"✗ {one_line(m.error or 'failed', width)}", "broken"
    elif m.activity and m.status in ("running", "waiting_for_approval"):
        fourth, cls = f"{STATUS_WORD[m.status]} · {one_line(m.activity, width)}", STATUS_CLASS[m.status]
    elif m.activity:
        fourth, cls = one_line(m.activity, width), "dim"
    else:
        fourth, cls = STATUS_WORD.get(m.status, m.status), STATUS_CLASS.get(m.status, "dim")
    return [(head, "title"), (_fit(second, width), "dim"), (_fit(third, width), "text"), (_fit(fourth, width), cls)]


def _runs(chars: list[str], styles: list[Style], start: int, end: int) -> list[Segment]:
    """Cells start..end of a line as one segment per run of the same style."""
    out = []
    for style, group in groupby(zip(styles[start:end], chars[start:end]), key=itemgetter(0)):
        out.append(Segment("".join(c for _, c in group), style))
    return out


def _fit(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…"


class MobGraph(ScrollView, can_focus=True):
    """Focusable; arrows move between members along the drawing, Enter opens one."""

    BINDINGS = [
        Binding("up", "move('up')", "Up", show=False, id="mob.up"),
        Binding("down", "move('down')", "Down", show=False, id="mob.down"),
        Binding("left", "move('left')", "Left", show=False, id="mob.left"),
        Binding("right", "move('right')", "Right", show=False, id="mob.right"),
        Binding("enter", "open", "Open member", id="mob.open"),
    ]

    COMPONENT_CLASSES = {
        "mob-graph--edge", "mob-graph--flash", "mob-graph--selected", "mob-graph--title", "mob-graph--dim",
        "mob-graph--text", "mob-graph--idle", "mob-graph--running", "mob-graph--waiting", "mob-graph--retiring",
        "mob-graph--retired", "mob-graph--broken", "mob-graph--completed", "mob-graph--pick",
    }

    DEFAULT_CSS = """
    MobGraph { height: 1fr; background: transparent; scrollbar-size-vertical: 1; }
    MobGraph > .mob-graph--edge { color: $foreground 45%; }
    MobGraph > .mob-graph--flash { color: $accent; text-style: bold; }
    MobGraph > .mob-graph--selected { color: $accent; text-style: bold; }
    MobGraph > .mob-graph--pick { color: $secondary; text-style: bold; }
    MobGraph > .mob-graph--title { text-style: bold; }
    MobGraph > .mob-graph--dim { color: $text-muted; }
    MobGraph > .mob-graph--text { }
    MobGraph > .mob-graph--idle { color: $foreground 60%; }
    MobGraph > .mob-graph--running { color: $success; }
    MobGraph > .mob-graph--waiting { color: $warning; text-style: bold; }
    MobGraph > .mob-graph--retiring { color: $warning; }
    MobGraph > .mob-graph--retired { color: $foreground 30%; }
    MobGraph > .mob-graph--broken { color: $error; text-style: bold; }
    MobGraph > .mob-graph--completed { color: $primary; }
    """

    class Selected(Message):
        def __init__(self, identity: str) -> None:
            super().__init__()
            self.identity = identity

    class OpenRequested(Message):
        def __init__(self, identity: str) -> None:
            super().__init__()
            self.identity = identity

    def __init__(self, model: MobModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.selected: str | None = model.orchestrator
        self.picking: str | None = None  # the first member of a wire/unwire in progress
        self.graph_layout: GraphLayout = GraphLayout(0, 0, {}, ())
        self._layout_key: tuple[int, int] | None = None
        self._lines: list[Strip] = []
        self._lines_key: tuple[Any, ...] | None = None
        self._static_key: tuple[Any, ...] | None = None
        self._grid: list[list[str]] = []
        self._styles: dict[str, Style] = {}
        self._fade_timer: Any = None
        self.frames = 0          # canvases built (the benchmark reads it)
        self.frame_times: list[float] = []

    # --- layout and drawing --------------------------------------------------------------------
    def ensure_layout(self) -> GraphLayout:
        width = max(self.size.width, 24)
        key = (self.model.structure, width)
        if key != self._layout_key:
            self._layout_key = key
            self.graph_layout = layout_graph(self.model.order(), sorted(self.model.wires), self.model.orchestrator,
                                       width=width)
            self.virtual_size = Size(self.graph_layout.width, self.graph_layout.height)
            if self.selected not in self.graph_layout.nodes:
                self.selected = self.model.orchestrator if self.model.orchestrator in self.graph_layout.nodes else \
                    next(iter(self.graph_layout.nodes), None)
        return self.graph_layout

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"mob-graph--{name}", partial=True)

    def _build(self) -> list[Strip]:
        import time

        started = time.perf_counter()
        lay = self.ensure_layout()
        flashing = self.model.flashing()
        key = (self.model.version, self._layout_key, self.selected, self.picking, frozenset(flashing),
               self.app.theme if self.is_attached else None)
        if key == self._lines_key:
            return self._lines
        self._lines_key = key
        # The drawing and the theme's styles change rarely: kept until the layout or theme changes.
        static_key = (self._layout_key, self.model.orchestrator, key[-1])
        if static_key != self._static_key:
            self._static_key = static_key
            self._grid = draw(lay, double=[self.model.orchestrator] if self.model.orchestrator else [])
            self._styles = {n.removeprefix("mob-graph--"): self._style(n.removeprefix("mob-graph--"))
                            for n in self.COMPONENT_CLASSES}
        grid, styles = self._grid, self._styles
        plain = Style()
        style_rows = [[plain] * lay.width for _ in range(lay.height)]
        for (x, y), (_, owners) in lay.edge_cells().items():
            style_rows[y][x] = styles["flash"] if owners & flashing else styles["edge"]
        for (x, y), owners in lay.ports().items():
            style_rows[y][x] = styles["flash"] if owners & flashing else styles["edge"]
        interiors: dict[int, list[tuple[int, int, list[Segment]]]] = {}
        for ident, node in lay.nodes.items():
            m = self.model.members[ident]
            border = styles[STATUS_CLASS.get(m.status, "idle")]
            if m.approvals:
                border = styles["waiting"]
            if ident == self.picking:
                border = styles["pick"]
            if ident == self.selected:
                border = styles["selected"]
            for y in (node.y, node.y + node.h - 1):
                row = style_rows[y]
                for x in range(node.x, node.x + node.w):
                    if row[x] is plain:  # ports keep the edge's style
                        row[x] = border
            for y in range(node.y + 1, node.y + node.h - 1):
                style_rows[y][node.x] = border
                style_rows[y][node.x + node.w - 1] = border
            inner = node.w - 2
            gone = m.gone
            for i, (text, cls) in enumerate(node_lines(m, inner)):
                style = styles["retired"] if gone else styles[cls]
                if i == 0 and ident == self.selected:
                    style = style + Style(reverse=True)
                segs = [Segment(set_cell_size(text, inner), style)]
                interiors.setdefault(node.y + 1 + i, []).append((node.x + 1, inner, segs))
        lines: list[Strip] = []
        for y, row in enumerate(grid):
            segs: list[Segment] = []
            x = 0
            srow = style_rows[y]
            for sx, width, inner_segs in sorted(interiors.get(y, []), key=lambda s: s[0]):
                segs.extend(_runs(row, srow, x, sx))
                segs.extend(inner_segs)
                x = sx + width
            segs.extend(_runs(row, srow, x, lay.width))
            lines.append(Strip(segs, lay.width))
        self._lines = lines
        self.frames += 1
        self.frame_times.append(time.perf_counter() - started)
        self._arm_fade()
        return lines

    def _arm_fade(self) -> None:
        """Redraw when the next highlight fades (a frozen clock never lets it fade)."""
        wait = self.model.next_fade()
        if wait is None or self._fade_timer is not None:
            return

        def fade() -> None:
            self._fade_timer = None
            self.refresh()

        self._fade_timer = self.set_timer(max(wait, 0.05), fade)

    def render_line(self, y: int) -> Strip:
        lines = self._build()
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.size.width
        base = self.rich_style
        if index >= len(lines):
            return Strip.blank(width, base)
        return lines[index].crop_extend(scroll_x, scroll_x + width, base).apply_style(base)

    def on_resize(self, event: events.Resize) -> None:
        self._lines_key = None
        self.refresh()

    def changed(self) -> None:
        """The model changed: redraw on the next frame (Textual folds many calls into one)."""
        self.refresh()

    # --- selection -----------------------------------------------------------------------------
    def select(self, identity: str | None, *, scroll: bool = True) -> None:
        if identity is None or identity not in self.model.members:
            return
        self.selected = identity
        self.refresh()
        if scroll:
            self.call_after_refresh(self._scroll_to_selected)
        self.post_message(self.Selected(identity))

    def _scroll_to_selected(self) -> None:
        node = self.ensure_layout().nodes.get(self.selected or "")
        if node is not None:
            self.scroll_to_region(Region(node.x, node.y, node.w, node.h), animate=False, immediate=True)

    def action_move(self, direction: str) -> None:
        lay = self.ensure_layout()
        if self.selected is None:
            self.select(self.model.orchestrator)
            return
        target = lay.neighbour(self.selected, direction)  # type: ignore[arg-type]
        if self.picking is not None:
            # Choosing the other end of a wire: retired members are passed over, never offered.
            seen = {self.selected}
            while target is not None and target not in seen and self.model.members[target].gone:
                seen.add(target)
                target = lay.neighbour(target, direction)  # type: ignore[arg-type]
            if target is not None and self.model.members[target].gone:
                target = None
        if target is not None:
            self.select(target)

    def action_open(self) -> None:
        if self.selected is not None:
            self.post_message(self.OpenRequested(self.selected))

    def on_click(self, event: events.Click) -> None:
        scroll_x, scroll_y = self.scroll_offset
        hit = self.ensure_layout().node_at(event.x + scroll_x, event.y + scroll_y)
        if hit is not None:
            self.select(hit, scroll=False)
            if event.chain >= 2:
                self.post_message(self.OpenRequested(hit))
