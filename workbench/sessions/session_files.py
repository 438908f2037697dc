"""Creating a session file: owner-only, O_EXCL, written and flushed (file and directory) before
anyone appends to it, under the writer lock. SessionManager creates new sessions, forks and the
backup of a migrated file with these.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.private import private_dir
from workbench.sessions.errors import SessionFileError
from workbench.sessions.locks import SessionLock


def write_all(fd: int, payload: bytes) -> None:
    # one write for a regular file in practice; loop only if the kernel wrote less
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def create_file(path: Path, payload: bytes) -> int:
    """Create `path` (owner-only, must not exist), write `payload`, flush; returns the append fd."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o600)
    try:
        write_all(fd, payload)
        os.fdatasync(fd)
    except BaseException:
        os.close(fd)
        raise
    fsync_dir(path.parent)
    return fd


def make_file(path: Path, data: bytes) -> tuple[SessionLock, int]:
    """Directory, writer lock (on the sidecar, before the file exists), then the file holding
    `data`, flushed. Returns the lock and the append fd; on failure nothing is held."""
    try:
        private_dir(path.parent)  # sessions/ and the cwd's folder: 0700, like the file (0600)
    except OSError as exc:
        raise SessionFileError(path.parent, f"cannot create the sessions directory: {exc.strerror}") from None
    lock = SessionLock(path)
    lock.acquire()
    try:
        fd = create_file(path, data)
    except OSError as exc:
        lock.release()
        raise SessionFileError(path, f"cannot create the session file: {exc.strerror}") from None
    return lock, fd
