"""Issue 13 item 24 and issue 20 goal 3, the store's side: a session holding huge messages is read
without keeping copies of them (entries are parsed on demand and views of every entry do not
keep their parse), and `sessions show` stays linear in the size of the file."""

import contextlib
import gc
import io
import json
import time
import tracemalloc
from argparse import Namespace

from workbench.runtime.session_settings import stored
from workbench.sessions.cli import run_sessions_command
from workbench.sessions.manager import SessionManager
from workbench.sessions.tree_view import TreeIndex

USAGE = {"input": 1, "output": 1, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 2,
         "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "total": 0}}


def write(path, big: str, *, on_branch: bool) -> None:
    """user, assistant, then the big tool result; with `on_branch` the session goes on from the
    assistant on another branch, so the big entry is not on the current path."""
    ts = "2026-01-05T09:00:00.000Z"
    meta = {"api": "anthropic-messages", "provider": "anthropic", "model": "claude-sonnet-4-5", "usage": USAGE,
            "timestamp": 1}
    rows = [
        {"type": "session", "version": 3, "id": "s1", "timestamp": ts, "cwd": "/tmp"},
        {"type": "message", "id": "a1", "parentId": None, "timestamp": ts,
         "message": {"role": "user", "content": [{"type": "text", "text": "read it"}], "timestamp": 1}},
        {"type": "message", "id": "a2", "parentId": "a1", "timestamp": ts,
         "message": {"role": "assistant", "content": [{"type": "toolCall", "id": "t1", "name": "read",
                                                       "arguments": {"path": "big.txt"}}],
                     "stopReason": "toolUse", **meta}},
        {"type": "message", "id": "a3", "parentId": "a2", "timestamp": ts,
         "message": {"role": "toolResult", "toolCallId": "t1", "toolName": "read",
                     "content": [{"type": "text", "text": big}], "isError": False, "timestamp": 1}},
        {"type": "custom", "id": "a4", "parentId": "a3", "timestamp": ts, "customType": "workbench.mode",
         "data": {"mode": "edits"}},
        {"type": "message", "id": "a5", "parentId": "a2" if on_branch else "a4", "timestamp": ts,
         "message": {"role": "assistant", "content": [{"type": "text", "text": "done"}], "stopReason": "stop",
                     **meta}},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows))  # as pi


def test_reading_every_entry_for_totals_settings_and_the_tree_keeps_no_parse_of_a_huge_one(tmp_path):
    big = "x" * (8 << 20)
    path = tmp_path / "s.jsonl"
    write(path, big, on_branch=True)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        manager = SessionManager.open(path, readonly=True, warm=False)  # as the TUI opens it
        context = manager.build_context()
        assert [m["role"] for m in context.messages] == ["user", "assistant", "assistant"]
        assert sum(1 for _ in manager.messages("assistant", keep=False)) == 2  # the agent's spend totals
        assert stored(manager) == ("edits", None)  # the settings the session recorded
        index = TreeIndex(manager.lazy_entries())  # the tree: a row per entry, each summarised
        rows = [index.summary(n) for n in range(len(index))]
        assert index.kinds == ["user", "assistant_tools", "tool", "custom", "assistant"]
        assert "read" in "".join(text for text, _ in rows[2])
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the file's bytes, once: the big entry was read for its row and let go (it used to be kept
    # parsed beside them, twice the file)
    assert held < 1.3 * size, (held, size)
    # while one is parsed: the bytes, the text decoded and its parse (orjson's own peak was 16× the file)
    assert peak < 5 * size, (peak, size)
    assert manager._by_id["a3"].obj is None
    # asked for, the entry is whole
    assert manager.get_entry("a3")["message"]["content"][0]["text"] == big
    manager.close()


def _show_seconds(path) -> float:
    args = Namespace(sessions_command="show", target=str(path), json=False, leaf=None, all=False)
    out = io.StringIO()
    gc.collect()
    gc.disable()  # a full collection of what other tests left in this worker is not `show`'s time
    try:
        start = time.process_time()  # CPU time: what a loaded machine adds is waiting, not this
        with contextlib.redirect_stdout(out):
            assert run_sessions_command(args) == 0
        took = time.process_time() - start
    finally:
        gc.enable()
    assert "toolResult" in out.getvalue() or "read" in out.getvalue()
    return took


def test_sessions_show_is_linear_in_the_size_of_a_huge_message(tmp_path):
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    write(small, "line of a file\n" * (4 << 16), on_branch=False)  # ~4 MB
    write(large, "line of a file\n" * (16 << 16), on_branch=False)  # 4× that
    _show_seconds(small)  # imports and caches warm
    t_small = min(_show_seconds(small) for _ in range(3))
    t_large = min(_show_seconds(large) for _ in range(3))
    assert t_large < 8 * t_small + 0.05, (t_small, t_large)  # linear would be 4×
