"""Reading `[[table]]` items of a playbook file: where each one is, and the checks its fields share.

`config._line_of_key` finds a key of a plain table; an array of tables repeats the same keys, so
these look for the Nth `[[name]]` header and the key inside that block. Items written inline
(`tools = [{...}]`) have no header: they are reported on the line of `tools =`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from workbench.config import ConfigProblem

_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([^\]\[]+?)\s*\]")
_KEY = re.compile(r'^\s*("?)([A-Za-z0-9_.-]+)\1\s*=')


def item_block(text: str, table: str, index: int) -> tuple[int, int] | None:
    """(first, last) line numbers (1-based) of the `index`-th `[[table]]` block, or None."""
    lines = text.splitlines()
    seen = -1
    start = None
    for no, raw in enumerate(lines, start=1):
        header = _HEADER.match(raw)
        plain = None if header else _TABLE.match(raw)
        name = header.group(1).replace('"', "") if header else plain.group(1).replace('"', "") if plain else None
        if name is None:
            continue
        if start is not None and not name.startswith(table + "."):
            return start, no - 1  # the next table ends this block (sub-tables like tools.retry belong to it)
        if header and name == table:
            seen += 1
            if seen == index:
                start = no
    return (start, len(lines)) if start is not None else None


def item_line(text: str, table: str, index: int, key: str | None = None) -> int | None:
    """The line of `key` inside the `index`-th `[[table]]` item (its header line when the key is
    absent or not given); for inline arrays, the line of `table =`."""
    block = item_block(text, table, index)
    lines = text.splitlines()
    if block is None:
        for no, raw in enumerate(lines, start=1):
            m = _KEY.match(raw)
            if m and m.group(2) == table:
                return no
        return None
    first, last = block
    if key:
        head, _, rest = key.partition(".")
        sub_table = f"{table}.{head}" if rest else None
        for no in range(first + 1, last + 1):
            raw = lines[no - 1]
            if sub_table:  # `retry.delay_ms` as [tools.retry] delay_ms = … or retry = { … }
                t = _TABLE.match(raw)
                if t and t.group(1).replace('"', "") == sub_table:
                    for inner in range(no + 1, last + 1):
                        km = _KEY.match(lines[inner - 1])
                        if km and km.group(2) == rest:
                            return inner
                    return no
            m = _KEY.match(raw)
            if m and m.group(2) in (key, head):
                return no
    return first


class ItemReader:
    """Problems about one `[[table]]` item, each naming file, line and key (`tools[2].timeout_secs`)."""

    def __init__(self, table: str, index: int, path: Path, text: str, problems: list[ConfigProblem]):
        self.table, self.index, self.path, self.text, self.problems = table, index, path, text, problems
        self.label = f"{table}[{index}]"
        self.failed = False  # a field the item cannot do without was wrong: the item is dropped

    def problem(self, key: str | None, message: str, *, fatal: bool = True) -> None:
        self.failed = self.failed or fatal
        line = item_line(self.text, self.table, self.index, key)
        self.problems.append(ConfigProblem(self.path, line, f"{self.label}.{key}" if key else self.label, message))

    def unknown_keys(self, item: dict[str, Any], known: tuple[str, ...]) -> None:
        for key in item:
            if key not in known:
                self.problem(key, f"unknown key (known: {', '.join(known)}); ignored", fatal=False)

    def string(self, item: dict[str, Any], key: str, *, required: bool = False, default: str = "") -> str:
        value = item.get(key)
        if value is None:
            if required:
                self.problem(None, f"'{key}' is required")
            return default
        if not isinstance(value, str):
            self.problem(key, f"must be a string, got {_type_name(value)}")
            return default
        if required and not value.strip():
            self.problem(key, "must not be empty")
        return value

    def name(self, item: dict[str, Any], pattern: re.Pattern[str], rule: str, what: str, seen: set[str],
             reserved: tuple[str, ...] = ()) -> str:
        """The item's `name`: required, matching `pattern` (`rule` says how), not `reserved`, and
        not already used in this file."""
        name = self.string(item, "name", required=True)
        if name and not pattern.match(name):
            self.problem("name", f"{name!r} is not a valid {what} name: {rule}")
        elif name in reserved:
            self.problem("name", f"'{name}' is a built-in {what}; choose another name")
        elif name in seen:
            self.problem("name", f"a {what} named '{name}' is already defined in this file")
        return name

    def boolean(self, item: dict[str, Any], key: str, default: bool = False) -> bool:
        value = item.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, got {_type_name(value)}")
            return default
        return value

    def number(self, data: dict[str, Any], key: str, default: float | None, *, minimum: float,
               integer: bool = False, where: str | None = None) -> float | None:
        value = data.get(key, default)
        where = where or key
        if value is None:
            return None
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok or value != value or value in (float("inf"), float("-inf")):
            self.problem(where, f"must be {'a whole number' if integer else 'a number'}, got {_type_name(value)}")
            return default
        if value < minimum:
            self.problem(where, f"must be at least {minimum:g}, got {value!r}")
            return default
        return value

    def names(self, item: dict[str, Any], key: str) -> tuple[str, ...] | None:
        """A list of strings (None when the key is absent)."""
        value = item.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(key, "must be a list of non-empty strings")
            return None
        return tuple(dict.fromkeys(v.strip() for v in value))


def as_items(items: Any, table: str, path: Path, text: str, problems: list[ConfigProblem]) -> list[tuple[int, dict[str, Any]]]:
    """The `[[table]]` entries that are tables, with their index; anything else is a problem."""
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(ConfigProblem(path, item_line(text, table, 0), table,
                                      f"must be an array of tables ([[{table}]]), got {_type_name(items)}"))
        return []
    out = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            out.append((index, item))
        else:
            problems.append(ConfigProblem(path, item_line(text, table, index), f"{table}[{index}]",
                                          f"must be a table, got {_type_name(item)}"))
    return out


def _type_name(value: Any) -> str:
    """What a TOML value is, in words ("a string", "an integer", "a table")."""
    from workbench.tools.schema import _TYPE_NAMES, _json_type

    if isinstance(value, dict):
        return "a table"
    kind = "integer" if isinstance(value, int) and not isinstance(value, bool) else _json_type(value)
    return _TYPE_NAMES.get(kind, kind).removesuffix(" (true or false)")
