"""What a session list shows, read fast: a streaming scan of a session file without building its tree.

pi's own listing (`SessionManager.list`) JSON-parses every line of every file each time. Here a
line is only parsed when it matters: the header, `session_info` entries (the name), the first user
message (its text) and the last user/assistant message (last activity). Message entries are
counted by their line prefix, which is how pi and the workbench write them (`{"type":"message",…`).
Lines written in another key order, or glued lines (`{…}{…}`), fall back to a full parse, so the
result matches pi's semantics on any file, with two deliberate shortcuts: a damaged line that still
starts like a message entry and ends with `}` is counted, and the last activity is taken from the
last user/assistant message in the file rather than the maximum over all of them (entries are
appended in time order, so these agree on any file a clock did not go backwards in).

A scan can resume where it stopped (`ScanState.offset`), so a file that only grew is updated by
reading just its new bytes (see `cache.py`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

Source = Literal["workbench", "pi"]

_MESSAGE = b'{"type":"message"'
_SESSION_INFO = b'{"type":"session_info"'
_TYPED = b'{"type":"'
_GLUED = b'}{"type":"'  # pi writes "type" first; a longer needle also searches faster
# The role sits right after the entry's fixed fields; 400 bytes covers ids, timestamp and role.
_HEAD = 400
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class SessionInfo:
    """One row of a session list (pi's `SessionInfo`, plus where it came from)."""

    path: Path
    id: str
    cwd: str
    name: str | None
    parent_session: str | None
    created: datetime
    modified: datetime  # last activity: the last user/assistant message, else created
    message_count: int
    first_message: str  # text of the first user message, "(no messages)" if none
    source: Source = "workbench"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "id": self.id,
            "cwd": self.cwd,
            "name": self.name,
            "parent_session": self.parent_session,
            "created": _iso(self.created),
            "modified": _iso(self.modified),
            "message_count": self.message_count,
            "first_message": self.first_message,
            "source": self.source,
        }


@dataclass(frozen=True)
class ScanState:
    """Everything the listing needs from one file, up to byte `offset` (always a line boundary)."""

    offset: int
    header: dict[str, Any] | None  # None: the first line is not a session header
    message_count: int = 0
    name: str | None = None
    first_message: str | None = None
    last_activity_ms: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScanState:
        """Rebuild from `to_json()`; raises TypeError on anything else (a damaged cache entry)."""
        state = cls(**data)
        ok = (
            type(state.offset) is int and state.offset >= 0
            and (state.header is None or isinstance(state.header, dict))
            and type(state.message_count) is int
            and (state.name is None or isinstance(state.name, str))
            and (state.first_message is None or isinstance(state.first_message, str))
            and (state.last_activity_ms is None or type(state.last_activity_ms) in (int, float))
        )
        if not ok:
            raise TypeError(f"not a scan state: {data!r:.200}")
        return state


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_iso_ms(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp() * 1000


def _text_of(message: dict[str, Any]) -> str:
    """pi's extractTextContent: a string content, or the text blocks joined by a space."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            b["text"] for b in content
            if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)
        )
    return ""


def _has_content(message: Any) -> bool:
    return isinstance(message, dict) and "role" in message and isinstance(message.get("content"), (str, list))


class _Scanner:
    """Mutable accumulator for one scan; frozen into a ScanState at the end."""

    def __init__(self, state: ScanState):
        self.count = state.message_count
        self.name = state.name
        self.first = state.first_message
        self.last_ms = state.last_activity_ms
        self.last_ua: bytes | None = None  # the last user/assistant message line seen (unparsed)

    def entry(self, obj: Any) -> None:
        """Apply one parsed entry (pi's buildSessionInfo loop)."""
        if not isinstance(obj, dict):
            return
        kind = obj.get("type")
        if kind == "session_info":
            name = obj.get("name")
            self.name = name.strip() or None if isinstance(name, str) else None
            return
        if kind != "message":
            return
        self.count += 1
        message = obj.get("message")
        if not _has_content(message) or message.get("role") not in ("user", "assistant"):
            return
        ts = message.get("timestamp")
        ms = float(ts) if isinstance(ts, (int, float)) and not isinstance(ts, bool) else _parse_iso_ms(obj.get("timestamp"))
        if ms is not None:
            self.last_ms = ms if self.last_ms is None else max(self.last_ms, ms)
        if self.first is None and message.get("role") == "user":
            self.first = _text_of(message) or None

    def line(self, line: bytes) -> None:
        """Classify one line by prefix; parse only what the listing needs."""
        if line.startswith(_MESSAGE) and line.endswith(b"}"):
            head = line[:_HEAD]
            is_user = b'"message":{"role":"user"' in head
            if is_user or b'"message":{"role":"assistant"' in head:
                if is_user and self.first is None:
                    self._parse(line)  # counts it and records the text and its timestamp
                    return
                self.last_ua = line
                self.count += 1
                return
            if b'"message":{"role":"' in head:
                self.count += 1  # toolResult, bashExecution, custom roles: counted, no text needed
                return
            self._parse(line)  # unusual layout: let the parser decide
        elif line.startswith(_TYPED) and not line.startswith(_SESSION_INFO) and line.endswith(b"}"):
            return  # another entry type: nothing in it shows in a list
        else:
            self._parse(line)

    def _parse(self, line: bytes) -> None:
        """Full parse, splitting glued objects; a line that does not parse to the end is skipped
        whole, as pi skips it."""
        text = line.strip()
        if not text:
            return
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError:
            return
        objects = []
        pos = 0
        while pos < len(decoded):
            try:
                obj, pos = _DECODER.raw_decode(decoded, pos)
            except json.JSONDecodeError:
                return
            objects.append(obj)
            while pos < len(decoded) and decoded[pos] in " \t\r":
                pos += 1
        for obj in objects:
            self.entry(obj)

    def finish(self, offset: int, header: dict[str, Any] | None) -> ScanState:
        if self.last_ua is not None:
            # Only the last user/assistant line of this chunk is parsed for its timestamp: entries are
            # appended in time order, so it carries the latest activity.
            before = self.count
            self._parse(self.last_ua)
            self.count = before
        return ScanState(offset, header, self.count, self.name, self.first, self.last_ms)


def _parse_header(line: bytes) -> dict[str, Any] | None:
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(obj, dict) and obj.get("type") == "session":
        return obj
    return None


def scan_bytes(data: bytes, state: ScanState | None = None, base: int = 0) -> ScanState:
    """Scan `data` (the file's bytes from offset `base`), continuing `state` if given.

    Only complete lines are consumed: a torn last line (no newline yet) is left for the next scan,
    unless it parses on its own (pi reads it too).
    """
    # One split, no slicing of the (possibly huge) buffer: the pieces are the lines.
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when data ends with a newline
    end = len(data) - len(tail)
    if tail.strip():
        try:
            json.loads(tail)
            lines.append(tail)
            end = len(data)
        except (ValueError, UnicodeDecodeError):
            pass
    first = 0
    header = state.header if state is not None else None
    if state is None:
        if not lines:
            return ScanState(base, None) if not data else ScanState(base + end, _parse_header(data))
        header = _parse_header(lines[0])
        state = ScanState(0, header)
        first = 1
    if header is None:
        return replace(state, offset=base + end)
    scanner = _Scanner(state)
    glued = data.find(_GLUED) >= 0
    for i in range(first, len(lines)):
        line = lines[i]
        if glued:
            scanner._parse(line)
        elif line:
            scanner.line(line.rstrip(b"\r"))
    return scanner.finish(base + end, header)


def scan_file(path: Path, state: ScanState | None = None) -> ScanState:
    """Scan a session file from the start, or from `state.offset` to continue an earlier scan."""
    start = state.offset if state is not None else 0
    with open(path, "rb") as fh:
        if start:
            fh.seek(start)
        data = fh.read()
    return scan_bytes(data, state, start)


def info_from_state(path: Path, state: ScanState, mtime_ns: int, source: Source) -> SessionInfo | None:
    """The list row for a scanned file; None when the file has no session header (pi skips it)."""
    header = state.header
    if header is None:
        return None
    mtime = datetime.fromtimestamp(mtime_ns / 1e9, tz=timezone.utc)
    created_ms = _parse_iso_ms(header.get("timestamp"))
    created = datetime.fromtimestamp(created_ms / 1000, tz=timezone.utc) if created_ms is not None else mtime
    if state.last_activity_ms is not None and state.last_activity_ms > 0:
        modified = datetime.fromtimestamp(state.last_activity_ms / 1000, tz=timezone.utc)
    else:
        modified = created
    cwd = header.get("cwd")
    parent = header.get("parentSession")
    return SessionInfo(
        path=path,
        id=str(header.get("id", "")),
        cwd=cwd if isinstance(cwd, str) else "",
        name=state.name,
        parent_session=parent if isinstance(parent, str) else None,
        created=created,
        modified=modified,
        message_count=state.message_count,
        first_message=state.first_message or "(no messages)",
        source=source,
    )


def scan_session(path: Path, source: Source = "workbench") -> SessionInfo | None:
    """Uncached: scan one file into its list row."""
    st = os.stat(path)
    return info_from_state(Path(path), scan_file(Path(path)), st.st_mtime_ns, source)
