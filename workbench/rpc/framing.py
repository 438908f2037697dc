"""Line framing for JSON-RPC over stdio: one JSON object per line, in and out.

Reading happens in a thread (os.read on fd 0 works for pipes, files and terminals alike, where
asyncio's pipe transport does not), handing complete lines to the event loop. A line longer than
`max_line` is never held in memory: the reader drops it as it arrives and reports its size, so a
50 MB line costs a JSON-RPC error, not the server.

Writing is batched: everything queued during one pass of the event loop goes out in one write and
one flush, so a burst of text deltas costs one syscall, not one per event.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import dataclass
from typing import Any, BinaryIO

DEFAULT_MAX_LINE = 16 * 1024 * 1024  # bytes; a request with a big image fits, a runaway line does not


@dataclass(frozen=True)
class Line:
    data: bytes | None  # None: the line was too long and was dropped
    size: int


class _Eof:
    pass


EOF = _Eof()


class LineReader:
    """Reads fd `fd` in a thread; `await get()` returns the next Line, or EOF."""

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int = 0, max_line: int = DEFAULT_MAX_LINE) -> None:
        self._loop = loop
        self._fd = fd
        self._max = max_line
        self._queue: asyncio.Queue[Line | _Eof] = asyncio.Queue()
        self._thread = threading.Thread(target=self._run, name="rpc-stdin", daemon=True)

    def start(self) -> None:
        self._thread.start()

    async def get(self) -> Line | _Eof:
        return await self._queue.get()

    def _put(self, item: Line | _Eof) -> None:
        self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    def _run(self) -> None:
        buf = bytearray()
        dropping = 0  # > 0 while skipping the rest of an oversized line (its size so far)
        try:
            while True:
                chunk = os.read(self._fd, 1 << 16)
                if not chunk:
                    break
                start = 0
                while True:
                    nl = chunk.find(b"\n", start)
                    piece = chunk[start:] if nl < 0 else chunk[start:nl]
                    if dropping:
                        dropping += len(piece)
                    elif len(buf) + len(piece) > self._max:
                        dropping = len(buf) + len(piece)
                        buf.clear()
                    else:
                        buf += piece
                    if nl < 0:
                        break
                    if dropping:
                        self._put(Line(None, dropping))
                        dropping = 0
                    else:
                        self._put(Line(bytes(buf), len(buf)))
                        buf.clear()
                    start = nl + 1
        except OSError:
            pass
        finally:
            if dropping:
                self._put(Line(None, dropping))
            elif buf.strip():
                self._put(Line(bytes(buf), len(buf)))  # a last line without its newline still counts
            self._put(EOF)


class LineWriter:
    """Queue JSON messages; they are written and flushed together at the end of the loop's pass."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._pending: list[bytes] = []
        self._scheduled = False
        self.closed = False

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode())

    def send_raw(self, line: bytes) -> None:
        """One message already serialised (without its newline)."""
        if self.closed:
            return
        self._pending.append(line + b"\n")
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        if not self._pending or self.closed:
            return
        data, self._pending = b"".join(self._pending), []
        try:
            self._out.write(data)
            self._out.flush()
        except (BrokenPipeError, ValueError, OSError):
            self.closed = True  # the client went away: nothing more to tell it
