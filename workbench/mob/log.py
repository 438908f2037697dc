"""The mob's own event log: `<mobs dir>/<mob id>/mob.jsonl`, JSONL, append-only.

Same crash-safety rules as session files: records are appended whole lines at a time, each
`write` followed by an fsync (inside the event loop a writer thread batches the records that
gather while the previous fsync runs: group commit), so a killed process leaves at most a torn
last line; reloading skips a torn or corrupt line
(reported as a problem) and keeps everything before and after it. The members' conversations live
in their own session files; this log holds what the mob needs to rebuild itself: the definition,
members and their session files, wires, retirements, final statuses and peer messages (so one that
was sent but not yet delivered when the process died is delivered on resume).

A process holds an exclusive lock (flock) on the log while it drives the mob, so two processes
never drive the same mob.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.private import private_dir
from workbench.errors import InvalidParams, SessionBusy, SessionNotFound

LOG_NAME = "mob.jsonl"
LOG_VERSION = 1


@dataclass(frozen=True)
class LogProblem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LoadedLog:
    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[LogProblem] = field(default_factory=list)


def read_log(path: Path) -> LoadedLog:
    """Every well-formed record, in order; torn or corrupt lines become problems, never exceptions."""
    loaded = LoadedLog(path)
    with open(path, "rb") as fh:
        data = fh.read()
    lines = data.split(b"\n")
    for no, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            torn = no == len(lines) and not data.endswith(b"\n")
            loaded.problems.append(LogProblem(path, no, ("torn last line (process died mid-write): "
                                                         if torn else "corrupt line skipped: ") + str(exc)))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("type"), str):
            loaded.problems.append(LogProblem(path, no, "record without a 'type' skipped"))
            continue
        loaded.records.append(record)
    return loaded


class MobLog:
    """Append records to one mob's log. Use `create` for a new mob, `open` to resume one."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        self._fd = fd
        # Taking queued records and writing them happen under one lock, so records keep their
        # order and a batch the writer thread holds is never dropped by a close on another thread.
        self._io_lock = threading.Lock()
        self._queue_lock = threading.Lock()  # guards _pending (appended on the loop, taken by the writer)
        self._pending: list[tuple[bytes, asyncio.Future[None] | None]] = []
        self._writer: asyncio.Task[None] | None = None

    @classmethod
    def create(cls, mobs_dir: Path, mob_id: str) -> "MobLog":
        directory = Path(mobs_dir) / mob_id
        private_dir(directory)  # peer messages are private: 0700 folders, a 0600 log
        path = directory / LOG_NAME
        # O_EXCL: a new mob never appends to an old mob's log.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        log = cls(path, fd)
        log._lock()
        return log

    @classmethod
    def open(cls, path: Path) -> "MobLog":
        path = Path(path)
        if not path.exists():
            raise SessionNotFound(f"mob log not found: {path}")
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
        log = cls(path, fd)
        log._lock()
        # A torn last line stays where it is (its bytes are kept) but must not swallow the next record.
        size = os.fstat(fd).st_size
        if size:
            last = os.pread(fd, 1, size - 1)
            if last != b"\n":
                os.write(fd, b"\n")
                os.fsync(fd)
        return log

    def _lock(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._fd)
            raise SessionBusy(f"another process is driving this mob ({self.path})") from None

    @staticmethod
    def _encode(record: dict[str, Any]) -> bytes:
        record = {"v": LOG_VERSION, "ts": round(time.time(), 3), **record}
        return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")

    def _write_queued(self) -> tuple[list[tuple[bytes, "asyncio.Future[None] | None"]], OSError | None]:
        """Take everything queued and write it with one write + one fsync (any thread)."""
        with self._io_lock:
            with self._queue_lock:
                batch, self._pending = self._pending, []
            if not batch:
                return batch, None
            try:
                if self._fd < 0:
                    raise OSError(f"mob log {self.path} is closed")
                os.write(self._fd, b"".join(line for line, _ in batch))
                os.fsync(self._fd)
            except OSError as exc:
                return batch, exc
            return batch, None

    @staticmethod
    def _settle(batch: list[tuple[bytes, "asyncio.Future[None] | None"]], exc: OSError | None) -> None:
        for _, future in batch:
            if future is None or future.done():
                continue
            if exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(None)

    def append(self, record: dict[str, Any]) -> None:
        """Write one record now, on this thread, after whatever is queued (outside an event loop,
        when closing, or in tests)."""
        with self._queue_lock:
            self._pending.append((self._encode(record), None))
        batch, exc = self._write_queued()
        self._settle(batch, exc)
        if exc is not None:
            raise exc

    def submit(self, record: dict[str, Any]) -> "asyncio.Future[None]":
        """Queue a record for the writer thread; the future resolves once it is on disk.

        Records keep their order. While one batch is being written and fsynced, the next ones
        gather, and go out together in one write + one fsync (group commit), so a busy mob does
        not pay one disk flush per record and the event loop never waits on the disk."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._queue_lock:
            self._pending.append((self._encode(record), future))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._drain())
        return future

    async def _drain(self) -> None:
        while self._pending:
            batch, exc = await asyncio.to_thread(self._write_queued)
            self._settle(batch, exc)  # futures are resolved here, on the loop's own thread

    def flush(self) -> None:
        """Write whatever is queued, here and now (after a batch the writer thread has in hand)."""
        batch, exc = self._write_queued()
        self._settle(batch, exc)
        if exc is not None:
            raise exc

    def close(self) -> None:
        if self._fd >= 0:
            self.flush()
            with self._io_lock:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)
                finally:
                    os.close(self._fd)
                    self._fd = -1

    @property
    def closed(self) -> bool:
        return self._fd < 0


@dataclass(frozen=True)
class MobSummary:
    mob_id: str
    definition_id: str
    path: Path
    created: float
    state: str
    members: int
    task: str | None


def summarize(path: Path) -> MobSummary | None:
    loaded = read_log(path)
    if not loaded.records or loaded.records[0].get("type") != "mob_created":
        return None
    first = loaded.records[0]
    state, members = "creating", set()
    for rec in loaded.records:
        kind = rec["type"]
        if kind == "mob_state":
            state = rec.get("state", state)
        elif kind == "member_spawned":
            members.add(rec.get("identity"))
        elif kind == "member_retired":
            members.discard(rec.get("identity"))
    return MobSummary(first.get("mob_id", path.parent.name), first.get("definition", {}).get("mob", {}).get("id", ""),
                      path, first.get("ts", 0.0), state, len(members), first.get("task"))


def list_mobs(mobs_dir: Path) -> list[MobSummary]:
    """Every mob under `mobs_dir`, newest first."""
    out = []
    if Path(mobs_dir).is_dir():
        for log in Path(mobs_dir).glob(f"*/{LOG_NAME}"):
            summary = summarize(log)
            if summary is not None:
                out.append(summary)
    return sorted(out, key=lambda s: s.created, reverse=True)


def resolve_mob(mobs_dir: Path, prefix: str) -> Path:
    """The log of the mob whose id is `prefix` or starts with it (unique), or a path to a log."""
    candidate = Path(prefix)
    if candidate.is_file():
        return candidate
    if (candidate / LOG_NAME).is_file():
        return candidate / LOG_NAME
    exact = Path(mobs_dir) / prefix / LOG_NAME
    if exact.is_file():
        return exact
    matches = [s.path for s in list_mobs(mobs_dir) if s.mob_id.startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise SessionNotFound(f"no mob with id {prefix!r} in {mobs_dir}")
    raise InvalidParams(f"mob id prefix {prefix!r} is ambiguous; it matches:\n"
                        + "\n".join(f"  {p.parent.name}" for p in sorted(matches, key=lambda p: p.parent.name))
                        + "\ngive more of the id")
