"""Streaming an answer into Markdown widgets in bounded work per frame.

Textual's `Markdown.append` re-parses and re-renders the last, growing block on every append, and
each layout pass walks every block of the widget; one Markdown for a 50,000-token answer makes both
grow with the answer and blocks the event loop (keys typed meanwhile wait hundreds of ms). So:

- `SegmentSplitter` cuts the streamed text into segments at block boundaries (a blank line closing a
  paragraph, list, table or fence, followed by a line that starts at column 0), once a segment is
  long enough; each segment is its own Markdown widget, and finished segments are never touched again.
- `FrameStream` coalesces the deltas that arrive within one frame into one `Markdown.append`, as
  `MarkdownStream` does when appends are slow, but also when they are fast: at most one parse per frame.
  It also bounds the work of one frame: an append takes at most `APPEND_CHARS` (cut after a blank line
  or a line end where it can), so text that piled up while the app was busy is mounted over a few
  frames instead of one long one that keys typed meanwhile would wait for.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Protocol

# An opening or closing code fence (CommonMark: up to three spaces of indentation).
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")

# A segment is cut only once it holds this many characters: small enough that re-parsing the growing
# block and laying out the segment stay well under a frame, large enough to keep the widget count low.
SEGMENT_CHARS = 1_000

# At most this many appends per second (one per frame at 60 fps).
FRAME_S = 1 / 60

# At most this many characters per append: each new block costs its first layout and render in the
# frame after the append (~25 blocks for 1,000 characters of sectioned Markdown took 100-200 ms under load).
APPEND_CHARS = 400

# How long to wait for the frame after an append before going on anyway (a screen that is not being
# refreshed, e.g. while another screen is shown, must not stall the stream).
REFRESH_WAIT_S = 0.25


class SegmentSplitter:
    """Decides, while text streams in, where the Markdown can be cut into independent segments.

    A cut is made only before a line that starts at column 0 with a non-blank character, right after
    a blank line, outside any code fence: there the previous block is closed and the next one cannot
    be a continuation of it (indented continuation lines and indented code never start at column 0).
    """

    def __init__(self, min_chars: int = SEGMENT_CHARS) -> None:
        self.min_chars = min_chars
        self._seg_chars = 0  # characters in the current segment
        self._line = ""  # the current, incomplete line
        self._prev_blank = False  # the last complete line was blank
        self._fence: tuple[str, int] | None = None  # (fence char, length) while inside a fence

    def feed(self, text: str) -> list[str]:
        """Split `text` into pieces; a new segment starts with every piece after the first (the first
        continues the current segment, and is empty when the cut falls right at the start of `text`)."""
        pieces: list[str] = []
        current: list[str] = []
        for part in re.findall(r"[^\n]*\n|[^\n]+", text):
            if (not self._line and self._prev_blank and self._fence is None
                    and self._seg_chars >= self.min_chars and part[0] not in " \t\n"):
                pieces.append("".join(current))
                current = []
                self._seg_chars = 0
            current.append(part)
            self._seg_chars += len(part)
            if part.endswith("\n"):
                self._end_line(self._line + part)
                self._line = ""
            else:
                self._line += part
        pieces.append("".join(current))
        return pieces  # only the first can be empty: a cut right at the start of `text`

    def _end_line(self, line: str) -> None:
        stripped = line.strip()
        self._prev_blank = not stripped
        match = _FENCE.match(line)
        if self._fence is None:
            if match:
                self._fence = (match.group(1)[0], len(match.group(1)))
        elif match and match.group(1)[0] == self._fence[0] and len(match.group(1)) >= self._fence[1] \
                and stripped == match.group(1):
            self._fence = None


class Appendable(Protocol):
    def append(self, markdown: str) -> object: ...


def take_chunk(text: str, limit: int) -> int:
    """Where to cut `text` so the first part holds at most `limit` characters: after the last blank
    line within them (whole blocks), else after the last line end, else at `limit`."""
    if len(text) <= limit:
        return len(text)
    cut = text.rfind("\n\n", 0, limit - 1)
    if cut > 0:
        return cut + 2
    cut = text.rfind("\n", 0, limit)
    return cut + 1 if cut > 0 else limit


class FrameStream:
    """Feeds a Markdown widget: every write is queued, and one append per frame takes all queued text.

    Same surface as Textual's `MarkdownStream` (`write`, `stop`); `stop` appends what is still queued.
    An append takes at most `max_chars`; the rest waits for the next frame (the widget's refresh, when
    it has `wait_for_refresh`, as a Textual widget does).
    """

    def __init__(self, markdown: Appendable, frame_s: float = FRAME_S, max_chars: int = APPEND_CHARS) -> None:
        self.markdown = markdown
        self.frame_s = frame_s
        self.max_chars = max_chars
        self._pending: list[str] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._inflight: asyncio.Future[None] | None = None
        self._stopped = False
        self.appends = 0  # how many appends were made (tests and benchmarks read it)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def write(self, fragment: str) -> None:
        if self._stopped:
            raise RuntimeError("this answer segment is closed: no more text can be written to it")
        if not fragment:
            return
        self._pending.append(fragment)
        self._wake.set()
        if self._task is None:
            self.start()
        await asyncio.sleep(0)

    async def _flush(self) -> None:
        """Append the queued text, or its first `max_chars` (the rest stays queued)."""
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            cut = take_chunk(text, self.max_chars)
            if cut < len(text):
                self._pending.append(text[cut:])
            self.appends += 1
            await self.markdown.append(text[:cut])  # type: ignore[misc]

    async def _frame(self) -> None:
        """Wait until the screen has drawn what was appended (bounded)."""
        wait = getattr(self.markdown, "wait_for_refresh", None)
        if wait is None or not getattr(self.markdown, "is_attached", False):
            return
        # asyncio.wait, not wait_for: on Python 3.11 wait_for can swallow a cancellation that arrives
        # as the wait completes, and `stop` cancels this task.
        refreshed = asyncio.ensure_future(wait())
        try:
            await asyncio.wait({refreshed}, timeout=REFRESH_WAIT_S)
        finally:
            if not refreshed.done():
                refreshed.cancel()
            elif not refreshed.cancelled():
                refreshed.exception()  # a wait that failed (the widget closing) only ends the wait

    async def _run(self) -> None:
        try:
            while not self._stopped:
                await self._wake.wait()
                self._wake.clear()
                if self._stopped:
                    break
                started = time.monotonic()
                self._inflight = asyncio.ensure_future(self._flush())
                await asyncio.shield(self._inflight)
                if self._pending:
                    self._wake.set()  # more than one append's worth was queued: go on next frame
                # Let the frame be drawn and keys be handled before the next parse.
                await self._frame()
                await asyncio.sleep(max(0.0, self.frame_s - (time.monotonic() - started)))
        except asyncio.CancelledError:
            pass

    async def stop(self) -> None:
        """Close the stream; everything written is in the widget when this returns."""
        if self._stopped:
            return
        self._stopped = True
        if self._task is not None:
            self._wake.set()  # the loop also ends on its own at the flag: a cancellation can be lost
            self._task.cancel()
            await self._task
            self._task = None
        if self._inflight is not None and not self._inflight.done():
            await self._inflight  # appends must not overlap: each parses from where the last stopped
        while self._pending:
            await self._flush()
            if self._pending:
                await self._frame()
