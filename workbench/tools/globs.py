"""Glob patterns for approval rules and the find/grep tools.

Two flavours share one translator:
- path globs: `*` and `?` stay inside one path segment, `**` crosses directories and `**/` may
  match no directory at all (so `**/.env` matches `.env` at the root);
- command globs (bash rules): `*` matches anything, spaces and slashes included.
`[...]` is a character class in both; `[*]` is how a literal `*` is written (see `escape`).
"""

from __future__ import annotations

import functools
import re


def _class_end(pattern: str, i: int) -> int:
    """Index just past the `]` closing the class that opens at `pattern[i] == "["`, or -1."""
    j = i + 1
    if j < len(pattern) and pattern[j] in "!^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 1
    return j + 1 if j < len(pattern) else -1


def _class_regex(body: str) -> str:
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    body = body.replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[")
    return f"[^{body}]" if negate else f"[{body}]"


@functools.lru_cache(maxsize=1024)
def compile_glob(pattern: str, *, paths: bool = True) -> re.Pattern[str]:
    """Compile a glob to a regex that must match the whole subject."""
    out: list[str] = []
    i, n = 0, len(pattern)
    star = "[^/]*" if paths else ".*"
    one = "[^/]" if paths else "."
    while i < n:
        c = pattern[i]
        if c == "*":
            if paths and pattern.startswith("**", i):
                i += 2
                if i < n and pattern[i] == "/":
                    out.append("(?:.*/)?")  # `**/`: zero or more directories
                    i += 1
                else:
                    out.append(".*")
                continue
            while i < n and pattern[i] == "*":
                i += 1
            out.append(star)
            continue
        if c == "?":
            out.append(one)
        elif c == "[":
            end = _class_end(pattern, i)
            if end == -1:
                out.append(re.escape(c))
            else:
                out.append(_class_regex(pattern[i + 1:end - 1]))
                i = end
                continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def glob_match(pattern: str, subject: str, *, paths: bool = True) -> bool:
    return compile_glob(pattern, paths=paths).match(subject) is not None


def escape(text: str) -> str:
    """Make `text` match only itself: wildcards become one-character classes."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def is_literal(pattern: str) -> bool:
    """True when the pattern matches exactly one string (no wildcards outside `[x]` escapes)."""
    stripped = re.sub(r"\[[^\]!^]\]", "", pattern)
    return not any(ch in stripped for ch in "*?[")


def unescape(pattern: str) -> str:
    """The one string a literal pattern matches."""
    return re.sub(r"\[([^\]!^])\]", r"\1", pattern)
