"""Owner-only files and folders: everything the workbench writes under its homes.

Sessions, mob logs, caches, grants and trust records can hold prompts, file contents and the
names of the user's projects: nobody else on the machine should read them. Folders are 0700,
files 0600, whatever the umask.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700; an existing folder is narrowed to 0700 when we
    own it (a home made by an older version, or by a umask of 022)."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        _narrow(folder, DIR_MODE)
    if not missing:
        _narrow(path, DIR_MODE)
    return path


def _narrow(path: Path, mode: int) -> None:
    try:
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # not ours, or gone: nothing to narrow


def write_private(path: Path, data: bytes | str) -> None:
    """Replace `path` atomically with `data`, 0600, its folder 0700."""
    path = Path(path)
    private_dir(path.parent)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
