"""The session tree pane: pi's `/tree` navigator as a live, keyboard-driven pane.

`SessionTree` shows one session's tree (rows from `workbench.sessions.tree_view`), keeps it live
by syncing with the SessionManager, and performs the moves itself: branch (with the optional
branch summary), label, fork. It tells the app what happened through Messages so the app can
re-render the conversation, fill the prompt, or switch to a forked session.

Only the rows on screen are rendered (`TreeLines`, lines.py, is a Line-API ScrollView), so a 50,000-entry
session costs the same per key as a small one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from workbench.sessions.tree_view import (
    FILTER_TITLES,
    LEAF_MARKER_TYPE,
    FilterMode,
    TreeIndex,
    TreeView,
    compare_branches,
)
from workbench.tui.screens.branch_summary import BranchSummaryChoice, BranchSummaryScreen
from workbench.tui.tree.label import LabelScreen
from workbench.tui.tree.lines import TreeLines
from workbench.tui.tree.rewind import compare_files_loader, rewind, update_marks

# Given the entries of the branch being left (oldest first) and the user's instructions (or
# None), return the summary text. The app supplies it (backed by the model via the runtime).
Summariser = Callable[[list[Mapping[str, Any]], str | None], Awaitable[str]]
BranchSummaryMode = Literal["ask", "never", "always"]


class SessionManagerLike(Protocol):
    """What the tree needs of `workbench.sessions.manager.SessionManager`."""

    path: Any
    leaf_id: str | None
    readonly: bool

    @property
    def entries(self) -> Sequence[Mapping[str, Any]]: ...
    @property
    def labels(self) -> Mapping[str, str]: ...
    def branch(self, entry_id: str) -> None: ...
    def reset_leaf(self) -> None: ...
    def branch_with_summary(self, target_id: str | None, summary: str, details: Any = None) -> str: ...
    def set_label(self, entry_id: str, label: str | None) -> str: ...
    def append_custom(self, custom_type: str, data: Any = None) -> str: ...
    def fork(self, entry_id: str) -> Any: ...


# Entries appended since the search's word index was built are searched text by text; past this
# many, the index is rebuilt in the background.
REINDEX_AFTER = 2000

class TreeStatus(Static):
    """One line above the rows: position, filter, search, and the read-only badge."""

    DEFAULT_CSS = """
    TreeStatus { height: auto; color: $text-muted; padding: 0 1; }
    """


class SessionTree(Vertical):
    """The current session as a tree you can walk, search, fold, label, branch, fork and compare.

    Mount it in the Session pane: `await session_pane.set_body(SessionTree(manager, ...))`.
    """

    DEFAULT_CSS = """
    SessionTree { height: 1fr; }
    SessionTree .badge { background: $error; color: $text; text-style: bold; }
    """

    class Navigated(Message):
        """The leaf moved. Re-render the conversation from `leaf_id`; when `prompt_text` is set
        (branching at a user message) put it in the prompt to be edited and resent."""

        def __init__(self, leaf_id: str | None, target_id: str | None, prompt_text: str | None,
                     summary_id: str | None) -> None:
            super().__init__()
            self.leaf_id = leaf_id
            self.target_id = target_id
            self.prompt_text = prompt_text
            self.summary_id = summary_id

    class Forked(Message):
        """The path root → `entry_id` was copied to a new session file; switch to `manager`
        (already open, it owns the new file's lock) or close it."""

        def __init__(self, manager: Any, entry_id: str) -> None:
            super().__init__()
            self.manager = manager
            self.entry_id = entry_id

        @property
        def path(self) -> Any:
            return self.manager.path

    class CopyToPrompt(Message):
        """Put this entry's text into the prompt (the app decides whether to replace or insert)."""

        def __init__(self, text: str, entry_id: str) -> None:
            super().__init__()
            self.text = text
            self.entry_id = entry_id

    class WhyWanted(Message):
        """ctrl+w: the playbook's explanation of the turn the selected entry belongs to."""

        def __init__(self, entry_id: str) -> None:
            super().__init__()
            self.entry_id = entry_id

    class Labelled(Message):
        def __init__(self, entry_id: str, label: str | None) -> None:
            super().__init__()
            self.entry_id = entry_id
            self.label = label

    def __init__(
        self,
        manager: SessionManagerLike,
        *,
        summariser: Summariser | None = None,
        branch_summary: BranchSummaryMode = "ask",
        poll_interval: float | None = 0.5,
        filter_mode: FilterMode = "default",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.summariser = summariser
        self.branch_summary = branch_summary
        self.poll_interval = poll_interval
        self.view: TreeView = None  # type: ignore[assignment]  # set by set_manager
        self.manager: SessionManagerLike = manager
        self._consumed = 0
        self._filter_mode: FilterMode = filter_mode
        self.busy: str | None = None  # what the tree is doing (e.g. "summarising…"), shown in the status
        # Type-to-search applies the query once typing pauses this long (each key stays cheap on
        # a 50,000-entry session; the search itself runs once per pause, not once per letter).
        self.search_delay = 0.15
        self.typed_query = ""
        self._search_timer: Any = None
        self._warming: Any = None  # the index whose search is being warmed
        self.lines = TreeLines(self)
        self.status = TreeStatus()
        self.set_manager(manager)

    def compose(self) -> ComposeResult:
        yield self.status
        yield self.lines

    def on_mount(self) -> None:
        self.update_status()
        if self.poll_interval:
            self.set_interval(self.poll_interval, self.sync, name="session-tree-sync")

    def warm_search(self) -> None:
        """Index the rows' words for search, once, when the tree is first used (focused or searched):
        on a 100 MB session that reads every entry, seconds of CPU nobody needs before then."""
        index = self.view.index
        if index.word_index is None and self._warming is not index and self.is_mounted:
            self._warming = index
            self._warm_search(index)

    @work(thread=True, exclusive=True, group="session-tree-warm")
    def _warm_search(self, index: TreeIndex) -> None:
        """Compute every row's search text and index their words off the event loop, so the
        first search is quick."""
        index.warm_search()

    def focus(self, scroll_visible: bool = True) -> SessionTree:
        self.lines.focus(scroll_visible)
        return self

    # -- model ----------------------------------------------------------------------------------

    def set_manager(self, manager: SessionManagerLike) -> None:
        """Show another session (after resume or fork)."""
        self.manager = manager
        # each entry read when its row is drawn, not kept parsed (sessions/lazy.py)
        lazy = getattr(manager, "lazy_entries", None)
        entries = lazy() if lazy is not None else list(manager.entries)
        self._consumed = len(entries)
        mode = self.view.filter_mode if self.view is not None else self._filter_mode
        self.view = TreeView(TreeIndex(entries), manager.leaf_id, manager.labels, filter_mode=mode)
        update_marks(self.view.file_marks, self.view.index, entries)
        self.typed_query = ""
        self._seen_leaf = manager.leaf_id
        self._seen_labels = dict(manager.labels)
        if self.is_mounted:
            self.lines.refresh_rows()
            self.update_status()
            if self.lines.has_focus:
                self.warm_search()

    def sync(self, *, follow_leaf: bool = False) -> None:
        """Pick up what was written since the last look: new entries, the leaf, labels."""
        manager = self.manager
        entries = manager.entries
        new = entries[self._consumed:] if len(entries) > self._consumed else ()
        leaf = manager.leaf_id
        labels = manager.labels
        if not new and leaf == self._seen_leaf and labels == self._seen_labels and not follow_leaf:
            return
        self._consumed = len(entries)
        self._seen_leaf = leaf
        self._seen_labels = dict(labels)
        self.view.refresh(leaf, labels, list(new), follow_leaf=follow_leaf)
        if new:
            update_marks(self.view.file_marks, self.view.index, new)
        index = self.view.index
        if new and index.word_index is not None and index.unindexed > REINDEX_AFTER and self.is_mounted:
            self._warm_search(index)  # many entries since the word index was built
        if self.is_mounted:
            self.lines.refresh_rows()
            self.update_status()

    def update_status(self) -> None:
        view = self.view
        text = Text()
        if getattr(self.manager, "readonly", False):
            text.append(" READ-ONLY ", style="bold reverse red")
            text.append(" locked by another process · ctrl+f forks\n", style="red")
        text.append(f"{view.cursor + 1 if view.rows else 0}/{len(view.rows)}")
        text.append(" · filter: ")
        text.append(FILTER_TITLES[view.filter_mode], style="bold")
        text.append("  ctrl+o", style="dim")
        if self.typed_query or view.query:
            text.append(" · search: ")
            text.append(self.typed_query, style="bold underline")
            if self.typed_query != view.query:
                text.append(" …", style="dim")
        if view.marked:
            text.append(" · marked ◆")
        if self.busy:
            text.append(f" · {self.busy}", style="italic")
        self.status.update(text)

    def cycle_filter(self, step: int = 1) -> None:
        self.view.cycle_filter(step)
        self.lines.refresh_rows()
        self.update_status()

    def set_filter(self, mode: FilterMode) -> None:
        self.view.set_filter(mode)
        self.lines.refresh_rows()
        self.update_status()

    def set_query(self, query: str) -> None:
        """Search at once (type_query is what the keys call: it waits for a pause in typing)."""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if query:
            self.warm_search()  # for the searches that follow
        self.typed_query = query
        self.view.set_query(query)
        self.lines.refresh_rows()
        self.update_status()

    def type_query(self, query: str) -> None:
        """A key changed the search: show it now, search when typing pauses (empty: at once)."""
        if not query or self.search_delay <= 0:
            self.set_query(query)
            return
        self.typed_query = query
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(self.search_delay, lambda: self.set_query(self.typed_query))
        self.update_status()

    def mark(self, entry_id: str | None) -> None:
        self.view.marked = None if entry_id == self.view.marked else entry_id
        self.lines.refresh()
        self.update_status()

    # -- moves ----------------------------------------------------------------------------------

    def _refuse_readonly(self) -> bool:
        if getattr(self.manager, "readonly", False):
            self.notify("This session is open read-only (locked by another process): fork it with ctrl+f.",
                        severity="warning")
            return True
        return False

    def branch_at(self, entry_id: str | None) -> None:
        """Enter: move the leaf (asking about a branch summary first if configured)."""
        if entry_id is None or self._refuse_readonly():
            return
        self._navigate(entry_id)

    @work(exclusive=True, group="session-tree-move")
    async def _navigate(self, entry_id: str) -> None:
        manager = self.manager
        self.sync()
        target, prompt_text = self.view.branch_target(entry_id)
        if target == manager.leaf_id and prompt_text is None:
            self.notify("Already here.")
            return
        left = self.view.abandoned_entries(target)
        choice = BranchSummaryChoice("none")
        if left and self.summariser is not None and self.branch_summary != "never":
            if self.branch_summary == "always":
                choice = BranchSummaryChoice("summarise")
            else:
                asked = await self.app.push_screen_wait(BranchSummaryScreen(len(left)))
                if asked is None:
                    return  # cancelled: the leaf stays
                choice = asked
        summary_id: str | None = None
        if choice.kind == "summarise" and self.summariser is not None:
            self.busy = "summarising the branch being left…"
            self.update_status()
            try:
                summary = await self.summariser(left, choice.instructions)
            except Exception as exc:  # the model failed: tell the user, move nothing
                self.notify(f"Branch summary failed, the leaf did not move: {exc}", severity="error")
                return
            finally:
                self.busy = None
                self.update_status()
            summary_id = manager.branch_with_summary(target, summary)
        else:
            if target is None:
                manager.reset_leaf()
            else:
                manager.branch(target)
            self._persist_leaf(target)
        self.sync(follow_leaf=True)
        self.post_message(self.Navigated(manager.leaf_id, target, prompt_text, summary_id))

    def _persist_leaf(self, target: str | None) -> None:
        """pi reloads a session at its last line, so a bare leaf move is lost on restart. A small
        `custom` entry under the new leaf makes it the last line: pi (and we) load there, and
        custom entries never reach the model, so the context is exactly the chosen leaf's."""
        entries = self.manager.entries
        last = entries[-1].get("id") if entries else None
        if last == target:
            return  # the file already ends at the chosen leaf
        self.manager.append_custom(LEAF_MARKER_TYPE, {"leaf": target})

    def label_at(self, entry_id: str | None) -> None:
        if entry_id is None or self._refuse_readonly():
            return
        self._label(entry_id)

    @work(exclusive=True, group="session-tree-label")
    async def _label(self, entry_id: str) -> None:
        current = self.view.labels.get(entry_id, "")
        n = self.view.index.pos[entry_id]
        summary = "".join(t for t, _ in self.view.index.summary(n))
        value = await self.app.push_screen_wait(LabelScreen(current, summary))
        if value is None:
            return
        label = value.strip() or None
        if label == (current or None):
            return
        self.manager.set_label(entry_id, label)
        self.sync()
        self.post_message(self.Labelled(entry_id, label))

    def fork_at(self, entry_id: str | None) -> None:
        if entry_id is None:
            return
        try:
            forked = self.manager.fork(entry_id)
        except Exception as exc:  # a full disk or a vanished dir: say so, nothing was lost
            self.notify(f"Fork failed: {exc}", severity="error")
            return
        self.notify(f"Forked to {getattr(forked, 'path', 'a new session')}")
        self.post_message(self.Forked(forked, entry_id))

    def copy_at(self, entry_id: str | None) -> None:
        if entry_id is None:
            return
        text = self.view.index.full_text(self.view.index.pos[entry_id])
        self.post_message(self.CopyToPrompt(text, entry_id))

    def rewind_at(self, entry_id: str | None) -> None:
        """Restore the files (and/or the conversation) to an entry, after a preview."""
        if entry_id is None or self._refuse_readonly():
            return
        self._rewind(entry_id)

    @work(exclusive=True, group="session-tree-rewind")
    async def _rewind(self, entry_id: str) -> None:
        self.sync()
        await rewind(self, entry_id)

    def compare_selected(self) -> None:
        """Compare the marked entry (or the current leaf) with the selected one."""
        from workbench.tui.screens.compare import CompareScreen

        selected = self.view.selected_id
        other = self.view.marked or self.manager.leaf_id
        if selected is None or other is None or other == selected:
            self.notify("Mark one entry with ctrl+x, select another, then ctrl+d compares them.")
            return
        comparison = compare_branches(self.view.index, other, selected)
        self.app.push_screen(CompareScreen(comparison, compare_files_loader(self.manager, other, selected)))
