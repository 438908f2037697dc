"""The loader against hostile input: only SessionFileError, never a write; deep trees."""

from __future__ import annotations

import os
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.sessions import SessionFileError, SessionManager, walk_depth_first

from .conftest import FIXTURES

SAMPLE = (FIXTURES / "v3-branched-session.jsonl").read_bytes()
SAMPLE_LINES = SAMPLE.splitlines(keepends=True)
FORKED_LINES = (FIXTURES / "v3-forked-session.jsonl").read_bytes().splitlines(keepends=True)


def _exercise(path) -> None:
    """Open (for writing: the lock must not touch the file) and read everything."""
    before = path.read_bytes()
    stamp = os.stat(path).st_mtime_ns
    try:
        with SessionManager.open(path) as m:
            m.verify()
            for node, _ in walk_depth_first(m.get_tree()):
                m.build_context(node.id)
            m.build_context()
            _ = m.name, m.labels, m.entries[:]
    except SessionFileError:
        pass
    assert path.read_bytes() == before
    assert os.stat(path).st_mtime_ns == stamp


_settings = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings
@given(st.binary(max_size=2000))
def test_random_bytes(tmp_path, data):
    path = tmp_path / "s.jsonl"
    path.write_bytes(data)
    _exercise(path)


@_settings
@given(st.binary(max_size=400), st.binary(max_size=400))
def test_random_bytes_after_a_valid_header(tmp_path, middle, tail):
    path = tmp_path / "s.jsonl"
    path.write_bytes(SAMPLE_LINES[0] + middle + b"\n" + SAMPLE_LINES[5] + tail)
    _exercise(path)


@_settings
@given(st.integers(min_value=0, max_value=len(SAMPLE)), st.integers(min_value=0, max_value=len(SAMPLE)))
def test_truncations_and_cut_outs(tmp_path, a, b):
    lo, hi = sorted((a, b))
    path = tmp_path / "s.jsonl"
    path.write_bytes(SAMPLE[:lo] + SAMPLE[hi:])
    _exercise(path)


@_settings
@given(st.randoms(use_true_random=False), st.booleans())
def test_shuffled_and_duplicated_lines(tmp_path, rng, keep_header_first):
    lines = list(SAMPLE_LINES[1:] + FORKED_LINES[1:])
    rng.shuffle(lines)
    lines = lines[: rng.randint(0, len(lines))] + lines[: rng.randint(0, 5)]
    if keep_header_first:
        lines.insert(0, SAMPLE_LINES[0])
    else:
        lines.insert(rng.randint(0, len(lines)), SAMPLE_LINES[0])
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(lines))
    _exercise(path)


@_settings
@given(st.lists(st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(0, 255)), max_size=8))
def test_byte_flips(tmp_path, flips):
    data = bytearray(SAMPLE)
    for index, value in flips:
        data[index] = value
    path = tmp_path / "s.jsonl"
    path.write_bytes(bytes(data))
    _exercise(path)


def _chain(count: int, parent_of=lambda i: i - 1) -> bytes:
    out = [b'{"type":"session","version":3,"id":"u","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p"}\n']
    for i in range(count):
        parent = parent_of(i)
        parent_json = b"null" if parent is None or parent < 0 else b'"%08x"' % parent
        out.append(
            b'{"type":"message","id":"%08x","parentId":%s,"timestamp":"2026-01-01T00:00:00.000Z","message":{"role":"user","content":"m%d","timestamp":1}}\n'
            % (i, parent_json, i)
        )
    return b"".join(out)


def test_200k_deep_chain_does_not_blow_the_stack(tmp_path):
    # a compaction near the end keeps the context small while the path walk stays 200,000 deep
    compaction = (
        b'{"type":"compaction","id":"cccccccc","parentId":"%08x","timestamp":"2026-01-01T00:00:00.000Z",'
        b'"summary":"s","firstKeptEntryId":"%08x","tokensBefore":1}\n' % (199_999, 199_997)
    )
    after = b'{"type":"custom_message","customType":"n","content":"end","display":true,"id":"dddddddd","parentId":"cccccccc","timestamp":"2026-01-01T00:00:00.000Z"}\n'
    path = tmp_path / "deep.jsonl"
    path.write_bytes(_chain(200_000) + compaction + after)
    with SessionManager.open(path, readonly=True) as m:
        roots = m.get_tree()
        assert len(roots) == 1
        assert max(d for _, d in walk_depth_first(roots)) == 200_001
        assert len(m.get_branch_ids()) == 200_002
        context = m.build_context()
        assert [msg.get("content") for msg in context.messages] == [None, "m199997", "m199998", "m199999", "end"]
        assert context.model is None and context.thinking_level == "off"


def test_orphans_self_loops_and_cycles_become_roots(tmp_path):
    # 0 <- 1, 2 orphan (parent missing), 3 self-loop, 4 <-> 5 cycle, 6 child of 5
    parents = {0: None, 1: 0, 2: 99, 3: 3, 4: 5, 5: 4, 6: 5}
    path = tmp_path / "odd.jsonl"
    path.write_bytes(_chain(7, parents.get))
    with SessionManager.open(path, readonly=True) as m:
        roots = m.get_tree()
        assert [n.id for n in roots] == ["%08x" % i for i in (0, 2, 3, 4)]  # file order
        seen = sorted(n.id for n, _ in walk_depth_first(roots))
        assert seen == ["%08x" % i for i in range(7)]  # nothing lost
        assert [e["id"] for e in m.get_branch("%08x" % 6)][-1] == "%08x" % 6  # the path walk stops at the cycle
        assert m.build_context("%08x" % 3).messages[-1]["content"] == "m3"


def test_children_sorted_by_timestamp_not_file_order(tmp_path):
    path = tmp_path / "t.jsonl"
    rng = random.Random(5)
    stamps = [f"2026-01-01T00:00:0{i}.000Z" for i in range(1, 6)]
    shuffled = stamps[:]
    rng.shuffle(shuffled)
    lines = [b'{"type":"session","version":3,"id":"u","timestamp":"2026-01-01T00:00:00.000Z","cwd":"/p"}\n']
    lines.append(b'{"type":"custom","customType":"r","id":"rootroot","parentId":null,"timestamp":"2026-01-01T00:00:00.000Z"}\n')
    for i, stamp in enumerate(shuffled):
        lines.append(b'{"type":"custom","customType":"c","id":"c%07d","parentId":"rootroot","timestamp":"%s"}\n' % (i, stamp.encode()))
    path.write_bytes(b"".join(lines))
    with SessionManager.open(path, readonly=True) as m:
        children = m.get_tree()[0].children
        assert [c.timestamp for c in children] == stamps
        assert [c["timestamp"] for c in m.get_children("rootroot")] == shuffled  # getChildren keeps file order
