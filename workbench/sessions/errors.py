"""Errors raised by the session layer (all WorkbenchErrors with stable codes)."""

from __future__ import annotations

from workbench.errors import WorkbenchError


class SessionError(WorkbenchError):
    """Base class for session-layer errors."""


class SessionFileError(SessionError):
    """A session file can't be used: missing, unreadable, no valid header, or not writable.

    Never raised for a bad entry line: those become `LoadProblem`s and stay on disk.
    The code has no dedicated exit code, so the CLI exits 1 (internal error) unless a
    subclass says otherwise.
    """

    code = "SESSION_FILE_INVALID"

    def __init__(self, path, message: str, *, code: str | None = None):
        self.path = str(path) if path is not None else None
        where = f"{self.path}: " if self.path else ""
        super().__init__(f"{where}{message}", code=code, details={"path": self.path})


class SessionFileMissing(SessionFileError):
    """The session file does not exist."""

    code = "SESSION_NOT_FOUND"


class SessionLocked(SessionError):
    """Another process holds the writer lock of this session file."""

    code = "SESSION_LOCKED"

    def __init__(self, path, holder_pid: int | None):
        self.path = str(path)
        self.holder_pid = holder_pid
        who = f"process {holder_pid}" if holder_pid is not None else "another process (pid unknown)"
        super().__init__(
            f"{self.path} is open for writing by {who}; open it read-only or fork it",
            details={"path": self.path, "pid": holder_pid},
        )


class SessionReadOnly(SessionError):
    """A write was attempted on a session opened read-only (or closed, or in-memory fork source)."""

    code = "INVALID_PARAMS"


class EntryNotFound(SessionError):
    """An entry id that is not in the session."""

    code = "SESSION_NOT_FOUND"

    def __init__(self, entry_id, where: str | None = None):
        self.entry_id = entry_id
        suffix = f" in {where}" if where else ""
        super().__init__(f"entry {entry_id!r} not found{suffix}", details={"entry_id": entry_id})
