"""Checkpoint entries are invisible to pi: pi's own fixture, with a checkpoint before every
toolResult (where the runtime writes them), still gives pi's expected contexts, and the session
tree's default rows are the same as without them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sessions.conftest import FIXTURES, load_expected
from tests.sessions.test_fixtures import CONTEXT_LEAVES, summarise
from workbench.checkpoints import CHECKPOINT_TYPE
from workbench.checkpoints.timeline import Timeline, checkpoint_data, file_mark
from workbench.sessions import SessionManager
from workbench.sessions.tree_view import TreeIndex, TreeView


def _with_checkpoints(src: Path, dst: Path) -> list[str]:
    lines = [json.loads(line) for line in src.read_text().splitlines()]
    out, added = [], []
    for entry in lines:
        if entry.get("type") == "message" and entry["message"].get("role") == "toolResult":
            cid = f"c{len(added):07x}"
            files = [{"status": "M", "path": f"src/file{len(added)}.py"}]
            out.append({"type": "custom", "customType": CHECKPOINT_TYPE,
                        "data": checkpoint_data("a" * 40, "b" * 40, files, kind="tool",
                                                toolCallId=entry["message"].get("toolCallId")),
                        "id": cid, "parentId": entry["parentId"], "timestamp": entry["timestamp"]})
            entry = {**entry, "parentId": cid}
            added.append(cid)
        out.append(entry)
    dst.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in out))
    return added


def test_pi_context_and_tree_rows_are_unchanged(tmp_path):
    expected = load_expected("v3-branched-session.expected.json")
    path = tmp_path / "with-checkpoints.jsonl"
    added = _with_checkpoints(FIXTURES / "v3-branched-session.jsonl", path)
    assert len(added) >= 3
    with SessionManager.open(path, readonly=True) as m, \
            SessionManager.open(FIXTURES / "v3-branched-session.jsonl", readonly=True) as original:
        assert m.problems == []
        assert m.leaf_id == expected["leafIdAfterLoad"]
        assert m.build_context().to_json() == expected["fullContextAtLoadedLeaf"]
        for key, want in expected["contexts"].items():
            leaf = m.leaf_id if key == "<leaf after load>" else CONTEXT_LEAVES[key]
            context = m.build_context(leaf)
            got = {"thinkingLevel": context.thinking_level, "model": context.model,
                   "messages": [summarise(message) for message in context.messages]}
            assert got == want, key

        def rows(manager) -> list[str]:
            view = TreeView(TreeIndex(manager.entries), manager.leaf_id, manager.labels)
            return [view.row_text(i, selected=False) for i in range(len(view.rows))]

        assert rows(m) == rows(original)
        # Each toolResult below a checkpoint carries its mark; the checkpoint gives its state.
        by_id = {e["id"]: e for e in m.entries}
        marked = [e["id"] for e in m.entries if file_mark(by_id, e)]
        assert len(marked) == len(added)
        timeline = Timeline(m.entries)
        assert timeline.state_at(marked[0]).checkpoint_id == added[0]


def test_a_forged_tree_id_is_not_a_checkpoint():
    from workbench.checkpoints.timeline import is_checkpoint

    def entry(tree):
        return {"type": "custom", "customType": CHECKPOINT_TYPE, "id": "x", "parentId": None, "data": {"tree": tree}}

    assert is_checkpoint(entry("a" * 40))
    for bad in ("--output=/tmp/x", "HEAD", "a" * 39, "A" * 40, None, 7):
        assert not is_checkpoint(entry(bad))
    timeline = Timeline([{"type": "message", "id": "m", "parentId": None, "message": {"role": "user", "content": "x"}},
                         {**entry("b" * 40), "id": "c", "parentId": "m", "data": {"tree": "b" * 40, "base": "-x"}}])
    assert timeline.state_at("m").tree == "b" * 40  # a forged base falls back to the tree itself
