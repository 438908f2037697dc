"""Type-to-search through the word index: the same matches as reading every text, fast paths
and fallbacks alike (several words, any case, narrowing as you type, the join separator)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.sessions import tree_index
from workbench.sessions.tree_view import WORD_SEP, TreeIndex, TreeView, WordIndex

# Short words over a small alphabet, so tokens hit several words, parts of words and joins.
word = st.text(alphabet="abcAB./_-", min_size=1, max_size=5)
text = st.lists(word, max_size=6).map(" ".join)
token = st.text(alphabet="abcAB./_-", min_size=1, max_size=3)


def user(i: int, body: str, parent: str | None) -> dict:
    return {"type": "message", "id": f"u{i:04d}", "parentId": parent, "timestamp": "2026-01-01T00:00:00.000Z",
            "message": {"role": "user", "content": body}}


def chain(bodies: list[str]) -> list[dict]:
    entries: list[dict] = []
    for i, body in enumerate(bodies):
        entries.append(user(i, body, entries[-1]["id"] if entries else None))
    return entries


def brute_force(index: TreeIndex, tokens: list[str]) -> list[int]:
    """Reading every text: what the index must agree with."""
    texts = index.search_texts()
    return [n for n, t in enumerate(texts) if all(tok in t for tok in tokens)]


@settings(max_examples=150, deadline=None)
@given(st.lists(text, min_size=1, max_size=30), st.lists(token, min_size=1, max_size=3),
       st.sampled_from([(4096, 4000), (0, 4000), (0, 1)]), st.integers(0, 30))
def test_index_agrees_with_reading_every_text(bodies, tokens, limits, indexed):
    """Every path: index hits, intersection with earlier hits (NARROW_DIRECTLY 0), the fallback
    to reading the texts for a token found in too many words (WORD_HITS_MAX 1), and entries
    appended after the index was built."""
    entries = chain(bodies)
    index = TreeIndex(entries[:indexed])
    index.warm_search()
    index.extend(entries[indexed:])
    lowered = [t.lower() for t in tokens]
    saved = tree_index.NARROW_DIRECTLY, tree_index.WORD_HITS_MAX
    tree_index.NARROW_DIRECTLY, tree_index.WORD_HITS_MAX = limits
    try:
        assert index.matching(lowered) == brute_force(index, lowered)
        mask = bytes(n % 2 for n in range(len(index)))
        assert index.matching(lowered, mask=mask) == [n for n in brute_force(index, lowered) if n % 2]
    finally:
        tree_index.NARROW_DIRECTLY, tree_index.WORD_HITS_MAX = saved


def test_several_words_any_case_and_order():
    entries = chain(["Parse the Buffer", "parse args", "buffer overflow", "BUFFERED parser"])
    index = TreeIndex(entries)
    index.warm_search()
    view = TreeView(index, entries[-1]["id"], filter_mode="all")
    view.set_query("PARSE buffer")
    assert [index.ids[r.node] for r in view.rows] == ["u0000", "u0003"]
    view.set_query("buffer Parse")  # the order of the words does not matter
    assert [index.ids[r.node] for r in view.rows] == ["u0000", "u0003"]
    view.set_query("uffer  pars")  # parts of words, extra spaces
    assert [index.ids[r.node] for r in view.rows] == ["u0000", "u0003"]


def test_typing_narrows_from_the_previous_matches_and_widening_searches_again():
    entries = chain([f"item {i} {'alpha' if i % 3 == 0 else 'beta'} {'gamma' if i % 5 == 0 else ''}"
                     for i in range(60)])
    index = TreeIndex(entries)
    index.warm_search()
    view = TreeView(index, entries[-1]["id"], filter_mode="all")
    seen = []
    for query in ("a", "al", "alp", "alpha", "alpha g", "alpha gamma", "alpha", "beta", ""):
        view.set_query(query)
        seen.append(len(view.rows))
        expected = [n for n in range(60) if all(t in index.search_text(n, None) for t in query.split())]
        assert [r.node for r in view.rows] == expected, query
    assert seen == [60, 20, 20, 20, 4, 4, 20, 40, 60]


def test_the_separator_never_joins_two_entries():
    """Words are joined with WORD_SEP to be searched as one string: a token spanning the join
    must not match, and a word that holds the separator itself still matches as text would."""
    words = WordIndex(["ab", "cd", f"x{WORD_SEP}y"])
    assert words.hits(f"b{WORD_SEP}c") == []
    assert words.hits("b") == [0] and words.hits("c") == [1]
    assert words.hits(f"x{WORD_SEP}y") == [2] and words.hits(WORD_SEP) == [2] and words.hits("y") == [2]
    entries = chain(["ab", "cd"])
    index = TreeIndex(entries)
    index.warm_search()
    view = TreeView(index, entries[-1]["id"], filter_mode="all")
    view.set_query(f"b{WORD_SEP}c")
    assert len(view.rows) == 0
    view.set_query("b c")
    assert len(view.rows) == 0
    view.set_query("b")
    assert [index.ids[r.node] for r in view.rows] == ["u0000"]


def test_search_text_never_holds_the_separator():
    """Row texts are sanitised (controls → spaces), so no text can hold the join separator."""
    entries = chain([f"one{WORD_SEP}two\nthree"])
    index = TreeIndex(entries)
    assert WORD_SEP not in index.search_text(0, None)
    index.warm_search()
    assert index.matching(["one", "two"]) == [0]


def test_labels_are_searched_with_the_index():
    entries = chain(["alpha", "beta", "gamma"])
    index = TreeIndex(entries)
    index.warm_search()
    view = TreeView(index, entries[-1]["id"], {"u0001": "Release Notes"}, filter_mode="all")
    view.set_query("notes")
    assert [index.ids[r.node] for r in view.rows] == ["u0001"]
    view.set_query("release beta")  # one word from the label, one from the text
    assert [index.ids[r.node] for r in view.rows] == ["u0001"]
    view.set_query("release gamma")
    assert len(view.rows) == 0


def test_entries_appended_after_the_index_are_found():
    entries = chain(["alpha one", "alpha two", "alpha three"])
    index = TreeIndex(entries[:2])
    index.warm_search()
    view = TreeView(index, "u0001", filter_mode="all")
    view.set_query("alpha")
    assert len(view.rows) == 2
    view.refresh("u0002", new_entries=entries[2:])
    view.set_query("three")
    assert [index.ids[r.node] for r in view.rows] == ["u0002"]
    view.set_query("alpha")
    assert len(view.rows) == 3


@pytest.mark.parametrize("query", ["", "alpha", "zzz"])
def test_filter_change_keeps_the_search(query):
    entries = chain(["alpha", "beta", "alpha beta"])
    index = TreeIndex(entries)
    index.warm_search()
    view = TreeView(index, entries[-1]["id"], {"u0002": "x"})
    view.set_query(query)
    for mode in ("labelled-only", "user-only", "all", "default"):
        view.set_filter(mode)
        shown = [index.ids[r.node] for r in view.rows]
        expected = [f"u{n:04d}" for n in range(3) if (mode != "labelled-only" or n == 2)
                    and all(t in index.search_text(n, "x" if n == 2 else None) for t in query.split())]
        assert shown == expected, mode
