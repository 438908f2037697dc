"""The session tree as display rows: pure, Textual-free, fast on 50,000-entry sessions.

`TreeIndex` holds the entries of one session file as parallel lists indexed by node number
(parent, children, kind), built once and extended as entries are appended. `TreeView` turns it
into the rows the session pane shows, following pi's `/tree` navigator:

- single-child chains stay at one indent, a branch point indents its children, connectors
  (`├─ `, `└─ `, `│`) drawn from per-row gutters;
- the branch holding the active leaf is listed first, and every entry on root → leaf is marked;
- filters, type-to-search (every word must match, case-insensitive) and folding hide rows; a
  hidden row's children attach to its nearest visible ancestor.

Everything is iterative (sessions are deep chains, recursion would overflow) and the expensive
parts are split so each user action redoes only what it changed: a leaf move re-orders
(`_order`), a filter/search/fold change re-derives rows from that order, and a cursor move is
O(1). Row text is computed lazily, only for the rows on screen.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Mapping, Sequence
from itertools import compress
from operator import itemgetter
from typing import Any

# The entries' kinds and text, the index, the layout and the comparison are their own modules;
# the names the tree's users (the TUI, the CLI, tests) import from here are re-exported.
from workbench.sessions.tree_compare import BranchComparison, ComparedRow, compare_branches  # noqa: F401
from workbench.sessions.tree_entries import (FILTER_TABLES, FILTER_TITLES, FILTERS, KIND_CODES,  # noqa: F401
                                             LEAF_MARKER_TYPE, SETTINGS_KINDS, FilterMode, Piece, content_text,
                                             format_tool_call, one_line)
from workbench.sessions.tree_index import WORD_SEP, TreeIndex, WordIndex, _gc_paused, summary_text  # noqa: F401
from workbench.sessions.tree_layout import Gutters, Row, TreeLayout, _Memos, _Rows


class TreeView(TreeLayout):
    """Rows of a `TreeIndex` under a filter, a search, folds, with a cursor. No I/O, no Textual.

    The rows are not built: a row is laid out when it is read (the widget reads only the rows on
    screen). What a state change (filter, search, fold) computes is one sorted list — the
    pre-order positions of the visible nodes — and everything a row needs is answered from it by
    bisection: a subtree is a contiguous range of the pre-order, so "does this node have another
    visible sibling", "is it the last one", "how many rows does a fold hide" are range counts.
    Indentation only changes at branch points, so a row's indent and gutters come from the few
    branch points above it (walked through the raw branch-point ancestors, memoised), never from
    a walk over all the rows above it.
    """

    def __init__(
        self,
        index: TreeIndex,
        leaf_id: str | None,
        labels: Mapping[str, str] | None = None,
        *,
        filter_mode: FilterMode = "default",
    ) -> None:
        self.index = index
        self.labels: dict[str, str] = dict(labels or {})
        self.filter_mode: FilterMode = filter_mode
        self.query = ""
        self.folded: set[str] = set()
        self.marked: str | None = None  # the entry picked as one side of a branch comparison
        self.file_marks: dict[str, int] = {}  # entry id → files its tool call changed (`✎N`, checkpoints)
        self.rows: Sequence[Row] = _Rows(self)
        self.cursor = 0
        self._leaf = -1
        self._active: set[int] = set()
        self._order: list[int] = []
        self._pos: list[int] = []
        # per filter + search: the visible bitmap and the sorted pre-order positions of the visible
        self._vis_cache: dict[tuple[str, tuple[str, ...]], tuple[list[int], _Memos]] = {}
        # (filter, search tokens) → the nodes shown (ascending node numbers)
        self._match_cache: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        self._order_codes: bytes | None = None
        self._vp: list[int] = []
        self._rows_pos: list[int] = []  # _vp without the positions hidden by folds
        self._multi_root = False
        self._memo_row: dict[int, Row] = {}
        self._memos = _Memos()
        self._memo_anchor: dict[int, int] = {}
        self._memo_info: dict[int, tuple[int, bool]] = {}
        self._memo_layout: dict[int, tuple[int, Gutters, bool, bool]] = {}
        self._memo_below: dict[int, tuple[int, Gutters]] = {}
        self._memo_visanc: dict[int, int] = {}
        self._branch_rows_cache: list[int] | None = None
        self._nbp: list[int] = []
        self._size: list[int] = []
        self._points: list[int] = []
        self._set_leaf(leaf_id)
        self._reorder()
        self._rebuild(select=self._leaf)

    # -- state changes --------------------------------------------------------------------------

    @property
    def leaf_id(self) -> str | None:
        return self.index.ids[self._leaf] if self._leaf >= 0 else None

    def _set_leaf(self, leaf_id: str | None) -> None:
        self._leaf = self.index.pos.get(leaf_id, -1) if leaf_id else -1
        self._active = set(self.index.path_to_root(self._leaf)) if self._leaf >= 0 else set()

    def _reorder(self) -> None:
        """Pre-order of every node, the child holding the active leaf first (iterative DFS)."""
        with _gc_paused():
            self._reorder_nodes()
        self._vis_cache.clear()
        self._order_codes = None

    def _reorder_nodes(self) -> None:
        idx = self.index
        children, active = idx.children, self._active
        order: list[int] = []
        roots = idx.roots
        stack = [r for r in reversed(roots) if r not in active] + [r for r in roots if r in active]
        append, pop, extend = order.append, stack.pop, stack.extend
        while stack:
            n = pop()
            append(n)
            kids = children[n]
            if kids:
                if len(kids) == 1:
                    stack.append(kids[0])
                else:
                    first = [k for k in kids if k in active]
                    rest = [k for k in kids if k not in active]
                    extend(reversed(rest))
                    extend(first)
        pos = [0] * len(order)
        for i, n in enumerate(order):
            pos[n] = i
        self._order, self._pos = order, pos

    def _filter_mask(self) -> bytes | bytearray | None:
        """Which nodes the filter shows (before the search), one byte per node; None: all."""
        idx, mode, leaf = self.index, self.filter_mode, self._leaf
        if mode == "all":
            return None
        if mode == "labelled-only":
            mask = bytearray(len(idx))
            for eid in self.labels:
                p = idx.pos.get(eid)
                if p is not None:
                    mask[p] = 1
            return mask
        mask = idx.kind_codes.translate(FILTER_TABLES[mode])
        if mode != "user-only" and 0 <= leaf and idx.kinds[leaf] == "assistant_tools":
            mask[leaf] = 1  # keep the active position visible, as pi does
        return mask

    def _filter_positions(self) -> list[int]:
        """The pre-order positions of the nodes the filter shows (no search), ascending."""
        idx, mode, leaf, pos = self.index, self.filter_mode, self._leaf, self._pos
        n_nodes = len(self._order)
        if mode == "all":
            return list(range(n_nodes))
        if mode == "labelled-only":
            return sorted({pos[p] for p in map(idx.pos.get, self.labels) if p is not None})
        codes = self._order_codes
        if codes is None:  # the kinds in pre-order (one byte each), once per order
            order, kind_codes = self._order, idx.kind_codes
            codes = bytes(itemgetter(*order)(kind_codes)) if n_nodes > 1 else bytes(map(kind_codes.__getitem__, order))
            self._order_codes = codes
        vp = list(compress(range(n_nodes), codes.translate(FILTER_TABLES[mode])))
        if mode != "user-only" and 0 <= leaf and idx.kinds[leaf] == "assistant_tools":
            insort(vp, pos[leaf])  # keep the active position visible, as pi does
        return vp

    def _matches(self, tokens: tuple[str, ...]) -> list[int]:
        """Nodes the filter shows whose text (or label) holds every token. Narrowed from the
        matches of a shorter query when there is one (typing a word's next letter, or another
        word, only ever removes matches)."""
        mode = self.filter_mode
        cached = self._match_cache.get((mode, tokens))
        if cached is not None:
            return cached
        within: list[int] | None = None
        for (prev_mode, prev), found in self._match_cache.items():
            # every earlier token inside some new token: the new matches are among the old ones
            if prev_mode == mode and (within is None or len(found) < len(within)) \
                    and all(any(p in t for t in tokens) for p in prev):
                within = found
        mask = self._filter_mask()
        idx = self.index
        matched = idx.matching(tokens, within=within, mask=mask)
        # Labels are searched too; they are few, so they are checked apart from the texts.
        extra = []
        for eid, label in self.labels.items():
            n = idx.pos.get(eid)
            if n is not None and (mask is None or mask[n]):
                text = idx.search_text(n, label)
                if all(t in text for t in tokens):
                    extra.append(n)
        if extra:  # a few nodes: insert those the texts did not match already
            matched = list(matched)
            for n in extra:
                i = bisect_left(matched, n)
                if i == len(matched) or matched[i] != n:
                    matched.insert(i, n)
        if len(self._match_cache) > 32:
            self._match_cache.clear()
        self._match_cache[(mode, tokens)] = matched
        return matched

    def _visible(self) -> tuple[list[int], _Memos]:
        """The pre-order positions of the nodes visible under the filter and search (sorted).
        Cached per (filter, search) until the session changes."""
        tokens = tuple(self.query.lower().split())
        key = (self.filter_mode, tokens)
        cached = self._vis_cache.get(key)
        if cached is not None:
            return cached
        if tokens:
            vp = sorted(map(self._pos.__getitem__, self._matches(tokens)))
        else:
            vp = self._filter_positions()
        if len(self._vis_cache) > 16:
            self._vis_cache.clear()
        entry = (vp, _Memos())
        self._vis_cache[key] = entry
        return entry

    def _is_visible(self, node: int) -> bool:
        vp, p = self._vp, self._pos[node]
        i = bisect_left(vp, p)
        return i < len(vp) and vp[i] == p

    def _rebuild(self, select: int | None = None, *, visibility: bool = True) -> None:
        """Recompute the visible positions (unless only folds changed) and the rows' positions;
        keep the cursor on its entry, else its nearest visible ancestor or the fold hiding it."""
        if select is None:  # the cursor's entry (not its row: that would lay it out for nothing)
            select = self._order[self._rows_pos[self.cursor]] if len(self._rows_pos) else self._leaf
        self._nbp, self._size, self._points = self.index.structure()
        if visibility:
            self._vp, memos = self._visible()
            # layout memos live with the visibility they were computed for: cycling back to a
            # filter or a search reuses them
            self._memos = memos
            self._memo_anchor, self._memo_info, self._memo_layout = memos.anchor, memos.info, memos.layout
            self._memo_below, self._memo_visanc = memos.below, memos.visanc
            vp, order, size = self._vp, self._order, self._size
            if vp:
                first = order[vp[0]]
                self._multi_root = self._count(vp[0], vp[0] + size[first]) < len(vp)
            else:
                self._multi_root = False
        self._rows_pos = self._fold_out(self._vp)
        self._memo_row = {}
        self._branch_rows_cache = None
        self.cursor = max(0, len(self._rows_pos) - 1)
        if 0 <= select < len(self._pos):
            row = self._row_showing(select)
            if row is not None:
                self.cursor = row

    def _fold_out(self, vp: list[int]) -> list[int]:
        """The visible positions minus those under a folded (visible) row."""
        if not self.folded:
            return vp
        pos, size, idx = self._pos, self._size, self.index
        folds = sorted(pos[idx.pos[e]] for e in self.folded if e in idx.pos and self._is_visible(idx.pos[e]))
        out: list[int] = []
        start = 0  # index into vp of the next position to keep
        cut_end = -1
        for p in folds:
            if p < cut_end:
                continue  # inside a fold already cut out
            end = p + size[self._order[p]]
            i = bisect_right(vp, p)
            if i > start:
                out.extend(vp[start:i])
            start = max(start, bisect_left(vp, end))
            cut_end = end
        out.extend(vp[start:])
        return out

    # -- rows and branch points (a row's layout: tree_layout.py) ----------------------------------

    def row_of(self, node: int) -> int | None:
        """The row showing `node`, or None (hidden by the filter, the search or a fold)."""
        p = self._pos[node]
        i = bisect_left(self._rows_pos, p)
        return i if i < len(self._rows_pos) and self._rows_pos[i] == p else None

    def _row_showing(self, node: int) -> int | None:
        """The row of the node, else of its nearest visible ancestor, else of the fold hiding it."""
        v = node if self._is_visible(node) else self._visanc(node)
        if v < 0:
            return None
        i = bisect_right(self._rows_pos, self._pos[v]) - 1
        if i < 0:
            return None
        top = self._order[self._rows_pos[i]]
        return i if self._rows_pos[i] <= self._pos[v] < self._end(top) else None

    def _branch_positions(self) -> list[int]:
        """Pre-order positions of the visible nodes with more than one visible child (computed on
        first use per filter/search): each is the nearest visible ancestor of a raw branch point."""
        memos = self._memos
        found = memos.branch_positions
        if found is None:
            out = set()
            for b in self._points:
                v = self._visanc(b)
                if v >= 0 and self._visible_children(v) > 1:
                    out.add(self._pos[v])
            found = sorted(out)
            memos.branch_positions = found
        return found

    @property
    def branch_rows(self) -> list[int]:
        """Rows that are branch points (more than one visible child), in order."""
        if self._branch_rows_cache is None:
            rows = (self.row_of(self._order[p]) for p in self._branch_positions())
            self._branch_rows_cache = [r for r in rows if r is not None and self._row(r).children > 1]
        return self._branch_rows_cache

    def _branch_row_after(self, row: int, direction: int) -> int | None:
        """The next (or previous) branch-point row from `row`, skipping any a fold hides."""
        positions = self._branch_positions()
        here = self._rows_pos[row]
        if direction > 0:
            i = bisect_right(positions, here)
            candidates = (positions[k] for k in range(i, len(positions)))
        else:
            i = bisect_left(positions, here)
            candidates = (positions[k] for k in range(i - 1, -1, -1))
        for p in candidates:
            r = self.row_of(self._order[p])
            if r is not None and self._row(r).children > 1:
                return r
        return None

    def refresh(self, leaf_id: str | None = None, labels: Mapping[str, str] | None = None,
                new_entries: Sequence[Mapping[str, Any]] = (), *, follow_leaf: bool = False) -> None:
        """New entries, a new leaf or new labels from the session; the cursor stays put unless
        `follow_leaf` (or it was on the old leaf, so a live session keeps following its tip)."""
        on_leaf = self._leaf >= 0 and len(self._rows_pos) > 0 and self._row_showing(self._leaf) == self.cursor
        if new_entries:
            self.index.extend(new_entries)
        if labels is not None and dict(labels) != self.labels:
            self.labels = dict(labels)
            self._match_cache.clear()
        old_leaf = self._leaf
        self._set_leaf(leaf_id)
        if self._leaf != old_leaf:
            self._match_cache.clear()  # the filters keep the leaf visible
        self._reorder()
        if new_entries:
            self._match_cache.clear()
        select = self._leaf if (follow_leaf or on_leaf or old_leaf < 0) else None
        if select is None:
            select = self._order[self._rows_pos[self.cursor]] if len(self._rows_pos) else self._leaf
        self._rebuild(select=select)

    def set_filter(self, mode: FilterMode) -> None:
        if mode not in FILTERS:
            raise ValueError(f"unknown tree filter {mode!r}; expected one of {', '.join(FILTERS)}")
        self.filter_mode = mode
        self._rebuild()

    def cycle_filter(self, step: int = 1) -> FilterMode:
        self.set_filter(FILTERS[(FILTERS.index(self.filter_mode) + step) % len(FILTERS)])
        return self.filter_mode

    def set_query(self, query: str) -> None:
        self.query = query
        self._rebuild()

    def toggle_fold(self, row: int | None = None) -> bool:
        """Fold (or unfold) the subtree under a row. Returns whether anything changed."""
        row = self.cursor if row is None else row
        if not len(self._rows_pos):
            return False
        r = self.rows[row]
        eid = self.index.ids[r.node]
        if eid in self.folded:
            self.folded.discard(eid)
        elif r.children:
            self.folded.add(eid)
        else:
            return False
        self._rebuild(select=r.node, visibility=False)  # folds splice rows: visibility is unchanged
        return True

    def fold(self) -> bool:
        """Fold the row's subtree; on a row with nothing to fold, go to the branch point above."""
        if not len(self._rows_pos):
            return False
        r = self.rows[self.cursor]
        if r.children and self.index.ids[r.node] not in self.folded:
            return self.toggle_fold()
        return self.prev_branch_point()

    def unfold(self) -> bool:
        if len(self._rows_pos) and self.index.ids[self.rows[self.cursor].node] in self.folded:
            return self.toggle_fold()
        return False

    # -- cursor ---------------------------------------------------------------------------------

    def move(self, delta: int) -> None:
        if len(self._rows_pos):
            self.cursor = max(0, min(len(self._rows_pos) - 1, self.cursor + delta))

    def home(self) -> None:
        self.cursor = 0

    def end(self) -> None:
        self.cursor = max(0, len(self._rows_pos) - 1)

    def select_entry(self, entry_id: str) -> bool:
        n = self.index.pos.get(entry_id)
        if n is None:
            return False
        v = n if self._is_visible(n) else self._visanc(n)
        row = self.row_of(v) if v >= 0 else None
        if row is None:
            return False
        self.cursor = row
        return True

    def next_branch_point(self) -> bool:
        row = self._branch_row_after(self.cursor, 1) if len(self._rows_pos) else None
        if row is not None:
            self.cursor = row
            return True
        return False

    def prev_branch_point(self) -> bool:
        row = self._branch_row_after(self.cursor, -1) if len(self._rows_pos) else None
        if row is not None:
            self.cursor = row
            return True
        return False

    # -- reading --------------------------------------------------------------------------------

    @property
    def selected_id(self) -> str | None:
        return self.index.ids[self.rows[self.cursor].node] if len(self._rows_pos) else None

    @property
    def selected_entry(self) -> Mapping[str, Any] | None:
        return self.index.entries[self.rows[self.cursor].node] if len(self._rows_pos) else None

    def is_active(self, node: int) -> bool:
        return node in self._active

    def is_branch_point_row(self, row: int) -> bool:
        return self.rows[row].children > 1

    def status(self) -> str:
        """`3/41 · default`, for the pane's status line."""
        where = f"{self.cursor + 1}/{len(self.rows)}" if len(self._rows_pos) else "0/0"
        return f"{where} · {FILTER_TITLES[self.filter_mode]}"

    def row_pieces(self, row: int, selected: bool | None = None, max_indent: int | None = None) -> list[Piece]:
        """One row as styled pieces: cursor, connectors, active marker, label, summary, fold.

        `max_indent` (levels) keeps deep rows readable in a narrow pane: deeper rows show only
        their innermost levels after a `⋯`, instead of running off the right edge as pi's do.
        """
        r = self.rows[row]
        if selected is None:
            selected = row == self.cursor
        pieces: list[Piece] = [("› " if selected else "  ", "cursor")]
        indent = r.indent
        if indent:
            skip = indent - max_indent if max_indent is not None and indent > max_indent > 0 else 0
            width = (indent - skip) * 3
            chars = [" "] * width
            for level, show in r.gutters.innermost(skip):
                at = (level - skip) * 3
                if show and 0 <= at < width:
                    chars[at] = "│"
            if r.connector:
                at = (indent - 1 - skip) * 3
                chars[at:at + 3] = r.connector
            if skip:
                chars[0] = "⋯"
            pieces.append(("".join(chars), "connector"))
        eid = self.index.ids[r.node]
        if r.node in self._active:
            pieces.append(("• ", "active"))
        if eid == self.marked:
            pieces.append(("◆ ", "mark"))
        if r.folded:  # before the summary: a long row is clipped at the pane's edge
            pieces.append((f"▸ +{r.folded} ", "fold"))
        changed = self.file_marks.get(eid)
        if changed:
            pieces.append((f"✎{changed} ", "files"))
        label = self.labels.get(eid)
        if label:
            pieces.append((f"[{one_line(label, 60)}] ", "label"))
        pieces.extend(self.index.summary(r.node))
        return pieces

    def row_text(self, row: int, selected: bool | None = None, max_indent: int | None = None) -> str:
        return "".join(text for text, _ in self.row_pieces(row, selected, max_indent))

    # -- branching ------------------------------------------------------------------------------

    def branch_target(self, entry_id: str) -> tuple[str | None, str | None]:
        """Where the leaf goes when branching at `entry_id`, and the text for the prompt.

        At a user message the leaf goes to its parent and its text comes back to be edited and
        resent (pi's behaviour); anywhere else the leaf moves to the entry itself.
        """
        n = self.index.pos[entry_id]
        if self.index.kinds[n] == "user":
            p = self.index.parent[n]
            return (self.index.ids[p] if p >= 0 else None), self.index.full_text(n)
        return entry_id, None

    def abandoned_entries(self, target_id: str | None) -> list[Mapping[str, Any]]:
        """The entries of the branch being left when the leaf moves to `target_id`: from just
        below the common ancestor down to the old leaf (empty when moving along the same path)."""
        if self._leaf < 0:
            return []
        keep = set(self.index.path_to_root(self.index.pos[target_id])) if target_id else set()
        left: list[int] = []
        n = self._leaf
        while n >= 0 and n not in keep:
            left.append(n)
            n = self.index.parent[n]
        left.reverse()
        return [self.index.entries[i] for i in left]
