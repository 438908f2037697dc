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

import difflib
import gc
import json
from contextlib import contextmanager
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

FilterMode = Literal["default", "no-tools", "user-only", "labelled-only", "all"]
FILTERS: tuple[FilterMode, ...] = ("default", "no-tools", "user-only", "labelled-only", "all")
FILTER_TITLES: dict[FilterMode, str] = {
    "default": "default",
    "no-tools": "no tools",
    "user-only": "user only",
    "labelled-only": "labelled only",
    "all": "everything",
}

# Bookkeeping entries the default filter hides (pi hides the same, plus session_info here).
SETTINGS_KINDS = frozenset({"label", "custom", "model", "thinking", "session_info"})
# Entries that carry text a user may want to copy back into the prompt.
PEER_MESSAGE_TYPE = "peer_message"
LEAF_MARKER_TYPE = "workbench.leaf"

SUMMARY_CHARS = 200  # a row never shows more than this of an entry's text
SEARCH_CHARS = 1000  # how much of an entry's text type-to-search looks at

# C0/C1 controls and DEL → space: row text is untrusted and must never reach the terminal raw.
_CONTROL_TABLE = {c: " " for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}


@contextmanager
def _gc_paused():
    """Building rows allocates tens of thousands of small objects; each allocation burst would
    make the cyclic GC rescan the whole session held in memory (it more than doubles the time).
    Nothing built here forms cycles, so pause it for the duration."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def one_line(text: str, limit: int = SUMMARY_CHARS) -> str:
    """Untrusted text as one safe line: controls and newlines → spaces, runs collapsed."""
    if len(text) > limit * 4:
        text = text[: limit * 4]
    return " ".join(text.translate(_CONTROL_TABLE).split())[:limit]


def content_text(content: Any, limit: int | None = None) -> str:
    """The text blocks of a message `content` (a string or a list of blocks), joined."""
    if isinstance(content, str):
        return content if limit is None else content[:limit]
    if not isinstance(content, list):
        return ""
    parts: list[str] = []
    size = 0
    for block in content:
        if isinstance(block, dict) and block.get("type") == "text":
            text = block.get("text")
            if isinstance(text, str):
                parts.append(text)
                size += len(text)
                if limit is not None and size >= limit:
                    break
    joined = "".join(parts)
    return joined if limit is None else joined[:limit]


def _has_text(content: Any) -> bool:
    if isinstance(content, str):
        return bool(content.strip())
    if isinstance(content, list):
        for block in content:
            if isinstance(block, dict) and block.get("type") == "text":
                text = block.get("text")
                if isinstance(text, str) and text.strip():
                    return True
    return False


_TYPE_KINDS = {
    "custom_message": "custom_message",
    "compaction": "compaction",
    "branch_summary": "branch_summary",
    "model_change": "model",
    "thinking_level_change": "thinking",
    "custom": "custom",
    "label": "label",
    "session_info": "session_info",
}
_ROLE_KINDS = {"user": "user", "toolResult": "tool", "bashExecution": "bash"}


def classify(entry: Mapping[str, Any]) -> str:
    """A short kind for one entry: what filters and row styles key on."""
    etype = entry.get("type")
    if etype != "message":
        return _TYPE_KINDS.get(etype, "other")  # type: ignore[arg-type]
    msg = entry.get("message")
    if not isinstance(msg, dict):
        return "message_other"
    role = msg.get("role")
    if role != "assistant":
        return _ROLE_KINDS.get(role, "message_other")  # type: ignore[arg-type]
    if _has_text(msg.get("content")):
        return "assistant"
    if msg.get("stopReason") in ("error", "aborted") or msg.get("errorMessage"):
        return "assistant_error"
    return "assistant_tools"  # only tool calls / thinking: its results stand for it


def format_tool_call(name: str, args: Mapping[str, Any]) -> str:
    """`[read: path:1-40]`, `[edit: path]`, `[bash: cmd…]` — what a tool result row shows."""
    def arg(*keys: str, default: str = "") -> str:
        for key in keys:
            value = args.get(key)
            if value is not None and value != "":
                return str(value)
        return default

    if name == "read":
        shown = arg("path", "file_path")
        offset, limit = args.get("offset"), args.get("limit")
        if isinstance(offset, int) or isinstance(limit, int):
            start = offset if isinstance(offset, int) else 1
            shown += f":{start}" + (f"-{start + limit - 1}" if isinstance(limit, int) else "")
        return f"[read: {shown}]"
    if name in ("write", "edit"):
        return f"[{name}: {arg('path', 'file_path')}]"
    if name == "bash":
        raw = one_line(arg("command"), 10_000)
        return f"[bash: {raw[:50]}{'…' if len(raw) > 50 else ''}]"
    if name in ("grep", "find"):
        pattern = arg("pattern")
        where = arg("path", default=".")
        return f"[grep: /{pattern}/ in {where}]" if name == "grep" else f"[find: {pattern} in {where}]"
    if name == "ls":
        return f"[ls: {arg('path', default='.')}]"
    dumped = json.dumps(dict(args), ensure_ascii=False, separators=(",", ":"), default=str)
    return f"[{name}: {dumped[:40]}{'…' if len(dumped) > 40 else ''}]"


# A row's text as (text, style key) pieces; the widget maps style keys to its theme.
Piece = tuple[str, str]


class TreeIndex:
    """The entries of one session as a tree of node numbers. Appending is O(1) per entry."""

    __slots__ = ("entries", "ids", "parent", "children", "kinds", "pos", "roots", "_summary", "_search")

    def __init__(self, entries: Iterable[Mapping[str, Any]] = ()) -> None:
        self.entries: list[Mapping[str, Any]] = []
        self.ids: list[str] = []
        self.parent: list[int] = []
        self.children: list[list[int]] = []
        self.kinds: list[str] = []
        self.pos: dict[str, int] = {}
        self.roots: list[int] = []
        self._summary: list[list[Piece] | None] = []
        self._search: list[str | None] = []
        self.extend(entries)

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, entries: Iterable[Mapping[str, Any]]) -> None:
        with _gc_paused():
            self._extend(entries)

    def _extend(self, entries: Iterable[Mapping[str, Any]]) -> None:
        entries_, ids, parent, children, kinds, pos, roots = (
            self.entries, self.ids, self.parent, self.children, self.kinds, self.pos, self.roots,
        )
        for entry in entries:
            eid = entry.get("id")
            if entry.get("type") == "session" or not isinstance(eid, str) or eid in pos:
                continue  # the header, or an entry the manager already reported as a problem
            n = len(ids)
            p = pos.get(entry.get("parentId"), -1)  # type: ignore[arg-type]
            entries_.append(entry)
            ids.append(eid)
            parent.append(p)
            children.append([])
            kinds.append(classify(entry))
            pos[eid] = n
            if p < 0:
                roots.append(n)
            else:
                children[p].append(n)
        grow = len(ids) - len(self._summary)
        self._summary.extend([None] * grow)
        self._search.extend([None] * grow)

    # -- text -----------------------------------------------------------------------------------

    def _tool_call_of(self, n: int) -> tuple[str, Mapping[str, Any]] | None:
        """The toolCall block a toolResult answers: in the nearest assistant message above it."""
        msg = self.entries[n]["message"]
        call_id = msg.get("toolCallId")
        p = self.parent[n]
        while p >= 0:
            if self.kinds[p] in ("assistant", "assistant_tools", "assistant_error"):
                content = self.entries[p]["message"].get("content")
                if isinstance(content, list):
                    for block in content:
                        if isinstance(block, dict) and block.get("type") == "toolCall" and block.get("id") == call_id:
                            args = block.get("arguments")
                            return str(block.get("name", "tool")), args if isinstance(args, dict) else {}
                return None
            if self.kinds[p] != "tool":
                return None
            p = self.parent[p]
        return None

    def summary(self, n: int) -> list[Piece]:
        """One line describing entry `n` (cached): `user: …`, `[read: path]`, `[compaction: 12k tokens]`…"""
        cached = self._summary[n]
        if cached is not None:
            return cached
        entry = self.entries[n]
        kind = self.kinds[n]
        msg = entry.get("message") if entry.get("type") == "message" else None
        pieces: list[Piece]
        if kind == "user":
            pieces = [("user: ", "user"), (one_line(content_text(msg.get("content"), SUMMARY_CHARS * 4)), "text")]
        elif kind == "assistant":
            pieces = [("assistant: ", "assistant"), (one_line(content_text(msg.get("content"), SUMMARY_CHARS * 4)), "text")]
        elif kind == "assistant_error":
            if msg.get("stopReason") == "aborted":
                pieces = [("assistant: ", "assistant"), ("(aborted)", "muted")]
            else:
                error = one_line(str(msg.get("errorMessage") or "error"), 80)
                pieces = [("assistant: ", "assistant"), (error, "error")]
        elif kind == "assistant_tools":
            names = [
                str(b.get("name", "tool")) for b in msg.get("content") or []
                if isinstance(b, dict) and b.get("type") == "toolCall"
            ]
            shown = ", ".join(names) if names else "(no content)"
            pieces = [("assistant: ", "assistant"), (one_line("→ " + shown if names else shown), "muted")]
        elif kind == "tool":
            call = self._tool_call_of(n)
            text = format_tool_call(*call) if call else f"[{msg.get('toolName') or 'tool'}]"
            pieces = [(one_line(text), "error" if msg.get("isError") else "tool")]
        elif kind == "bash":
            pieces = [(f"[bash]: {one_line(str(msg.get('command', '')))}", "dim")]
        elif kind == "message_other":
            pieces = [(f"[{one_line(str(msg.get('role') if isinstance(msg, dict) else 'message'))}]", "dim")]
        elif kind == "custom_message":
            text = one_line(content_text(entry.get("content"), SUMMARY_CHARS * 4))
            if entry.get("customType") == PEER_MESSAGE_TYPE:
                details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
                sender = one_line(str(details.get("sender") or details.get("from") or "peer"), 40)
                pieces = [(f"{sender} → ", "peer"), (text, "text")]
            else:
                pieces = [(f"[{one_line(str(entry.get('customType', 'custom')), 40)}]: ", "custom"), (text, "text")]
        elif kind == "compaction":
            tokens = entry.get("tokensBefore")
            shown = f"{round(tokens / 1000)}k tokens" if isinstance(tokens, (int, float)) else "? tokens"
            pieces = [(f"[compaction: {shown}]", "compaction")]
        elif kind == "branch_summary":
            pieces = [("[branch summary]: ", "summary"), (one_line(str(entry.get("summary", ""))), "text")]
        elif kind == "model":
            pieces = [(f"[model: {one_line(str(entry.get('modelId', '?')), 60)}]", "dim")]
        elif kind == "thinking":
            pieces = [(f"[thinking: {one_line(str(entry.get('thinkingLevel', '?')), 20)}]", "dim")]
        elif kind == "custom":
            pieces = [(f"[custom: {one_line(str(entry.get('customType', '?')), 60)}]", "dim")]
        elif kind == "label":
            label = entry.get("label")
            pieces = [(f"[label: {one_line(str(label), 60) if label else '(cleared)'}]", "dim")]
        elif kind == "session_info":
            pieces = [(f"[name: {one_line(str(entry.get('name', '')), 60)}]", "dim")]
        else:
            pieces = [(f"[{one_line(str(entry.get('type', 'entry')), 40)}]", "dim")]
        self._summary[n] = pieces
        return pieces

    def full_text(self, n: int) -> str:
        """The entry's whole text (what "copy to prompt" and branching at a user message take)."""
        entry = self.entries[n]
        kind = self.kinds[n]
        if entry.get("type") == "message":
            msg = entry["message"]
            if kind == "bash":
                return str(msg.get("command", ""))
            if kind in ("assistant_error",) and not _has_text(msg.get("content")):
                return str(msg.get("errorMessage") or "")
            if kind == "tool":
                return content_text(msg.get("content"))
            return content_text(msg.get("content"))
        if kind == "custom_message":
            return content_text(entry.get("content"))
        if kind in ("compaction", "branch_summary"):
            return str(entry.get("summary", ""))
        return "".join(text for text, _ in self.summary(n))

    def search_text(self, n: int, label: str | None) -> str:
        cached = self._search[n]
        if cached is None:
            body = "".join(text for text, _ in self.summary(n))
            kind = self.kinds[n]
            if kind in ("user", "assistant", "custom_message", "branch_summary", "compaction"):
                body += " " + one_line(self.full_text(n)[:SEARCH_CHARS * 2], SEARCH_CHARS)
            cached = body.lower()
            self._search[n] = cached
        return f"{label.lower()} {cached}" if label else cached

    def path_to_root(self, n: int) -> list[int]:
        """Node numbers root → n."""
        path = []
        while n >= 0:
            path.append(n)
            n = self.parent[n]
        path.reverse()
        return path


@dataclass(slots=True)
class Row:
    node: int
    indent: int  # display indent, in levels of 3 cells
    connector: str  # "├─ ", "└─ " or ""
    gutters: tuple[tuple[int, bool], ...]  # (level, draw │) for each ancestor branch with a connector
    children: int  # visible children count (> 1: a branch point)
    folded: int  # rows hidden under this one by a fold (0: not folded)


class TreeView:
    """Rows of a `TreeIndex` under a filter, a search, folds, with a cursor. No I/O, no Textual."""

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

    def refresh(self, leaf_id: str | None = None, labels: Mapping[str, str] | None = None,
                new_entries: Sequence[Mapping[str, Any]] = (), *, follow_leaf: bool = False) -> None:
        """New entries, a new leaf or new labels from the session; the cursor stays put unless
        `follow_leaf` (or it was on the old leaf, so a live session keeps following its tip)."""
        on_leaf = self._leaf >= 0 and bool(self.rows) and self._vis_anc[self._leaf] == self.rows[self.cursor].node
        if new_entries:
            self.index.extend(new_entries)
        if labels is not None:
            self.labels = dict(labels)
        old_leaf = self._leaf
        self._set_leaf(leaf_id)
        self._reorder()
        select = self._leaf if (follow_leaf or on_leaf or old_leaf < 0) else None
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
        if not self.rows:
            return False
        r = self.rows[row]
        eid = self.index.ids[r.node]
        if eid in self.folded:
            self.folded.discard(eid)
        elif r.children:
            self.folded.add(eid)
        else:
            return False
        self._rebuild(select=r.node)
        return True

    def fold(self) -> bool:
        """Fold the row's subtree; on a row with nothing to fold, go to the branch point above."""
        if not self.rows:
            return False
        r = self.rows[self.cursor]
        if r.children and self.index.ids[r.node] not in self.folded:
            return self.toggle_fold()
        return self.prev_branch_point()

    def unfold(self) -> bool:
        if self.rows and self.index.ids[self.rows[self.cursor].node] in self.folded:
            return self.toggle_fold()
        return False

    # -- cursor ---------------------------------------------------------------------------------

    def move(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def home(self) -> None:
        self.cursor = 0

    def end(self) -> None:
        self.cursor = max(0, len(self.rows) - 1)

    def select_entry(self, entry_id: str) -> bool:
        n = self.index.pos.get(entry_id)
        if n is None:
            return False
        row = self._row_of().get(self._vis_anc[n])
        if row is None:
            return False
        self.cursor = row
        return True

    def next_branch_point(self) -> bool:
        i = bisect_right(self._branch_rows, self.cursor)
        if i < len(self._branch_rows):
            self.cursor = self._branch_rows[i]
            return True
        return False

    def prev_branch_point(self) -> bool:
        i = bisect_left(self._branch_rows, self.cursor)
        if i > 0:
            self.cursor = self._branch_rows[i - 1]
            return True
        return False

    # -- reading --------------------------------------------------------------------------------

    @property
    def selected_id(self) -> str | None:
        return self.index.ids[self.rows[self.cursor].node] if self.rows else None

    @property
    def selected_entry(self) -> Mapping[str, Any] | None:
        return self.index.entries[self.rows[self.cursor].node] if self.rows else None

    def is_active(self, node: int) -> bool:
        return node in self._active

    def is_branch_point_row(self, row: int) -> bool:
        return self.rows[row].children > 1

    def status(self) -> str:
        """`3/41 · default` plus the search, for the pane's status line."""
        where = f"{self.cursor + 1}/{len(self.rows)}" if self.rows else "0/0"
        text = f"{where} · {FILTER_TITLES[self.filter_mode]}"
        return text

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
            for level, show in r.gutters:
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
        label = self.labels.get(eid)
        if label:
            pieces.append((f"[{one_line(label, 60)}] ", "label"))
        pieces.extend(self.index.summary(r.node))
        if r.folded:
            pieces.append((f"  ▸ +{r.folded}", "fold"))
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


# ---------------------------------------------------------------------------------------------
# Comparing two branches
# ---------------------------------------------------------------------------------------------

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
