"""Entries pi's format allows to be odd (issue 13 item 25): a parentId that is an object, content
blocks that are numbers, content that is a number. Each is a problem naming the line; reading,
the tree, the context and a request built from it keep working, and the bytes stay on disk."""

from __future__ import annotations

from pathlib import Path

from workbench.cli import main
from workbench.providers.anthropic_provider import convert_messages as anthropic_messages
from workbench.providers.openai_provider import convert_messages as openai_messages
from workbench.runtime.compaction import estimate_context_tokens
from workbench.sessions import SessionManager

HEADER = ('{"type":"session","version":3,"id":"44444444-0000-4000-8000-000000000000",'
          '"timestamp":"2026-01-01T00:00:00.000Z","cwd":"/w"}\n')
LINES = [
    '{"type":"message","id":"aa000001","parentId":null,"timestamp":"2026-01-01T00:00:00.000Z",'
    '"message":{"role":"user","content":[5,{"type":"text","text":"hi"}],"timestamp":1}}\n',
    '{"type":"message","id":"aa000002","parentId":{"x":1},"timestamp":"2026-01-01T00:00:01.000Z",'
    '"message":{"role":"assistant","content":[7,{"type":"text","text":"hello"}],"api":"anthropic-messages",'
    '"provider":"anthropic","model":"m","stopReason":"stop","timestamp":2}}\n',
    '{"type":"message","id":"aa000003","parentId":"aa000002","timestamp":"2026-01-01T00:00:02.000Z",'
    '"message":{"role":"user","content":42,"timestamp":3}}\n',
    '{"type":"message","id":"aa000004","parentId":"aa000003","timestamp":"2026-01-01T00:00:03.000Z",'
    '"message":{"role":"user","content":"again","timestamp":4}}\n',
]


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "odd.jsonl"
    path.write_text(HEADER + "".join(LINES))
    return path


def test_odd_entries_are_problems_and_everything_still_reads(tmp_path):
    path = _file(tmp_path)
    before = path.read_bytes()
    with SessionManager.open(path, readonly=True) as manager:
        assert manager.get_entry("aa000002")["parentId"] is None
        roots = manager.get_tree()
        assert [r.id for r in roots] == ["aa000001", "aa000002"]
        messages = manager.build_context().messages
        assert [m["content"] for m in messages] == [[{"type": "text", "text": "hello"}], [], "again"]
        problems = sorted((p.line, p.message) for p in manager.problems)
        assert [line for line, _ in problems] == [3, 3, 4]
        assert any("parentId is a dict" in m for _, m in problems)
        assert any("content is a int" in m for _, m in problems)
        # what a request and the context meter do with them
        assert anthropic_messages(messages)[0]["content"] == [{"type": "text", "text": "hello"}]
        assert openai_messages(messages)[-1] == {"role": "user", "content": "again"}
        assert estimate_context_tokens(messages) > 0
    assert path.read_bytes() == before


def test_sessions_show_lists_the_problems(tmp_path, capsys):
    path = _file(tmp_path)
    assert main(["sessions", "show", str(path), "--leaf", "aa000001"]) == 0
    out = capsys.readouterr().out
    assert "problem: line 2: entry aa000001: 1 content block(s) not objects" in out
