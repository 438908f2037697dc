"""Owner-only files and folders: everything the workbench writes under its homes.

Sessions, mob logs, caches, grants and trust records can hold prompts, file contents and the
names of the user's projects: nobody else on the machine should read them. Folders are 0700,
files 0600, whatever the umask.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def _home_of(path: Path) -> Path | None:
    from workbench import config

    for home in (config.data_home(), config.config_home()):
        if path == home or path.is_relative_to(home):
            return home
    return None


def private_dir(path: Path) -> Path:
    """Create `path` as 0700, and every folder between it and the workbench's home (data or
    config dir) that holds it, the home included; folders above the home are made as usual.
    Existing folders on that stretch are narrowed to 0700 when we own them (a home made by an
    older version, or under a umask of 022)."""
    path = Path(path)
    home = _home_of(path)
    if home is None:
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        _narrow(path, DIR_MODE)
        return path
    home.parent.mkdir(parents=True, exist_ok=True)
    parts = path.relative_to(home).parts
    folders = [home] + [home.joinpath(*parts[:i + 1]) for i in range(len(parts))]
    for folder in dict.fromkeys(folders):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        _narrow(folder, DIR_MODE)
    return path


def _narrow(path: Path, mode: int) -> None:
    try:
        st = path.stat()
        if st.st_mode & (stat.S_ISVTX | stat.S_IWOTH):
            return  # a shared folder by design (WORKBENCH_HOME=/tmp): never take it from others
        if st.st_uid == os.getuid() and st.st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # not ours, or gone: nothing to narrow


def write_private(path: Path, data: bytes | str, *, durable: bool = True) -> None:
    """Replace `path` atomically with `data`, 0600, its folder 0700 (`durable`: fsync first)."""
    path = Path(path)
    private_dir(path.parent)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
