"""A journey drawn as a graph: its steps as boxes, its transitions as lines with arrowheads, the
current step marked and the path taken lit.

The layout is the mob pane's (workbench/mob/layout.py: layers from the initial step, orthogonal
edges on tracks); this module adds what a journey needs on top: directions (an arrowhead where a
transition enters its target's box), each step's place in the journey and how often the path went
through it. Everything from the playbook file (names, descriptions) is drawn as plain segments,
never markup.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workbench.mob.layout import GraphLayout, draw, edge_key, layout_graph
from workbench.tui.mob.graph import _fit, _runs  # the mob graph's cell helpers: the same drawing
from workbench.tui.sanitize import one_line

BOX_W = 26
BOX_H = 5  # three lines inside: the step's number and name, its id, where the journey is with it


@dataclass(frozen=True)
class JourneyPosition:
    """Where a session is in a journey: the contract's state-journey (`workbench.playbook.state`'s
    `journey`), read from the dict a session entry holds or from the runtime's JourneyState."""

    journey_id: str
    step: str | None
    path: tuple[str, ...]
    status: str  # active | completed | stopped

    @classmethod
    def of(cls, state: Any) -> JourneyPosition | None:
        if state is None:
            return None
        get = state.get if isinstance(state, dict) else (lambda k, d=None: getattr(state, k, d))
        journey_id = get("id") or get("journey_id")
        if not journey_id:
            return None
        step = get("step")
        path = tuple(str(s) for s in (get("path") or ()) if s)
        if step and (not path or path[-1] != step):  # the current step ends the path taken
            path = (*path, str(step))
        return cls(str(journey_id), str(step) if step else None, path, str(get("status") or "active"))

    def taken(self) -> set[tuple[str, str]]:
        """The transitions the path went through (undirected keys, as the layout's edges)."""
        return {edge_key(a, b) for a, b in zip(self.path, self.path[1:]) if a != b}


def transitions(journey: Any) -> list[tuple[str, str, Any]]:
    """(from step, to step, Transition) for every transition to a step the journey has."""
    ids = {s.id for s in journey.steps}
    return [(s.id, t.to, t) for s in journey.steps for t in s.transitions if t.to in ids and t.to != s.id]


def journey_layout(journey: Any, width: int) -> GraphLayout:
    steps = [s.id for s in journey.steps]
    edges = [(a, b) for a, b, _ in transitions(journey)]
    root = journey.initial_step if journey.initial_step in steps else (steps[0] if steps else None)
    return layout_graph(steps, edges, root, width=max(width, BOX_W + 4), box_w=BOX_W, box_h=BOX_H)


def arrow_ports(journey: Any, lay: GraphLayout) -> dict[tuple[int, int], str]:
    """Port cell -> arrowhead for every port where a transition enters its target: `▼` on a top
    border, `▲` on a bottom one (a transition back up, or along a row)."""
    routes = {r.key: r for r in lay.edges}
    out: dict[tuple[int, int], str] = {}
    for a, b, _ in transitions(journey):
        route = routes.get(edge_key(a, b))
        if route is None:
            continue
        port = route.points[-1] if route.b == b else route.points[0]
        box = lay.nodes[b]
        out[port] = "▼" if port[1] == box.y else "▲"
    return out


def box_lines(journey: Any, step: Any, pos: JourneyPosition | None, width: int) -> list[tuple[str, str]]:
    """The three lines inside a step's box: (text, role) with role one of title, dim, current,
    passed, terminal, idle."""
    number = journey.index_of(step.id) if hasattr(journey, "index_of") else 0
    title = _fit(f"{number} {one_line(step.name or step.id, width)}", width)
    ident = _fit(f"id {one_line(step.id, width)}", width)
    visits = Counter(pos.path) if pos is not None else Counter()
    if pos is not None and step.id == pos.step:
        word = {"completed": "◉ completed here", "stopped": "■ stopped here"}.get(pos.status, "● current step")
        role = "current"
    elif visits[step.id]:
        times = visits[step.id]
        word, role = (f"✓ passed ×{times}" if times > 1 else "✓ passed"), "passed"
    elif step.is_terminal:
        word, role = "◎ end of the journey", "terminal"
    else:
        word, role = "· not reached", "idle"
    return [(title, "title"), (ident, "dim"), (_fit(word, width), role)]


class JourneyGraph(ScrollView, can_focus=True):
    """The journey's drawing, scrollable when bigger than the screen (arrows scroll it)."""

    BINDINGS = [
        Binding("up", "scroll_up", "Up", show=False, id="journey.up"),
        Binding("down", "scroll_down", "Down", show=False, id="journey.down"),
        Binding("left", "scroll_left", "Left", show=False, id="journey.left"),
        Binding("right", "scroll_right", "Right", show=False, id="journey.right"),
    ]
    COMPONENT_CLASSES = {
        "journey-graph--edge", "journey-graph--taken", "journey-graph--title", "journey-graph--dim",
        "journey-graph--current", "journey-graph--passed", "journey-graph--terminal", "journey-graph--idle",
    }
    DEFAULT_CSS = """
    JourneyGraph { height: 1fr; background: transparent; }
    JourneyGraph > .journey-graph--edge { color: $foreground 45%; }
    JourneyGraph > .journey-graph--taken { color: $accent; text-style: bold; }
    JourneyGraph > .journey-graph--title { text-style: bold; }
    JourneyGraph > .journey-graph--dim { color: $text-muted; }
    JourneyGraph > .journey-graph--current { color: $accent; text-style: bold; }
    JourneyGraph > .journey-graph--passed { color: $success; }
    JourneyGraph > .journey-graph--terminal { color: $primary; }
    JourneyGraph > .journey-graph--idle { color: $foreground 55%; }
    """

    def __init__(self, journey: Any, position: JourneyPosition | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.journey = journey
        self.position = position
        self.graph_layout = GraphLayout(0, 0, {}, ())
        self._lines: list[Strip] = []
        self._key: tuple[Any, ...] | None = None

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"journey-graph--{name}", partial=True)

    def _build(self) -> list[Strip]:
        width = max(self.size.width, BOX_W + 4)
        key = (width, self.app.theme if self.is_attached else None)
        if key == self._key:
            return self._lines
        self._key = key
        self.graph_layout = lay = journey_layout(self.journey, width)
        self.virtual_size = Size(lay.width, lay.height)
        self._lines = render_journey(self.journey, self.position, lay, self._style)
        return self._lines

    def render_line(self, y: int) -> Strip:
        lines = self._build()
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y + scroll_y >= len(lines):
            return Strip.blank(self.size.width, base)
        return lines[y + scroll_y].crop_extend(scroll_x, scroll_x + self.size.width, base).apply_style(base)

    def on_resize(self, event: events.Resize) -> None:
        self._key = None
        self.refresh()

    def scroll_to_current(self) -> None:
        self._build()
        node = self.graph_layout.nodes.get(self.position.step if self.position else "")
        if node is not None:
            self.scroll_to_region(Region(node.x, node.y, node.w, node.h), animate=False, immediate=True)


def render_journey(journey: Any, pos: JourneyPosition | None, lay: GraphLayout, style: Any) -> list[Strip]:
    """The layout as strips: boxes styled by where the journey is, taken transitions lit."""
    styles = {name: style(name) for name in ("edge", "taken", "title", "dim", "current", "passed", "terminal",
                                              "idle")}
    current = pos.step if pos is not None else None
    grid = draw(lay, double=[current] if current else [])
    taken = pos.taken() if pos is not None else set()
    plain = Style()
    style_rows = [[plain] * lay.width for _ in range(lay.height)]
    for (x, y), (_, owners) in lay.edge_cells().items():
        style_rows[y][x] = styles["taken"] if owners & taken else styles["edge"]
    for (x, y), owners in lay.ports().items():
        style_rows[y][x] = styles["taken"] if owners & taken else styles["edge"]
    for (x, y), head in arrow_ports(journey, lay).items():
        grid[y][x] = head
    inner_of: dict[int, list[tuple[int, list[Segment]]]] = {}
    for step in journey.steps:
        node = lay.nodes.get(step.id)
        if node is None:
            continue
        lines = box_lines(journey, step, pos, node.w - 2)
        border = styles[lines[2][1]]
        for y in (node.y, node.y + node.h - 1):
            for x in range(node.x, node.x + node.w):
                if style_rows[y][x] is plain:  # ports keep the edge's style
                    style_rows[y][x] = border
        for y in range(node.y + 1, node.y + node.h - 1):
            style_rows[y][node.x] = style_rows[y][node.x + node.w - 1] = border
        for i, (text, role) in enumerate(lines):
            seg = Segment(set_cell_size(text, node.w - 2), styles[role])
            inner_of.setdefault(node.y + 1 + i, []).append((node.x + 1, [seg]))
    strips = []
    for y, row in enumerate(grid):
        segs: list[Segment] = []
        x = 0
        for sx, inner in sorted(inner_of.get(y, []), key=lambda item: item[0]):
            segs.extend(_runs(row, style_rows[y], x, sx))
            segs.extend(inner)
            x = sx + BOX_W - 2
        segs.extend(_runs(row, style_rows[y], x, lay.width))
        strips.append(Strip(segs, lay.width))
    return strips


def plain_drawing(journey: Any, pos: JourneyPosition | None, width: int = 80) -> str:
    """The drawing as text (tests, and a check that the layout holds together)."""
    lay = journey_layout(journey, width)
    return "\n".join(s.text.rstrip() for s in render_journey(journey, pos, lay, lambda _name: Style()))
