"""Tool names the providers accept: `mcp__SERVER__TOOL`, sanitised and unique.

Anthropic and OpenAI both accept `^[a-zA-Z0-9_-]{1,64}$` for a function name. Anything else in a
server or tool name becomes `_`; a name past 64 characters is cut and given a short hash so two
long names stay apart; a clash left after that gets `_2`, `_3`, ...
"""

from __future__ import annotations

import hashlib
import re

PREFIX = "mcp__"
MAX_NAME = 64
_BAD = re.compile(r"[^A-Za-z0-9_-]")


def sanitise(part: str) -> str:
    cleaned = _BAD.sub("_", part.strip())
    return cleaned or "_"


def tool_name(server: str, tool: str) -> str:
    name = f"{PREFIX}{sanitise(server)}__{sanitise(tool)}"
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(f"{server}\0{tool}".encode()).hexdigest()[:8]
    return f"{name[:MAX_NAME - 9]}_{digest}"


def unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while True:
        suffix = f"_{n}"
        candidate = name[:MAX_NAME - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def is_mcp_name(name: str) -> bool:
    return name.startswith(PREFIX)
