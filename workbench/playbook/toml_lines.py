"""Line numbers of keys inside arrays of tables (`[[journeys]]` / `[[journeys.steps]]`), for
problems that name file, line and key. tomllib gives values without positions, and config.py's
`_line_of_key` knows plain tables only: the 3rd `[[guidelines]]`'s `action` needs its own table.

`line_of(text, ["journeys", 0, "steps", 2, "transitions"])` → the line of `transitions =` inside
the 3rd `[[journeys.steps]]` of the 1st `[[journeys]]`; the table's header line when the key is
absent (a missing required key); None when even the table cannot be found.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

_ARRAY = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([^\]\[]+?)\s*\]")
_KEY = re.compile(r'^\s*(?:"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+))\s*=')

Path_ = tuple[object, ...]


def _names(header: str) -> list[str]:
    return [part.strip().strip('"').strip("'") for part in header.split(".")]


@lru_cache(maxsize=16)
def _regions(text: str) -> tuple[tuple[Path_, int, int], ...]:
    """(concrete path, first line, last line) of the top level and of every table."""
    lines = text.splitlines()
    counters: dict[Path_, int] = {}
    current: dict[str, Path_] = {}  # dotted name of an array of tables -> its current item's path
    starts: list[tuple[Path_, int]] = [((), 1)]
    for no, raw in enumerate(lines, start=1):
        array = _ARRAY.match(raw)
        table = None if array else _TABLE.match(raw)
        if not (array or table):
            continue
        names = _names((array or table).group(1))  # type: ignore[union-attr]
        parent: Path_ = ()
        for depth in range(1, len(names)):
            dotted = ".".join(names[:depth])
            parent = current.get(dotted, parent + (names[depth - 1],))
        key = parent + (names[-1],)
        if array:
            index = counters.get(key, 0)
            counters[key] = index + 1
            path: Path_ = key + (index,)
            current[".".join(names)] = path
        else:
            path = key
        starts.append((path, no))
    out = []
    for i, (path, first) in enumerate(starts):
        last = starts[i + 1][1] - 1 if i + 1 < len(starts) else len(lines)
        out.append((path, first, last))
    return tuple(out)


def line_of(text: str, loc: Sequence[object]) -> int | None:
    """Best-effort line of the key at `loc` (strings for keys, ints for array items)."""
    loc = tuple(loc)
    best: tuple[Path_, int, int] | None = None
    for region in _regions(text):
        path = region[0]
        if loc[:len(path)] == path and (best is None or len(path) > len(best[0])):
            best = region
    if best is None:
        return None
    path, first, last = best
    rest = loc[len(path):]
    key = next((part for part in rest if isinstance(part, str)), None)
    if key is not None:
        lines = text.splitlines()
        for no in range(first, last + 1):
            m = _KEY.match(lines[no - 1])
            if m and key in m.groups():
                return no
    return first if path else None


def key_after(text: str, header_line: int | None, key: str) -> int | None:
    """The line of `key` in the table whose header is on `header_line` (that line when absent)."""
    if header_line is None:
        return None
    lines = text.splitlines()
    for no in range(header_line + 1, len(lines) + 1):
        raw = lines[no - 1]
        if _ARRAY.match(raw) or _TABLE.match(raw):
            break
        m = _KEY.match(raw)
        if m and key in m.groups():
            return no
    return header_line
