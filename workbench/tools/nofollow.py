"""Writing a file without following symbolic links, so confinement holds under races.

A tool resolves its path (and checks it is inside the workspace) before it writes. If a folder on
that path is swapped for a symlink in between, a plain `open()` would follow it out of the
workspace. Here every component of the resolved path is opened from its parent's file descriptor
with O_NOFOLLOW (`dir_fd`, the openat(2) way): a link that appears anywhere makes the write fail
with `SymlinkRace`, and nothing is written elsewhere.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class SymlinkRace(OSError):
    """A path component was (or became) a symbolic link or stopped being a folder."""


def _race(path: Path, part: str, exc: OSError) -> SymlinkRace:
    return SymlinkRace(exc.errno or errno.ELOOP,
                       f"'{part}' in {path} is a symbolic link or changed while writing; nothing was written")


def write_bytes_nofollow(path: Path, data: bytes, *, mode: int = 0o666) -> int:
    """Write `data` to the already resolved, absolute `path`, creating missing folders, never
    following a symlink on the way (the file itself included). Returns the number of bytes."""
    path = Path(path)
    if not path.is_absolute():
        raise ValueError(f"write_bytes_nofollow needs an absolute, resolved path, got {path}")
    parts = path.parts[1:]
    if not parts:
        raise IsADirectoryError(errno.EISDIR, "cannot write to /")
    fd = os.open("/", _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                try:
                    os.mkdir(part, 0o777, dir_fd=fd)
                except FileExistsError:
                    pass  # made meanwhile: opened (without following) just below
                try:
                    nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    raise _race(path, part, exc) from None
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _race(path, part, exc) from None
                raise
            os.close(fd)
            fd = nxt
        try:
            out = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                          mode, dir_fd=fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _race(path, parts[-1], exc) from None
            raise
    finally:
        os.close(fd)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(out, view):]
    finally:
        os.close(out)
    return len(data)
