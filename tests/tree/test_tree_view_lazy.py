"""The lazy row model lays out exactly the rows the eager one did, in every state.

Random session trees (several roots, deep chains, branch points at any depth, every entry
kind), random filter, search, labels, leaf and folds: every row of `TreeView` (laid out on
demand from range counts) must equal the row `EagerTreeView` (tests/tree/reference_view.py)
builds by walking all nodes, and the cursor must land on the same entry.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.sessions.tree_view import FILTERS, TreeIndex, TreeView

from .reference_view import EagerTreeView

WORDS = ["alpha", "beta", "gamma", "delta", "readme", "flag"]


def make_entry(i: int, parent: str | None, kind: int, word: str) -> dict:
    eid = f"e{i:04d}"
    base = {"id": eid, "parentId": parent, "timestamp": "2026-01-01T00:00:00.000Z"}
    if kind == 0:
        return {**base, "type": "message", "message": {"role": "user", "content": f"{word} question {i}"}}
    if kind == 1:
        return {**base, "type": "message", "message": {"role": "assistant", "stopReason": "stop",
                                                       "content": [{"type": "text", "text": f"{word} answer"}]}}
    if kind == 2:
        return {**base, "type": "message", "message": {"role": "assistant", "stopReason": "toolUse", "content": [
            {"type": "toolCall", "id": f"c{i}", "name": "read", "arguments": {"path": f"{word}.py"}}]}}
    if kind == 3:
        return {**base, "type": "message", "message": {"role": "toolResult", "toolCallId": f"c{i - 1}",
                                                       "toolName": "read", "content": [{"type": "text", "text": word}],
                                                       "isError": False}}
    if kind == 4:
        return {**base, "type": "model_change", "provider": "x", "modelId": word}
    return {**base, "type": "custom", "customType": word}


@st.composite
def sessions(draw):
    n = draw(st.integers(1, 60))
    entries = []
    for i in range(n):
        # mostly chains (parent = previous), sometimes a branch from anywhere, sometimes a new root
        choice = draw(st.integers(0, 9))
        if i == 0 or choice == 0:
            parent = None
        elif choice <= 2:
            parent = entries[draw(st.integers(0, i - 1))]["id"]
        else:
            parent = entries[-1]["id"]
        entries.append(make_entry(i, parent, draw(st.integers(0, 5)), draw(st.sampled_from(WORDS))))
    ids = [e["id"] for e in entries]
    leaf = draw(st.sampled_from(ids))
    labels = {eid: draw(st.sampled_from(WORDS)) for eid in draw(st.lists(st.sampled_from(ids), max_size=4))}
    mode = draw(st.sampled_from(FILTERS))
    query = draw(st.sampled_from(["", "", "alpha", "answer", "a", "readme flag", "zzz", "beta e0"]))
    folds = draw(st.lists(st.sampled_from(ids), max_size=4))
    # the word index is built by the pane after its first paint: search with and without it, and
    # with entries appended after it was built (searched directly)
    warm = draw(st.sampled_from(["none", "all", "part"]))
    return entries, leaf, labels, mode, query, folds, warm


def lazy_index(entries, warm: str) -> TreeIndex:
    if warm == "none":
        return TreeIndex(entries)
    if warm == "all":
        index = TreeIndex(entries)
        index.warm_search()
        return index
    index = TreeIndex(entries[: len(entries) // 2])
    index.warm_search()
    index.extend(entries[len(entries) // 2:])
    return index


def rows_of(view) -> list[tuple]:
    return [(view.index.ids[r.node], r.indent, r.connector, tuple(r.gutters), r.children, r.folded) for r in view.rows]


def drawn_indent(row, max_indent: int | None) -> str:
    """The connector cells of a row drawn from all its gutters (what row_pieces drew before it
    skipped the levels a deep row does not show)."""
    indent = row.indent
    skip = indent - max_indent if max_indent is not None and indent > max_indent > 0 else 0
    width = (indent - skip) * 3
    chars = [" "] * width
    for level, show in tuple(row.gutters):
        at = (level - skip) * 3
        if show and 0 <= at < width:
            chars[at] = "│"
    if row.connector:
        at = (indent - 1 - skip) * 3
        chars[at:at + 3] = row.connector
    if skip:
        chars[0] = "⋯"
    return "".join(chars)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions())
def test_lazy_rows_equal_eager_rows(case):
    entries, leaf, labels, mode, query, folds, warm = case
    lazy = TreeView(lazy_index(entries, warm), leaf, labels, filter_mode=mode)
    eager = EagerTreeView(TreeIndex(entries), leaf, labels, filter_mode=mode)
    assert rows_of(lazy) == rows_of(eager)
    lazy.set_query(query)
    eager.query = query
    eager._rebuild()
    assert rows_of(lazy) == rows_of(eager)
    assert lazy.selected_id == (eager.index.ids[eager.rows[eager.cursor].node] if eager.rows else None)
    for i, row in enumerate(lazy.rows):  # deep rows drawn from their innermost gutters only
        for max_indent in (None, 1, 2, 3):
            text = lazy.row_text(i, selected=False, max_indent=max_indent)
            assert text[2:].startswith(drawn_indent(row, max_indent))
    for eid in folds:  # fold through the public API, unfold half of them again
        if lazy.select_entry(eid):
            node = lazy.rows[lazy.cursor].node  # the entry, or the visible row standing for it
            eager.cursor = eager._row_of()[node]
            lazy.toggle_fold()
            row_id = lazy.index.ids[node]
            if row_id in lazy.folded:
                eager.folded.add(row_id)
            else:
                eager.folded.discard(row_id)
            eager._rebuild(select=eager.rows[eager.cursor].node)
            assert rows_of(lazy) == rows_of(eager)
            assert lazy.cursor == eager.cursor
    assert [i for i in range(len(lazy.rows)) if lazy.rows[i].children > 1] == eager._branch_rows
    assert lazy.branch_rows == eager._branch_rows


@settings(max_examples=60, deadline=None)
@given(sessions(), st.lists(st.sampled_from(["al", "alp", "alpha", "alpha a", "alpha an", "an", "", "b"]),
                            min_size=1, max_size=6))
def test_search_narrowing_agrees_with_a_fresh_search(case, queries):
    """Typing (each query narrowed from cached earlier ones) finds what a fresh view finds."""
    entries, leaf, labels, mode, _, _, warm = case
    typed = TreeView(lazy_index(entries, warm), leaf, labels, filter_mode=mode)
    for q in queries:
        typed.set_query(q)
        fresh = TreeView(TreeIndex(entries), leaf, labels, filter_mode=mode)
        fresh.set_query(q)
        assert rows_of(typed) == rows_of(fresh)
