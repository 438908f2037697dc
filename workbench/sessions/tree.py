"""The entry tree: every entry's parent is `parentId`; built iteratively (sessions can be
hundreds of thousands of entries deep, far past Python's recursion limit)."""

from __future__ import annotations

from typing import Any

from workbench.sessions.entries import iso_to_ms
from workbench.sessions.jsonl import Record


class TreeNode:
    """One entry in the tree: `id`, `type`, `parent_id`, `timestamp`, `label`, `children`;
    `entry` is the full dict, parsed on first access. (A plain slotted class: get_tree
    makes one per entry, so construction must be cheap.)"""

    __slots__ = ("record", "label", "children")

    def __init__(self, record: Record, label: str | None = None, children: list[TreeNode] | None = None):
        self.record = record
        self.label = label
        self.children = [] if children is None else children

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def type(self) -> str | None:
        return self.record.type

    @property
    def parent_id(self) -> str | None:
        return self.record.parent_id

    @property
    def timestamp(self) -> Any:
        return self.record.timestamp

    @property
    def entry(self) -> dict:
        return self.record.entry()

    def __repr__(self) -> str:
        return f"TreeNode({self.id!r}, {self.type!r}, label={self.label!r}, children={len(self.children)})"


_NAN_KEY = float("inf")


def _time_key(node: TreeNode) -> float:
    ms = iso_to_ms(node.record.timestamp)
    return _NAN_KEY if ms is None else ms


def build_tree(records: list[Record], labels: dict[str, str]) -> list[TreeNode]:
    return build_tree_index(records, labels)[0]


def attach(record: Record, nodes: dict[str, TreeNode], roots: list[TreeNode], label: str | None = None) -> TreeNode:
    """Add a newly appended entry to a built tree (its parent is already in it, its id is new)."""
    node = TreeNode(record, label)
    nodes[record.id] = node
    parent = nodes.get(record.parent_id) if record.parent_id is not None else None
    if parent is None:
        roots.append(node)
    else:
        siblings = parent.children
        siblings.append(node)
        if len(siblings) > 1:
            siblings.sort(key=_time_key)
    return node


def build_tree_index(records: list[Record], labels: dict[str, str]) -> tuple[list[TreeNode], dict[str, TreeNode]]:
    """pi's getTree: roots in file order, children sorted by timestamp (stable).

    `records` must have unique ids. Orphans (parent not in the file) and self-parented
    entries are roots. Entries caught in a longer parent cycle can't reach a root; the
    first of each cycle in file order becomes a root so nothing disappears from the tree.
    """
    label_of = labels.get
    nodes = {record.id: TreeNode(record, label_of(record.id)) for record in records}
    get = nodes.get
    roots: list[TreeNode] = []
    for record in records:
        parent_id = record.parent_id
        parent = get(parent_id) if parent_id is not None and parent_id != record.id else None
        if parent is None:
            roots.append(nodes[record.id])
        else:
            parent.children.append(nodes[record.id])
    if _sort_children(roots) < len(nodes):
        _adopt_cycles(records, nodes, roots)
    return roots, nodes


def _sort_children(roots: list[TreeNode]) -> int:
    """Sort every reachable node's children by time; returns how many nodes were reached."""
    count = 0
    stack = list(roots)
    pop, extend = stack.pop, stack.extend
    while stack:
        children = pop().children
        count += 1
        if children:
            if len(children) > 1:
                children.sort(key=_time_key)
            extend(children)
    return count


def _adopt_cycles(records: list[Record], nodes: dict[str, TreeNode], roots: list[TreeNode]) -> None:
    reached: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        reached.add(node.id)
        stack.extend(node.children)
    order = {record.id: index for index, record in enumerate(records)}
    for record in records:
        if record.id in reached:
            continue
        node = nodes[record.id]
        nodes[record.parent_id].children.remove(node)
        roots.append(node)
        _sort_children([node])
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
