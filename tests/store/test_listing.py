"""The streaming listing scan agrees with a plain full parse (pi's buildSessionInfo) on every file shape."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from gen_session import generate_session, session_lines, write_session
from workbench.sessions.listing import ScanState, scan_bytes, scan_file, scan_session
from workbench.sessions.manager import SessionManager

from .conftest import FIXTURES


def pi_entries(path: Path) -> list[dict]:
    """The entries as pi reads a clean file: every line JSON-parsed (glued objects split), bad lines skipped."""
    entries = []
    decoder = json.JSONDecoder()
    for raw in path.read_bytes().split(b"\n"):
        try:
            text = raw.decode("utf-8").strip(" \t\r")
        except UnicodeDecodeError:
            continue
        pos, found = 0, []
        while pos < len(text):
            try:
                obj, pos = decoder.raw_decode(text, pos)
            except json.JSONDecodeError:
                found = []
                break
            found.append(obj)
            text_rest = text[pos:]
            pos += len(text_rest) - len(text_rest.lstrip(" \t\r"))
        entries += [obj for obj in found if isinstance(obj, dict)]
    return entries


def loader_entries(path: Path) -> list[dict]:
    """The header and entries as SessionManager loads them: what a listing's counts refer to
    (damaged lines included: a line taken by its prefix stays an entry of that type)."""
    with SessionManager.open(path, readonly=True, warm=False) as manager:
        return [manager.header, *manager.entries]


def info_from_entries(entries: list[dict]) -> dict:
    """pi's buildSessionInfo, written plainly."""
    header = entries[0]
    count, first, name, last = 0, None, None, None
    for e in entries[1:]:
        if e.get("type") == "session_info":
            name = (e.get("name") or "").strip() or None
        if e.get("type") != "message":
            continue
        count += 1
        m = e.get("message")
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant") or not isinstance(m.get("content"), (str, list)):
            continue
        ts = m.get("timestamp")
        last = max(last or 0, ts)
        content = m["content"]
        text = content if isinstance(content, str) else " ".join(
            b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str))
        if first is None and m["role"] == "user" and text:
            first = text
    return {"id": header["id"], "cwd": header["cwd"], "name": name, "parent": header.get("parentSession"),
            "count": count, "first": first or "(no messages)",
            "modified": datetime.fromtimestamp(last / 1000, tz=timezone.utc) if last else None}


def reference_info(path: Path) -> dict:
    return info_from_entries(loader_entries(path))


def assert_matches_reference(path: Path, *, clean: bool = True) -> None:
    info = scan_session(path)
    ref = reference_info(path)
    if clean:  # on a file without damaged lines, the loader and pi's plain parse agree
        assert info_from_entries(pi_entries(path)) == ref
    assert info is not None
    assert (info.id, info.cwd, info.name, info.parent_session) == (ref["id"], ref["cwd"], ref["name"], ref["parent"])
    assert (info.message_count, info.first_message) == (ref["count"], ref["first"])
    if ref["modified"] is not None:
        assert info.modified == ref["modified"]


@pytest.mark.parametrize("name", ["v3-branched-session", "v3-forked-session", "v1-before-compaction"])
def test_pi_fixtures_match_full_parse(name):
    assert_matches_reference(FIXTURES / f"{name}.jsonl")


def test_branched_fixture_values():
    info = scan_session(FIXTURES / "v3-branched-session.jsonl")
    assert info.name == "Verbose flag work"
    assert info.first_message == "Add a --verbose flag to the CLI"
    assert info.id == "095c9696-bb99-4ea8-b0c1-bb964370bc89"
    assert info.created == datetime(2026, 11, 21, 7, 55, 8, 429000, tzinfo=timezone.utc)
    forked = scan_session(FIXTURES / "v3-forked-session.jsonl")
    assert forked.parent_session.endswith("_095c9696-bb99-4ea8-b0c1-bb964370bc89.jsonl")
    assert forked.name is None


def test_generated_session_matches_full_parse(tmp_path):
    g = generate_session(tmp_path, target_bytes=2 << 20, entries=1200, seed=7)
    assert_matches_reference(g.path)


def _lines(tmp_path, seed=3):
    lines, _ = session_lines(target_bytes=200_000, entries=120, seed=seed)
    return lines


def _reorder(lines):
    obj = json.loads(lines[5])  # a message written with another key order (not by pi)
    lines[5] = json.dumps(dict(reversed(list(obj.items()))), separators=(",", ":")) + "\n"


def _glue(lines):
    lines[8] = lines[8].rstrip("\n") + lines[9]  # two entries on one line, as pi sometimes writes
    lines[9] = "\n"


def _crlf_and_garbage(lines):
    lines[10] = lines[10].rstrip("\n") + "\r\n"
    lines.insert(12, "this is not json\n")
    lines.insert(13, lines[14][: len(lines[14]) // 2] + "\n")  # a torn message line mid-file


def _clear_name(lines):
    lines.append(json.dumps({"type": "session_info", "id": "ffffffff", "parentId": None,
                             "timestamp": "2026-01-09T00:00:00.000Z", "name": "  "}) + "\n")


@pytest.mark.parametrize("mangle", [_reorder, _glue, _crlf_and_garbage, _clear_name])
def test_odd_layouts_match_full_parse(tmp_path, mangle):
    lines = _lines(tmp_path)
    mangle(lines)
    path = tmp_path / "odd.jsonl"
    write_session(path, lines)
    assert_matches_reference(path, clean=mangle is not _crlf_and_garbage)


def test_cleared_name(tmp_path):
    lines = _lines(tmp_path)
    assert scan_session(_write(tmp_path, lines)).name == "bench session 3"
    _clear_name(lines)
    assert scan_session(_write(tmp_path, lines)).name is None


def _write(tmp_path, lines):
    path = tmp_path / "w.jsonl"
    write_session(path, lines)
    return path


def test_torn_last_line_is_left_for_later(tmp_path):
    lines = _lines(tmp_path)
    full = "".join(lines).encode()
    cut = len(full) - 40  # inside the last line
    state = scan_bytes(full[:cut])
    assert state.offset == full.rfind(b"\n", 0, cut) + 1
    # Continuing from the offset over the completed bytes gives the same as one scan.
    resumed = scan_bytes(full[state.offset:], state, state.offset)
    assert resumed == scan_bytes(full)


def test_incremental_scan_equals_full_scan(tmp_path):
    lines = _lines(tmp_path, seed=11)
    path = tmp_path / "s.jsonl"
    write_session(path, lines[:50])
    state = scan_file(path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("".join(lines[50:]))
    assert scan_file(path, state) == scan_file(path)


def test_no_header_is_not_a_session(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"type":"message","id":"a","parentId":null}\n')
    assert scan_session(p) is None
    p.write_text("")
    assert scan_session(p) is None
    p.write_bytes(b"\xff\xfe garbage\n")
    assert scan_session(p) is None


def test_user_message_without_text_is_skipped_for_first_message(tmp_path):
    lines = _lines(tmp_path)
    first_user = next(i for i, l in enumerate(lines) if '"role":"user"' in l)
    obj = json.loads(lines[first_user])
    obj["message"]["content"] = [{"type": "image", "data": "AAAA", "mimeType": "image/png"}]
    lines[first_user] = json.dumps(obj, separators=(",", ":")) + "\n"
    path = tmp_path / "img.jsonl"
    write_session(path, lines)
    assert_matches_reference(path)
    second_user = json.loads(next(l for l in lines[first_user + 1:] if '"role":"user"' in l))
    assert scan_session(path).first_message == second_user["message"]["content"][0]["text"]


def test_state_round_trips_through_json():
    state = scan_file(FIXTURES / "v3-branched-session.jsonl")
    assert ScanState.from_json(json.loads(json.dumps(state.to_json()))) == state
