"""Saving one setting (the theme, a pane's width) into the user's config file, safely.

The file is one people edit by hand: only the value is replaced (or the key added to its table),
comments and layout stay byte for byte; the result is parsed back and compared before anything is
written, and it replaces the old file atomically (same permissions; a new file is owner-only). A
file that cannot be edited safely (a TOML error, an unusual layout) is left alone: the caller gets
a `ConfigWriteError` saying why.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path
from typing import Any

from workbench.config import user_config_file


class ConfigWriteError(ValueError):
    pass


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (a crash leaves the old file or the new one)."""
    from workbench.private import private_dir

    private_dir(path.parent)  # the config home: 0700 (a project's .workbench/ too)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def set_user_setting(table: str, key: str, value: Any, path: Path | None = None) -> Path:
    """Set `[table] key = value` in the user's config (or `path`); returns the file written."""
    from workbench.tools.tomledit import TomlEditError, parses_to, read_for_edit, set_scalar

    path = path or user_config_file()
    old_text, old = read_for_edit(path, ConfigWriteError, f"to save {table}.{key}") or ("", {})
    section = old.get(table, {})
    if not isinstance(section, dict):
        raise ConfigWriteError(f"{path}: {table} is not a table; {table}.{key} was not saved")
    if section.get(key) == value:
        return path
    try:
        new_text = set_scalar(old_text, (table,), key, value)
    except TomlEditError as exc:
        raise ConfigWriteError(f"could not edit {path}: {exc}; set {table}.{key} by hand") from None
    expected = copy.deepcopy(old)
    expected.setdefault(table, {})[key] = value
    if not parses_to(new_text, expected):
        raise ConfigWriteError(f"could not edit {path} safely (its layout is unusual); nothing was written. "
                               f"Set {table}.{key} by hand.")
    try:
        write_atomic(path, new_text)
    except OSError as exc:
        raise ConfigWriteError(f"could not write {path}: {exc.strerror or exc}") from None
    return path
