"""Where pi (and so the workbench) puts session files, and how it names them."""

from __future__ import annotations

import os
import re
from pathlib import Path

_SEPARATORS = re.compile(r"[/\\:]")


def encode_cwd(cwd: str | os.PathLike) -> str:
    """The session directory name for a working directory: `--home-dev-proj--` (pi's rule:
    strip one leading / or \\, then replace every / \\ : with -)."""
    text = str(cwd)
    if text[:1] in ("/", "\\"):
        text = text[1:]
    return f"--{_SEPARATORS.sub('-', text)}--"


def session_dir_for(sessions_dir: str | os.PathLike, cwd: str | os.PathLike) -> Path:
    return Path(sessions_dir) / encode_cwd(cwd)


def file_timestamp(iso_timestamp: str) -> str:
    """`2026-11-21T07:55:08.429Z` -> `2026-11-21T07-55-08-429Z` (pi replaces : and . by -)."""
    return iso_timestamp.replace(":", "-").replace(".", "-")


def session_file_name(iso_timestamp: str, session_id: str) -> str:
    return f"{file_timestamp(iso_timestamp)}_{session_id}.jsonl"
