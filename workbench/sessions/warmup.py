"""Parse a freshly opened session's remaining entries in a background thread.

Opening reads only each entry's prefix, so the first context at a new leaf would parse the
whole unread part of its path (tens of MB in a big session: over 100 ms). After a big file is
opened, a daemon thread parses the entries nobody has read yet, in file order, so a later
context or tree view finds them ready.

Thread safety: the thread only ever sets `Record.obj` on records whose `obj` is None, to a dict
equal to what `Record.entry()` would produce (the same `parse_json`). If both parse the same
entry at once, each stores an equal dict; one assignment wins, and nothing else is shared. A
line that doesn't parse is left alone: the reader that needs it reports the problem.
"""

from __future__ import annotations

import threading

from workbench.sessions.jsonl import Record, parse_json

# Smaller files parse their longest path in a few ms when first needed: no thread for them.
WARM_MIN_BYTES = 2 << 20


class Warmup:
    """One background parse over `records` (a snapshot: entries appended later are parsed already)."""

    def __init__(self, records: list[Record]):
        self._records = records
        self._stop = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="session-warmup", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        stop = self._stop
        try:
            for record in self._records:
                if stop.is_set():
                    return
                if record.obj is None:
                    try:
                        obj = parse_json(record.raw())
                    except (ValueError, RecursionError):
                        continue
                    if isinstance(obj, dict) and record.obj is None:
                        record.obj = obj
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the parse is over (finished or stopped); False on timeout."""
        return self._done.wait(timeout)

    def stop(self) -> None:
        """Ask the thread to end after the entry it is parsing, and wait for it."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join()
