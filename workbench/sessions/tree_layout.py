"""The tree's layout: a visible row's indent, gutters and connector, by pi's `/tree` rules.

`Row` and its parts, and `TreeLayout`, the mixin of `TreeView` that lays a row out when it is
read. Everything is answered from the sorted pre-order positions of the visible nodes by
bisection (a subtree is a contiguous range of the pre-order), iterative and memoised: sessions
are deep chains, and only the rows on screen are ever laid out.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.sessions.tree_index import TreeIndex
    from workbench.sessions.tree_view import TreeView

class Gutters(Sequence[tuple[int, bool]]):
    """A row's gutters — (level, draw │) per enclosing branch, outermost first — as a chain that
    shares its prefix with the rows above: a row under a branch point adds one link to its
    parent's chain instead of copying it (rows can be hundreds of levels deep, and copying would
    make laying out one screen quadratic in the depth). Iterates and compares like a tuple."""

    __slots__ = ("parent", "item", "_len")

    def __init__(self, parent: Gutters | None = None, item: tuple[int, bool] | None = None) -> None:
        self.parent = parent
        self.item = item
        self._len = (parent._len if parent is not None else 0) + (item is not None)

    def extend(self, item: tuple[int, bool]) -> Gutters:
        return Gutters(self, item)

    def __len__(self) -> int:
        return self._len

    def innermost(self, lowest: int) -> list[tuple[int, bool]]:
        """The gutters at level >= `lowest` (levels grow inwards), innermost first: what a row
        drawn from level `lowest` on needs, without walking the levels it doesn't show."""
        out = []
        link: Gutters | None = self
        while link is not None and link.item is not None and link.item[0] >= lowest:
            out.append(link.item)
            link = link.parent
        return out

    def as_tuple(self) -> tuple[tuple[int, bool], ...]:
        out = self.innermost(-1)
        out.reverse()
        return tuple(out)

    def __iter__(self):
        return iter(self.as_tuple())

    def __getitem__(self, i):  # type: ignore[override]
        return self.as_tuple()[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Gutters | tuple):
            return self.as_tuple() == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Gutters{self.as_tuple()!r}"


NO_GUTTERS = Gutters()


@dataclass(slots=True)
class Row:
    node: int
    indent: int  # display indent, in levels of 3 cells
    connector: str  # "├─ ", "└─ " or ""
    gutters: Gutters  # (level, draw │) for each ancestor branch with a connector, outermost first
    children: int  # visible children count (> 1: a branch point)
    folded: int  # rows hidden under this one by a fold (0: not folded)


class _Rows(Sequence[Row]):
    """The rows of a `TreeView` as a sequence whose items are laid out only when read."""

    __slots__ = ("_view",)

    def __init__(self, view: TreeView) -> None:
        self._view = view

    def __len__(self) -> int:
        return len(self._view._rows_pos)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self._view._rows_pos)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("row index out of range")
        return self._view._row(i)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _Memos:
    """Layout memos for one visibility (filter + search): cycling back to it reuses them."""

    __slots__ = ("anchor", "info", "layout", "below", "visanc", "branch_positions")

    def __init__(self) -> None:
        self.anchor: dict[int, int] = {}  # visible node → its nearest anchor (-1: none)
        self.info: dict[int, tuple[int, bool]] = {}  # anchor → (visible parent, is the last sibling)
        self.layout: dict[int, tuple[int, Gutters, bool, bool]] = {}
        self.below: dict[int, tuple[int, Gutters]] = {}
        self.visanc: dict[int, int] = {}
        self.branch_positions: list[int] | None = None


class TreeLayout:
    """Needs TreeView's index, pre-order (`_order`, `_pos`, `_size`, `_nbp`), visible positions
    (`_vp`, `_rows_pos`), folds and the layout memos of the current visibility."""

    index: TreeIndex
    folded: set[str]
    _order: list[int]
    _pos: list[int]
    _size: list[int]
    _nbp: list[int]
    _vp: list[int]
    _rows_pos: list[int]
    _multi_root: bool
    _memo_row: dict[int, Row]
    _memo_anchor: dict[int, int]
    _memo_info: dict[int, tuple[int, bool]]
    _memo_layout: dict[int, tuple[int, Gutters, bool, bool]]
    _memo_below: dict[int, tuple[int, Gutters]]
    _memo_visanc: dict[int, int]

    # -- counting over the visible pre-order ----------------------------------------------------

    def _count(self, lo: int, hi: int) -> int:
        """Visible nodes at pre-order positions [lo, hi)."""
        vp = self._vp
        return bisect_left(vp, hi) - bisect_left(vp, lo)

    def _end(self, n: int) -> int:
        return self._pos[n] + self._size[n]

    def _visanc(self, x: int) -> int:
        """Nearest visible ancestor-or-self of node x (-1: none). Walks the chain runs between
        raw branch points: each run is consecutive in the pre-order, so one bisection per run."""
        memo = self._memo_visanc
        nbp = self._nbp
        depth, pos, vp, order = self.index.depth, self._pos, self._vp, self._order
        seen: list[int] = []
        cur = x
        found = -1
        while True:
            if cur in memo:
                found = memo[cur]
                break
            seen.append(cur)
            b = nbp[cur]
            hi = pos[cur]
            lo = hi - (depth[cur] - depth[b] - 1) if b >= 0 else hi - depth[cur]
            j = bisect_right(vp, hi) - 1
            if j >= 0 and vp[j] >= lo:
                found = order[vp[j]]
                break
            if b < 0:
                break
            cur = b
        for s in seen:
            if len(memo) < 200_000:
                memo[s] = found
        return found

    def _nearest_anchor(self, x: int) -> int:
        """The nearest visible ancestor-or-self of visible node x that has a visible sibling (where
        the indent steps), or -1. Records each anchor's visible parent and whether it is the last
        sibling on the way (`_memo_info`).

        Only the topmost visible node of a run (the single-child chain below a raw branch point)
        can have a sibling, and its visible parent is the lowest visible node of the next
        non-empty run above; so the walk is one bisection per run, plus two range counts per
        candidate (conn: visible nodes under the parent outside the candidate's subtree)."""
        memo = self._memo_anchor
        found = memo.get(x)
        if found is not None:
            return found
        nbp, depth, pos, vp, order, size = self._nbp, self.index.depth, self._pos, self._vp, self._order, self._size
        info = self._memo_info
        n_vis = len(vp)
        cur = x
        hi = pos[x]
        b = nbp[cur]
        lo = hi - (depth[cur] - depth[b] - 1) if b >= 0 else hi - depth[cur]
        it = bisect_left(vp, lo, 0, bisect_right(vp, hi))  # x is visible: the run is not empty
        t = order[vp[it]]
        seen = [x]
        while True:
            found = memo.get(t)
            if found is not None:
                break
            seen.append(t)
            # t's visible parent v: the lowest visible node of the first non-empty run above b
            iv, v = -1, -1
            cur = b
            while cur >= 0:
                hi = pos[cur]
                nb = nbp[cur]
                lo = hi - (depth[cur] - depth[nb] - 1) if nb >= 0 else hi - depth[cur]
                j = bisect_right(vp, hi) - 1
                if j >= 0 and vp[j] >= lo:
                    iv, v = j, order[vp[j]]
                    break
                cur = nb
            et = bisect_left(vp, pos[t] + size[t], it)
            ev = bisect_left(vp, pos[v] + size[v], et) if v >= 0 else n_vis
            if it > iv + 1 or et < ev:  # a visible sibling before or after t's subtree
                info[t] = (v, et == ev)
                found = t
                break
            if v < 0:
                found = -1
                break
            # v's run is next: its topmost visible node is the next candidate
            it = bisect_left(vp, lo, 0, iv + 1)
            t = order[vp[it]]
            b = nbp[cur]
        for s in seen:
            memo[s] = found
        return found

    def _anchor_layout(self, a: int) -> tuple[int, Gutters, bool, bool]:
        """(indent, gutters, is the last sibling, is at the top) of anchor a, by pi's layout
        rules, from the anchors above it; iterative and memoised (chains are hundreds deep)."""
        memo = self._memo_layout
        got = memo.get(a)
        if got is not None:
            return got
        info, multi = self._memo_info, self._multi_root
        stack = [a]
        while stack:
            y = stack[-1]
            if y in memo:
                stack.pop()
                continue
            v, last = info[y]
            if v < 0:
                memo[y] = (1, NO_GUTTERS, last, True)
                stack.pop()
                continue
            up = self._nearest_anchor(v)
            if up >= 0 and up not in memo:
                stack.append(up)
                continue
            if up < 0:  # v is in the unindented chain at the top
                indent, gutters = 1, NO_GUTTERS
            elif up == v:  # v has a sibling: one level in, under v's gutter
                iv, gv, lv, topv = memo[v]
                indent = iv + 1
                gutters = gv if (topv and multi) else gv.extend(self._gutter(iv, lv))
            else:  # v hangs below anchor `up`
                indent, gutters = self._below(up)
                indent += 1
            memo[y] = (indent, gutters, last, False)
            stack.pop()
        return memo[a]

    def _below(self, a: int) -> tuple[int, Gutters]:
        """(indent, gutters) of the visible nodes below anchor a down to the next anchor."""
        memo = self._memo_below
        got = memo.get(a)
        if got is None:
            ia, ga, la, topa = self._anchor_layout(a)
            got = (ia + 1 if ia > 0 else ia, ga if (topa and self._multi_root) else ga.extend(self._gutter(ia, la)))
            memo[a] = got
        return got

    def _attrs(self, x: int) -> tuple[int, Gutters, bool, bool, bool]:
        """(indent, gutters, has a sibling, is the last sibling, is at the top) of visible node x."""
        a = self._nearest_anchor(x)
        if a < 0:
            return (0, NO_GUTTERS, False, False, False)
        if a == x:
            indent, gutters, last, top = self._anchor_layout(a)
            return (indent, gutters, True, last, top)
        indent, gutters = self._below(a)
        return (indent, gutters, False, False, False)

    def _gutter(self, indent: int, last: bool) -> tuple[int, bool]:
        shown = indent - 1 if self._multi_root and indent else indent
        return (shown - 1 if shown else 0, not last)

    def _visible_children(self, n: int) -> int:
        vp, order, size = self._vp, self._order, self._size
        end = self._end(n)
        count = 0
        i = bisect_left(vp, self._pos[n] + 1)
        while i < len(vp) and vp[i] < end:
            count += 1
            i = bisect_left(vp, vp[i] + size[order[vp[i]]], i + 1)
        return count

    def _row(self, i: int) -> Row:
        p = self._rows_pos[i]
        n = self._order[p]
        row = self._memo_row.get(n)
        if row is None:
            indent, gutters, conn, last, top = self._attrs(n)
            folded = self.index.ids[n] in self.folded
            row = Row(
                n,
                indent - 1 if self._multi_root and indent else indent,
                ("└─ " if last else "├─ ") if conn and not top else "",
                gutters,
                0 if folded else self._visible_children(n),
                self._count(p + 1, self._end(n)) if folded else 0,
            )
            self._memo_row[n] = row
        return row
