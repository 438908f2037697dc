"""The Conversation pane: streamed answers, thinking, tool cards and notices.

Toad's approach: each answer segment is its own `Markdown` widget fed by a stream, so finished
text is never re-rendered; a long answer is cut into several segments at block boundaries so the
growing one stays small (conversation_stream.py). The scroll container is anchored to the bottom
while the user follows and Textual releases the anchor when they scroll up.

Virtualised: only a window of at most `max_blocks` blocks is mounted. Blocks above and below it are
kept as plain specs (conversation_specs.py) and mounted a page at a time when the user scrolls to
the window's edge, while the far side is unmounted, so a 5,000-message session opens and scrolls
like a short one and every message stays reachable.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region, Size
from textual.message import Message
from textual.widget import Widget

from workbench.tui.clock import Clock
from workbench.tui.widgets.conversation_ahead import DrawAhead
# the blocks and the event side live in their own modules; their names stay importable from here
from workbench.tui.widgets.conversation_blocks import (CutNotice, Notice, UserBlock, WindowMarker,  # noqa: F401
                                                       _history, _is, _live, _num, _runs, build_block,
                                                       notice_content, show_all, user_content)
from workbench.tui.widgets.conversation_events import ConversationEvents
from workbench.tui.widgets.conversation_specs import (AnswerSpec, BlockSpec, CardSpec, NoticeSpec,  # noqa: F401
                                                      history_specs, is_finished)
from workbench.tui.widgets.conversation_stream import FrameStream, SegmentSplitter
from workbench.tui.widgets.row_scrollbar import RowScrollBar

if TYPE_CHECKING:
    from workbench.tui.widgets.conversation_live import AnswerBlock, ThinkingBlock, ToolCard

# The live blocks (Textual's Markdown and Collapsible) and the finished ones (Rich Markdown,
# markdown-it, Pygments) take ~0.1 s to import and the first frame shows neither: loaded on first use.
_LIVE = "workbench.tui.widgets.conversation_live"
_RUN = "workbench.tui.widgets.conversation_run"


def __getattr__(name: str) -> Any:  # the live block classes, for importers of this module
    if name in ("AnswerBlock", "ThinkingBlock", "ToolCard"):
        return getattr(_live(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# One page of blocks mounted at a time when scrolling into unmounted history: about this many characters.
PAGE_CHARS = 2_000


class Conversation(ConversationEvents, VerticalScroll):
    """Renders the runtime's events as blocks; follows the bottom until the user scrolls up."""

    BINDINGS = [
        Binding("home", "scroll_home", "Top", show=False, id="conversation.top"),
        Binding("end", "follow", "Follow", show=False, id="conversation.follow"),
        Binding("t", "toggle_thinking", "Thinking", show=False, id="conversation.toggle_thinking"),
        Binding("r", "toggle_results", "Results", show=False, id="conversation.toggle_results"),
        Binding("v", "show_all", "Show all", show=False, id="conversation.show_all"),
        Binding("w", "why", "Why (playbook)", show=False, id="conversation.why"),
    ]

    class WhyWanted(Message):
        """`w`: the playbook's explanation of the turn in view (`from_end`: 0 is the newest turn)."""

        def __init__(self, from_end: int | None) -> None:
            super().__init__()
            self.from_end = from_end

    def __init__(self, *, clock: Clock | None = None, max_blocks: int = 200, page_blocks: int = 12,
                 segment_chars: int | None = None, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=True)
        self.border_title = "Conversation"
        self.clock = clock or Clock()
        self.max_blocks = max_blocks
        self.page_blocks = min(page_blocks, max(1, max_blocks // 2))
        self.segment_chars = segment_chars
        self._older: list[BlockSpec] = []  # blocks above the mounted window, oldest first
        self._newer: list[BlockSpec] = []  # blocks below it, oldest first
        self._hidden_marker = WindowMarker("", classes="hidden-marker")
        self._hidden_marker.display = False
        self._newer_marker = WindowMarker("", classes="hidden-marker")
        self._newer_marker.display = False
        self._looks_holder = Widget(classes="block-looks")  # the hidden prototypes runs are drawn with
        self._looks_holder.display = False
        self._looks: Any = None
        self._answer: AnswerBlock | None = None
        self._stream: FrameStream | None = None
        self._splitter: SegmentSplitter | None = None
        self._answer_chars = 0  # characters of the answer streamed so far
        self._answer_deltas: list[str] = []  # its deltas as they came (references: for "show all" if cut)
        self._cut: CutNotice | None = None  # the streamed answer went past CUT_CHARS: the rest is counted here
        self._thinking: ThinkingBlock | None = None
        self._window = asyncio.Lock()  # one change of the mounted window at a time (specs move in and out)
        self._window_frame = False  # a window change is waiting for its frame (see `refresh`)
        self._ahead = DrawAhead(self)  # the next pages either way, drawn while idle
        self.cards: dict[str, ToolCard] = {}

    @property
    def vertical_scrollbar(self) -> RowScrollBar:
        """The scrollbar, created as Textual creates it but drawn straight into rows (each page-down
        moves it: see row_scrollbar.py)."""
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = bar = RowScrollBar(vertical=True, name="vertical",
                                                          thickness=self.scrollbar_size_vertical)
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar  # type: ignore[return-value]

    def compose(self):
        yield self._looks_holder
        yield self._hidden_marker
        yield self._newer_marker

    def on_mount(self) -> None:
        self.anchor()

    # --- block bookkeeping -----------------------------------------------------------------
    @property
    def blocks(self) -> list[Widget]:
        """The mounted blocks, top to bottom: runs of finished blocks and the blocks of a live run."""
        return [w for w in self.children
                if w is not self._hidden_marker and w is not self._newer_marker and w is not self._looks_holder]

    def first_run(self) -> Widget | None:
        """The first mounted run of finished blocks, if any."""
        return next((w for w in self.children if _is(w, _RUN, "BlockRun")), None)

    def mounted_specs(self) -> list[BlockSpec]:
        """What the mounted blocks show, top to bottom, as specs (a run's blocks one by one)."""
        return self._specs_of(self.blocks)

    def _specs_of(self, widgets: list[Widget]) -> list[BlockSpec]:
        return [spec for w in widgets
                for spec in (w.specs() if _is(w, _RUN, "BlockRun") else [w.spec()])]  # type: ignore[attr-defined]

    @property
    def hidden_count(self) -> int:
        """Blocks above the mounted window."""
        return len(self._older)

    @property
    def total_blocks(self) -> int:
        return len(self._older) + len(self.mounted_specs()) + len(self._newer)

    @property
    def following(self) -> bool:
        """Anchored to the bottom (the user has not scrolled up)."""
        return self._anchored and not self._anchor_released

    def _is_live(self, widget: Widget) -> bool:
        """A block that events may still change: never unmounted."""
        return (widget is self._answer or widget is self._thinking or widget is self._cut
                or (_is(widget, _LIVE, "ToolCard") and widget.is_live))  # type: ignore[attr-defined]

    def _forget(self, widgets: list[Widget]) -> list[BlockSpec]:
        for w in widgets:
            if _is(w, _LIVE, "ToolCard") and self.cards.get(w.call_id) is w:  # type: ignore[attr-defined]
                del self.cards[w.call_id]
        return self._specs_of(widgets)

    def _build(self, specs: list[BlockSpec]) -> list[Widget]:
        """Widgets for `specs`: each stretch of finished blocks as one run, a tool call still under
        way as its live card."""
        runs = _runs()
        if self._looks is None:
            self._looks = runs.BlockLooks(self._looks_holder)
        widgets: list[Widget] = []
        finished: list[BlockSpec] = []
        for spec in specs:
            if is_finished(spec):
                finished.append(spec)
                continue
            if finished:
                widgets.append(runs.BlockRun(finished, self._looks))
                finished = []
            card = build_block(spec, self.clock)
            self.cards[card.call_id] = card  # type: ignore[attr-defined]
            widgets.append(card)
        if finished:
            widgets.append(runs.BlockRun(finished, self._looks))
        return widgets

    def _update_markers(self) -> None:
        older, newer = len(self._older), len(self._newer)
        self._hidden_marker.display = bool(older)
        if older:
            self._hidden_marker.update(Text(f"↑ {older:,} earlier blocks — scroll up (or Home) to show them"))
        self._newer_marker.display = bool(newer)
        if newer:
            self._newer_marker.update(Text(f"↓ {newer:,} later blocks — scroll down (or End) to show them"))

    async def add_block(self, widget: Widget) -> Widget:
        async with self._changing():
            if self._newer:  # new activity goes at the end: bring the window back there first
                await self._show_tail()
            await self.mount(widget, before=self._newer_marker)
            await self._trim()
        return widget

    @property
    def _paging(self) -> bool:
        return self._window.locked()

    @contextlib.asynccontextmanager
    async def _changing(self) -> AsyncIterator[None]:
        """One change of the mounted window at a time (specs move in and out), painted as one frame:
        each repaint of the screen costs ~10 ms, and frames between the steps would show the view
        before it is held still."""
        async with self._window:
            with self.app.batch_update():
                yield
                self._hand_layout_requests()
            # Textual's own follow-ups of a mount or unmount (more layout requests) come after the lock.
            self._window_frame = True
            self.call_after_refresh(self._window_painted)

    def _window_painted(self) -> None:
        self._window_frame = False
        self._ahead.schedule()

    def _hand_layout_requests(self) -> None:
        # Hand the layout requests of a change to the screen now: posted later, from each widget's
        # idle handler, they would arrive after the frame and lay the screen out again. Each one clears
        # the pane's cached arrangement: handed before `_placements` arranges, what is arranged there
        # is what the screen's layout finds in the cache (one arrangement of the window less a step).
        for widget in (self, *self.children):
            if widget._layout_required:
                widget._check_refresh()
        bar = self._vertical_scrollbar  # moved with the view: its repaint belongs to the same frame
        if bar is not None and bar._repaint_required:
            bar._check_refresh()

    # --- the mounted window ----------------------------------------------------------------
    # Textual lays out (and on some passes maps) every mounted widget, so the cost of each frame
    # grows with what is mounted, on screen or not. The window is kept to the blocks within
    # `_keep_rows` rows of the viewport; beyond that they are specs, mounted again a page at a time.

    def _keep_rows(self) -> int:
        return max(24, 2 * self.scrollable_content_region.height)

    @staticmethod
    def _weight(spec: BlockSpec) -> int:
        """Roughly how costly a block is to mount and lay out (characters)."""
        if isinstance(spec, AnswerSpec):
            return 80 + len(spec.markdown)
        if isinstance(spec, CardSpec):
            return 200
        return 80 + min(len(spec.text), 2_000)

    def _page(self, specs: list[BlockSpec], from_end: bool) -> int:
        """How many specs (from the start or the end) make one page."""
        total = count = 0
        for spec in (reversed(specs) if from_end else specs):
            if count >= self.page_blocks or (count and total >= PAGE_CHARS):
                break
            total += self._weight(spec)
            count += 1
        return count

    def _placements(self) -> tuple[dict[Widget, int], int]:
        """Where each mounted block starts (content rows) and the content height, laid out now."""
        self._hand_layout_requests()
        arrangement = self.arrange(self.scrollable_content_region.size)
        tops = {p.widget: p.region.y - p.margin.top for p in arrangement.placements}
        return tops, arrangement.total_region.bottom

    def _hold(self, widget: Widget | None) -> tuple[Widget, float] | None:
        """Where `widget` is relative to the view now, for `_keep_still` after blocks come or go."""
        top = self._placements()[0].get(widget) if widget is not None else None
        return None if top is None or widget is None else (widget, top - self.scroll_y)

    def _view_hold(self) -> tuple[Widget, float] | None:
        """`_hold` of the block at the top of the view."""
        tops, _ = self._placements()
        y, found = self.scroll_y, None
        for w in self.blocks:
            if w in tops and (found is None or tops[w] <= y):
                found = w
        return self._hold(found)

    def _keep_still(self, held: tuple[Widget, float] | None) -> None:
        """After blocks were added or removed above the held one, scroll so it is where it was on
        screen. Relative to the view, not to the old scroll offset: a layout pass during the mount may
        have clamped that offset to a height the window had for a moment."""
        if held is None or self.following:
            return
        widget, offset = held
        if not widget.is_attached:
            return
        tops, height = self._placements()
        new_top = tops.get(widget)
        if new_top is None or new_top - self.scroll_y == offset:
            return
        self._set_virtual_height(height)
        self.scroll_to(y=new_top - offset, animate=False, immediate=True)

    async def _trim(self, cap_side: str = "top") -> None:
        """Unmount the finished blocks far from the viewport (the window stays contiguous); beyond
        `max_blocks`, from `cap_side` (the side away from where blocks were just added)."""
        blocks = self.blocks
        if len(blocks) <= 1:
            return
        tops, height = self._placements()
        view_h = self.scrollable_content_region.height
        view_top = max(0, height - view_h) if self.following else int(self.scroll_y)
        above_limit, below_limit = self._far_limits(view_top)
        bottoms = {w: (tops.get(nxt, height) if nxt is not None else height)
                   for w, nxt in zip(blocks, blocks[1:] + [None])}
        cap_top = self.following or cap_side == "top"
        above: list[Widget] = []
        # Over `max_blocks`, blocks go while they are more than a screen away: never so close that the
        # paging on the other side would bring them straight back.
        for i, w in enumerate(blocks[:-1]):
            far = w in tops and bottoms[w] < above_limit
            over = cap_top and len(blocks) - i > self.max_blocks and w in tops and bottoms[w] < view_top - view_h
            if self._is_live(w) or not (far or over):
                break
            above.append(w)
        below: list[Widget] = []
        if not self.following:
            for j, w in enumerate(reversed(blocks[len(above) + 1:])):
                far = w in tops and tops[w] > below_limit
                over = (not cap_top and len(blocks) - len(above) - j > self.max_blocks and w in tops
                        and tops[w] > view_top + 2 * view_h)
                if self._is_live(w) or not (far or over):
                    break
                below.append(w)
            below.reverse()
        if not above and not below:
            return
        held = self._hold(blocks[len(above)])
        self._older.extend(self._forget(above))
        self._newer[:0] = self._forget(below)
        await self.remove_children(above + below)
        self._update_markers()
        self._keep_still(held)

    async def page_older(self) -> bool:
        """Mount the page of blocks just above the window; False if there is none (or a change is under way)."""
        if self._paging or not self._older:
            return False
        try:
            async with self._changing():
                return await self._page_older()
        finally:
            self.call_after_refresh(self._check_edges)  # a scroll that came in meanwhile was not acted on

    async def _page_older(self, spare: list[Widget] | None = None) -> bool:
        """Mount the page above the window; with `spare` runs (far below the view: see
        `_spare_runs`), the first of them holds the page instead, moved to the top."""
        if not self._older:
            return False
        n = self._page(self._older, from_end=True)
        take = self._older[-n:]
        del self._older[-n:]
        blocks = self.blocks
        held = self._hold(blocks[0] if blocks else None)
        await self._bring_in(take, spare, above=True)
        self._update_markers()
        self._keep_still(held)
        await self._trim(cap_side="bottom")
        return True

    async def page_newer(self) -> bool:
        """Mount the page of blocks just below the window; False if there is none (or a change is under way)."""
        if self._paging or not self._newer:
            return False
        try:
            async with self._changing():
                return await self._page_newer()
        finally:
            self.call_after_refresh(self._check_edges)  # a scroll that came in meanwhile was not acted on

    async def _page_newer(self, *, trim: bool = True, spare: list[Widget] | None = None,
                          held: tuple[Widget, float] | None = None) -> bool:
        """Mount the next page; with `spare` runs (far above the view: see `_spare_runs`), the
        first of them holds the page instead, moved to the bottom, and `held` is kept still."""
        if not self._newer:
            return False
        n = self._page(self._newer, from_end=False)
        take = self._newer[:n]
        del self._newer[:n]
        reused = await self._bring_in(take, spare, above=False)
        self._update_markers()
        if reused:  # a run moved from above the view: what is on screen moved up with it
            self._keep_still(held)
        if trim:
            await self._trim()
        return True

    async def _bring_in(self, specs: list[BlockSpec], spare: list[Widget] | None, *, above: bool) -> bool:
        """Put `specs` at the top (`above`) or the bottom of the window: into the first `spare` run
        (from the other end, its blocks put back with the specs on that side), else as new widgets.
        True if a run was reused."""
        if spare and all(is_finished(spec) for spec in specs):
            run = spare.pop(0)
            if above:
                self._newer[:0] = self._forget([run])
            else:
                self._older.extend(self._forget([run]))
            run.reuse(specs)  # type: ignore[attr-defined]
            self.move_child(run, **({"after": self._hidden_marker} if above else {"before": self._newer_marker}))
            return True
        if above:
            await self.mount_all(self._build(specs), after=self._hidden_marker)
        else:
            await self.mount_all(self._build(specs), before=self._newer_marker)
        return False

    def _far_limits(self, view_top: float) -> tuple[int, int]:
        """With the view at `view_top`: a block ending above the first row, or starting below the
        second, is far enough away to be unmounted (`_keep_rows` either side of the view)."""
        keep = self._keep_rows()
        return int(view_top) - keep, int(view_top) + self.scrollable_content_region.height + keep

    def _spare_runs(self, view_top: float, below: bool = False) -> list[Widget]:
        """The runs at the top of the window (or at its bottom, the last first) that `_trim` would
        unmount with the view at `view_top`."""
        tops, height = self._placements()
        blocks = self.blocks
        spare: list[Widget] = []
        above_limit, below_limit = self._far_limits(view_top)
        if below:
            for w in reversed(blocks[1:]):
                if not _is(w, _RUN, "BlockRun") or w not in tops or tops[w] <= below_limit:
                    break
                spare.append(w)
            return spare
        for w, after in zip(blocks, blocks[1:]):
            if not _is(w, _RUN, "BlockRun") or w not in tops or tops.get(after, height) >= above_limit:
                break
            spare.append(w)
        return spare

    async def _fill(self) -> None:
        """Page older blocks in while the window is shorter than the viewport plus the margin kept."""
        while self._older:
            _, height = self._placements()
            if height >= self.scrollable_content_region.height + self._keep_rows() or not await self.page_older():
                break

    async def _replace_window(self, specs: list[BlockSpec]) -> None:
        """Unmount every block and mount `specs` instead (a jump to the head or the tail)."""
        old = self.blocks
        self._forget(old)
        await self.remove_children(old)
        await self.mount_all(self._build(specs), before=self._newer_marker)
        self._update_markers()

    async def show_head(self) -> None:
        """Mount the first blocks of the conversation and scroll to the top."""
        self.release_anchor()
        async with self._changing():
            blocks = self.blocks
            if self._older and any(self._is_live(w) for w in blocks):  # a live block stays: page up to the head
                while await self._page_older():
                    pass
            elif self._older:
                everything = self._older + self._forget(blocks) + self._newer
                n = self._page(everything, from_end=False)
                self._older, self._newer = [], everything[n:]
                await self._replace_window(everything[:n])
        # forced: a window shorter than the view has no scrollbar, and Textual would leave the offset
        # it gave while anchored (negative: the bottom of the content at the bottom of the view)
        self.scroll_home(animate=False, immediate=True, force=True)
        self.call_after_refresh(self._check_edges)  # fill the screen if the first page is short

    async def _show_tail(self) -> None:
        if self._newer:
            everything = self._forget(self.blocks) + self._newer
            n = self._page(everything, from_end=True)
            self._newer = []
            self._older.extend(everything[:-n])
            await self._replace_window(everything[-n:])

    async def show_tail(self) -> None:
        """Mount the newest blocks and follow the bottom again."""
        async with self._changing():
            await self._show_tail()
        self.anchor()
        self.call_after_refresh(self._check_edges)
        await self._fill()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self.following:  # the user is reading: no full collection (300+ ms) between two key presses
            pacer = getattr(self.app, "gc_pacer", None)
            if pacer is not None:
                pacer.note_input()
        self._check_edges()

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        # A streamed answer grows the pane's virtual height on nearly every frame; stored as a layout
        # reactive it asks for a second layout pass of the whole screen each time. The first pass has
        # already placed the blocks and followed the bottom, the scrollbars are updated here either way,
        # and one appearing or going asks for its own layout (as Textual's ScrollView relies on). Only
        # while streaming: paging sets the virtual height itself and paints once as it is.
        return super()._size_updated(size, virtual_size, container_size, layout=layout and self._stream is None)

    def _check_anchor(self) -> None:
        # Textual anchors again when the view reaches the bottom. With later blocks not mounted that
        # bottom is only the window's: anchored, the view would jump to the end of the page mounted
        # next and skip it.
        if not self._newer:
            super()._check_anchor()

    def _edge(self) -> str | None:
        """Which side needs a page mounted: the view is within a screen of the window's edge there."""
        if not self.is_mounted:
            return None
        view_h = self.scrollable_content_region.height
        if self._older and not self.following and self.scroll_y <= view_h:
            return "older"
        if self._newer and self.scroll_y + 2 * view_h > self._placements()[1]:
            return "newer"
        return None

    def _check_edges(self) -> None:
        """Page blocks in when the viewport is within a screen of the window's top or bottom edge."""
        if self._paging:
            return
        edge = self._edge()
        if edge == "older":
            self.call_later(self.page_older)
        elif edge == "newer":
            self.call_later(self.page_newer)

    async def settled(self) -> None:
        """Return once the window holds what the view needs: no page is being mounted and none is due."""
        for _ in range(10_000):
            async with self._changing():
                edge = self._edge()
                if edge is None or not await (self._page_older() if edge == "older" else self._page_newer()):
                    return

    def _sync_virtual_size(self) -> None:
        self._set_virtual_height(self._placements()[1])

    def _set_virtual_height(self, height: int) -> None:
        # The compositor sets the virtual size on the next layout; set it now so a scroll isn't clamped
        # to the height the window had before blocks came or went. The scrollbar too: set during that
        # layout, it would be repainted in a second frame of its own (~5 ms).
        self.virtual_size = Size(self.virtual_size.width, height)
        # The layout that follows finds this virtual size unchanged and would not show the scrollbar
        # a taller window needs; without it Textual refuses to scroll the pane at all.
        self._refresh_scrollbars()
        if self._vertical_scrollbar is not None:
            self._vertical_scrollbar.window_virtual_size = height

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Conversation:
        # The pane's own rows (its border and background) look the same whichever blocks are mounted
        # and wherever it is scrolled: the layout requests of a window change (mounting, unmounting, a
        # new virtual height) need not render them again (every row of the pane, border included, on
        # each page-down: ~5 ms a step). A new size repaints them (`_size_updated`), a style update too
        # (below); only a style set directly on the pane during a window change waits for the next repaint.
        if layout and not regions and not recompose and (self._paging or self._window_frame):
            repaint = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        super().refresh()  # e.g. the border's colour follows the focus: a style rule set asks for layout only

    async def action_page_down(self) -> None:
        """A screen down. The pages below are mounted first, so a quick run of presses never lands
        on the window's edge and every press moves exactly one screen; all in one frame."""
        view_h = self.scrollable_content_region.height
        async with self._changing():
            held = self._view_hold()
            # pages scrolled far enough away to be unmounted after the move hold the pages brought in
            spare = self._spare_runs(self.scroll_y + view_h)
            # Three screens below the top of the view: after the move two remain, so no edge paging follows.
            while self._newer and self.scroll_y + 3 * view_h > self._placements()[1]:
                await self._page_newer(trim=False, spare=spare, held=held)
            self._sync_virtual_size()
            self._keep_still(held)
            self.scroll_to(y=self.scroll_y + view_h, animate=False, immediate=True)
            await self._trim()

    async def action_page_up(self) -> None:
        """A screen up, the page above mounted first (it keeps the view still)."""
        view_h = self.scrollable_content_region.height
        self.release_anchor()
        async with self._changing():
            # Two screens above the view: after the move one remains, so no edge paging follows. (Not
            # more: `_trim` keeps two screens above the view, and would unmount what was paged in.)
            while self._older and self.scroll_y <= 2 * view_h:
                # pages far enough below to be unmounted as a page comes in above (`_page_older`
                # trims) hold it instead
                if not await self._page_older(self._spare_runs(self.scroll_y, below=True)):
                    break
            self.scroll_to(y=self.scroll_y - view_h, animate=False, immediate=True)

    # --- history ---------------------------------------------------------------------------
    async def load_history(self, messages: list[dict[str, Any]]) -> None:
        """Show a session's messages (pi format); only the newest blocks are mounted."""
        specs = history_specs(messages)
        n = self._page(specs, from_end=True)
        async with self._changing():
            self._older.extend(specs[:-n] if n else specs)
            await self.mount_all(self._build(specs[-n:] if n else []), before=self._newer_marker)
            self._update_markers()
        self.anchor()
        await self._fill()

    async def clear(self) -> None:
        await self.end_answer()
        async with self._changing():
            await self.remove_children(self.blocks)
            self.cards.clear()
            self._older.clear()
            self._newer.clear()
            self._update_markers()

    # --- actions ---------------------------------------------------------------------------
    async def action_scroll_home(self) -> None:
        await self.show_head()

    async def action_follow(self) -> None:
        await self.show_tail()

    def action_why(self) -> None:
        from workbench.tui.widgets.conversation_turns import turn_in_view

        self.post_message(self.WhyWanted(turn_in_view(self)))

    def action_toggle_thinking(self) -> None:
        """Show or fold every thinking block the way the newest one is not."""
        blocks = [b for b in self.blocks if _is(b, _LIVE, "ThinkingBlock") or _is(b, _RUN, "BlockRun")]
        collapsed = [c for b in blocks for c in (b.thinking if _is(b, _RUN, "BlockRun") else [b.collapsed])]
        if collapsed:
            target = not collapsed[-1]
            for b in blocks:
                if _is(b, _RUN, "BlockRun"):
                    b.set_thinking(target)
                else:
                    b.collapsed = target

    def action_show_all(self) -> None:
        """The whole text of the block shown cut on screen (the lowest, if several; else the nearest)."""
        tops, _ = self._placements()
        view_top = self.scroll_y
        view_bottom = view_top + self.scrollable_content_region.height
        found: list[tuple[int, Any]] = []  # (row in the pane, the cut's spec)
        for w in self.blocks:
            top = tops.get(w)
            if top is None:
                continue
            if _is(w, _RUN, "BlockRun"):
                found += [(top + first, spec) for spec, first, _ in w.spans()  # type: ignore[attr-defined]
                          if isinstance(spec, NoticeSpec) and spec.kind == "cut"]
            elif isinstance(w, CutNotice):
                found.append((top, w.cut))
        if not found:
            self.notify("Nothing on screen is shown cut: every block here is shown whole.", timeout=4)
            return
        visible = [f for f in found if view_top <= f[0] < view_bottom]
        row, spec = visible[-1] if visible else min(found, key=lambda f: min(abs(f[0] - view_top),
                                                                                 abs(f[0] - view_bottom)))
        show_all(self, spec)

    def action_toggle_results(self) -> None:
        """Show or fold every tool result the way the newest one is not."""
        blocks = [b for b in self.blocks if (_is(b, _LIVE, "ToolCard") and b.result_box.display)
                  or _is(b, _RUN, "BlockRun")]
        shown = [s for b in blocks for s in (b.results if _is(b, _RUN, "BlockRun") else [not b.result_box.collapsed])]
        if shown:
            target = not shown[-1]
            for b in blocks:
                if _is(b, _RUN, "BlockRun"):
                    b.set_results(target)
                else:
                    b.result_box.collapsed = not target
