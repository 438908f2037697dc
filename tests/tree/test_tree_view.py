"""The pure row model: layout, summaries, filters, search, folds, branch points, compare."""

import pytest

from workbench.sessions.manager import SessionManager
from workbench.sessions.tree_view import (
    FILTERS,
    TreeIndex,
    TreeView,
    compare_branches,
    format_tool_call,
)

from .conftest import BRANCHED, FORKED, fixture_entries


@pytest.fixture
def view() -> TreeView:
    manager = SessionManager.open(BRANCHED, readonly=True)
    try:
        return TreeView(TreeIndex(list(manager.entries)), manager.leaf_id, manager.labels)
    finally:
        manager.close()


def texts(view: TreeView) -> list[str]:
    return [view.row_text(i, selected=False) for i in range(len(view.rows))]


def test_layout_matches_pi_two_branches_active_first(view, named):
    rows = texts(view)
    ids = [view.index.ids[r.node] for r in view.rows]
    # the chain before the branch point stays at one indent, on the active path
    assert rows[0] == "  • [start] user: Add a --verbose flag to the CLI"
    assert rows[1] == "  • [read: src/cli.ts]"
    assert rows[2] == "  • [edit: src/cli.ts]"
    # bash2 is the branch point: the branch holding the leaf (u2) comes first, with ├─
    bp = ids.index(named["bash2"])
    assert view.rows[bp].children == 2
    assert rows[bp + 1] == "  ├─ • user: Now add tests for it"
    # its chain continues one level in, under a gutter │
    assert rows[bp + 2] == "  │     • [write: test/cli.test.ts]"
    # the other branch comes last with └─ and no active marker
    u2b = ids.index(named["u2b"])
    assert rows[u2b] == "  └─ user: Actually, document the flag in README first"
    assert rows[u2b + 2] == "        [readme-variant] assistant: README updated."
    assert u2b > ids.index(named["a11"])


def test_summaries_of_every_kind(view, named):
    by_id = {view.index.ids[r.node]: view.row_text(i, selected=False) for i, r in enumerate(view.rows)}
    assert by_id[named["bs1"]].endswith("[branch summary]: The user explored a different conversation branch "
                                        "before returning here. Summary of that exploration: ## Goal Document "
                                        "--verbose in README. ## Progress ### Done - [x] Added a --verbose "
                                        "section to READ")
    assert by_id[named["comp"]].endswith("[compaction: 48k tokens]")
    assert by_id[named["r8"]].endswith("[bash: npm run lint]")
    assert by_id[named["a11"]].endswith("assistant: (aborted)")
    assert by_id[named["cm"]].endswith("[reminder]: Remember: run the linter before committing.")
    assert by_id[named["bash1"]].endswith("[bash]: npm test")
    view.set_filter("all")
    by_id = {view.index.ids[r.node]: view.row_text(i, selected=False) for i, r in enumerate(view.rows)}
    assert by_id[named["mc"]].endswith("[model: gpt-5]")
    assert by_id[named["tc"]].endswith("[thinking: high]")
    assert by_id[named["lbl4"]].endswith("[label: (cleared)]")
    assert by_id[named["a1"]].endswith("assistant: → read")


def test_tool_call_formats():
    assert format_tool_call("read", {"path": "a.py", "offset": 1, "limit": 40}) == "[read: a.py:1-40]"
    assert format_tool_call("read", {"path": "a.py"}) == "[read: a.py]"
    assert format_tool_call("edit", {"path": "b.py"}) == "[edit: b.py]"
    long = "x" * 80
    assert format_tool_call("bash", {"command": long}) == f"[bash: {'x' * 50}…]"
    assert format_tool_call("grep", {"pattern": "foo", "path": "src"}) == "[grep: /foo/ in src]"
    assert format_tool_call("mcp_thing", {"q": 1}) == '[mcp_thing: {"q":1}]'


def test_tool_result_found_through_parallel_results():
    """Two results of one assistant message: the second's parent is the first result."""
    entries = [
        {"type": "message", "id": "a", "parentId": None, "message": {"role": "assistant", "content": [
            {"type": "toolCall", "id": "c1", "name": "read", "arguments": {"path": "x"}},
            {"type": "toolCall", "id": "c2", "name": "bash", "arguments": {"command": "ls -la"}}]}},
        {"type": "message", "id": "r1", "parentId": "a", "message": {"role": "toolResult", "toolCallId": "c1", "content": []}},
        {"type": "message", "id": "r2", "parentId": "r1", "message": {"role": "toolResult", "toolCallId": "c2", "content": [],
                                                                      "isError": True}},
    ]
    index = TreeIndex(entries)
    assert index.summary(1) == [("[read: x]", "tool")]
    assert index.summary(2) == [("[bash: ls -la]", "error")]


def test_peer_message_shows_sender():
    entries = [{"type": "custom_message", "id": "p", "parentId": None, "customType": "peer_message",
                "content": "found the bug in parser.py", "display": True, "details": {"sender": "reviewer"}}]
    assert TreeIndex(entries).summary(0) == [("reviewer → ", "peer"), ("found the bug in parser.py", "text")]


def test_untrusted_text_cannot_reach_the_terminal():
    entries = [{"type": "message", "id": "u", "parentId": None, "message": {
        "role": "user", "content": "hi\x1b[2J\x1b]0;pwned\x07 there\nsecond line\x9b"}}]
    text = "".join(t for t, _ in TreeIndex(entries).summary(0))
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\n" not in text
    assert text.startswith("user: hi") and "second line" in text
    assert "\u241b]0;pwned\\x07 there" in text  # neutralised visibly, payload kept (issue 12)


def test_filters(view, named):
    counts = {}
    for mode in FILTERS:
        view.set_filter(mode)
        counts[mode] = len(view.rows)
        kinds = {view.index.kinds[r.node] for r in view.rows}
        if mode == "default":
            assert not kinds & {"label", "custom", "model", "thinking", "session_info", "assistant_tools"}
            assert "tool" in kinds
        elif mode == "no-tools":
            assert "tool" not in kinds and "user" in kinds
        elif mode == "user-only":
            assert kinds == {"user"}
        elif mode == "labelled-only":
            assert {view.index.ids[r.node] for r in view.rows} == {named["u1"], named["a7"]}
        else:
            assert len(view.rows) == len(view.index)
    assert counts["all"] > counts["default"] > counts["no-tools"] > counts["user-only"] > counts["labelled-only"]
    # cycling walks the same sequence and wraps
    view.set_filter("default")
    assert [view.cycle_filter() for _ in FILTERS] == [*FILTERS[1:], FILTERS[0]]


def test_hidden_rows_attach_children_to_nearest_visible_ancestor(view, named):
    view.set_filter("user-only")
    rows = texts(view)
    assert rows == [
        "  • [start] user: Add a --verbose flag to the CLI",
        "  ├─ • user: Now add tests for it",
        "  │     • user: Run the linter and fix issues",
        "  │     • user: Great, bump the version",
        "  └─ user: Actually, document the flag in README first",
    ]


def test_search_all_words_case_insensitive(view, named):
    view.set_query("README first")
    assert [view.index.ids[r.node] for r in view.rows] == [named["u2b"]]
    view.set_query("readme")
    found = {view.index.ids[r.node] for r in view.rows}
    assert {named["u2b"], named["r6"], named["a7"], named["bs1"]} <= found
    view.set_query("readme zebra")
    assert view.rows == []
    view.set_query("readme-variant")  # labels are searched too
    assert [view.index.ids[r.node] for r in view.rows] == [named["a7"]]


def test_cursor_keeps_entry_or_nearest_visible_ancestor(view, named):
    assert view.selected_id == named["a11"]  # starts on the leaf
    assert view.select_entry(named["r1"])
    view.set_filter("user-only")
    assert view.selected_id == named["u1"]
    view.set_filter("all")
    assert view.selected_id == named["u1"]


def test_fold_and_branch_point_jumps(view, named):
    ids = lambda: [view.index.ids[r.node] for r in view.rows]  # noqa: E731
    view.home()
    assert view.next_branch_point()
    assert view.selected_id == named["bash2"]
    assert not view.next_branch_point()  # only one branch point
    before = len(view.rows)
    assert view.select_entry(named["u2b"])
    assert view.fold()  # u2b has one visible child: folding hides its subtree
    assert view.rows[view.cursor].folded == 2
    assert named["a7"] not in ids() and len(view.rows) == before - 2
    row = view.row_text(view.cursor)
    assert "▸ +2 " in row and row.index("▸ +2") < row.index("user:")  # never clipped off the end
    assert view.unfold()
    assert named["a7"] in ids() and len(view.rows) == before
    # fold on a leaf row (nothing below) jumps to the branch point above instead
    assert view.select_entry(named["a7"])
    assert view.fold()
    assert view.selected_id == named["bash2"]


def test_branch_target_user_message_goes_to_parent_with_text(view, named):
    assert view.branch_target(named["u2b"]) == (named["bash2"], "Actually, document the flag in README first")
    assert view.branch_target(named["a7"]) == (named["a7"], None)
    assert view.branch_target(named["u1"]) == ("1817c0c0", "Add a --verbose flag to the CLI")
    left = view.abandoned_entries(named["bash2"])
    assert left[0]["id"] == named["u2"] and left[-1]["id"] == named["a11"]
    assert view.abandoned_entries(named["a11"]) == []  # staying on the path leaves nothing


def test_live_append_and_leaf_follow(named):
    entries = fixture_entries()
    index = TreeIndex(entries[:-3])
    view = TreeView(index, entries[-4]["id"], {})
    assert view.selected_id == entries[-4]["id"]
    view.refresh(entries[-1]["id"], {}, entries[-3:])
    assert view.selected_id == named["a11"]  # the cursor was on the leaf, so it follows it
    view.select_entry(named["u1"])
    view.refresh(entries[-1]["id"], {named["u1"]: "here"})
    assert view.selected_id == named["u1"]
    assert view.row_text(view.cursor).startswith("› • [here] user:")


def test_multiple_roots_and_deep_chain_are_iterative():
    n = 120_000  # far deeper than Python's recursion limit
    entries = [{"type": "message", "id": f"{i:08x}", "parentId": f"{i - 1:08x}" if i else None,
                "message": {"role": "user", "content": f"m{i}"}} for i in range(n)]
    entries.append({"type": "message", "id": "root2", "parentId": None, "message": {"role": "user", "content": "other"}})
    view = TreeView(TreeIndex(entries), f"{n - 1:08x}", {})
    assert len(view.rows) == n + 1
    assert view.rows[0].connector == "" and view.rows[0].indent == 0  # roots: no connector, like pi
    assert view.row_text(len(view.rows) - 1, selected=False) == "  user: other"
    assert view.selected_id == f"{n - 1:08x}"


def test_deep_rows_keep_their_innermost_levels():
    entries = [{"type": "message", "id": "r", "parentId": None, "message": {"role": "user", "content": "r"}}]
    parent = "r"
    for depth in range(30):  # a branch point at every level → 30 levels of indent
        for side in ("a", "b"):
            entries.append({"type": "message", "id": f"{side}{depth}", "parentId": parent,
                            "message": {"role": "user", "content": f"{side}{depth}"}})
        parent = f"a{depth}"
    view = TreeView(TreeIndex(entries), "a29", {})
    deepest = view.row_of(view.index.pos["a29"])
    full = view.row_text(deepest, selected=False)
    short = view.row_text(deepest, selected=False, max_indent=5)
    assert full.endswith("user: a29") and short.endswith("user: a29")
    assert len(short) < len(full) and short.startswith("  ⋯")


def test_compare_branches_aligns_answers(view, named):
    comparison = compare_branches(view.index, named["a5"], named["a7"])
    assert comparison.ancestor_id == named["bash2"]
    marks = [(r.mark, r.left and r.left[1], r.right and r.right[1]) for r in comparison.rows]
    assert marks[0] == ("changed", "user", "user")
    assert ("changed", "assistant", "assistant") in marks
    final = [r for r in comparison.rows if r.left and r.left[0] == named["a5"]][0]
    assert final.right is not None and final.right[0] == named["a7"]
    assert final.left[2] == "Tests added in test/cli.test.ts." and final.right[2] == "README updated."
    same = compare_branches(view.index, named["a7"], named["a7"])
    assert same.rows == () and same.ancestor_id == named["a7"]
    with pytest.raises(KeyError, match="nope"):
        compare_branches(view.index, "nope", named["a7"])


def test_pi_forked_fixture_displays():
    entries = fixture_entries(FORKED)
    labels = {}
    for e in entries:
        if e["type"] == "label":
            if e.get("label"):
                labels[e["targetId"]] = e["label"]
            else:
                labels.pop(e["targetId"], None)
    view = TreeView(TreeIndex(entries), entries[-1]["id"], labels)
    rows = texts(view)
    assert rows[0] == "  • [start] user: Add a --verbose flag to the CLI"
    assert all("├─" not in r for r in rows)  # a fork holds one path only


def test_interrupted_and_failed_answers_with_text_say_so():
    from workbench.sessions.tree_view import TreeIndex, summary_text

    def answer(i, parent, stop, **extra):
        msg = {"role": "assistant", "content": [{"type": "text", "text": "half an ans"}], "stopReason": stop, **extra}
        return {"type": "message", "id": i, "parentId": parent, "timestamp": "2026-01-01T00:00:00.000Z", "message": msg}

    index = TreeIndex([answer("a1", None, "aborted"), answer("a2", "a1", "error", errorMessage="overloaded"),
                       answer("a3", "a2", "stop")])
    assert summary_text(index, 0) == "assistant: (aborted) half an ans"
    assert summary_text(index, 1) == "assistant: (overloaded) half an ans"
    assert summary_text(index, 2) == "assistant: half an ans"


def test_peer_message_shows_sender_recipient_and_the_text_without_the_models_header():
    entries = [{"type": "custom_message", "id": "p", "parentId": None, "customType": "peer_message",
                "content": "[message from reviewer]\nfound the bug in parser.py", "display": True,
                "details": {"sender": "reviewer", "recipient": "lead"}}]
    assert TreeIndex(entries).summary(0) == [("reviewer → lead: ", "peer"), ("found the bug in parser.py", "text")]
