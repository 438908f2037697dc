"""Entries parsed by orjson are exactly what the standard library gives; the background warm-up
after open changes nothing but speed."""

from __future__ import annotations

import json
import math
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.sessions import SessionManager
from workbench.sessions.jsonl import parse_json
from workbench.sessions.warmup import WARM_MIN_BYTES

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
from gen_session import generate_session  # noqa: E402

STDLIB = json.JSONDecoder(parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))


def stdlib(raw: bytes):
    return STDLIB.decode(raw.decode("utf-8", "replace"))


def same(a, b) -> bool:
    """Equal, with the same types all the way down (1 != 1.0 here; -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def assert_parses_like_stdlib(raw: bytes) -> None:
    try:
        expected = stdlib(raw)
    except (ValueError, RecursionError):
        with pytest.raises((ValueError, RecursionError)):
            parse_json(raw)
        return
    assert same(parse_json(raw), expected), raw[:200]


json_values = st.recursive(
    st.none() | st.booleans() | st.text() | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers() | st.integers(min_value=-(2**70), max_value=2**70),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, ascii_only=st.booleans())
def test_valid_json_parses_exactly_as_the_standard_library(value, ascii_only):
    assert_parses_like_stdlib(json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(value=json_values, cut=st.integers(0, 400), junk=st.binary(max_size=6))
def test_damaged_json_fails_or_parses_exactly_as_the_standard_library(value, cut, junk):
    raw = json.dumps({"type": "message", "v": value}).encode()
    assert_parses_like_stdlib(raw[:cut] + junk + raw[cut:])


@pytest.mark.parametrize("raw", [
    b'{"n":18446744073709551616}',  # beyond 64 bits: orjson would make it a float
    b'{"n":-9223372036854775809}',
    b'{"n":9223372036854775807}',
    b'{"n":1e400}',  # inf for the standard library; orjson refuses
    b'{"n":NaN}', b'{"n":Infinity}',  # neither accepts these here (JSON.parse doesn't)
    b'{"s":"\\ud800"}',  # lone surrogate escape
    b'{"s":"caf\xe9"}',  # invalid UTF-8: decoded with replacement, as Node reads it
    b'{"s":"\\ud83d\\ude00","a":1,"a":2}',
    b'{"x":' + b"[" * 5000 + b"]" * 5000 + b"}",  # too deep for either
])
def test_edge_cases_match_the_standard_library(raw):
    assert_parses_like_stdlib(raw)


@pytest.fixture(scope="module")
def big_session(tmp_path_factory) -> tuple[Path, list[str]]:
    directory = tmp_path_factory.mktemp("big")
    gen = generate_session(directory, target_bytes=WARM_MIN_BYTES + (1 << 20), entries=1_200, seed=5)
    assert gen.path.stat().st_size >= WARM_MIN_BYTES and gen.other_leaf_ids
    return gen.path, [gen.leaf_id, *gen.other_leaf_ids]


def _contexts(manager: SessionManager, leaves: list[str]) -> list[dict]:
    return [manager.build_context(leaf).to_json() for leaf in leaves]


def test_warm_up_parses_every_entry_and_changes_no_context(big_session):
    path, leaves = big_session
    with SessionManager.open(path, readonly=True, warm=False) as cold:
        expected = _contexts(cold, leaves)
        assert cold._warmup is None
    with SessionManager.open(path, readonly=True) as manager:
        assert manager._warmup is None  # nothing competes with the first context
        manager.build_context()
        assert manager.wait_warm(timeout=30)
        assert all(record.obj is not None for record in manager._records)
        assert _contexts(manager, leaves) == expected
        assert manager.verify() == []


def test_contexts_built_while_warming_up_are_the_same(big_session):
    path, leaves = big_session
    with SessionManager.open(path, readonly=True, warm=False) as cold:
        expected = _contexts(cold, leaves)
    with SessionManager.open(path) as manager:
        manager.build_context()  # starts the warm-up; race it from the start
        assert _contexts(manager, leaves) == expected
        manager.append_message({"role": "user", "content": "after the warm-up began", "timestamp": 1})
        manager.wait_warm(timeout=30)
        assert manager.build_context().messages[-1]["content"] == "after the warm-up began"
        assert _contexts(manager, leaves) == expected


def test_close_stops_the_warm_up_thread(big_session):
    path, _ = big_session
    manager = SessionManager.open(path, readonly=True)
    manager.build_context()
    thread = manager._warmup._thread
    manager.close()
    assert not thread.is_alive()
    assert manager.wait_warm(timeout=0)
    assert not any(t.name == "session-warmup" and t is thread for t in threading.enumerate())


def test_a_damaged_entry_is_left_for_the_reader_to_report(tmp_path, big_session):
    path, _ = big_session
    lines = path.read_bytes().split(b"\n")
    # keep the prefix the fast path vouches for, break the body behind it
    victim = next(i for i, line in enumerate(lines) if line.startswith(b'{"type":"message"') and len(line) > 600)
    lines[victim] = lines[victim][:500] + b"\x00 not json }"
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"\n".join(lines))
    with SessionManager.open(broken, readonly=True) as manager:
        manager.build_context()
        manager.wait_warm(timeout=30)
        problems = manager.verify()
    assert [(p.line, p.kind) for p in problems] == [(victim + 1, "corrupt")]


def test_small_files_start_no_thread(fixtures_dir):
    with SessionManager.open(fixtures_dir / "v3-branched-session.jsonl", readonly=True) as manager:
        manager.build_context()
        assert manager._warmup is None and manager.wait_warm(timeout=0)
