"""Snapshots of the tree pane, its questions, the compare view and the resume picker.

Fixed terminal sizes, no timers (the tree's live polling is off), no blinking cursors.
"""

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input

from workbench.sessions.manager import SessionManager
from workbench.sessions.store import SessionStore
from workbench.tui.screens.branch_summary import BranchSummaryScreen
from workbench.tui.screens.resume import ResumeScreen
from workbench.tui.tree import SessionTree

from .conftest import BRANCHED

SIZE = (100, 34)


class TreeHost(App):
    def __init__(self, manager):
        super().__init__()
        self.manager = manager

    def compose(self) -> ComposeResult:
        yield SessionTree(self.manager, poll_interval=None)

    def on_mount(self) -> None:
        self.query_one(SessionTree).focus()


@pytest.fixture
def manager(branched_copy):
    m = SessionManager.open(branched_copy)
    yield m
    m.close()


@pytest.mark.parametrize("filter_presses", [0, 1, 2, 3, 4], ids=["default", "no-tools", "user-only", "labelled", "all"])
def test_tree_filters(snap_compare, manager, filter_presses):
    assert snap_compare(TreeHost(manager), press=["ctrl+o"] * filter_presses, terminal_size=SIZE)


def test_tree_search(snap_compare, manager):
    async def search(pilot):
        await pilot.press(*"readme")
        tree = pilot.app.query_one(SessionTree)
        for _ in range(200):  # the search runs after a debounce: wait for it, not for a guess
            if tree.view.query == "readme":
                break
            await pilot.pause(0.02)
        await pilot.pause()

    assert snap_compare(TreeHost(manager), run_before=search, terminal_size=SIZE)


def test_tree_folded_branch(snap_compare, manager, named):
    async def fold(pilot):
        tree = pilot.app.query_one(SessionTree)
        tree.view.select_entry(named["u2"])
        await pilot.press("left")

    assert snap_compare(TreeHost(manager), run_before=fold, terminal_size=SIZE)


def test_tree_marked_and_compare(snap_compare, manager, named):
    async def compare(pilot):
        tree = pilot.app.query_one(SessionTree)
        tree.view.select_entry(named["a5"])
        await pilot.press("ctrl+x")
        tree.view.select_entry(named["a7"])
        await pilot.press("ctrl+d")
        await pilot.pause()

    assert snap_compare(TreeHost(manager), run_before=compare, terminal_size=(120, 40))


def test_branch_summary_question(snap_compare, manager):
    async def ask(pilot):
        pilot.app.push_screen(BranchSummaryScreen(9))
        await pilot.pause()

    assert snap_compare(TreeHost(manager), run_before=ask, terminal_size=SIZE)


def test_read_only_badge(snap_compare):
    m = SessionManager.open(BRANCHED, readonly=True)
    try:
        assert snap_compare(TreeHost(m), terminal_size=SIZE)
    finally:
        m.close()


class PickerHost(App):
    def __init__(self, store_dir, **kw):
        super().__init__()
        self.picker = ResumeScreen(SessionStore(store_dir, use_cache=False), "/proj", **kw)

    def on_mount(self) -> None:
        self.push_screen(self.picker)


async def settle(pilot):
    screen = pilot.app.picker
    for inp in screen.query(Input):
        inp.cursor_blink = False
    for _ in range(50):
        await pilot.pause(0.02)
        if not screen.loading and not any(w.is_running for w in screen.workers):
            break
    await pilot.pause(0.05)


@pytest.mark.parametrize("keys", [[], ["ctrl+a"], list("verbose"), ["ctrl+g"]],
                         ids=["this-folder-grouped", "all-folders", "search", "recent"])
def test_resume_picker(snap_compare, store_dir, keys):
    async def run(pilot):
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    assert snap_compare(PickerHost(store_dir), run_before=run, terminal_size=(130, 30))
