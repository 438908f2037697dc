"""The layered layout on its own: boxes never overlap, every wire is routed, 2..30 members."""

import random

import pytest
from hypothesis import given, settings, strategies as st

from workbench.mob.layout import LINE_CHARS, MARGIN, N, S, E, W, draw, edge_key, layers_from, layout_graph


def star(n):
    members = ["lead"] + [f"w{i}" for i in range(1, n)]
    return members, [("lead", m) for m in members[1:]]


def mesh(n, seed):
    rng = random.Random(seed)
    members, edges = star(n)
    for _ in range(n):
        a, b = rng.sample(members, 2)
        edges.append((a, b))
    return members, edges


def check(layout, members, edges, width):
    boxes = list(layout.nodes.values())
    assert {b.identity for b in boxes} == set(members)
    # no two boxes overlap, and all lie on the canvas
    for i, a in enumerate(boxes):
        assert 0 <= a.x and a.x + a.w <= layout.width and 0 <= a.y and a.y + a.h <= layout.height
        for b in boxes[i + 1:]:
            assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y, (a, b)
    # rows wrap to the width asked for (one box is the least)
    assert layout.width <= max(width, boxes[0].w + 2 * MARGIN)
    # one route per distinct wire, port to port, orthogonal, never through a box
    wanted = {edge_key(a, b) for a, b in edges if a != b}
    assert {r.key for r in layout.edges} == wanted
    ports = layout.ports()
    for route in layout.edges:
        a, b = layout.nodes[route.a], layout.nodes[route.b]
        assert route.points[0] == a.out_port
        assert route.points[-1] in (b.in_port, b.out_port)
        cells = route.cells()  # raises on a diagonal segment
        for (x, y), _ in cells:
            inside = [n for n in boxes if n.contains(x, y)]
            assert not inside or (x, y) in ports, (route, (x, y), inside)
    # every edge cell is a drawable line and connects to a neighbour that points back
    grid = draw(layout)
    for (x, y), (bits, _) in layout.edge_cells().items():
        assert bits in LINE_CHARS
        assert grid[y][x] == LINE_CHARS[bits]
        for bit, (dx, dy, back) in {N: (0, -1, S), S: (0, 1, N), E: (1, 0, W), W: (-1, 0, E)}.items():
            if bits & bit:
                nxt = (x + dx, y + dy)
                assert nxt in ports or layout.edge_cells()[nxt][0] & back, ((x, y), nxt)


@pytest.mark.parametrize("n", [2, 3, 4, 7, 12, 20, 30])
@pytest.mark.parametrize("width", [46, 78, 158])
def test_star_and_mesh_layouts_are_clean(n, width):
    for members, edges in (star(n), mesh(n, n * width)):
        check(layout_graph(members, edges, "lead", width=width), members, edges, width)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 30), width=st.integers(20, 200), data=st.data())
def test_any_wiring_is_laid_out_cleanly(n, width, data):
    members = [f"m{i}" for i in range(n)]
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
    edges = data.draw(st.lists(st.sampled_from(pairs), max_size=3 * n))
    check(layout_graph(members, edges, "m0", width=width), members, edges, width)


def test_layers_follow_distance_from_the_orchestrator():
    members = ["lead", "a", "b", "c", "loner"]
    layers = layers_from(members, [("lead", "a"), ("a", "b"), ("lead", "c")], "lead")
    assert layers[0] == ["lead"]
    assert set(layers[1]) == {"a", "c"} and layers[2] == ["b"]
    assert layers[-1] == ["loner"]


def horizontals(route):
    return [(y0, min(x0, x1), max(x0, x1)) for (x0, y0), (x1, y1) in zip(route.points, route.points[1:])
            if y0 == y1 and x0 != x1]


@pytest.mark.parametrize("seed", range(8))
def test_tracks_of_different_members_never_share_or_touch(seed):
    members, edges = mesh(16, seed)
    lay = layout_graph(members, edges, "lead", width=100)
    for i, r in enumerate(lay.edges):
        for q in lay.edges[i + 1:]:
            if r.a == q.a:
                continue  # one member's edges form its bus
            for y, lo, hi in horizontals(r):
                for y2, lo2, hi2 in horizontals(q):
                    assert y != y2 or hi + 1 < lo2 or hi2 + 1 < lo, (r, q)


def test_one_members_edges_share_one_track():
    members, edges = star(4)
    lay = layout_graph(members, edges, "lead", width=158)
    assert len({y for r in lay.edges for y, _, _ in horizontals(r)}) == 1


def test_neighbour_follows_the_geometry():
    members, edges = star(4)  # lead above w1 w2 w3
    lay = layout_graph(members, edges, "lead", width=158)
    row = sorted(members[1:], key=lambda m: lay.nodes[m].x)
    assert lay.neighbour("lead", "down") == row[1]  # the one right below
    assert lay.neighbour(row[0], "right") == row[1]
    assert lay.neighbour(row[1], "right") == row[2]
    assert lay.neighbour(row[2], "right") is None
    assert lay.neighbour(row[0], "up") == "lead"
    assert lay.neighbour("lead", "up") is None


def test_a_wide_layer_wraps_and_long_edges_take_a_lane():
    members, edges = star(9)
    lay = layout_graph(members, edges, "lead", width=48)  # two boxes a row
    assert lay.width <= 48
    assert max(n.row for n in lay.nodes.values()) == 4
    far = [r for r in lay.edges if lay.nodes[r.b].row >= 2]
    assert far and all(len(r.points) == 6 for r in far)  # down, across to the lane, down, across, down


def test_layout_is_deterministic_and_empty_is_fine():
    members, edges = mesh(12, 3)
    assert layout_graph(members, edges, "lead", width=80) == layout_graph(members, edges, "lead", width=80)
    assert layout_graph([], [], None).nodes == {}
