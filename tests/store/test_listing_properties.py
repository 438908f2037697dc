"""Property tests: the listing scan never raises on damaged files and agrees with a full parse."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gen_session import session_lines
from workbench.sessions.listing import scan_bytes

from .test_listing import reference_info

LINES, _ = session_lines(target_bytes=60_000, entries=40, seed=21)


def _reference(data: bytes, tmp_path) -> dict | None:
    first = data.split(b"\n", 1)[0]
    try:
        header = json.loads(first)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("type") != "session":
        return None
    path = tmp_path / "ref.jsonl"
    path.write_bytes(data)
    return reference_info(path)


line_ops = st.lists(
    st.one_of(
        st.tuples(st.just("drop"), st.integers(1, len(LINES) - 1)),
        st.tuples(st.just("dup"), st.integers(1, len(LINES) - 1)),
        st.tuples(st.just("swap"), st.integers(1, len(LINES) - 1), st.integers(1, len(LINES) - 1)),
        st.tuples(st.just("garbage"), st.integers(1, len(LINES) - 1), st.binary(max_size=40)),
        st.tuples(st.just("glue"), st.integers(1, len(LINES) - 2)),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=line_ops)
def test_line_level_damage_matches_full_parse(ops, tmp_path):
    lines = [line.encode() for line in LINES]
    for op in ops:
        i = op[1] if op[1] < len(lines) else len(lines) - 1
        if op[0] == "drop" and len(lines) > 2:
            del lines[i]
        elif op[0] == "dup":
            lines.insert(i, lines[i])
        elif op[0] == "swap":
            j = min(op[2], len(lines) - 1)
            lines[i], lines[j] = lines[j], lines[i]
        elif op[0] == "garbage":
            junk = op[2].replace(b"\n", b" ")
            if not junk.strip().startswith((b"{", b"[")):  # a garbage line that is not JSON
                lines.insert(i, junk + b"\n")
        elif op[0] == "glue" and i + 1 < len(lines):
            lines[i] = lines[i].rstrip(b"\n") + lines.pop(i + 1)
    data = b"".join(lines)
    state = scan_bytes(data)
    ref = _reference(data, tmp_path)
    if ref is None:
        assert state.header is None
        return
    assert state.header is not None
    assert (state.message_count, state.name, state.first_message or "(no messages)") == (ref["count"], ref["name"], ref["first"])


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), cut=st.integers(0, 2000), prefix=st.booleans())
def test_arbitrary_bytes_never_raise(data, cut, prefix):
    body = "".join(LINES).encode()
    blob = (body[:cut] + data + body[cut:]) if prefix else data
    state = scan_bytes(blob)
    assert 0 <= state.offset <= len(blob)
    # Continuing from where it stopped over the same bytes adds nothing new and never raises.
    scan_bytes(blob[state.offset:], state, state.offset)
