"""Surgical edits of one string array in a TOML document, keeping everything else byte for byte.

Used to save "always" approval rules into config files people also edit by hand: comments,
ordering and formatting outside the edited array stay as they were. Callers verify the result
with `tomllib` (see `grants.py`), so a document this scanner misreads is never written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomli_w


class TomlEditError(ValueError):
    pass


@dataclass(frozen=True)
class KeyValue:
    key: tuple[str, ...]   # full dotted key, table prefix included
    start: int             # where the line's key starts
    value_start: int
    value_end: int


@dataclass(frozen=True)
class Table:
    key: tuple[str, ...]
    line_end: int          # index just past the header line's newline


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _skip_ws(text: str, i: int, newlines: bool = False) -> int:
    chars = " \t\r\n" if newlines else " \t"
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _skip_comments_ws(text: str, i: int) -> int:
    while True:
        i = _skip_ws(text, i, newlines=True)
        if i < len(text) and text[i] == "#":
            i = _line_end(text, i)
        else:
            return i


def _line_end(text: str, i: int) -> int:
    """Index of the newline ending the line holding `i` (or len(text))."""
    j = text.find("\n", i)
    return len(text) if j == -1 else j


def _skip_string(text: str, i: int) -> int:
    q = text[i]
    if text.startswith(q * 3, i):
        j = i + 3
        while True:
            k = text.find(q * 3, j)
            if k == -1:
                raise TomlEditError("unterminated multi-line string")
            if q == '"' and _escaped(text, k):
                j = k + 1
                continue
            k += 3
            while k < len(text) and text[k] == q:  # up to two quotes may end the content
                k += 1
            return k
    j = i + 1
    while j < len(text):
        if text[j] == "\n":
            break
        if q == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == q:
            return j + 1
        j += 1
    raise TomlEditError("unterminated string")


def _escaped(text: str, k: int) -> bool:
    n = 0
    while k - 1 - n >= 0 and text[k - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


def skip_value(text: str, i: int) -> int:
    """Index just past the value starting at `i`."""
    c = text[i] if i < len(text) else ""
    if c in "\"'":
        return _skip_string(text, i)
    if c in "[{":
        close = "]" if c == "[" else "}"
        j = i + 1
        while True:
            j = _skip_comments_ws(text, j)
            if j >= len(text):
                raise TomlEditError(f"unterminated {'array' if c == '[' else 'inline table'}")
            if text[j] == close:
                return j + 1
            if text[j] in ",=.":
                j += 1
            elif c == "{" and (_BARE.match(text, j)):
                j = _BARE.match(text, j).end()  # an inline-table key
            else:
                j = skip_value(text, j)
    j = i
    while j < len(text) and text[j] not in ",]}#\n":
        j += 1
    return len(text[:j].rstrip()) if j > i else j


def _parse_key(text: str, i: int) -> tuple[tuple[str, ...], int]:
    parts: list[str] = []
    while True:
        i = _skip_ws(text, i)
        if i < len(text) and text[i] in "\"'":
            end = _skip_string(text, i)
            parts.append(tomllib.loads(f"k = {text[i:end]}")["k"])
            i = end
        else:
            m = _BARE.match(text, i)
            if not m:
                raise TomlEditError(f"cannot read a key at offset {i}")
            parts.append(m.group())
            i = m.end()
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return tuple(parts), i


def scan(text: str) -> tuple[list[KeyValue], list[Table]]:
    """Every key/value (with its full dotted key) and table header in the document."""
    pairs: list[KeyValue] = []
    tables: list[Table] = []
    table: tuple[str, ...] = ()
    i = 0
    while True:
        i = _skip_comments_ws(text, i)
        if i >= len(text):
            return pairs, tables
        if text[i] == "[":
            double = text.startswith("[[", i)
            key, j = _parse_key(text, i + (2 if double else 1))
            table = key
            end = _line_end(text, j)
            if not double:
                tables.append(Table(key, min(end + 1, len(text))))
            i = end
            continue
        start = i
        key, j = _parse_key(text, i)
        if j >= len(text) or text[j] != "=":
            raise TomlEditError(f"expected '=' after key {'.'.join(key)}")
        value_start = _skip_ws(text, j + 1)
        value_end = skip_value(text, value_start)
        pairs.append(KeyValue(table + key, start, value_start, value_end))
        i = value_end


@dataclass(frozen=True)
class Element:
    start: int
    end: int
    value: object
    comma: int | None  # index of the comma after it, if any


def array_elements(text: str, start: int, end: int) -> list[Element]:
    """The elements of the array text[start:end] (text[start] == '[')."""
    out: list[Element] = []
    i = start + 1
    while True:
        i = _skip_comments_ws(text, i)
        if i >= end - 1:
            return out
        e = skip_value(text, i)
        value = tomllib.loads(f"v = {text[i:e]}")["v"]
        j = _skip_comments_ws(text, e)
        comma = j if text[j] == "," else None
        out.append(Element(i, e, value, comma))
        i = j + 1 if comma is not None else j


def toml_string(value: str) -> str:
    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def _indent_of(text: str, i: int) -> str:
    line_start = text.rfind("\n", 0, i) + 1
    return re.match(r"[ \t]*", text[line_start:]).group()


def append_to_array(text: str, start: int, end: int, value: str) -> str:
    """Insert `value` as the last element of the array text[start:end]."""
    items = array_elements(text, start, end)
    literal = toml_string(value)
    multiline = "\n" in text[start:end]
    if not items:
        if multiline:
            indent = _indent_of(text, start) + "    "
            return f"{text[:start + 1]}\n{indent}{literal},{text[start + 1:]}"
        inner = text[start + 1:end - 1]
        return f"{text[:start]}[{literal}{inner}]{text[end:]}" if not inner.strip() else \
            f"{text[:start + 1]}{literal}, {text[start + 1:]}"
    last = items[-1]
    close = end - 1
    on_own_line = multiline and "\n" in text[last.end:close]
    if not on_own_line:
        return f"{text[:last.end]}, {literal}{text[last.end:]}"
    indent = _indent_of(text, last.start)
    if last.comma is None:
        text = text[:last.end] + "," + text[last.end:]
        close += 1
        tail = last.end + 1
    else:
        tail = last.comma + 1
    eol = _line_end(text, tail)
    return f"{text[:eol]}\n{indent}{literal},{text[eol:]}"


def remove_from_array(text: str, start: int, end: int, value: str) -> str:
    items = array_elements(text, start, end)
    index = next((k for k, item in enumerate(items) if item.value == value), None)
    if index is None:
        return text
    item = items[index]
    line_start = text.rfind("\n", 0, item.start) + 1
    after = item.comma + 1 if item.comma is not None else item.end
    eol = _line_end(text, after)
    rest = text[after:eol].strip()
    alone = (text[line_start:item.start].strip() == "" and (rest == "" or rest.startswith("#"))
             and line_start > start)
    if alone:
        return text[:line_start] + text[min(eol + 1, len(text)):]
    if item.comma is not None:
        cut_end = _skip_ws(text, item.comma + 1)
        return text[:item.start] + text[cut_end:]
    if index > 0:
        prev = items[index - 1]
        return text[:prev.end] + text[item.end:]
    return text[:item.start] + text[item.end:]


def set_membership(text: str, table: tuple[str, ...], key: str, value: str, present: bool) -> str:
    """`text` with `value` added to (present=True) or removed from the string array at
    table.key, creating the key (and the table) when adding to a document without it."""
    pairs, tables = scan(text)
    full = table + (key,)
    found = next((p for p in pairs if p.key == full), None)
    if found is not None:
        if text[found.value_start:found.value_start + 1] != "[":
            raise TomlEditError(f"{'.'.join(full)} is not an array")
        if present:
            return append_to_array(text, found.value_start, found.value_end, value)
        return remove_from_array(text, found.value_start, found.value_end, value)
    if not present:
        return text
    line = f"{key} = [{toml_string(value)}]\n"
    return _add_line(text, tables, table, line)


def set_scalar(text: str, table: tuple[str, ...], key: str, value: object) -> str:
    """`text` with table.key set to a string, number or boolean: the old value replaced in place,
    or the key added under its table (created at the end when missing)."""
    rendered = tomli_w.dumps({"v": value}).split("=", 1)[1].strip()
    pairs, tables = scan(text)
    full = table + (key,)
    found = next((p for p in pairs if p.key == full), None)
    if found is not None:
        return text[:found.value_start] + rendered + text[found.value_end:]
    line = f"{key} = {rendered}\n"
    return _add_line(text, tables, table, line)


def _add_line(text: str, tables: list[Table], table: tuple[str, ...], line: str) -> str:
    """`line` (a key = value line) added under `table`'s header, or in a new table at the end."""
    header = next((t for t in tables if t.key == table), None)
    if header is not None:
        prefix = text[:header.line_end]
        if not prefix.endswith("\n"):
            prefix += "\n"
        return prefix + line + text[header.line_end:]
    sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return f"{text}{sep}[{'.'.join(table)}]\n{line}"


def read_for_edit(path: Path, error: type[Exception], fix: str) -> tuple[str, dict] | None:
    """A TOML file's text and data before an edit; None when it does not exist. A file that cannot
    be read or parsed raises `error`, saying what to fix `fix` (e.g. "to save ui.theme")."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {path}: {exc}") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path} is not valid TOML ({exc}); fix it {fix}") from None


def parses_to(text: str, expected: dict) -> bool:
    """The check before an edited file is written: it reads back as exactly the data intended."""
    try:
        return tomllib.loads(text) == expected
    except tomllib.TOMLDecodeError:
        return False
