"""What a session list shows, read fast: a streaming scan of a session file without building its tree.

pi's own listing (`SessionManager.list`) JSON-parses every line of every file each time. Here a
line is only parsed when it matters: the header, `session_info` entries (the name), the first user
message (its text) and the last user/assistant message (last activity). Everything else is
classified by its line prefix, which is how pi and the workbench write entries.

The counts are those of the entries SessionManager loads from the file, read the same way
(the same functions from jsonl.py): a line whose prefix the loader vouches for (`{"type":…,
"id":…,"parentId":…,"timestamp":…` and a closing `}`) is one entry of that type even if its body
is damaged — a message then counts, with no text and no activity; any other line is read the
careful way: glued objects (`{…}{…}`) split, junk skipped up to the next entry. On an undamaged
file this is exactly pi's buildSessionInfo. One deliberate shortcut: the last activity is taken
from the last user/assistant message in the file rather than the maximum over all of them
(entries are appended in time order, so these agree on any file a clock did not go backwards in).

A scan can resume where it stopped (`ScanState.offset`), so a file that only grew is updated by
reading just its new bytes (see `cache.py`).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from workbench.sessions.jsonl import is_header, line_entries, line_values, match_prefix, parse_json
from workbench.sessions.migrate import header_version

Source = Literal["workbench", "pi"]

_PARENT_KEY = b'"parentId":'


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
    mob_id: str | None = None  # a mob member's session: its mob and identity (from the header)
    mob_member: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "id": self.id,
            "cwd": self.cwd,
            "name": self.name,
            "parent_session": self.parent_session,
            "created": iso_utc(self.created),
            "modified": iso_utc(self.modified),
            "message_count": self.message_count,
            "first_message": self.first_message,
            "source": self.source,
            "mob": {"id": self.mob_id, "member": self.mob_member} if self.mob_id else None,
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


def iso_utc(dt: datetime) -> str:
    """The one timestamp format of every `--json` listing: UTC, milliseconds, a trailing Z."""
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

    def __init__(self, state: ScanState, version: int):
        self.version = version
        self.fast = version >= 3  # the loader reads v1/v2 files the careful way only
        self.count = state.message_count
        self.name = state.name
        self.first = state.first_message
        self.last_ms = state.last_activity_ms
        self.last_ua: tuple[bytes, re.Match] | None = None  # the last user/assistant message line seen (unparsed)

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

    def lines(self, lines: list[bytes], first: int, check_glue: bool) -> int:
        """Every line from `first` on, read as the loader reads it. Returns how many `"parentId":`
        keys the lines hold by that reading (see `scan_bytes`: how a glued line is caught)."""
        fast = self.fast
        parent_keys = 0
        for i in range(first, len(lines)):
            line = lines[i]
            m = match_prefix(line) if fast else None
            if m is not None and not (check_glue and line.find(_PARENT_KEY, m.end()) >= 0):
                self._prefixed(line, m)
                parent_keys += 1
            elif line.strip():
                for obj in line_entries(line, self.version):
                    self.entry(obj)
                parent_keys += line.count(_PARENT_KEY)
        return parent_keys

    def _prefixed(self, line: bytes, m: re.Match) -> None:
        """A line the loader takes by its prefix: one entry of that type, whatever its body holds."""
        kind = m.group(1)
        if kind == b"message":
            role = m.group(5)
            if role is None or (role == b"user" and self.first is None):
                self.entry(_entry_of(line, m))  # counts it and records the text and its timestamp
                return
            self.count += 1
            if role == b"user" or role == b"assistant":
                self.last_ua = (line, m)
        elif kind == b"session_info":
            self.entry(_entry_of(line, m))

    def finish(self, offset: int, header: dict[str, Any] | None) -> ScanState:
        if self.last_ua is not None:
            # Only the last user/assistant line of this chunk is parsed for its timestamp: entries are
            # appended in time order, so it carries the latest activity.
            before = self.count
            self.entry(_entry_of(*self.last_ua))
            self.count = before
        return ScanState(offset, header, self.count, self.name, self.first, self.last_ms)


def _entry_of(line: bytes, m: re.Match) -> dict[str, Any]:
    """The entry a prefixed line holds. As for the loader, a body that doesn't parse leaves just
    the prefix fields (so it still counts as a message, with no text and no activity)."""
    try:
        obj = parse_json(line)
    except (ValueError, RecursionError):
        obj = None
    if isinstance(obj, dict):
        return obj
    parent = m.group(3)
    return {"type": m.group(1).decode(), "id": m.group(2).decode(),
            "parentId": parent.decode() if parent is not None else None, "timestamp": m.group(4).decode()}


def _find_header(lines: list[bytes]) -> tuple[dict[str, Any] | None, int, list[dict]]:
    """As the loader finds it: the first JSON value in the file, after blank and unreadable
    lines, must be a session header. Returns (the header or None, the index of the line after
    it, entries glued after the header on its line)."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        values = line_values(line)
        if not values:
            continue
        header = values[0][2]
        if not is_header(header):
            return None, i + 1, []
        return header, i + 1, line_entries(line, header_version(header), values[1:])
    return None, len(lines), []


def scan_bytes(data: bytes, state: ScanState | None = None, base: int = 0) -> ScanState:
    """Scan `data` (the file's bytes from offset `base`), continuing `state` if given.

    Only complete lines are consumed: a torn last line (no newline yet) is left for the next scan,
    unless it parses on its own.
    """
    # One split, no slicing of the (possibly huge) buffer: the pieces are the lines.
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when data ends with a newline
    end = len(data) - len(tail)
    if tail.strip():
        try:
            parse_json(tail)
            lines.append(tail)
            end = len(data)
        except (ValueError, RecursionError):
            pass
    first = 0
    glued: list[dict] = []
    if state is None:
        header, first, glued = _find_header(lines)
        state = ScanState(0, header)
    header = state.header
    if header is None:
        return replace(state, offset=base + end)
    version = header_version(header)
    scanner = _Scanner(state, version)
    for obj in glued:
        scanner.entry(obj)
    body = sum(len(line) + 1 for line in lines[:first])
    if scanner.lines(lines, first, check_glue=False) < data.count(_PARENT_KEY, body, end):
        # As the loader does: a line taken by its prefix held a second entry (`{…}{…}`). Read
        # again, sending each prefixed line with a second "parentId" key the careful way.
        scanner = _Scanner(state, version)
        for obj in glued:
            scanner.entry(obj)
        scanner.lines(lines, first, check_glue=True)
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
    mob = header.get("mob") if isinstance(header.get("mob"), dict) else {}
    mob_id, member = mob.get("id"), mob.get("member")
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
        mob_id=mob_id if isinstance(mob_id, str) else None,
        mob_member=member if isinstance(member, str) and isinstance(mob_id, str) else None,
    )


def scan_session(path: Path, source: Source = "workbench") -> SessionInfo | None:
    """Uncached: scan one file into its list row."""
    st = os.stat(path)
    return info_from_state(Path(path), scan_file(Path(path)), st.st_mtime_ns, source)
