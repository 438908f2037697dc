"""Comparing two branches of a session: their messages aligned from the common ancestor down,
each pair marked same, changed, or on one side only (the compare screen shows it).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from workbench.sessions.tree_index import TreeIndex

Mark = Literal["same", "changed", "left-only", "right-only"]


@dataclass(frozen=True, slots=True)
class ComparedRow:
    mark: Mark
    left: tuple[str, str, str] | None  # (entry id, role, text)
    right: tuple[str, str, str] | None


@dataclass(frozen=True, slots=True)
class BranchComparison:
    ancestor_id: str | None  # the last entry both paths share (None: they share nothing)
    ancestor_text: str
    left_id: str
    right_id: str
    rows: tuple[ComparedRow, ...]

    @property
    def differing(self) -> int:
        return sum(1 for r in self.rows if r.mark != "same")


_COMPARED_KINDS = {
    "user": "user", "assistant": "assistant", "assistant_error": "assistant", "tool": "tool",
    "bash": "bash", "custom_message": "message", "branch_summary": "summary", "compaction": "compaction",
}


def compare_branches(index: TreeIndex, left_id: str, right_id: str) -> BranchComparison:
    """The two paths root → left and root → right from their common ancestor on, aligned so
    equal messages sit side by side, replaced ones (an assistant's two answers) next to each
    other, and a message only one side has alone on its side."""
    for eid in (left_id, right_id):
        if eid not in index.pos:
            raise KeyError(f"entry {eid!r} is not in this session")
    a = index.path_to_root(index.pos[left_id])
    b = index.path_to_root(index.pos[right_id])
    k = 0
    while k < len(a) and k < len(b) and a[k] == b[k]:
        k += 1
    ancestor = a[k - 1] if k else -1

    def items(path: list[int]) -> list[tuple[int, str, str]]:
        out = []
        for n in path[k:]:
            role = _COMPARED_KINDS.get(index.kinds[n])
            if role is None:
                continue
            text = index.full_text(n) if role in ("user", "assistant", "message", "summary") else \
                "".join(t for t, _ in index.summary(n))
            out.append((n, role, text))
        return out

    left, right = items(a), items(b)
    keys_l = [(role, text) for _, role, text in left]
    keys_r = [(role, text) for _, role, text in right]
    rows: list[ComparedRow] = []

    def cell(item: tuple[int, str, str]) -> tuple[str, str, str]:
        return index.ids[item[0]], item[1], item[2]

    matcher = difflib.SequenceMatcher(a=keys_l, b=keys_r, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(ComparedRow("same", cell(left[i]), cell(right[j])) for i, j in zip(range(i1, i2), range(j1, j2)))
            continue
        # Pair replaced messages by role so two answers line up; the rest stand alone.
        ls, rs = list(range(i1, i2)), list(range(j1, j2))
        while ls or rs:
            if ls and rs and left[ls[0]][1] == right[rs[0]][1]:
                rows.append(ComparedRow("changed", cell(left[ls.pop(0)]), cell(right[rs.pop(0)])))
            elif ls and (not rs or left[ls[0]][1] not in {right[j][1] for j in rs}):
                rows.append(ComparedRow("left-only", cell(left[ls.pop(0)]), None))
            elif rs:
                rows.append(ComparedRow("right-only", None, cell(right[rs.pop(0)])))
            else:
                rows.append(ComparedRow("left-only", cell(left[ls.pop(0)]), None))
    ancestor_text = "".join(t for t, _ in index.summary(ancestor)) if ancestor >= 0 else ""
    return BranchComparison(
        ancestor_id=index.ids[ancestor] if ancestor >= 0 else None,
        ancestor_text=ancestor_text,
        left_id=left_id,
        right_id=right_id,
        rows=tuple(rows),
    )
