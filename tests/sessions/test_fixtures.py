"""pi's own session files give pi's own results (shared/fixtures/pi-sessions/expected)."""

from __future__ import annotations

import json

import pytest

from workbench.sessions import SessionManager, walk_depth_first

from .conftest import FIXTURES, load_expected

NAMED = load_expected("named-ids.json")
# expected-context key -> the leaf it was built at
CONTEXT_LEAVES = {
    "leafA_a5": NAMED["leafA"],
    "leafB_a7": NAMED["leafB"],
    "root_null": None,
    "u2b": NAMED["u2b"],
    "u3_after_branch_summary": NAMED["u3"],
    "label_entry_lbl1": NAMED["lbl1"],
}


def summarise(message: dict) -> dict:
    """The expected files summarise each message as role + text (summaries cut at 40 chars)."""
    role = message["role"]
    if role in ("compactionSummary", "branchSummary"):
        text = message["summary"][:40]
    elif role == "bashExecution":
        text = message["command"]
    else:
        content = message["content"]
        if isinstance(content, str):
            text = content
        else:
            text = "".join(block.get("text", "") for block in content if block.get("type") == "text")
    return {"role": role, "text": text}


def tree_shape(nodes) -> list[dict]:
    """Our tree as the expected JSON spells it: {id, type, label?, children}; built iteratively."""
    out: list[dict] = []
    stack = [(node, out) for node in reversed(nodes)]
    while stack:
        node, siblings = stack.pop()
        item = {"id": node.id, "type": node.type}
        if node.label is not None:
            item["label"] = node.label
        item["children"] = []
        siblings.append(item)
        stack.extend((child, item["children"]) for child in reversed(node.children))
    return out


def _normalise_expected_tree(nodes: list[dict]) -> list[dict]:
    return json.loads(json.dumps(nodes), object_hook=lambda d: {k: d[k] for k in ("id", "type", "label", "children") if k in d} if "children" in d else d)


@pytest.mark.parametrize("name", ["v3-branched-session", "v3-forked-session"])
def test_v3_fixture_matches_pi(name):
    expected = load_expected(f"{name}.expected.json")
    with SessionManager.open(FIXTURES / f"{name}.jsonl", readonly=True) as m:
        assert m.problems == []
        assert m.header == expected["header"]
        assert m.leaf_id == expected["leafIdAfterLoad"]
        assert m.name == expected["sessionName"]
        assert m.labels == expected["labels"]
        assert list(m.labels) == list(expected["labels"])  # insertion order too (fork re-creates labels in it)
        assert tree_shape(m.get_tree()) == _normalise_expected_tree(expected["tree"])

        full = m.build_context()
        assert full.to_json() == expected["fullContextAtLoadedLeaf"]

        for key, want in expected["contexts"].items():
            leaf = m.leaf_id if key == "<leaf after load>" else CONTEXT_LEAVES[key]
            context = m.build_context(leaf)
            got = {
                "thinkingLevel": context.thinking_level,
                "model": context.model,
                "messages": [summarise(message) for message in context.messages],
            }
            assert got == want, key


def test_every_named_leaf_builds_a_context_consistent_with_its_path():
    with SessionManager.open(FIXTURES / "v3-branched-session.jsonl", readonly=True) as m:
        for name, entry_id in NAMED.items():
            branch = m.get_branch(entry_id)
            assert branch[-1]["id"] == entry_id, name
            assert branch[0]["parentId"] is None
            context = m.build_context(entry_id)
            # without a compaction on the path every message entry on it is in the context, in order
            if not any(entry["type"] == "compaction" for entry in branch):
                wanted = [e["message"] for e in branch if e["type"] == "message"]
                got = [msg for msg in context.messages if msg["role"] not in ("custom", "branchSummary")]
                assert got == wanted, name


def test_synthetic_messages_are_pi_shaped():
    with SessionManager.open(FIXTURES / "v3-branched-session.jsonl", readonly=True) as m:
        messages = m.build_context(NAMED["u3"]).messages
    branch_summary = next(msg for msg in messages if msg["role"] == "branchSummary")
    custom = next(msg for msg in messages if msg["role"] == "custom")
    assert list(branch_summary) == ["role", "summary", "fromId", "timestamp"]
    assert branch_summary["fromId"] == NAMED["a5"]
    assert branch_summary["timestamp"] == 1795247708515
    assert custom == {
        "role": "custom",
        "customType": "reminder",
        "content": "Remember: run the linter before committing.",
        "display": True,
        "details": {"source": "todo-ext"},
        "timestamp": 1795247708555,
    }


def test_children_and_tree_order():
    with SessionManager.open(FIXTURES / "v3-branched-session.jsonl", readonly=True) as m:
        children = [entry["id"] for entry in m.get_children(NAMED["bash2"])]
        assert children == [NAMED["u2"], NAMED["u2b"]]
        order = [node.id for node, _ in walk_depth_first(m.get_tree())]
        assert len(order) == len(m.entries) == 36
        assert order.index(NAMED["leafA"]) < order.index(NAMED["u2b"])


def test_v1_migration_matches_pi():
    expected = load_expected("v1-migration.expected.json")["v1-before-compaction"]
    path = FIXTURES / "v1-before-compaction.jsonl"
    before = path.read_bytes()
    with SessionManager.open(path, readonly=True) as m:
        assert m.source_version == 1
        assert m.header == expected["headerAfterMigration"]
        assert list(m.header) == list(expected["headerAfterMigration"])  # `version` added last, as JS does
        assert len(before.splitlines()) == expected["rawLineCount"]
        assert len(m.entries) == expected["parsedEntriesExcludingHeader"]
        assert len(m.get_tree()) == expected["rootCount"]
        entries = list(m.entries)
        index_of = {entry["id"]: i for i, entry in enumerate(entries)}
        compactions = [
            {
                "entryIndex": i,
                "firstKeptEntryIndex": index_of[entry["firstKeptEntryId"]],
                "tokensBefore": entry["tokensBefore"],
                "hasFirstKeptEntryIndexField": "firstKeptEntryIndex" in entry,
            }
            for i, entry in enumerate(entries)
            if entry["type"] == "compaction"
        ]
        assert compactions == expected["compactions"]
        for i, entry in enumerate(entries):
            assert entry["parentId"] == (entries[i - 1]["id"] if i else None)
        context = m.build_context()
        want = expected["contextAtLoadedLeaf"]
        roles: dict[str, int] = {}
        for message in context.messages:
            roles[message["role"]] = roles.get(message["role"], 0) + 1
        assert context.thinking_level == want["thinkingLevel"]
        assert context.model == want["model"]
        assert len(context.messages) == want["messageCount"]
        assert roles == want["roles"]
        assert context.messages[0]["role"] == want["firstRole"]
        assert len({entry["id"] for entry in entries}) == len(entries)
    assert path.read_bytes() == before  # migrating never touches the original bytes
