"""The session tree pane driven from the keyboard, on real session files (pi's fixtures)."""

import json
import shutil

from textual.app import App, ComposeResult

from workbench.sessions.manager import SessionManager
from workbench.sessions.tree_view import LEAF_MARKER_TYPE
from workbench.tui.screens.branch_summary import BranchSummaryScreen
from workbench.tui.screens.compare import CompareScreen
from workbench.tui.tree import SessionTree

from .conftest import FORKED


class Host(App):
    def __init__(self, manager, **kwargs):
        super().__init__()
        self.manager = manager
        self.kwargs = {"poll_interval": None, **kwargs}
        self.got: list = []

    def compose(self) -> ComposeResult:
        yield SessionTree(self.manager, **self.kwargs)

    def on_mount(self) -> None:
        self.query_one(SessionTree).focus()

    def on_session_tree_navigated(self, message):
        self.got.append(message)

    def on_session_tree_forked(self, message):
        self.got.append(message)

    def on_session_tree_copy_to_prompt(self, message):
        self.got.append(message)

    def on_session_tree_labelled(self, message):
        self.got.append(message)


class FakeSummariser:
    def __init__(self, text="We tried adding tests; dropped.", fail=False):
        self.calls = []
        self.text, self.fail = text, fail

    async def __call__(self, entries, instructions):
        self.calls.append(([e["id"] for e in entries], instructions))
        if self.fail:
            raise RuntimeError("model unavailable")
        return self.text


async def walk_to(pilot, tree: SessionTree, entry_id: str, key: str = "up") -> None:
    for _ in range(60):
        if tree.view.selected_id == entry_id:
            return
        await pilot.press(key)
    raise AssertionError(f"never reached {entry_id}")


def lines(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


async def test_branch_at_earlier_user_message_edit_resend(branched_copy, named):
    manager = SessionManager.open(branched_copy)
    summariser = FakeSummariser()
    app = Host(manager, summariser=summariser)
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        await walk_to(pilot, tree, named["u2"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BranchSummaryScreen)
        await pilot.press("n")  # no summary
        await pilot.pause()
        nav = [m for m in app.got if isinstance(m, SessionTree.Navigated)][-1]
        assert nav.target_id == named["bash2"] and nav.prompt_text == "Now add tests for it"
        assert summariser.calls == []
        # the app edits the text and resends it: a new user message under the chosen leaf
        manager.append_message({"role": "user", "content": [{"type": "text", "text": "Now add tests with pytest"}],
                                "timestamp": 1})
        tree.sync()
        await pilot.pause()
        new_id = manager.leaf_id
        context = manager.build_context()
        texts = [m["content"][0]["text"] if isinstance(m["content"], list) else m["content"]
                 for m in context.messages if m["role"] == "user"]
        assert texts == ["Add a --verbose flag to the CLI", "Now add tests with pytest"]
        # in the tree: bash2 is now a three-way branch point, the new message on the active path
        bp = tree.view.row_of(tree.view.index.pos[named["bash2"]])
        assert tree.view.rows[bp].children == 3
        assert tree.view.selected_id == new_id
        assert tree.view.row_text(tree.view.cursor).startswith("› ├─ • user: Now add tests with pytest")
    manager.close()
    written = lines(branched_copy)
    marker = [e for e in written if e.get("customType") == LEAF_MARKER_TYPE]
    assert marker and marker[0]["parentId"] == named["bash2"] and marker[0]["data"] == {"leaf": named["bash2"]}
    assert written[-1]["id"] == new_id and written[-1]["parentId"] == marker[0]["id"]


async def test_summarise_with_instructions_writes_branch_summary(branched_copy, named):
    manager = SessionManager.open(branched_copy)
    summariser = FakeSummariser("Summary: README variant abandoned.")
    app = Host(manager, summariser=summariser)
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        tree.set_filter("all")
        await walk_to(pilot, tree, named["a7"], key="down")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("i")
        await pilot.press(*"focus on docs")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert summariser.calls and summariser.calls[0][1] == "focus on docs"
        left = summariser.calls[0][0]
        assert left[0] == named["u2"] and left[-1] == named["a11"]
        nav = [m for m in app.got if isinstance(m, SessionTree.Navigated)][-1]
        summary = manager.get_entry(nav.summary_id)
        assert summary["type"] == "branch_summary" and summary["parentId"] == named["a7"]
        assert summary["summary"] == "Summary: README variant abandoned."
        assert manager.leaf_id == nav.summary_id
    manager.close()


async def test_cancel_and_failed_summary_move_nothing(branched_copy, named):
    before = branched_copy.read_bytes()
    manager = SessionManager.open(branched_copy)
    summariser = FakeSummariser(fail=True)
    app = Host(manager, summariser=summariser)
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        await walk_to(pilot, tree, named["u2"])
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # cancel the question: the leaf stays
        await pilot.pause()
        assert manager.leaf_id == named["a11"]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")  # summarise, but the model fails
        await pilot.pause()
        await pilot.pause()
        assert manager.leaf_id == named["a11"]
        assert not [m for m in app.got if isinstance(m, SessionTree.Navigated)]
    manager.close()
    assert branched_copy.read_bytes() == before


async def test_chosen_leaf_survives_restart(branched_copy, named):
    manager = SessionManager.open(branched_copy)
    app = Host(manager, branch_summary="never")
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        await walk_to(pilot, tree, named["a7"], key="down")
        await pilot.press("enter")
        await pilot.pause()
        assert app.got[-1].target_id == named["a7"]
    expected = manager.build_context(named["a7"]).messages
    manager.close()
    reopened = SessionManager.open(branched_copy)  # "restart"
    try:
        assert reopened.get_entry(reopened.leaf_id)["customType"] == LEAF_MARKER_TYPE
        assert reopened.build_context().messages == expected  # pi loads the same context
        app = Host(reopened)
        async with app.run_test(size=(100, 40)):
            tree = app.query_one(SessionTree)
            assert tree.view.selected_id == named["a7"]
            # the active branch is now listed first, so its rows carry the gutter
            assert tree.view.row_text(tree.view.cursor) == "› │     • [readme-variant] assistant: README updated."
    finally:
        reopened.close()


async def test_label_and_clear(branched_copy, named):
    manager = SessionManager.open(branched_copy)
    app = Host(manager)
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        await walk_to(pilot, tree, named["u2"])
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press(*"tests-first", "enter")
        await pilot.pause()
        assert manager.labels[named["u2"]] == "tests-first"
        assert "[tests-first] user: Now add tests for it" in tree.view.row_text(tree.view.cursor)
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press(*["backspace"] * len("tests-first"), "enter")
        await pilot.pause()
        assert named["u2"] not in manager.labels
        assert "[tests-first]" not in tree.view.row_text(tree.view.cursor)
        assert [m.label for m in app.got if isinstance(m, SessionTree.Labelled)] == ["tests-first", None]
    manager.close()


async def test_fork_writes_new_file_with_parent_session(branched_copy, named):
    manager = SessionManager.open(branched_copy)
    app = Host(manager)
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        await walk_to(pilot, tree, named["a3"])
        await pilot.press("ctrl+f")
        await pilot.pause()
        forked = [m for m in app.got if isinstance(m, SessionTree.Forked)][-1]
        assert forked.entry_id == named["a3"]
        header = lines(forked.path)[0]
        assert header["parentSession"] == str(branched_copy.absolute())
        assert forked.manager.get_branch()[-1]["id"] in (named["a3"], forked.manager.leaf_id)
        assert [e["id"] for e in forked.manager.get_branch(named["a3"])][-1] == named["a3"]
        forked.manager.close()
    manager.close()


async def test_copy_search_and_compare(branched_copy, named):
    manager = SessionManager.open(branched_copy)
    app = Host(manager)
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        await pilot.press(*"readme first")
        assert tree.typed_query == "readme first"  # shown at once, searched when typing pauses
        await pilot.pause(tree.search_delay + 0.2)
        assert tree.view.query == "readme first"
        assert [tree.view.index.ids[r.node] for r in tree.view.rows] == [named["u2b"]]
        await pilot.press("ctrl+y")
        await pilot.pause()
        copied = [m for m in app.got if isinstance(m, SessionTree.CopyToPrompt)][-1]
        assert copied.text == "Actually, document the flag in README first"
        await pilot.press("backspace")
        await pilot.pause(tree.search_delay + 0.2)
        assert tree.view.query == "readme firs"
        await pilot.press("escape")
        assert tree.view.query == ""
        tree.view.select_entry(named["a5"])
        await pilot.press("ctrl+x")
        tree.view.select_entry(named["a7"])
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert app.screen.comparison.ancestor_id == named["bash2"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)
    manager.close()


async def test_readonly_session_refuses_moves(branched_copy, named):
    before = branched_copy.read_bytes()
    manager = SessionManager.open(branched_copy, readonly=True)
    app = Host(manager, branch_summary="never")
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        assert "READ-ONLY" in str(tree.status.render())
        await walk_to(pilot, tree, named["u2"])
        await pilot.press("enter", "ctrl+l")
        await pilot.pause()
        assert manager.leaf_id == named["a11"] and app.got == []
    manager.close()
    assert branched_copy.read_bytes() == before


async def test_live_entries_appear(branched_copy, named):
    manager = SessionManager.open(branched_copy)
    app = Host(manager, poll_interval=0.05)
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        rows = len(tree.view.rows)
        manager.append_message({"role": "user", "content": "one more thing", "timestamp": 2})
        await pilot.pause(0.2)
        assert len(tree.view.rows) == rows + 1
        assert tree.view.row_text(tree.view.cursor).endswith("user: one more thing")
    manager.close()


async def test_pi_forked_fixture_opens_and_branches(tmp_path):
    path = tmp_path / FORKED.name
    shutil.copyfile(FORKED, path)
    manager = SessionManager.open(path)
    first_user = next(e["id"] for e in lines(path)[1:] if e["type"] == "message" and e["message"]["role"] == "user")
    app = Host(manager, branch_summary="never")
    async with app.run_test(size=(100, 40)) as pilot:
        tree = app.query_one(SessionTree)
        await pilot.press("home")
        assert tree.view.selected_id == first_user
        await pilot.press("enter")
        await pilot.pause()
        nav = app.got[-1]
        assert nav.prompt_text == "Add a --verbose flag to the CLI"
        assert manager.build_context().messages == []  # the leaf is before the first message
    manager.close()
