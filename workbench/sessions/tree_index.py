"""`TreeIndex`: the entries of one session file as parallel lists indexed by node number
(parent, children, kind), built once and extended as entries are appended; with its search
(`WordIndex`: every word must match, case-insensitive) and the rows' summaries, computed lazily.
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from contextlib import contextmanager
from collections.abc import Iterable, Mapping, Sequence
from itertools import compress
from typing import Any

from workbench.peer_messages import PEER_MESSAGE, peer_message_body
from workbench.sessions.tree_entries import (KIND_CODES, SEARCH_CHARS, SUMMARY_CHARS, Piece, _has_text, classify,
                                             content_text, format_tool_call, one_line)

# Search: under this many candidates the next token is checked in their texts directly; a token
# found in more words than WORD_HITS_MAX (or nodes than the index covers) is looked for in the
# texts instead (uniting that many posting lists costs more than reading every text once).
NARROW_DIRECTLY = 4096
WORD_HITS_MAX = 4000
WORD_SEP = "\x00"  # joins the indexed words; a word holding it is kept apart (see WordIndex)



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
        if kind in ("user", "tool", "bash") and not isinstance(msg, dict):  # classified by its prefix, the rest corrupt
            pieces = [("[message]", "dim")]
        elif kind == "user":
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
