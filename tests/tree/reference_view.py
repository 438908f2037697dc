"""Reference for the property test: the eager row layout the lazy `TreeView` replaced."""

from __future__ import annotations

from collections.abc import Mapping

from workbench.sessions.tree_view import SETTINGS_KINDS, FilterMode, Row, TreeIndex, _gc_paused


class EagerTreeView:
    """The first, eager implementation: every state change lays out every row. Slow (O(n) per
    key) but simple: the lazy `TreeView` must produce exactly its rows."""

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
        self.rows: list[Row] = []
        self.cursor = 0
        self._leaf = -1
        self._active: set[int] = set()
        self._order: list[int] = []
        self._branch_rows: list[int] = []
        self._row_of_cache: dict[int, int] | None = None
        self._vis_anc: list[int] = []
        self._root = 0
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
        self._order = order

    def _visible_base(self) -> list[bool]:
        """Which nodes pass the filter and search (folding is applied while building rows)."""
        idx = self.index
        kinds, ids, labels, mode, leaf = idx.kinds, idx.ids, self.labels, self.filter_mode, self._leaf
        n_nodes = len(kinds)
        if mode == "all":
            visible = [True] * n_nodes
        elif mode == "user-only":
            visible = [k == "user" for k in kinds]
        elif mode == "labelled-only":
            visible = [False] * n_nodes
            for eid in labels:
                p = idx.pos.get(eid)
                if p is not None:
                    visible[p] = True
        else:
            hidden = SETTINGS_KINDS | {"assistant_tools"}
            if mode == "no-tools":
                hidden = hidden | {"tool"}
            visible = [k not in hidden for k in kinds]
            if 0 <= leaf and kinds[leaf] == "assistant_tools":
                visible[leaf] = True  # keep the active position visible, as pi does
        tokens = self.query.lower().split()
        if tokens:
            search_text = idx.search_text
            for n in range(n_nodes):
                if visible[n]:
                    text = search_text(n, labels.get(ids[n]))
                    for token in tokens:
                        if token not in text:
                            visible[n] = False
                            break
        return visible

    def _rebuild(self, select: int | None = None) -> None:
        with _gc_paused():
            self._rebuild_rows(select)

    def _rebuild_rows(self, select: int | None) -> None:
        """Rows from the current order, filter, search and folds; keep the cursor on its entry.

        Two linear passes over flat lists (no recursion, no per-node dicts): the first finds each
        visible node's nearest visible ancestor and its place among that ancestor's visible
        children; the second lays rows out by pi's rules. Pre-order means a parent is always
        laid out before its children.
        """
        if select is None:
            select = self.rows[self.cursor].node if self.rows else self._leaf
        idx = self.index
        parent = idx.parent
        visible = self._visible_base()
        n_nodes = len(parent)
        folded_nodes = {idx.pos[e] for e in self.folded if e in idx.pos}
        root = n_nodes  # a virtual parent for the visible roots, so lists need no -1 checks
        vis_anc = [root] * (n_nodes + 1)  # nearest visible ancestor-or-self (root: none)
        fold_root = [-1] * (n_nodes + 1)  # the visible folded ancestor hiding this node
        vparent = [root] * (n_nodes + 1)
        ordinal = [0] * (n_nodes + 1)  # position among its visible siblings
        kids = [0] * (n_nodes + 1)  # visible children count
        folded_count: dict[int, int] = {}
        shown: list[int] = []
        append = shown.append
        for n in self._order:
            p = parent[n]
            if p < 0:
                p = root
            if folded_nodes or fold_root[p] >= 0:
                fr = fold_root[p]
                if fr < 0 and p in folded_nodes and visible[p]:
                    fr = p
                if fr >= 0:
                    fold_root[n] = fr
                    vis_anc[n] = vis_anc[p]
                    if visible[n]:
                        folded_count[fr] = folded_count.get(fr, 0) + 1
                    continue
            if visible[n]:
                vis_anc[n] = n
                pa = vis_anc[p]
                vparent[n] = pa
                ordinal[n] = kids[pa]
                kids[pa] += 1
                append(n)
            else:
                vis_anc[n] = vis_anc[p]

        # Indentation, connectors and gutters by pi's rules.
        multi_root = kids[root] > 1
        indent_of = [0] * (n_nodes + 1)
        branched = [False] * (n_nodes + 1)  # first generation after a branch point
        gutters_of: list[tuple[tuple[int, bool], ...]] = [()] * (n_nodes + 1)
        last_of = [False] * (n_nodes + 1)
        rows: list[Row] = []
        branch_rows: list[int] = []
        for n in shown:
            p = vparent[n]
            siblings = kids[p]
            is_last = ordinal[n] == siblings - 1
            if p == root:
                indent = 1 if multi_root else 0
                conn = multi_root
                gutters: tuple[tuple[int, bool], ...] = ()
                vroot = multi_root
            else:
                p_indent = indent_of[p]
                conn = siblings > 1
                indent = p_indent + 1 if conn or (branched[p] and p_indent > 0) else p_indent
                gutters = gutters_of[p]
                if branched[p] and not (vparent[p] == root and multi_root):
                    shown_indent = p_indent - 1 if multi_root and p_indent else p_indent
                    gutters = gutters + ((shown_indent - 1 if shown_indent else 0, not last_of[p]),)
                vroot = False
            indent_of[n] = indent
            branched[n] = conn
            gutters_of[n] = gutters
            last_of[n] = is_last
            n_kids = kids[n]
            if n_kids > 1:
                branch_rows.append(len(rows))
            rows.append(Row(
                n,
                indent - 1 if multi_root and indent else indent,
                ("└─ " if is_last else "├─ ") if conn and not vroot else "",
                gutters,
                n_kids,
                folded_count.get(n, 0) if folded_count else 0,
            ))
        self.rows = rows
        self._branch_rows = branch_rows
        self._row_of_cache = None
        self._vis_anc = vis_anc
        self._root = root
        # Cursor: the same entry, else its nearest visible ancestor (or the fold hiding it),
        # else the last row.
        self.cursor = max(0, len(rows) - 1)
        if 0 <= select < n_nodes:
            target = fold_root[select] if fold_root[select] >= 0 else vis_anc[select]
            row = self._row_of().get(target)
            if row is not None:
                self.cursor = row

    def _row_of(self) -> dict[int, int]:
        """node → row, built when first needed after a rebuild."""
        if self._row_of_cache is None:
            self._row_of_cache = {r.node: i for i, r in enumerate(self.rows)}
        return self._row_of_cache
