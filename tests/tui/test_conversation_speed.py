"""Speed machinery of the Conversation pane: segment cuts, per-frame appends, the mounted window, GC pacing."""

import asyncio
import gc
import sys

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Markdown

from workbench.runtime import events as ev
from workbench.tui.clock import FrozenClock
from workbench.tui.gc_pacer import GcPacer
from workbench.tui.widgets.conversation import AnswerBlock, Conversation, UserBlock
from workbench.tui.widgets.conversation_run import BlockRun
from workbench.tui.widgets.conversation_specs import AnswerSpec, CardSpec, ThinkingSpec, UserSpec, history_specs
from workbench.tui.widgets.conversation_stream import FrameStream, SegmentSplitter, take_chunk

SECTION = """## Section {n}

Some prose with **bold**, `code` and a [link](https://example.com) that runs on for a while so the
paragraph wraps across lines.

- first item {n}
- second item with `inline code`
  - nested item

| name | value |
|------|-------|
| a{n} | {n} |

```python
def handler_{n}(event):

    return {{"id": {n}}}
```

"""
LONG = "".join(SECTION.format(n=n) for n in range(14))  # headings, prose, nested lists, tables, fences


def cut(text: str, min_chars: int, chunks: list[str] | None = None) -> list[str]:
    """The segments SegmentSplitter makes of `text` fed in `chunks` (default: at once)."""
    splitter = SegmentSplitter(min_chars)
    segments = [""]
    for chunk in chunks if chunks is not None else [text]:
        for i, piece in enumerate(splitter.feed(chunk)):
            if i:
                segments.append("")
            segments[-1] += piece
    return segments


# --- SegmentSplitter -------------------------------------------------------------------------

def test_cuts_only_after_a_blank_line_before_a_column_zero_line():
    text = "para one\nstill one\n\n- item\n  continued\n\n  more of the item\n\nnext para\n"
    segments = cut(text, min_chars=1)
    assert "".join(segments) == text
    assert segments == ["para one\nstill one\n\n", "- item\n  continued\n\n  more of the item\n\n", "next para\n"]


def test_never_cuts_inside_a_fence_even_at_blank_lines():
    code = "```python\ndef f():\n\nreturn 1\n\n~~~\n\nx = 2\n```\n\n"
    segments = cut("intro\n\n" + code + "after\n", min_chars=1)
    assert segments == ["intro\n\n", code, "after\n"]
    tilde = "~~~~\na\n\n```\n\nb\n~~~~\n\n"
    assert cut(tilde + "end\n", min_chars=1) == [tilde, "end\n"]


def test_segments_are_at_least_min_chars_except_the_last():
    segments = cut(LONG, min_chars=800)
    assert "".join(segments) == LONG
    assert len(segments) > 3
    assert all(len(s) >= 800 for s in segments[:-1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=300), min_size=1, max_size=60))
def test_cuts_do_not_depend_on_how_the_text_is_chunked(sizes):
    chunks, i = [], 0
    for n in sizes * (len(LONG) // max(1, sum(sizes)) + 1):
        if i >= len(LONG):
            break
        chunks.append(LONG[i:i + n])
        i += n
    assert cut(LONG, 500, chunks) == cut(LONG, 500)


def test_history_answers_are_cut_like_streamed_ones():
    specs = history_specs([{"role": "user", "content": "hi"},
                           {"role": "assistant", "content": [{"type": "text", "text": LONG}]}])
    answers = [s for s in specs if isinstance(s, AnswerSpec)]
    assert [a.markdown for a in answers] == cut(LONG, SegmentSplitter().min_chars)
    assert [a.continued for a in answers] == [False] + [True] * (len(answers) - 1)


# --- FrameStream -----------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.appends: list[str] = []

    async def append(self, text):
        self.appends.append(text)
        await asyncio.sleep(0.01)  # parsing takes time


async def test_frame_stream_coalesces_writes_and_stop_delivers_everything():
    md = Recorder()
    stream = FrameStream(md, frame_s=0.05)
    parts = [f"part {i} " for i in range(200)]
    for p in parts:
        await stream.write(p)
    await stream.stop()
    assert "".join(md.appends) == "".join(parts)
    assert len(md.appends) < 10  # one append per frame, not one per write
    try:
        await stream.write("late")
    except RuntimeError as exc:
        assert "closed" in str(exc)
    else:
        raise AssertionError("a stopped stream accepted text")


async def test_frame_stream_appends_at_most_once_per_frame():
    md = Recorder()
    stream = FrameStream(md, frame_s=0.05)
    start = asyncio.get_running_loop().time()
    while asyncio.get_running_loop().time() - start < 0.3:
        await stream.write("x")
        await asyncio.sleep(0.002)
    await stream.stop()
    assert 3 <= len(md.appends) <= 9  # ~0.3 s / 0.05 s, plus the final flush


def test_take_chunk_cuts_after_whole_blocks_then_lines():
    text = "para one\n\npara two\nline\n\n" + "x" * 50
    assert take_chunk(text, 1000) == len(text)
    assert text[:take_chunk(text, 30)] == "para one\n\npara two\nline\n\n"  # after the last blank line
    assert text[:take_chunk(text, 15)] == "para one\n\n"
    assert take_chunk("abc\ndef ghi jkl", 10) == 4  # no blank line: after the last line end
    assert take_chunk("x" * 50, 10) == 10  # one long line: at the limit


async def test_frame_stream_bounds_each_append_and_stop_delivers_the_rest_in_order():
    md = Recorder()
    stream = FrameStream(md, frame_s=0.001, max_chars=100)
    text = "".join(f"Paragraph {n} with a few words in it.\n\n" for n in range(60))
    for i in range(0, len(text), 64):
        await stream.write(text[i:i + 64])
    await stream.stop()
    assert "".join(md.appends) == text
    assert max(len(a) for a in md.appends) <= 100
    assert all(a.endswith("\n\n") for a in md.appends[:-1])  # whole blocks per append


class Framed(Recorder):
    """A widget-like sink whose frame (wait_for_refresh) comes at once, so stop() often cancels the
    stream's task just as that wait completes."""

    is_attached = True

    async def append(self, text):
        self.appends.append(text)
        await asyncio.sleep(0)

    async def wait_for_refresh(self):
        await asyncio.sleep(0)
        return True


@pytest.mark.timeout(30)
async def test_frame_stream_stop_returns_even_when_cancelled_as_a_frame_wait_completes():
    for n in range(300):
        md = Framed()
        stream = FrameStream(md, frame_s=0, max_chars=8)
        await stream.write("word " * (1 + n % 7))
        for _ in range(n % 5):
            await asyncio.sleep(0)
        await asyncio.wait_for(stream.stop(), 2)
        assert "".join(md.appends) == "word " * (1 + n % 7)


# --- the Conversation pane -------------------------------------------------------------------

class Host(App):
    def __init__(self, conversation):
        super().__init__()
        self.conversation = conversation

    def compose(self):
        yield self.conversation


class BareMarkdown(App):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def compose(self):
        with VerticalScroll():
            yield Markdown(self.text, classes="answer-block")


def laid_out_height(scroll):
    """The content height as laid out now (the virtual size waits for the next refresh)."""
    return scroll.arrange(scroll.scrollable_content_region.size).total_region.bottom


async def settled_height(pilot, scroll, *, stable_for: int = 3, tries: int = 200):
    """The laid-out height once Markdown has finished parsing (it renders asynchronously): the
    same height over several consecutive frames, rather than after a guessed pause."""
    last, same = None, 0
    for _ in range(tries):
        await pilot.pause()
        height = laid_out_height(scroll)
        same = same + 1 if height == last else 0
        if same >= stable_for:
            return height
        last = height
    return last


PROSE = "".join(f"Paragraph {n} goes on for a while, long enough to wrap at least once in a narrow pane "
                f"like this one.\n\n- a list {n}\n- b\n\n> quoted {n}\n\n### Small heading {n}\n\n"
                for n in range(16))


@pytest.mark.parametrize("text", [LONG, PROSE], ids=["sections", "prose"])
async def test_streamed_segments_render_as_tall_as_one_markdown(text):
    LONG = text
    conv = Conversation(clock=FrozenClock(), segment_chars=120)
    host = Host(conv)
    async with host.run_test(size=(100, 200)) as pilot:  # tall: the whole answer stays mounted
        for i in range(0, len(LONG), 37):
            await conv.handle(ev.TextDelta(delta=LONG[i:i + 37]))
        await conv.handle(ev.TextComplete(content=LONG))
        await pilot.pause()
        segments = conv.answer_segments
        assert conv.hidden_count == 0 and len(segments) > 5
        assert "".join(s.source for s in segments) == LONG
        assert all(s.has_class("-continued") for s in segments[1:]) and not segments[0].has_class("-continued")
        streamed_height = await settled_height(pilot, conv)
    bare = BareMarkdown(LONG)
    async with bare.run_test(size=(100, 200)) as pilot:
        scroll = bare.query_one(VerticalScroll)
        # same width as the conversation's content (no border/padding there, a scrollbar in both)
        assert await settled_height(pilot, scroll) == streamed_height


async def test_a_continued_segment_whose_first_block_changes_type_keeps_the_one_markdown_gap():
    # "#" alone is a paragraph; the next delta makes it a heading, which replaces the paragraph widget.
    deltas = ["A first paragraph, long enough to close a segment.\n\n", "#", "# Heading\n\nSome text.\n"]
    conv = Conversation(clock=FrozenClock(), segment_chars=20)
    host = Host(conv)
    async with host.run_test(size=(100, 60)) as pilot:
        for d in deltas:
            await conv.handle(ev.TextDelta(delta=d))
        await conv.end_answer()
        segments = conv.answer_segments
        assert [s.source for s in segments] == [deltas[0], "".join(deltas[1:])]
        heading = segments[1].children[0]
        assert type(heading).__name__ == "MarkdownH2" and heading.styles.margin.top == 1
        streamed_height = await settled_height(pilot, conv)
    bare = BareMarkdown("".join(deltas))
    async with bare.run_test(size=(100, 60)) as pilot:
        assert await settled_height(pilot, bare.query_one(VerticalScroll)) == streamed_height

async def test_a_streamed_delta_costs_one_layout_pass():
    """A growing block (and the pane's virtual height) must not ask Textual for a second layout of the
    whole screen after the one that placed it."""
    conv = Conversation(clock=FrozenClock())
    async with Host(conv).run_test(size=(100, 30)) as pilot:
        await conv.handle(ev.TextDelta(delta=LONG[:1500] + "\n\nA last paragraph"))
        await pilot.pause()
        screen = conv.screen
        layouts = []
        original = screen._refresh_layout
        screen._refresh_layout = lambda *a, **k: (layouts.append(1), original(*a, **k))[1]
        counts = []
        for n in range(8):  # each delta adds a wrapped line to the last paragraph
            await conv.handle(ev.TextDelta(delta=f" words to wrap the paragraph onto one more line {n}" * 2))
            await asyncio.sleep(0.05)  # the stream's next frame
            await pilot.pause()
            await pilot.pause()
            counts.append(len(layouts))
            layouts.clear()
        assert counts == [1] * 8


async def test_a_long_stream_keeps_only_a_window_mounted_and_the_live_segment_always():
    conv = Conversation(clock=FrozenClock(), segment_chars=300)
    host = Host(conv)
    async with host.run_test(size=(100, 16)) as pilot:
        text = LONG * 2
        for i in range(0, len(text), 64):
            await conv.handle(ev.TextDelta(delta=text[i:i + 64]))
            assert conv._answer is None or conv._answer.is_attached
        await conv.end_answer()
        await pilot.pause()
        assert conv.hidden_count > 0  # the top of the answer was unmounted
        assert len(conv.blocks) < conv.hidden_count
        mounted = "".join(s.source for s in conv.answer_segments)
        older = "".join(s.markdown for s in conv._older if isinstance(s, AnswerSpec))
        assert older + mounted == text  # nothing lost: unmounted segments are kept as specs


def history(turns):
    out = []
    for t in range(turns):
        out += [
            {"role": "user", "content": [{"type": "text", "text": f"question {t}"}]},
            {"role": "assistant", "content": [{"type": "toolCall", "id": f"c{t}", "name": "read",
                                               "arguments": {"path": f"f{t}.py"}}]},
            {"role": "toolResult", "toolCallId": f"c{t}", "toolName": "read",
             "content": [{"type": "text", "text": f"x = {t}\n"}], "isError": t % 7 == 0},
            {"role": "assistant", "content": [{"type": "text", "text": f"Answer **{t}**.\n\n- a\n- b\n"}]},
        ]
    return out


async def test_history_opens_at_the_end_and_every_message_is_reachable_by_scrolling():
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=8)
    host = Host(conv)
    turns = 45
    async with host.run_test(size=(100, 16)) as pilot:
        await conv.load_history(history(turns))
        await pilot.pause()
        assert conv.total_blocks == turns * 3
        assert len(conv.blocks) <= 30 and conv.hidden_count > 0
        last_user = [s for s, _ in mounted_specs(conv) if isinstance(s, UserSpec)][-1]
        assert last_user.text == f"question {turns - 1}"
        # Home: the first message; then down to the bottom a page at a time
        conv.focus()
        await pilot.press("home")
        await conv.settled()
        await pilot.pause()
        seen = []
        for _ in range(2_000):
            for spec in visible_specs(conv):
                if isinstance(spec, UserSpec) and spec.text not in seen:
                    seen.append(spec.text)
            assert len(conv.blocks) <= 30 + 8  # the cap, give or take the page just mounted
            if not conv._newer and conv.scroll_y >= conv.max_scroll_y:
                break
            await pilot.press("pagedown")
            await conv.settled()
            await pilot.pause()
        assert seen[0] == "question 0"
        assert seen == [f"question {t}" for t in range(turns)]
        # cards keep their status and result across unmounting
        cards = {s.call_id: s for s, _ in mounted_specs(conv) if isinstance(s, CardSpec)}
        card = cards.get(f"c{turns - 7}") or cards[f"c{turns - 1}"]
        assert card.status in ("done", "failed") and card.result == f"x = {int(card.call_id[1:])}\n"


def mounted_specs(conv):
    """What the mounted blocks show, top to bottom: each block's spec and its rows on screen (the
    blocks of a run at their rows within it)."""
    out = []
    for w in conv.blocks:
        if isinstance(w, BlockRun):
            out += [(spec, Region(w.region.x, w.region.y + top, w.region.width, bottom - top))
                    for spec, top, bottom in w.spans()]
        else:
            out.append((w.spec(), w.region))
    return out


def visible(conv):
    """The mounted blocks with at least one row inside the viewport, with their rows on screen."""
    return [(spec, region) for spec, region in mounted_specs(conv)
            if region.height and region.intersection(conv.content_region).height]


def visible_specs(conv):
    return [spec for spec, _ in visible(conv)]


def top_line(conv):
    """The first visible block and how many of its rows are scrolled off above the view."""
    spec, region = visible(conv)[0]
    return spec, conv.content_region.y - region.y


async def at_the_head(conv, pilot):
    """45 turns of history loaded, the view at the first message and every page it needs mounted."""
    await conv.load_history(history(45))
    await conv.show_head()
    await conv.settled()
    await pilot.pause()


async def test_a_quick_run_of_page_downs_moves_exactly_as_far_as_slow_ones():
    """Keys pressed faster than pages mount must neither be lost nor skip what the slow run shows."""
    positions = []
    for quick in (False, True):
        conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
        async with Host(conv).run_test(size=(100, 16)) as pilot:
            await conv.load_history(history(45))
            conv.focus()
            await pilot.press("home")
            await conv.settled()
            if quick:
                await pilot.press(*["pagedown"] * 12)
            else:
                for _ in range(12):
                    await pilot.press("pagedown")
                    await conv.settled()
            await conv.settled()
            await pilot.pause()
            positions.append(top_line(conv))
    assert positions[0] == positions[1]
    assert positions[0][0] != UserSpec("question 0")


@pytest.mark.parametrize("direction", ["down", "up"])
async def test_paging_reuses_runs_scrolled_away_and_shows_what_fresh_runs_would(monkeypatch, direction):
    """A run far from the view holds the page brought in on the other side instead of a new run
    being mounted: every step shows the same blocks at the same rows as with new runs each time."""
    created = []
    real_init = BlockRun.__init__

    def counting_init(self, *args, **kwargs):
        created.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(BlockRun, "__init__", counting_init)
    walks = {}
    for reuse in (True, False):
        if not reuse:
            monkeypatch.setattr(Conversation, "_spare_runs", lambda self, view_top, below=False: [])
        created.clear()
        conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
        async with Host(conv).run_test(size=(100, 16)) as pilot:
            if direction == "down":
                await at_the_head(conv, pilot)
            else:  # at the end, not following
                await conv.load_history(history(45))
                await conv.show_tail()
                conv.release_anchor()
                conv.scroll_end(animate=False, immediate=True)
                await conv.settled()
                await pilot.pause()
            made_before = len(created)
            seen = []
            while (conv._newer or conv.scroll_y < conv.max_scroll_y) if direction == "down" else \
                    (conv._older or conv.scroll_y > 0):
                await (conv.action_page_down() if direction == "down" else conv.action_page_up())
                await conv.settled()
                await pilot.pause()
                seen.append((top_line(conv), visible_specs(conv), len(conv.blocks)))
            walks[reuse] = (seen, len(created) - made_before)
    assert walks[True][0] == walks[False][0]
    steps = len(walks[True][0])
    assert steps > 20
    assert walks[False][1] >= steps * 0.8  # a new run for about every step...
    assert walks[True][1] <= walks[False][1] // 2  # ...or the runs scrolled away, reused


async def test_reaching_the_windows_bottom_does_not_follow_over_the_page_mounted_next():
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    async with Host(conv).run_test(size=(100, 16)) as pilot:
        await at_the_head(conv, pilot)
        assert conv._newer
        async with conv._window:  # the user reaches the bottom before the next page is mounted
            conv.scroll_to(y=conv.max_scroll_y, animate=False, immediate=True)
            await pilot.pause()
            before = top_line(conv)
            assert not conv.following
            assert await conv._page_newer()
        await pilot.pause()
        assert top_line(conv) == before


async def test_each_page_down_is_painted_in_one_frame():
    """Blocks mounted below, the move, blocks unmounted above, the scrollbar: all in one paint."""
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    async with Host(conv).run_test(size=(100, 16)) as pilot:
        await at_the_head(conv, pilot)
        compositor = conv.screen._compositor
        paints = []
        original = compositor.render_update
        compositor.render_update = lambda *a, **k: (paints.append(1), original(*a, **k))[1]
        trimmed = False
        for _ in range(12):
            hidden, paints[:] = conv.hidden_count, []
            await conv.action_page_down()
            await pilot.pause()
            await pilot.pause()
            trimmed |= conv.hidden_count > hidden
            assert len(paints) == 1
        assert trimmed  # steps that unmounted blocks above (and so changed the height) were among them


async def test_the_screens_layout_reuses_the_window_arranged_by_a_page_down(monkeypatch):
    import textual.widget

    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    async with Host(conv).run_test(size=(100, 16)) as pilot:
        await at_the_head(conv, pilot)
        inside, by_screen, by_pane = [False], [], []
        arrange, placements = textual.widget.arrange, Conversation._placements

        def counting_arrange(widget, *args, **kwargs):
            if widget is conv:
                (by_pane if inside[0] else by_screen).append(1)
            return arrange(widget, *args, **kwargs)

        def counting_placements(self):
            inside[0] = True
            try:
                return placements(self)
            finally:
                inside[0] = False

        monkeypatch.setattr(textual.widget, "arrange", counting_arrange)
        monkeypatch.setattr(Conversation, "_placements", counting_placements)
        for _ in range(8):
            await conv.action_page_down()
            await pilot.pause()
        assert len(by_pane) >= 8  # each page-down arranged the window (blocks came and went)...
        assert by_screen == []  # ...and the screen's layout found that arrangement in the cache


class BorderedHost(Host):
    CSS = "Conversation { border: round #0000ff; } Conversation:focus { border: round #ff0000; }"


def top_border_colours(conv):
    line = conv.render_lines(Region(0, 0, conv.size.width, 1))[0]
    return {seg.style.color.triplet.hex for seg in line if seg.style and seg.style.color and seg.text.strip()}


async def test_paging_leaves_the_panes_own_rows_alone_and_a_focus_change_repaints_its_border():
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    async with BorderedHost(conv).run_test(size=(100, 16)) as pilot:
        await at_the_head(conv, pilot)
        conv.blur()
        await pilot.pause()
        assert top_border_colours(conv) == {"#0000ff"}
        own_rows = []
        original = conv._styles_cache.render_line
        conv._styles_cache.render_line = lambda *a, **k: (own_rows.append(1), original(*a, **k))[1]
        hidden = conv.hidden_count
        for _ in range(6):
            await conv.action_page_down()
            await pilot.pause()
        assert conv.hidden_count > hidden  # blocks were mounted and unmounted
        assert own_rows == []  # the border and background rows were not rendered again
        conv.focus()
        await pilot.pause()
        assert own_rows and top_border_colours(conv) == {"#ff0000"}
        conv.styles.border = ("round", "#00ff00")  # set directly (no style update): still repainted
        await pilot.pause()
        assert top_border_colours(conv) == {"#00ff00"}


async def test_paging_older_blocks_in_keeps_the_view_still():
    conv = Conversation(clock=FrozenClock(), max_blocks=60, page_blocks=12)
    host = Host(conv)
    async with host.run_test(size=(100, 30)) as pilot:
        await conv.load_history(history(80))
        await pilot.pause()
        conv.release_anchor()
        conv.scroll_to(y=2, animate=False, immediate=True)
        await pilot.pause()
        while conv._paging:  # the scroll to the top may have started a page already
            await pilot.pause(0.01)
        top = conv.blocks[0]
        screen_y = top.region.y
        before = conv.hidden_count
        assert before > 0
        async with conv._window:
            assert await conv._page_older()
        await pilot.pause()
        assert conv.hidden_count < before
        assert top.region.y == screen_y  # the block the user was reading did not move


async def test_new_activity_while_reading_history_goes_to_the_end():
    conv = Conversation(clock=FrozenClock(), max_blocks=40, page_blocks=10)
    host = Host(conv)
    async with host.run_test(size=(100, 30)) as pilot:
        await conv.load_history(history(60))
        await conv.show_head()
        await pilot.pause()
        assert conv._newer
        await conv.handle(ev.UserMessage(text="a new question"))
        await pilot.pause()
        assert not conv._newer
        assert isinstance(conv.blocks[-1], UserBlock) and conv.blocks[-1].text == "a new question"
        assert conv.total_blocks == 60 * 3 + 1


def test_block_specs_round_trip():
    specs = history_specs(history(3))
    assert [type(s) for s in specs[:3]] == [UserSpec, CardSpec, AnswerSpec]
    assert specs[1].status == "failed" and specs[1].result == "x = 0\n" and specs[1].is_error


# --- GC pacing -------------------------------------------------------------------------------

def test_gc_pacer_waits_for_a_quiet_moment_but_not_forever():
    now = [0.0]
    typed = [-10.0]
    ran = []
    pacer = GcPacer(quiet_s=1.0, interval_s=10.0, max_delay_s=60.0, clock=lambda: now[0],
                    collect=lambda: ran.append(now[0]), last_input=lambda: typed[0])
    now[0] = 5.0
    assert not pacer.tick()  # too soon after the last one
    now[0] = 11.0
    typed[0] = 10.5
    assert not pacer.tick()  # typing
    now[0] = 11.6
    assert pacer.tick() and ran == [11.6]
    for t in range(12, 80):  # typing all the time: a full collection after max_delay_s anyway
        now[0], typed[0] = float(t), float(t)
        pacer.tick()
    assert ran == [11.6, 72.0]


def test_gc_pacer_says_whether_the_user_is_active():
    now, typed = [100.0], [0.0]
    pacer = GcPacer(quiet_s=1.0, clock=lambda: now[0], last_input=lambda: typed[0])
    assert not pacer.user_active()
    typed[0] = 99.5
    assert pacer.user_active() and not pacer.user_active(within_s=0.2)
    pacer.note_input()  # scrolling history counts too
    typed[0] = 0.0
    now[0] = 100.9
    assert pacer.user_active()
    now[0] = 101.1
    assert not pacer.user_active()


class ActivePacer:
    def __init__(self, active):
        self.active = active

    def user_active(self):
        return self.active


@pytest.mark.parametrize("typing", [True, False])
async def test_while_the_user_types_a_closing_segments_backlog_is_drawn_before_the_next_is_mounted(typing):
    conv = Conversation(clock=FrozenClock(), segment_chars=1000)
    host = Host(conv)
    host.gc_pacer = ActivePacer(typing)
    async with host.run_test(size=(100, 30)) as pilot:
        batched = []  # per append: inside a batch update (nothing drawn until it ends)?
        live = sys.modules["workbench.tui.widgets.conversation_live"]
        original = live.AnswerBlock.append

        def append(block, text):
            batched.append((block, host._batch_count > 0))
            return original(block, text)

        live.AnswerBlock.append = append
        try:
            # deltas faster than frames: the first segment's text queues up until the cut closes it
            for n in range(60):
                await conv.handle(ev.TextDelta(delta=f"Paragraph {n} of the backlog.\n\n"))
            await conv.end_answer()
            await pilot.pause()
        finally:
            live.AnswerBlock.append = original
        first = conv.answer_segments[0]
        closing = [inside for block, inside in batched if block is first][1:]  # after the opening text
        if typing:  # every append drawn in a frame of its own
            assert len(closing) >= 2 and not any(closing)
        else:  # the backlog at the cut appended within the batch that mounts the next segment
            assert sum(closing) >= 2 and closing[-1]


def test_gc_pacer_turns_automatic_full_collections_off_and_back_on():
    saved = gc.get_threshold()
    pacer = GcPacer().install()
    try:
        assert gc.get_threshold()[:2] == saved[:2] and gc.get_threshold()[2] > 1_000_000
    finally:
        pacer.uninstall()
    assert gc.get_threshold() == saved


async def test_scrolling_history_defers_full_collections_and_following_a_stream_does_not():
    now = [100.0]
    ran = []
    conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=4)
    host = Host(conv)
    host.gc_pacer = GcPacer(quiet_s=1.0, interval_s=10.0, max_delay_s=1_000.0, clock=lambda: now[0],
                            collect=lambda: ran.append(now[0]))
    async with host.run_test(size=(100, 16)) as pilot:
        await conv.load_history(history(20))
        await pilot.pause()
        for i in range(0, 600, 60):  # following a stream scrolls too, but nobody is reading
            await conv.handle(ev.TextDelta(delta=f"line {i}\n\n" * 6))
            await pilot.pause()
        assert conv.following and host.gc_pacer.last_input == float("-inf")
        now[0] = 200.0
        conv.focus()
        await pilot.press("pageup")
        await pilot.press("pageup")
        await conv.settled()
        assert not conv.following and host.gc_pacer.last_input == 200.0
        assert not host.gc_pacer.tick() and ran == []  # a key press ago: not now
        now[0] = 201.5
        assert host.gc_pacer.tick() and ran == [201.5]  # a quiet moment: now


def run_rows(run, index):
    """The text of the rows block `index` of a run is drawn on."""
    _, top, bottom = run.spans()[index]
    return [strip.text for strip in run.render_lines(Region(0, top, run.size.width, bottom - top))]


async def test_finished_history_is_drawn_in_runs_whose_blocks_expand_on_demand():
    conv = Conversation(clock=FrozenClock())
    async with Host(conv).run_test(size=(100, 40)) as pilot:
        await conv.load_history(history(2) + [{"role": "assistant", "content": [
            {"type": "thinking", "thinking": "pondering [bold]this[/bold]"},
            {"type": "text", "text": "Use [red]x[/red] and \x1b[31mred\x1b[0m:\n\n```python\nx = 1\n```\n"}]}])
        await pilot.pause()
        (run,) = conv.blocks  # every block finished: one widget, no subtree
        assert isinstance(run, BlockRun) and not run.children
        kinds = [type(spec) for spec in run.specs()]
        assert kinds.count(CardSpec) == 2 and kinds.count(AnswerSpec) == 3 and kinds.count(ThinkingSpec) == 1
        card, answer, thinking = kinds.index(CardSpec), len(kinds) - 1, kinds.index(ThinkingSpec)
        # untrusted text: Rich markup stays literal, the escape sequence is gone
        rendered = "\n".join(run_rows(run, answer))
        assert "Use [red]x[/red] and" in rendered and "\x1b" not in rendered and "x = 1" in rendered
        height = len(run_rows(run, card))
        assert run.results == [False, False]
        conv.focus()
        await pilot.press("r")  # every result shown, highlighted, below its card
        await pilot.pause()
        assert run.results == [True, True] and len(run_rows(run, card)) > height
        assert "x = 0" in "\n".join(run_rows(run, card))
        await pilot.click(run, offset=(4, run.spans()[card][1]))  # a click on a card folds it back
        await pilot.pause()
        assert run.results == [False, True] and len(run_rows(run, card)) == height
        assert run.thinking == [True] and not any("pondering" in row for row in run_rows(run, thinking))
        await pilot.press("t")
        await pilot.pause()
        assert run.thinking == [False]
        assert "pondering [bold]this[/bold]" in "".join(run_rows(run, thinking))
        assert run.specs()[thinking] == ThinkingSpec("pondering [bold]this[/bold]", collapsed=False)


async def test_page_down_moves_when_the_first_page_was_shorter_than_the_view():
    """The window starts shorter than the viewport (no scrollbar yet); a page-down mounts the pages
    below and sets the height before the screen lays out again: the scrollbar (without which Textual
    refuses to scroll) must follow that height, or the view never moves."""
    messages = [{"role": "user", "content": [{"type": "text", "text": f"short {n}"}]} for n in range(300)]
    for settle in (False, True):
        conv = Conversation(clock=FrozenClock(), max_blocks=30, page_blocks=3)
        async with Host(conv).run_test(size=(100, 30)) as pilot:
            await pilot.pause()  # the pane laid out: history fills a screen and keeps the rest as specs
            await conv.load_history(messages)
            assert conv.hidden_count > 0
            await conv.show_head()
            if settle:
                await pilot.pause()
            assert conv.scroll_y == 0
            await conv.action_page_down()
            assert conv.scroll_y == conv.scrollable_content_region.height
            await pilot.pause()
            assert top_line(conv)[0] != UserSpec("short 0")
