"""Property tests: the listing scan never raises on damaged files, and its counts agree with what
SessionManager loads from them (the listing's definition of a damaged file's message count)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gen_session import session_lines
from workbench.sessions.errors import SessionFileError
from workbench.sessions.listing import scan_bytes

from .test_listing import reference_info

LINES, _ = session_lines(target_bytes=60_000, entries=40, seed=21)


def _reference(data: bytes, tmp_path) -> dict | None:
    path = tmp_path / "ref.jsonl"
    path.write_bytes(data)
    try:
        return reference_info(path)
    except SessionFileError:  # no session header: not listed
        return None


line_ops = st.lists(
    st.one_of(
        st.tuples(st.just("drop"), st.integers(1, len(LINES) - 1)),
        st.tuples(st.just("dup"), st.integers(1, len(LINES) - 1)),
        st.tuples(st.just("swap"), st.integers(1, len(LINES) - 1), st.integers(1, len(LINES) - 1)),
        st.tuples(st.just("garbage"), st.integers(1, len(LINES) - 1), st.binary(max_size=40)),
        st.tuples(st.just("glue"), st.integers(1, len(LINES) - 2)),
        # junk in front of an entry (the loader skips to the entry; pi would drop the line)
        st.tuples(st.just("prefix"), st.integers(1, len(LINES) - 1), st.binary(min_size=1, max_size=8)),
        # a body damaged behind an intact prefix, still ending in "}" (the loader keeps the entry)
        st.tuples(st.just("break"), st.integers(1, len(LINES) - 1), st.integers(20, 400)),
        # a line cut short mid-file
        st.tuples(st.just("cut"), st.integers(1, len(LINES) - 1), st.integers(1, 400)),
    ),
    max_size=8,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=line_ops)
@example(ops=[("garbage", 3, b"\x1c"), ("glue", 3)])  # junk glued in front of a message entry
@example(ops=[("drop", 1), ("garbage", 2, b"\x00"), ("glue", 2)])
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
        elif op[0] == "prefix":
            lines[i] = op[2].replace(b"\n", b" ") + lines[i]
        elif op[0] == "break":
            body = lines[i].rstrip(b"\n")
            lines[i] = body[: min(op[2], len(body) - 1)] + b"\x00}\n"
        elif op[0] == "cut":
            lines[i] = lines[i].rstrip(b"\n")[: op[2]] + b"\n"
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
