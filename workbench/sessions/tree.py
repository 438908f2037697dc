"""The entry tree: every entry's parent is `parentId`; built iteratively (sessions can be
hundreds of thousands of entries deep, far past Python's recursion limit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.sessions.entries import iso_to_ms
from workbench.sessions.jsonl import Record


@dataclass(eq=False, slots=True)
class TreeNode:
    """One entry in the tree. `entry` parses the entry's JSON on first access."""

    id: str
    type: str | None
    parent_id: str | None
    timestamp: Any
    label: str | None = None
    children: list[TreeNode] = field(default_factory=list)
    record: Record | None = field(default=None, repr=False)

    @property
    def entry(self) -> dict:
        return self.record.entry() if self.record is not None else {}


_NAN_KEY = float("inf")


def _time_key(node: TreeNode) -> float:
    ms = iso_to_ms(node.timestamp)
    return _NAN_KEY if ms is None else ms


def build_tree(records: list[Record], labels: dict[str, str]) -> list[TreeNode]:
    """pi's getTree: roots in file order, children sorted by timestamp (stable).

    Orphans (parent not in the file) and self-parented entries are roots. Entries caught
    in a longer parent cycle can't reach a root; the first of each cycle in file order
    becomes a root so nothing disappears from the tree.
    """
    nodes: dict[str, TreeNode] = {}
    order: dict[str, int] = {}
    for index, record in enumerate(records):
        nodes[record.id] = TreeNode(record.id, record.type, record.parent_id, record.timestamp, labels.get(record.id), record=record)
        order[record.id] = index
    roots: list[TreeNode] = []
    for record in records:
        node = nodes[record.id]
        if node.record is not record:  # a duplicate id: the later entry wins, as in pi's Map
            continue
        parent_id = record.parent_id
        parent = nodes.get(parent_id) if parent_id is not None and parent_id != record.id else None
        if parent is None:
            roots.append(node)
        else:
            parent.children.append(node)

    reached = _count_reachable(roots)
    if reached < len(nodes):
        _adopt_cycles(records, nodes, roots, order)

    stack = list(roots)
    while stack:
        node = stack.pop()
        children = node.children
        if len(children) > 1:
            children.sort(key=_time_key)
        stack.extend(children)
    return roots


def _count_reachable(roots: list[TreeNode]) -> int:
    count = 0
    stack = list(roots)
    while stack:
        node = stack.pop()
        count += 1
        stack.extend(node.children)
    return count


def _adopt_cycles(records: list[Record], nodes: dict[str, TreeNode], roots: list[TreeNode], order: dict[str, int]) -> None:
    reached: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        reached.add(node.id)
        stack.extend(node.children)
    for record in records:
        node = nodes[record.id]
        if node.record is not record or node.id in reached:
            continue
        parent = nodes[node.parent_id]
        parent.children.remove(node)
        roots.append(node)
        stack = [node]
        while stack:
            current = stack.pop()
            reached.add(current.id)
            stack.extend(current.children)
    roots.sort(key=lambda n: order[n.id])


def walk_depth_first(roots: list[TreeNode]):
    """(node, depth) in display order: depth first, children in their sorted order."""
    stack = [(node, 0) for node in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in reversed(node.children))
