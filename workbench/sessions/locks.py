"""One writer per session file: an exclusive flock on a sidecar `<file>.lock` holding the pid.

flock (not POSIX fcntl locks) because a POSIX lock is dropped as soon as the process closes
*any* descriptor of the file, e.g. when a listing in the same process reads it. The kernel
releases a flock when its holder dies, so a crashed writer never leaves a stale lock.
The sidecar is removed on release; an acquirer re-checks that the path still names the inode
it locked, so removal can't let two writers in.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from workbench.sessions.errors import SessionFileError, SessionLocked


def lock_path_for(session_path: str | os.PathLike) -> Path:
    path = Path(session_path)
    return path.with_name(path.name + ".lock")


def read_holder_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class SessionLock:
    def __init__(self, session_path: str | os.PathLike):
        self.session_path = Path(session_path)
        self.path = lock_path_for(session_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise SessionLocked naming the holder's pid."""
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError as exc:  # a read-only home or sessions directory
                raise SessionFileError(
                    self.session_path,
                    f"cannot take the writer lock {self.path.name} ({exc.strerror}): the session can't be "
                    "written here; open it read-only (`workbench sessions show`) or make its directory writable",
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = read_holder_pid(fd)
                os.close(fd)
                raise SessionLocked(self.session_path, holder) from None
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the previous holder removed the file between our open and flock
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            self._fd = fd
            return

    def release(self) -> None:
        fd = self._fd
        if fd is None:
            return
        self._fd = None
        try:
            if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)  # closing the descriptor drops the flock


def is_locked(session_path: str | os.PathLike) -> bool:
    """Whether some process holds the writer lock of a session file (for listings)."""
    try:
        fd = os.open(lock_path_for(session_path), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops our probe lock
    return False
