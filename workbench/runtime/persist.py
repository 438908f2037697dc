"""Durable appends without blocking the event loop, and without a second thread touching the tree.

The session layer writes and fdatasyncs every entry inside `SessionManager.append_*`, and the UI
reads the same manager (the tree pane polls it, the conversation renders from it) on the event
loop. Running a whole append in a worker thread would mutate the manager's dicts, lists and tree
nodes while the loop iterates them. So the work is split:

- on the event-loop thread: the manager's own `append_*` call, with its write switched off, so
  ids, parent, index, tree and leaf are updated where every reader lives; the new entry's line is
  encoded there too (its bytes are fixed at that moment) and queued;
- in a worker thread: only `os.write` of the queued lines and one `fdatasync` (a group commit: a
  job writes whatever is queued, in queue order, so the file keeps the order of the tree);
- back on the loop: the caller publishes its event, after the entry is on disk.

An entry whose content is durable elsewhere already (a mob member's copy of a peer message) may
be staged instead (`stage`): into the tree and the queue, with no job of its own; the next
append's job writes it with its own line, one fdatasync for both, and the manager's write
barrier makes any write the manager does itself (a label the user sets) or its close write the
queue first, so the file always keeps the order of the tree.

This relies on two details of SessionManager (workbench/sessions/manager.py): `_append` writes only
when `_fd` is set, and `_needs_newline` says a failed write may have left a partial line. A test
(tests/runtime/test_persist.py) checks both, byte for byte against a plain append. Appends the
manager must make itself (the one-time upgrade of a v1/v2 file, and the first message of a new
session, which creates the file: see `SessionManager.create`) stay plain calls.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import queue
import threading
from typing import Any, Callable

from workbench.sessions import entries as E
from workbench.sessions.errors import SessionFileError


WRITERS = 4  # threads doing writes + fdatasyncs for every session of the process


class _Writer:
    """One thread running write jobs in the order they were queued. Cheaper per job than an
    executor round trip (no concurrent.futures machinery), which is most of a turn's overhead
    after the fdatasync itself."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._work, name="workbench-session-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            loop, future, fn, arg = job
            try:
                fn(arg)
            except BaseException as exc:  # handed to the awaiting coroutine
                _settle(loop, future, exc)
            else:
                _settle(loop, future, None)

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=10)


def _settle(loop: asyncio.AbstractEventLoop, future: asyncio.Future[None], exc: BaseException | None) -> None:
    def settle() -> None:
        if future.done():  # the waiter was cancelled: the write happened anyway
            return
        if exc is None:
            future.set_result(None)
        else:
            future.set_exception(exc)

    try:
        loop.call_soon_threadsafe(settle)
    except RuntimeError:  # the loop is closed: nobody is waiting
        pass


_writers: list[_Writer] = []
_next_writer = itertools.count()
_writers_lock = threading.Lock()


def _writer() -> _Writer:
    with _writers_lock:
        if not _writers:
            _writers.extend(_Writer() for _ in range(WRITERS))
            atexit.register(_stop_writers)
        return _writers[next(_next_writer) % WRITERS]


def _stop_writers() -> None:
    # Daemon threads, so a forgotten one never keeps the process alive; at exit, queued writes
    # are finished first (the sentinel comes after them).
    for writer in _writers:
        writer.stop()


class DurableAppender:
    def __init__(self, manager: Any) -> None:
        self.manager = manager
        self._writer = _writer()  # one thread per appender: its writes stay in order
        self._queue: list[bytes] = []  # encoded lines not yet on disk, in tree order
        self._torn = False             # a failed write may have left a partial line
        self._state = threading.Lock()  # guards _queue and _torn; never held during I/O
        self._io = threading.Lock()     # one writer at a time (held during write + fdatasync)

    def _deferrable(self) -> bool:
        m = self.manager
        return (getattr(m, "path", None) is not None and getattr(m, "_fd", None) is not None
                and not getattr(m, "readonly", False)
                and getattr(m, "source_version", E.CURRENT_VERSION) >= E.CURRENT_VERSION)

    def _commit(self, append: Callable[[], str]) -> str | None:
        """Run `append` (a bound `manager.append_*` call) with the write switched off; queue the
        new entry's line. Returns the entry id, or None when it could not be deferred."""
        m = self.manager
        if not self._deferrable():
            return None
        fd = m._fd
        before = len(m)
        m._fd = None  # the manager updates its memory only (see the module docstring)
        try:
            entry_id = append()
        finally:
            m._fd = fd
        # every entry the call added: the manager may first append entries it was holding back
        # (a model change decided when the session was opened, `before_next_write`)
        lines = [E.encode_line(m.entries[index]) for index in range(before, len(m))]
        with self._state:
            if getattr(m, "_needs_newline", False):  # a partial line left by the manager's own write
                self._torn = True
                m._needs_newline = False
            self._queue.extend(lines)
        return entry_id

    def _flush(self, fd: int) -> None:
        """Worker thread: write every queued line, then one fdatasync. `fd` is our own dup of the
        session's descriptor, so closing the manager meanwhile can't redirect the write."""
        try:
            with self._io:
                with self._state:
                    if not self._queue:
                        return  # an earlier job already wrote our line
                    lines = list(self._queue)
                    payload = (b"\n" if self._torn else b"") + b"".join(lines)
                try:
                    view = memoryview(payload)
                    while view:
                        view = view[os.write(fd, view):]
                    os.fdatasync(fd)
                except OSError as exc:
                    # The lines stay queued (and in the tree): the next append writes them again,
                    # starting on a fresh line.
                    with self._state:
                        self._torn = True
                    self.manager._needs_newline = True  # so the manager's own next write does too
                    raise SessionFileError(self.manager.path, f"append failed: {exc.strerror}") from None
                with self._state:
                    self._torn = False
                    del self._queue[:len(lines)]
        finally:
            os.close(fd)

    async def append(self, append: Callable[[], str]) -> str:
        """`await appender.append(lambda: manager.append_message(msg))`: returns once the entry is
        durable; the tree has it from the start."""
        entry_id = self._commit(append)
        if entry_id is None:
            return append()
        await self._written()
        return entry_id

    async def _written(self) -> None:
        """A job for the writer thread: everything queued goes out; back here once it has."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._writer.jobs.put((loop, done, self._flush, os.dup(self.manager._fd)))
        await done

    def stage(self, append: Callable[[], str]) -> str:
        """`append` without a write of its own: the tree has the entry at once and its line waits
        in the queue for the next append's job, which writes both in one write + fdatasync (group
        commit), or for `sync`. Only for an entry whose content is already durable elsewhere, so
        that a crash before that write loses nothing: a mob member's copy of a peer message (its
        sender's session or the mob log holds it; a resumed mob delivers it again). Anything the
        session appends after it reaches the file after it: through this appender (one queue),
        and through the manager itself (its write barrier writes the queue first)."""
        entry_id = self._commit(append)
        if entry_id is None:
            return append()
        self.manager.write_barrier = self._write_queued
        return entry_id

    def _write_queued(self) -> None:
        """The manager is about to write an entry itself (or to close): the queued lines first."""
        if self.pending and self._deferrable():
            self._flush(os.dup(self.manager._fd))

    async def sync(self) -> None:
        """Until every entry in the tree is on disk (after `stage`)."""
        if self.pending and self._deferrable():
            await self._written()

    def append_now(self, append: Callable[[], str]) -> str:
        """The same, waiting on this thread (for synchronous callers): keeps the file in the
        order of the tree when a deferred write is still in flight."""
        entry_id = self._commit(append)
        if entry_id is None:
            return append()
        self._flush(os.dup(self.manager._fd))
        return entry_id

    @property
    def pending(self) -> int:
        """Lines in the tree that are not on disk yet."""
        with self._state:
            return len(self._queue)
