"""EventStream: one producer, many independent readers, each reading from the start.

The runtime publishes every event once; the TUI, headless output, mob views and tests each hold
their own `Subscription` with its own cursor, so a slow reader never slows the agent or another
reader. History is bounded (default: the last 10,000 events). A subscriber that falls further
behind than the bound *skips* the events that were dropped: it resumes at the oldest event still
held and its `missed` counter says how many it lost (documented in docs/runtime.md).

Publishing is cheap on purpose (the turn benchmark counts it): append to a deque, bump a counter,
and wake readers only when some are actually waiting.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Callable, Iterator

DEFAULT_HISTORY = 10_000

Listener = Callable[[Any], None]


class EventStream:
    def __init__(self, history: int = DEFAULT_HISTORY) -> None:
        if history < 1:
            raise ValueError(f"EventStream history must be at least 1, got {history}")
        self._events: deque[Any] = deque(maxlen=history)
        self._next_seq = 0          # sequence number the next published event gets
        self._waiters: list[asyncio.Future[None]] = []
        self._listeners: list[Listener] = []
        self._closed = False

    # --- producer ----------------------------------------------------------------------------

    def publish(self, event: Any) -> None:
        if self._closed:
            raise RuntimeError("publish on a closed EventStream")
        self._events.append(event)
        self._next_seq += 1
        for listener in self._listeners:
            listener(event)
        if self._waiters:
            self._wake()

    def close(self) -> None:
        """No more events: every subscription ends after reading what is left."""
        self._closed = True
        self._wake()

    @property
    def closed(self) -> bool:
        return self._closed

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    # --- synchronous listeners ---------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` synchronously on every future publish; returns a remover.
        For consumers that must not lag (forwarding into a mob stream, writing jsonl)."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    # --- readers -----------------------------------------------------------------------------

    @property
    def first_seq(self) -> int:
        """Sequence number of the oldest event still held."""
        return self._next_seq - len(self._events)

    @property
    def next_seq(self) -> int:
        return self._next_seq

    def history(self) -> list[Any]:
        return list(self._events)

    def __len__(self) -> int:
        return len(self._events)

    def subscribe(self, *, replay: bool = True) -> "Subscription":
        """A new reader. With replay (the default) it starts at the oldest held event, else at
        the next event published."""
        return Subscription(self, self.first_seq if replay else self._next_seq)

    def _read_from(self, seq: int) -> tuple[int, list[Any], int]:
        """Events from `seq` on: (new cursor, events, how many were skipped as dropped)."""
        first = self.first_seq
        missed = 0
        if seq < first:
            missed = first - seq
            seq = first
        start = seq - first
        n = len(self._events)
        if start >= n:
            return seq, [], missed
        if start == 0:
            items = list(self._events)
        else:
            items = [self._events[i] for i in range(start, n)]
        return self._next_seq, items, missed

    async def _wait(self) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        await fut


class Subscription:
    """An async iterator over a stream's events with its own cursor; `drain()` reads without waiting."""

    def __init__(self, stream: EventStream, seq: int) -> None:
        self._stream = stream
        self._seq = seq
        self._buffer: deque[Any] = deque()
        self.missed = 0  # events dropped from history before this reader got to them

    def drain(self) -> list[Any]:
        """Everything available now, without waiting."""
        self._fill()
        out = list(self._buffer)
        self._buffer.clear()
        return out

    def _fill(self) -> None:
        if self._buffer:
            return
        self._seq, items, missed = self._stream._read_from(self._seq)
        self.missed += missed
        self._buffer.extend(items)

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> Any:
        while True:
            self._fill()
            if self._buffer:
                return self._buffer.popleft()
            if self._stream.closed:
                raise StopAsyncIteration
            await self._stream._wait()

    def __iter__(self) -> Iterator[Any]:
        return iter(self.drain())
