"""Reading session JSONL bytes: lines, glued objects, bad lines, and lazy parsing.

Opening a big session must cost less than `json.loads` of every line, so entries are
not parsed on load. pi writes `{"type":…,"id":…,"parentId":…,"timestamp":…` first, in
that order; a compiled regex reads those four fields (and a message's role) from the
line prefix and the entry keeps only its byte span. The full JSON is parsed on demand
(`Record.entry()`, with orjson: `parse_json`). Any line the fast path can't vouch for takes
the slow path: `json.JSONDecoder.raw_decode`, which also splits glued objects (`{…}{…}` on one
line).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

from workbench.sessions.errors import SessionFileError

# type, id, parentId (null or string), timestamp; then optionally a message's role
_FAST = re.compile(
    rb'\{"type":"([a-z_]{1,64})","id":"([0-9A-Za-z_-]{1,64})","parentId":(?:null|"([0-9A-Za-z_-]{1,64})"),'
    rb'"timestamp":"([0-9A-Za-z:.+-]{1,40})"[,}](?:"message":\{"role":"([A-Za-z_]{1,40})")?'
)
_NEXT_ENTRY = re.compile(r'\{"type":"')
# shared str objects for the few type/role names (saves a decode and memory per entry)
_TYPE_NAMES = {name.encode(): name for name in (
    "message", "thinking_level_change", "model_change", "compaction", "branch_summary",
    "custom", "custom_message", "label", "session_info",
)}
_ROLE_NAMES = {name.encode(): name for name in ("user", "assistant", "toolResult", "bashExecution", "custom")}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# JSON.parse rejects NaN/Infinity; so do we (a line pi can't read is a bad line)
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
# every ASCII digit becomes "0" and every other byte a space: a run of 19 digits is one `find`
_DIGITS_AS_ZERO = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))
_NINETEEN_DIGITS = b"0" * 19  # 2**63 has 19 digits: anything shorter fits orjson's 64-bit ints


# A line longer than this (a multi-MB message) is parsed by the standard library (see parse_json).
BIG_LINE = 1 << 20


def parse_json(raw: bytes | memoryview) -> Any:
    """One JSON text, exactly as `_DECODER` (the standard library) parses it, but mostly by orjson
    (about twice as fast on session entries). Where orjson differs, the standard library decides:
    orjson rejects NaN/Infinity, lone surrogate escapes, invalid UTF-8 and numbers that overflow a
    double (it raises: stdlib retries), and turns integers beyond 64 bits into floats (a run of 19
    digits anywhere: stdlib only). A line over BIG_LINE bytes goes to stdlib at once: about as fast
    there, in a sixth of the memory. Raises ValueError (or RecursionError) if it doesn't parse.
    """
    if len(raw) > BIG_LINE:  # orjson's peak memory is ~13× a huge string's size, the standard library's ~2×
        return _DECODER.decode(str(raw, "utf-8", "replace"))
    if raw.translate(_DIGITS_AS_ZERO).find(_NINETEEN_DIGITS) < 0:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return _DECODER.decode(raw.decode("utf-8", "replace"))


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """Something wrong with one line of a session file. The line stays on disk untouched."""

    line: int
    kind: str  # "torn" | "unparseable" | "glued" | "not-object" | "missing-id" | "duplicate-id" | "second-header" | "corrupt"
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"

    def to_json(self) -> dict:
        return {"line": self.line, "kind": self.kind, "message": self.message}


class Record:
    """One entry: the prefix fields, where its bytes are, and its parsed dict once needed."""

    __slots__ = ("type", "id", "parent_id", "timestamp", "role", "line", "src", "start", "end", "obj", "dirty", "bad", "sink")

    def __init__(self, type_, id_, parent_id, timestamp, role, line, src, start, end, obj=None, sink=None):
        self.type = type_
        self.id = id_
        self.parent_id = parent_id
        self.timestamp = timestamp
        self.role = role
        self.line = line
        self.src = src  # the bytes holding this entry (the file as loaded, or the appended line)
        self.start = start
        self.end = end
        self.obj = obj
        self.dirty = False  # obj differs from the raw bytes (migrated): write obj, not the bytes
        self.bad = False  # the fast path accepted the prefix but the full line did not parse
        self.sink = sink  # list collecting problems found lazily

    def raw(self) -> bytes:
        return self.src[self.start:self.end]

    def _view(self) -> bytes | memoryview:
        """The entry's bytes to parse: a huge one is not copied out of the file's bytes first."""
        if self.end - self.start > BIG_LINE:
            return memoryview(self.src)[self.start:self.end]
        return self.raw()

    def entry(self) -> dict:
        """The entry as a dict (parsed on first use, then cached). Treat it as read-only."""
        obj = self.obj
        if obj is None:
            try:
                obj = parse_json(self._view())
                if not isinstance(obj, dict):
                    raise ValueError("not a JSON object")
            except (ValueError, RecursionError) as exc:
                self.bad = True
                if self.sink is not None:
                    why = "nested too deeply" if isinstance(exc, RecursionError) else exc
                    self.sink.append(LoadProblem(self.line, "corrupt", f"entry {self.id} does not parse: {why}"))
                obj = {"type": self.type, "id": self.id, "parentId": self.parent_id, "timestamp": self.timestamp}
            else:
                clean_message_content(obj, self.line, self.sink)
            self.obj = obj
        return obj

    def peek(self) -> dict:
        """The entry as `entry()` gives it, without keeping the parse: for reading every entry
        once (totals, a tree's rows) without holding the whole file parsed beside its bytes. A
        line that needs `entry()`'s repairs or reports a problem goes through `entry()`."""
        obj = self.obj
        if obj is not None:
            return obj
        try:
            obj = parse_json(self._view())
        except (ValueError, RecursionError):
            return self.entry()
        if not isinstance(obj, dict) or not _content_clean(obj):
            return self.entry()
        return obj

    def __repr__(self) -> str:
        return f"Record({self.type!r}, id={self.id!r}, parent={self.parent_id!r}, line={self.line})"


def _content_clean(entry: dict) -> bool:
    """`clean_message_content` would leave `entry` as it is."""
    message = entry.get("message")
    if type(message) is not dict:
        return True
    content = message.get("content")
    if type(content) is list:
        return all(type(block) is dict for block in content)
    return content is None or isinstance(content, str)


def clean_message_content(entry: dict, line: int, sink: list[LoadProblem] | None) -> None:
    """A message whose content holds something other than block objects (a number, a string in
    the list) or is neither text nor a list: those parts are left out of the entry as read, with
    a problem naming the line. The bytes on disk stay as they are."""
    message = entry.get("message")
    if type(message) is not dict:
        return
    content = message.get("content")
    if type(content) is list:
        if all(type(block) is dict for block in content):
            return
        kept = [block for block in content if type(block) is dict]
        why = f"{len(content) - len(kept)} content block(s) not objects (e.g. a {type(next(b for b in content if type(b) is not dict)).__name__}); left out"
    elif content is None or isinstance(content, str):
        return
    else:
        kept = []
        why = f"message content is a {type(content).__name__}, not text or blocks; left out"
    entry["message"] = {**message, "content": kept}
    if sink is not None:
        sink.append(LoadProblem(line, "corrupt", f"entry {entry.get('id')}: {why}"))


@dataclass
class Scan:
    header: dict
    header_line: int
    records: list[Record]
    problems: list[LoadProblem]
    ends_with_newline: bool
    line_count: int
    bad_spans: list[tuple[int, bytes]]  # (line, bytes) that no entry could be read from


def _objects_in_line(
    data: bytes, start: int, end: int, line: int, torn: bool, problems: list[LoadProblem], bad_spans: list[tuple[int, bytes]]
):
    """Every JSON value on one line as (byte_start, byte_end, value); problems for the rest."""
    chunk = data[start:end]
    # surrogateescape keeps a 1:1 byte mapping so spans stay exact even with invalid UTF-8
    text = chunk.decode("utf-8", "surrogateescape")

    def byte_offset(char_index: int) -> int:
        return start + len(text[:char_index].encode("utf-8", "surrogateescape"))

    found: list[tuple[int, int, Any]] = []
    pos = 0
    length = len(text)
    skipped = False
    while pos < length:
        while pos < length and text[pos] in " \t\r\n\f\v":
            pos += 1
        if pos >= length:
            break
        try:
            value, stop = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than Python recurses
            # skip to the next place an entry could start: `{"type":"…` decoding to an object
            # with a type and a timestamp (content blocks inside the broken entry have none)
            bad_start = pos
            resume = None
            for candidate in _NEXT_ENTRY.finditer(text, pos + 1):
                try:
                    value, stop = _DECODER.raw_decode(text, candidate.start())
                except (ValueError, RecursionError):
                    continue
                if isinstance(value, dict) and "type" in value and "timestamp" in value:
                    resume = candidate.start()
                    break
            if torn and resume is None and not found:
                reason = "incomplete last line (no trailing newline: the write was cut off)"
            else:
                column = bad_start + 1
                why = "nested too deeply" if isinstance(exc, RecursionError) else getattr(exc, "msg", exc)
                reason = f"unparseable JSON at column {column}: {why}"
            problems.append(LoadProblem(line, "torn" if torn and resume is None else "unparseable", reason))
            bad_spans.append((line, data[byte_offset(bad_start):byte_offset(resume if resume is not None else length)]))
            skipped = True
            if resume is None:
                break
            pos = resume
            continue
        b0, b1 = byte_offset(pos), byte_offset(stop)
        if _has_escaped_bytes(text[pos:stop]):
            value = _DECODER.decode(data[b0:b1].decode("utf-8", "replace"))  # as Node reads it
        found.append((b0, b1, value))
        pos = stop
    if len(found) > 1 or (found and skipped):
        problems.append(LoadProblem(line, "glued", f"{len(found)} JSON objects on one line; recovered as separate entries"))
    return found


def line_values(raw: bytes) -> list[tuple[int, int, Any]]:
    """Every JSON value the loader recovers from one line it reads the careful way (glued
    objects split, a damaged stretch skipped to the next entry), as (start, end, value)."""
    return _objects_in_line(raw, 0, len(raw), 0, False, [], [])


def line_entries(raw: bytes, version: int, values: list[tuple[int, int, Any]] | None = None) -> list[dict]:
    """The entries the loader takes from one such line (`values`: from `line_values`), as dicts."""
    records: list[Record] = []
    for start, end, value in line_values(raw) if values is None else values:
        _add_slow(value, raw, start, end, 0, version, records, [], [])
    return [record.obj for record in records]


def match_prefix(line: bytes) -> re.Match | None:
    """The loader's fast path for one line of a v3 file: the prefix fields (groups: type, id,
    parentId, timestamp, role), or None if the line must be read the careful way."""
    m = _FAST.match(line)
    return m if m is not None and line.endswith(b"}") else None


def is_header(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "session" and isinstance(value.get("id"), str)


def _has_escaped_bytes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def scan(data: bytes, path: str | None = None) -> Scan:
    """Index the bytes of a session file. Raises SessionFileError only for a missing/corrupt header.

    Fast-path entries point into `data` (no copy per line); others keep their own bytes.
    """
    problems: list[LoadProblem] = []
    records: list[Record] = []
    bad_spans: list[tuple[int, bytes]] = []
    n = len(data)
    torn_last = n > 0 and data[-1] != 10
    header: dict | None = None
    header_line = 0
    version = 3
    pos = 0
    line = 0
    # the header (and any blank lines before it) goes through the careful path
    while header is None and pos < n:
        line += 1
        nl = data.find(b"\n", pos)
        end = n if nl < 0 else nl
        raw = data[pos:end]
        pos = end + 1
        if not raw.strip():
            continue
        for s, e, value in _objects_in_line(raw, 0, len(raw), line, nl < 0, problems, bad_spans):
            if header is None:
                if not is_header(value):
                    raise SessionFileError(path, _not_a_header(line, problems))
                header = value
                header_line = line
                raw_version = value.get("version")
                version = raw_version if isinstance(raw_version, int) and not isinstance(raw_version, bool) else 1
            else:
                _add_slow(value, raw, s, e, line, version, records, problems, bad_spans)
    if header is None:
        if not data.strip():
            raise SessionFileError(path, "empty file: no session header")
        raise SessionFileError(path, _not_a_header(None, problems))

    body_start, body_line = pos, line
    body_records = len(records)
    fast_lines, line = _scan_body(data, pos, line, records, problems, bad_spans, version, check_glue=False)
    if fast_lines:
        # a glued line holds a second `"parentId":`; count them all at once instead of per line
        expected = fast_lines + sum(r.raw().count(b'"parentId":') for r in records[body_records:] if r.obj is not None)
        if data.count(b'"parentId":', body_start) > expected:
            del records[body_records:]
            problems[:] = [p for p in problems if p.line <= body_line]
            bad_spans[:] = [b for b in bad_spans if b[0] <= body_line]
            _, line = _scan_body(data, body_start, body_line, records, problems, bad_spans, version, check_glue=True)
    if torn_last and not any(p.line == line for p in problems[-3:]):
        problems.append(LoadProblem(line, "torn", "last line has no trailing newline"))
    return Scan(header, header_line, records, problems, not torn_last, line, bad_spans)


def _not_a_header(line: int | None, problems: list[LoadProblem]) -> str:
    """The header should be the first thing in the file. If a line before `line` (the first
    entry that did parse) could not be read, that line is the damaged header: name it."""
    if problems:
        first = problems[0]
        return f"line {first.line} should hold the session header but can't be read: {first.message}"
    return f"line {line} is not a session header (expected {{\"type\":\"session\",\"id\":…}})"


def _scan_body(data, pos, line, records, problems, bad_spans, version, check_glue) -> tuple[int, int]:
    """Lines from `pos` on: pi-shaped v3 entries by their prefix, the rest the careful way.
    Returns (lines that took the fast path, last line number)."""
    fast = _FAST.match if version >= 3 else None
    find = data.find
    append = records.append
    types = _TYPE_NAMES
    roles = _ROLE_NAMES
    n = len(data)
    fast_count = 0
    while pos < n:
        line += 1
        nl = find(b"\n", pos)
        end = n if nl < 0 else nl
        m = fast(data, pos, end) if fast is not None else None
        # accept the prefix only if the line closes an object (and, when asked, holds no second entry)
        if m is not None and data[end - 1] == 125 and not (check_glue and find(b'"parentId":', m.end(), end) >= 0):  # "}"
            type_, id_, parent, ts, role = m.groups()
            append(
                Record(
                    types.get(type_) or type_.decode(),
                    id_.decode(),
                    parent.decode() if parent is not None else None,
                    ts.decode(),
                    (roles.get(role) or role.decode()) if role is not None else None,
                    line,
                    data,
                    pos,
                    end,
                    None,
                    problems,
                )
            )
            fast_count += 1
        else:
            raw = data[pos:end]
            if raw.strip():
                for s, e, value in _objects_in_line(raw, 0, len(raw), line, nl < 0, problems, bad_spans):
                    # the entry's bytes are where they are in `data`: the line's copy is not kept
                    _add_slow(value, data, pos + s, pos + e, line, version, records, problems, bad_spans)
        pos = end + 1
    return fast_count, line


def _add_slow(value, raw, s, e, number, version, records, problems, bad_spans) -> None:
    if not isinstance(value, dict):
        problems.append(LoadProblem(number, "not-object", f"a JSON {type(value).__name__}, not an entry object"))
        bad_spans.append((number, raw[s:e]))
        return
    if value.get("type") == "session":
        problems.append(LoadProblem(number, "second-header", "a second session header; ignored"))
        bad_spans.append((number, raw[s:e]))
        return
    entry_id = value.get("id")
    if version >= 2 and not isinstance(entry_id, str):
        problems.append(LoadProblem(number, "missing-id", "entry has no string id; ignored"))
        bad_spans.append((number, raw[s:e]))
        return
    parent = value.get("parentId")
    if parent is not None and not isinstance(parent, str):
        problems.append(LoadProblem(number, "unparseable", f"parentId is a {type(parent).__name__}; treated as a root"))
        parent = None
        value["parentId"] = None  # readers of the entry see what the tree uses
    clean_message_content(value, number, problems)
    message = value.get("message")
    role = message.get("role") if isinstance(message, dict) else None
    kind = value.get("type")
    records.append(
        Record(
            kind if isinstance(kind, str) else None,
            entry_id,
            parent,
            value.get("timestamp"),
            role if isinstance(role, str) else None,
            number,
            raw,
            s,
            e,
            obj=value,
            sink=problems,
        )
    )
