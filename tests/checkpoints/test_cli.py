"""`workbench sessions files|restore` on a session whose tool calls changed files."""

from __future__ import annotations

import asyncio
import json

from tests.runtime.scripted import Turn
from workbench.cli import main
from workbench.config import sessions_dir
from workbench.sessions.manager import SessionManager


async def _session(make_agent, workspace):
    manager = SessionManager.create(workspace, sessions_dir=sessions_dir())
    agent = make_agent([Turn().tool("write", {"path": "new.txt", "content": "v1\n"}),
                        Turn().tool("write", {"path": "notes.md", "content": "rewritten\n"}),
                        Turn().text("done")], manager=manager)
    await agent.run("go")
    results = [e["id"] for e in manager.entries if e.get("type") == "message"
               and e["message"]["role"] == "toolResult"]
    user = next(e["id"] for e in manager.entries if e.get("type") == "message")
    sid = manager.session_id
    manager.close()
    return sid, user, results


def test_files_lists_checkpoints_and_changes_since_an_entry(make_agent, workspace, capsys, monkeypatch):
    sid, user, results = asyncio.run(_session(make_agent, workspace))
    monkeypatch.chdir(workspace)
    assert main(["sessions", "files", sid[:8], "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["files"] for c in out["checkpoints"]] == [[{"status": "A", "path": "new.txt"}],
                                                        [{"status": "M", "path": "notes.md"}]]
    assert main(["sessions", "files", sid[:8], "--entry", results[0], "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["at"] == [{"status": "A", "path": "new.txt"}]
    assert out["since"] == [{"status": "M", "path": "notes.md"}]
    assert main(["sessions", "files", sid[:8], "--entry", user]) == 0
    text = capsys.readouterr().out
    assert "changed at" in text and "A new.txt" in text and "M notes.md" in text
    assert main(["sessions", "files", sid[:8], "--entry", "nope0000"]) == 10


def test_restore_dry_run_conflict_force_and_undo(make_agent, workspace, capsys, monkeypatch):
    sid, user, results = asyncio.run(_session(make_agent, workspace))
    monkeypatch.chdir(workspace)
    assert main(["sessions", "restore", sid[:8], "--entry", user, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "delete new.txt" in out and "modify notes.md" in out
    assert (workspace / "new.txt").exists()  # a dry run changes nothing

    (workspace / "new.txt").write_text("the user's own edit\n")
    assert main(["sessions", "restore", sid[:8], "--entry", user]) == 2
    captured = capsys.readouterr()
    assert "new.txt" in captured.err and "nothing was restored" in captured.err
    assert (workspace / "new.txt").read_text() == "the user's own edit\n"
    assert (workspace / "notes.md").read_text() == "rewritten\n"

    assert main(["sessions", "restore", sid[:8], "--entry", user, "--force", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["restored"] is True and out["conflicts"] == ["new.txt"]
    assert not (workspace / "new.txt").exists()
    assert (workspace / "notes.md").read_text() == "first\n"
    undo_from = out["checkpoints"][0]

    assert main(["sessions", "restore", sid[:8], "--entry", undo_from]) == 0
    assert "restored 2 file(s)" in capsys.readouterr().out
    assert (workspace / "new.txt").read_text() == "the user's own edit\n"
    assert (workspace / "notes.md").read_text() == "rewritten\n"


def test_restore_of_an_open_session_is_busy(make_agent, workspace, capsys, monkeypatch):
    sid, user, _ = asyncio.run(_session(make_agent, workspace))
    monkeypatch.chdir(workspace)
    from workbench.sessions.store import SessionStore

    held = SessionManager.open(SessionStore.from_settings(str(workspace)).resolve(sid[:8], str(workspace)))
    try:
        assert main(["sessions", "restore", sid[:8], "--entry", user]) == 11
        assert "open in another workbench" in capsys.readouterr().err
    finally:
        held.close()
