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
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import itemgetter
from typing import Any, Literal

from workbench.peer_messages import PEER_MESSAGE, peer_message_body
from workbench.text import LINE_TABLE

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
LEAF_MARKER_TYPE = "workbench.leaf"

SUMMARY_CHARS = 200  # a row never shows more than this of an entry's text
SEARCH_CHARS = 1000  # how much of an entry's text type-to-search looks at
# Search: under this many candidates the next token is checked in their texts directly; a token
# found in more words than WORD_HITS_MAX (or nodes than the index covers) is looked for in the
# texts instead (uniting that many posting lists costs more than reading every text once).
NARROW_DIRECTLY = 4096
WORD_HITS_MAX = 4000
WORD_SEP = "\x00"  # joins the indexed words; a word holding it is kept apart (see WordIndex)

# Row text is untrusted: controls shown visibly (␛, \x07; workbench.text), whitespace as spaces.
_CONTROL_TABLE = LINE_TABLE


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
    """Untrusted text as one safe line: controls visible, newlines → spaces, runs collapsed."""
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
# Every kind `classify` returns, as a byte: a filter is a translation table over them.
KIND_CODES = {kind: code for code, kind in enumerate((
    "user", "assistant", "assistant_error", "assistant_tools", "tool", "bash", "message_other", "custom_message",
    "compaction", "branch_summary", "model", "thinking", "custom", "label", "session_info", "other"))}


def _filter_table(hidden: frozenset[str]) -> bytes:
    return bytes(0 if code in {KIND_CODES[k] for k in hidden} else 1 for code in range(256))


_DEFAULT_HIDDEN = SETTINGS_KINDS | {"assistant_tools"}
FILTER_TABLES: dict[str, bytes] = {
    "default": _filter_table(_DEFAULT_HIDDEN),
    "no-tools": _filter_table(_DEFAULT_HIDDEN | {"tool"}),
    "user-only": _filter_table(frozenset(KIND_CODES) - {"user"}),
}


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


def summary_text(index: "TreeIndex", n: int) -> str:
    """Entry `n`'s one-line summary as plain text (the CLI's tree; the TUI styles the pieces)."""
    return "".join(text for text, _style in index.summary(n))


class WordIndex:
    """The words (whitespace-separated runs) of search texts, each with the nodes whose text
    holds it. A search token never holds whitespace, so a text contains it exactly when one of its
    words does: the nodes holding a token are the union of the nodes of the words holding it.
    The words are looked through as one string joined by WORD_SEP (a C-speed `str.find`), so
    each token costs one scan of the distinct words instead of one of every text."""

    __slots__ = ("covered", "_joined", "_starts", "_nodes", "_odd")

    def __init__(self, texts: Sequence[str]) -> None:
        postings: dict[str, list[int]] = {}
        get = postings.get
        with _gc_paused():
            for n, text in enumerate(texts):
                for word in set(text.split()):
                    found = get(word)
                    if found is None:
                        postings[word] = [n]
                    else:
                        found.append(n)
            words = [w for w in postings if WORD_SEP not in w]
            # a word holding the separator could be matched across a join: kept apart, read directly
            self._odd = [(w, postings[w]) for w in postings if WORD_SEP in w]
            starts, at = [], 0
            for w in words:
                starts.append(at)
                at += len(w) + 1
            starts.append(at)
        self._joined = WORD_SEP.join(words)
        self._starts = starts
        self._nodes = [postings[w] for w in words]
        self.covered = len(texts)  # nodes [0, covered) are indexed

    def hits(self, token: str) -> list[int] | None:
        """The indexed nodes (ascending) whose text contains `token`; None when the index can't
        answer it cheaply (a token with whitespace, or one found in very many words)."""
        if not token or token.split() != [token]:
            return None
        lists = [nodes for word, nodes in self._odd if token in word]
        if WORD_SEP not in token:
            joined = self._joined
            if joined.count(token) > WORD_HITS_MAX:
                return None
            find, starts, nodes = joined.find, self._starts, self._nodes
            i = find(token)
            while i >= 0:
                k = bisect_right(starts, i) - 1
                lists.append(nodes[k])
                i = find(token, starts[k + 1])
        if not lists:
            return []
        if len(lists) == 1:
            return list(lists[0])
        if sum(map(len, lists)) > 2 * self.covered:
            return None
        return sorted(set().union(*lists))


class TreeIndex:
    """The entries of one session as a tree of node numbers. Appending is O(1) per entry."""

    __slots__ = ("entries", "ids", "parent", "children", "kinds", "kind_codes", "pos", "roots", "depth", "_summary",
                 "_search", "_searchable", "_words", "_structure")

    def __init__(self, entries: Iterable[Mapping[str, Any]] = ()) -> None:
        self.entries: list[Mapping[str, Any]] = []
        self.ids: list[str] = []
        self.parent: list[int] = []
        self.children: list[list[int]] = []
        self.kinds: list[str] = []
        self.kind_codes = bytearray()  # KIND_CODES[kind] per node: filters are byte translations
        self.pos: dict[str, int] = {}
        self.roots: list[int] = []
        self.depth: list[int] = []
        self._structure: tuple[list[int], list[int], list[int]] | None = None
        self._summary: list[list[Piece] | None] = []
        self._search: list[str | None] = []
        self._searchable = 0  # search texts are computed for nodes [0, _searchable)
        self._words: WordIndex | None = None  # built by warm_search()
        self.extend(entries)

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, entries: Iterable[Mapping[str, Any]]) -> None:
        with _gc_paused():
            self._extend(entries)

    def _extend(self, entries: Iterable[Mapping[str, Any]]) -> None:
        entries_, ids, parent, children, kinds, pos, roots, depth = (
            self.entries, self.ids, self.parent, self.children, self.kinds, self.pos, self.roots, self.depth,
        )
        codes = self.kind_codes
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
            kind = classify(entry)
            kinds.append(kind)
            codes.append(KIND_CODES[kind])
            pos[eid] = n
            if p < 0:
                roots.append(n)
                depth.append(0)
            else:
                children[p].append(n)
                depth.append(depth[p] + 1)
        grow = len(ids) - len(self._summary)
        if grow:
            self._structure = None
        self._summary.extend([None] * grow)
        self._search.extend([None] * grow)

    def structure(self) -> tuple[list[int], list[int], list[int]]:
        """(nearest branch-point ancestor of each node (-1: none), subtree sizes, the branch
        points): what the view's range counting needs; recomputed after entries are added.
        A parent always has a smaller node number than its children (file order), so two
        linear passes suffice."""
        if self._structure is None:
            with _gc_paused():
                parent, children = self.parent, self.children
                n_nodes = len(parent)
                nbp = [-1] * n_nodes
                for n in range(n_nodes):
                    p = parent[n]
                    if p >= 0:
                        nbp[n] = p if len(children[p]) > 1 else nbp[p]
                size = [1] * n_nodes
                for n in range(n_nodes - 1, -1, -1):
                    p = parent[n]
                    if p >= 0:
                        size[p] += size[n]
                points = [n for n in range(n_nodes) if len(children[n]) > 1]
            self._structure = (nbp, size, points)
        return self._structure

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
            if self.kinds[p] not in ("tool", "custom"):  # checkpoints sit between a call and its result
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
            text = one_line(content_text(msg.get("content"), SUMMARY_CHARS * 4))
            pieces = [("assistant: ", "assistant")]
            if msg.get("stopReason") == "aborted":  # a partial answer: say so before its text
                pieces.append(("(aborted) ", "muted"))
            elif msg.get("stopReason") == "error":
                pieces.append((f"({one_line(str(msg.get('errorMessage') or 'error'), 60)}) ", "error"))
            pieces.append((text, "text"))
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
            raw = content_text(entry.get("content"), SUMMARY_CHARS * 4)
            text = one_line(raw)
            if entry.get("customType") == PEER_MESSAGE:
                details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
                sender = one_line(str(details.get("sender") or details.get("from") or "peer"), 40)
                recipient = details.get("recipient")
                label = f"{sender} → {one_line(str(recipient), 40)}: " if recipient else f"{sender} → "
                pieces = [(label, "peer"), (one_line(peer_message_body(raw)), "text")]
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

    def search_texts(self) -> list[str]:
        """Every node's lowercased search text (computed once; the pane warms it in a thread)."""
        texts = self._search
        end = len(texts)  # entries appended meanwhile (on the event loop) wait for the next call
        if self._searchable < end:
            with _gc_paused():
                for n in range(self._searchable, end):
                    if texts[n] is None:
                        self.search_text(n, None)
            self._searchable = end
        return texts  # type: ignore[return-value]

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

    def warm_search(self) -> WordIndex:
        """Compute the search texts and index their words (the pane does this in a thread after
        its first paint). Entries appended later are searched directly until the next warm-up."""
        texts = self.search_texts()
        words = WordIndex(texts[:self._searchable])  # the computed ones (more may be appended meanwhile)
        self._words = words  # one assignment: a search on the event loop sees the old or the new
        return words

    @property
    def word_index(self) -> WordIndex | None:
        """The search's word index (None until warm_search() built it)."""
        return self._words

    @property
    def unindexed(self) -> int:
        """How many entries the word index does not cover (they are searched text by text)."""
        return len(self.ids) - (self._words.covered if self._words is not None else 0)

    def matching(self, tokens: Sequence[str], within: Sequence[int] | None = None,
                 mask: bytes | bytearray | None = None) -> list[int]:
        """Nodes (ascending) whose search text contains every token, among `within` (sorted node
        numbers) if given, else among the nodes `mask` marks (None: all). Labels are not looked
        at here (TreeView adds labelled nodes)."""
        texts = self.search_texts()
        words = self._words
        cands: list[int] | None = list(within) if within is not None else None
        # longest first: it is usually the rarest, so the later tokens only check a few texts
        for token in sorted(set(tokens), key=len, reverse=True):
            if cands is not None and (len(cands) <= NARROW_DIRECTLY or words is None):
                cands = [n for n in cands if token in texts[n]]
                continue
            hits = words.hits(token) if words is not None else None
            if hits is None:  # no index yet, or a token too common for it to pay: read the texts
                if cands is None:
                    cands = ([n for n, t in enumerate(texts) if token in t] if mask is None else
                             [n for n in compress(range(len(texts)), mask) if token in texts[n]])
                else:
                    cands = [n for n in cands if token in texts[n]]
                continue
            k = words.covered
            tail = [n for n in range(k, len(texts)) if token in texts[n]]  # appended since the warm-up
            if cands is None:
                if mask is not None:
                    hits = list(compress(hits, map(mask.__getitem__, hits)))
                    tail = [n for n in tail if mask[n]]
                cands = hits + tail if tail else hits
            else:
                got = set(hits)
                got.update(tail)
                cands = [n for n in cands if n in got]
        if cands is None:  # no tokens
            cands = list(range(len(texts))) if mask is None else list(compress(range(len(texts)), mask))
        return cands

    def path_to_root(self, n: int) -> list[int]:
        """Node numbers root → n."""
        path = []
        while n >= 0:
            path.append(n)
            n = self.parent[n]
        path.reverse()
        return path


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


class TreeView:
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
