"""A layered layout of a mob's member graph on a character grid (no UI imports).

Sugiyama-style, kept simple because a mob has at most a few dozen members:

1. layers are the breadth-first distance from the orchestrator over the wiring (members not
   reachable from it follow, component by component; lone members share one last layer);
2. members in a layer are ordered by the mean position of their neighbours in the layer above
   (barycentre sweeps), which removes most crossings of tree-like wirings;
3. a layer wider than the canvas wraps onto several rows of a common column grid, so the gaps
   between columns line up from top to bottom and serve as vertical lanes for long edges;
4. edges are routed orthogonally: down from the upper member's bottom port into the channel
   below its row, along a track, (down a lane when rows are skipped,) into the lower member's top
   port. Tracks are assigned per channel so that segments of different members never share or
   touch a track; segments of one member share it (they read as that member's bus).

Out-ports sit one cell left of a box's centre and in-ports one cell right, so the edges leaving
a member never merge with the edges arriving at the member drawn right below it.
`GraphLayout.edge_cells()` turns the routes into box-drawing characters; `neighbour()` finds the
nearest member in a direction for keyboard navigation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Literal, Sequence

BOX_W = 20
BOX_H = 6
GAP = 4      # columns between boxes (two lanes fit inside)
MARGIN = 2   # left and right; a lane runs in each margin

N, E, S, W = 1, 2, 4, 8
# Direction bits -> box-drawing character (single lines, sharp corners: boxes are rounded).
LINE_CHARS: dict[int, str] = {
    N | S: "│", E | W: "─", S | E: "┌", S | W: "┐", N | E: "└", N | W: "┘",
    N | S | E: "├", N | S | W: "┤", E | W | S: "┬", E | W | N: "┴", N | E | S | W: "┼",
    N: "╵", S: "╷", E: "╶", W: "╴",
}

Direction = Literal["up", "down", "left", "right"]
Point = tuple[int, int]


@dataclass(frozen=True)
class NodeBox:
    identity: str
    x: int
    y: int
    w: int
    h: int
    layer: int
    row: int
    col: int

    @property
    def out_port(self) -> Point:
        """Where edges to lower rows (and to the same row) leave: on the bottom border."""
        return (self.x + self.w // 2 - 1, self.y + self.h - 1)

    @property
    def in_port(self) -> Point:
        """Where edges from upper rows arrive: on the top border."""
        return (self.x + self.w // 2 + 1, self.y)

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.w and self.y <= y < self.y + self.h


@dataclass(frozen=True)
class EdgeRoute:
    a: str           # the member in the upper (or same) row
    b: str
    points: tuple[Point, ...]  # corners of the polyline, port to port, axis-aligned segments

    @property
    def key(self) -> tuple[str, str]:
        return edge_key(self.a, self.b)

    def cells(self) -> list[tuple[Point, int]]:
        """Every cell the route passes with the directions it leaves that cell in (both ends)."""
        bits: dict[Point, int] = defaultdict(int)
        for (x0, y0), (x1, y1) in zip(self.points, self.points[1:]):
            if x0 != x1 and y0 != y1:
                raise ValueError(f"edge {self.a}-{self.b}: segment {(x0, y0)}->{(x1, y1)} is not orthogonal")
            dx = (x1 > x0) - (x1 < x0)
            dy = (y1 > y0) - (y1 < y0)
            fwd = E if dx > 0 else W if dx < 0 else S if dy > 0 else N
            back = {E: W, W: E, N: S, S: N}[fwd]
            x, y = x0, y0
            while (x, y) != (x1, y1):
                bits[(x, y)] |= fwd
                x, y = x + dx, y + dy
                bits[(x, y)] |= back
        return list(bits.items())


def edge_key(a: str, b: str) -> tuple[str, str]:
    """Wires are undirected: one key for both orders."""
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class GraphLayout:
    width: int
    height: int
    nodes: dict[str, NodeBox]
    edges: tuple[EdgeRoute, ...]
    _cells: dict[Point, tuple[int, frozenset[tuple[str, str]]]] = field(default_factory=dict, compare=False,
                                                                          repr=False)

    def edge_cells(self) -> dict[Point, tuple[int, frozenset[tuple[str, str]]]]:
        """Cell -> (direction bits, keys of the edges through it), ports on the borders excluded."""
        if self._cells or not self.edges:
            return self._cells
        acc: dict[Point, int] = defaultdict(int)
        owners: dict[Point, set[tuple[str, str]]] = defaultdict(set)
        ports = self.ports()
        for route in self.edges:
            for cell, bits in route.cells():
                if cell in ports:
                    continue
                acc[cell] |= bits
                owners[cell].add(route.key)
        self._cells.update({c: (acc[c], frozenset(owners[c])) for c in acc})
        return self._cells

    def ports(self) -> dict[Point, set[tuple[str, str]]]:
        """Border cells where an edge attaches -> the edges attached there."""
        out: dict[Point, set[tuple[str, str]]] = defaultdict(set)
        for route in self.edges:
            out[route.points[0]].add(route.key)
            out[route.points[-1]].add(route.key)
        return out

    def node_at(self, x: int, y: int) -> str | None:
        for node in self.nodes.values():
            if node.contains(x, y):
                return node.identity
        return None

    def neighbour(self, identity: str, direction: Direction) -> str | None:
        """The nearest member in that direction, judged from box centres (a column or row counts
        as one unit so that rows and columns weigh the same), off-axis distance weighing double."""
        here = self.nodes.get(identity)
        if here is None:
            return None
        cx, cy = here.center
        unit_x, unit_y = here.w + GAP, here.h + 2
        best: tuple[float, str] | None = None
        for other in self.nodes.values():
            if other.identity == identity:
                continue
            ox, oy = other.center
            dx, dy = (ox - cx) / unit_x, (oy - cy) / unit_y
            along, across = {"right": (dx, dy), "left": (-dx, dy), "down": (dy, dx), "up": (-dy, dx)}[direction]
            if along <= 0.01:
                continue
            score = along + 2 * abs(across)
            if best is None or score < best[0]:
                best = (score, other.identity)
        return best[1] if best else None


def layers_from(members: Sequence[str], edges: Iterable[tuple[str, str]], root: str | None) -> list[list[str]]:
    """Breadth-first layers from the root; other components follow; lone members last."""
    known = set(members)
    adj: dict[str, list[str]] = {m: [] for m in members}
    for a, b in edges:
        if a in known and b in known and a != b and b not in adj[a]:
            adj[a].append(b)
            adj[b].append(a)
    order = {m: i for i, m in enumerate(members)}
    for m in adj:
        adj[m].sort(key=order.__getitem__)
    layers: list[list[str]] = []
    seen: set[str] = set()
    starts = ([root] if root in known else []) + list(members)
    loners: list[str] = []
    for start in starts:
        if start in seen:
            continue
        if not adj[start] and start != root:
            loners.append(start)
            seen.add(start)
            continue
        frontier = [start]
        seen.add(start)
        while frontier:
            layers.append(frontier)
            nxt: list[str] = []
            for m in frontier:
                for n in adj[m]:
                    if n not in seen:
                        seen.add(n)
                        nxt.append(n)
            frontier = nxt
    if loners:
        layers.append(loners)
    return _order_layers(layers, adj)


def _order_layers(layers: list[list[str]], adj: dict[str, list[str]]) -> list[list[str]]:
    """Barycentre ordering, two sweeps down; members without neighbours above keep their place."""
    for _ in range(2):
        for i in range(1, len(layers)):
            above = {m: j for j, m in enumerate(layers[i - 1])}
            current = layers[i]

            def key(item: tuple[int, str]) -> float:
                j, m = item
                pos = [above[n] for n in adj[m] if n in above]
                return sum(pos) / len(pos) if pos else j * (len(above) / max(1, len(current)))

            layers[i] = [m for _, m in sorted(enumerate(current), key=key)]
    return layers


def layout_graph(members: Sequence[str], edges: Iterable[tuple[str, str]], root: str | None, *,
                 width: int = 80, box_w: int = BOX_W, box_h: int = BOX_H) -> GraphLayout:
    """Place `members` (in spawn order) and route `edges` for a canvas about `width` cells wide.

    The canvas is never narrower than one box; a layout wider than `width` (never: layers wrap)
    or taller than the view is for the caller to scroll."""
    edge_list = _unique_edges(members, edges)
    if not members:
        return GraphLayout(0, 0, {}, ())
    layers = layers_from(members, edge_list, root)
    per_row = max(1, (width - 2 * MARGIN + GAP) // (box_w + GAP))
    per_row = min(per_row, max(len(layer) for layer in layers))
    rows: list[tuple[int, list[str]]] = []  # (layer, members)
    for li, layer in enumerate(layers):
        for start in range(0, len(layer), per_row):
            rows.append((li, layer[start:start + per_row]))
    pitch = box_w + GAP
    canvas_w = 2 * MARGIN + per_row * pitch - GAP

    # Columns first (they fix the ports), then the rows' heights from the channel tracks.
    col_of: dict[str, tuple[int, int, int]] = {}  # identity -> (row, col, layer)
    for r, (li, row_members) in enumerate(rows):
        offset = (per_row - len(row_members)) // 2
        for c, m in enumerate(row_members):
            col_of[m] = (r, offset + c, li)

    def box_x(col: int) -> int:
        return MARGIN + col * pitch

    def out_x(m: str) -> int:
        return box_x(col_of[m][1]) + box_w // 2 - 1

    def in_x(m: str) -> int:
        return box_x(col_of[m][1]) + box_w // 2 + 1

    lanes = [0] + [MARGIN + k * pitch + box_w + 1 + j for k in range(per_row - 1) for j in range(GAP - 2)] \
        + [canvas_w - 1]

    # Plan each edge: segments per channel (channel r lies under row r) and lanes.
    plans: list[dict] = []
    segs: dict[int, list[tuple[int, int, str, int]]] = defaultdict(list)  # channel -> (x0, x1, owner, plan)
    lane_use: dict[int, list[tuple[int, int, str]]] = defaultdict(list)    # lane x -> (ch0, ch1, owner)
    for a, b in edge_list:
        ra, rb = col_of[a][0], col_of[b][0]
        if (ra, col_of[a][1]) > (rb, col_of[b][1]):
            a, b, ra, rb = b, a, rb, ra
        plan: dict = {"a": a, "b": b, "ra": ra, "rb": rb}
        idx = len(plans)
        if ra == rb:
            segs[ra].append((out_x(a), out_x(b), a, idx))
        elif rb == ra + 1:
            segs[ra].append((out_x(a), in_x(b), a, idx))
        else:
            lane = _pick_lane(lanes, lane_use, ra, rb - 1, a, out_x(a), in_x(b))
            lane_use[lane].append((ra, rb - 1, a))
            plan["lane"] = lane
            segs[ra].append((out_x(a), lane, a, idx))
            segs[rb - 1].append((lane, in_x(b), a, idx))
        plans.append(plan)

    track_of: dict[tuple[int, int], int] = {}  # (channel, plan) -> track; a plan has ≤ 1 segment per channel
    ntracks: dict[int, int] = {}
    for ch, items in segs.items():
        tracks: list[list[tuple[int, int, str]]] = []
        for x0, x1, owner, idx in sorted(items, key=lambda s: (min(s[0], s[1]), max(s[0], s[1]))):
            lo, hi = min(x0, x1), max(x0, x1)
            for t, used in enumerate(tracks):
                if all(o == owner or hi + 1 < ulo or uhi + 1 < lo for ulo, uhi, o in used):
                    used.append((lo, hi, owner))
                    track_of[(ch, idx)] = t
                    break
            else:
                tracks.append([(lo, hi, owner)])
                track_of[(ch, idx)] = len(tracks) - 1
        ntracks[ch] = len(tracks)

    row_y: list[int] = []
    y = 0
    for r in range(len(rows)):
        row_y.append(y)
        y += box_h + (ntracks[r] + 1 if ntracks.get(r) else 1)
    height = y - 1 if not ntracks.get(len(rows) - 1) else y

    nodes = {}
    for m, (r, c, li) in col_of.items():
        nodes[m] = NodeBox(m, box_x(c), row_y[r], box_w, box_h, li, r, c)

    def track_y(ch: int, idx: int) -> int:
        return row_y[ch] + box_h + track_of[(ch, idx)]

    routes = []
    for idx, plan in enumerate(plans):
        a, b, ra, rb = plan["a"], plan["b"], plan["ra"], plan["rb"]
        na, nb = nodes[a], nodes[b]
        if ra == rb:
            ty = track_y(ra, idx)
            pts = [na.out_port, (na.out_port[0], ty), (nb.out_port[0], ty), nb.out_port]
        elif "lane" not in plan:
            ty = track_y(ra, idx)
            pts = [na.out_port, (na.out_port[0], ty), (nb.in_port[0], ty), nb.in_port]
        else:
            lane = plan["lane"]
            t1, t2 = track_y(ra, idx), track_y(rb - 1, idx)
            pts = [na.out_port, (na.out_port[0], t1), (lane, t1), (lane, t2), (nb.in_port[0], t2), nb.in_port]
        routes.append(EdgeRoute(a, b, _simplify(pts)))
    return GraphLayout(canvas_w, height, nodes, tuple(routes))


def _unique_edges(members: Sequence[str], edges: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    known = set(members)
    seen: set[tuple[str, str]] = set()
    out = []
    for a, b in edges:
        key = edge_key(a, b)
        if a != b and a in known and b in known and key not in seen:
            seen.add(key)
            out.append((a, b))
    return out


def _pick_lane(lanes: list[int], use: dict[int, list[tuple[int, int, str]]], ch0: int, ch1: int, owner: str,
               x_from: int, x_to: int) -> int:
    """The lane closest to the edge's ends that no other member uses over the same channels."""
    def free(lane: int) -> bool:
        return all(o == owner or c1 < ch0 or ch1 < c0 for c0, c1, o in use[lane])

    def cost(lane: int) -> int:
        return abs(lane - x_from) + abs(lane - x_to)

    candidates = [lane for lane in lanes if free(lane)] or lanes
    return min(candidates, key=lambda lane: (cost(lane), lane))


def _simplify(points: list[Point]) -> tuple[Point, ...]:
    """Drop repeated points and corners that do not turn."""
    out: list[Point] = []
    for p in points:
        if out and out[-1] == p:
            continue
        if len(out) >= 2:
            (x0, y0), (x1, y1) = out[-2], out[-1]
            if (x0 == x1 == p[0]) or (y0 == y1 == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return tuple(out)


def draw(layout: GraphLayout, *, double: Iterable[str] = ()) -> list[list[str]]:
    """The layout as a character grid: rounded boxes (double-lined for `double`), the edges and
    their ports; box interiors are left blank for the caller to fill."""
    grid = [[" "] * layout.width for _ in range(layout.height)]
    doubled = set(double)
    for node in layout.nodes.values():
        tl, tr, bl, br, hz, vt = ("╔", "╗", "╚", "╝", "═", "║") if node.identity in doubled \
            else ("╭", "╮", "╰", "╯", "─", "│")
        x0, y0, x1, y1 = node.x, node.y, node.x + node.w - 1, node.y + node.h - 1
        for x in range(x0 + 1, x1):
            grid[y0][x] = hz
            grid[y1][x] = hz
        for y in range(y0 + 1, y1):
            grid[y][x0] = vt
            grid[y][x1] = vt
        grid[y0][x0], grid[y0][x1], grid[y1][x0], grid[y1][x1] = tl, tr, bl, br
    for (x, y), (bits, _) in layout.edge_cells().items():
        grid[y][x] = LINE_CHARS.get(bits, "┼")
    for (x, y) in layout.ports():
        node = layout.node_at(x, y)
        bottom = node is not None and y == layout.nodes[node].y + layout.nodes[node].h - 1
        heavy = node in doubled
        grid[y][x] = ("╤" if heavy else "┬") if bottom else ("╧" if heavy else "┴")
    return grid
