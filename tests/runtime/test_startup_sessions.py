"""Launching the TUI writes no session file until the first message, so `-c` continues the
session that was used (QA: `-r`, pick an older one, quit, `-c` reopened the empty new one)."""

from pathlib import Path

import pytest

from workbench.cli import build_parser
from workbench.config import load_settings, sessions_dir
from workbench.errors import WorkbenchError
from workbench.runtime.approvals import ApprovalBroker
from workbench.sessions.manager import SessionManager
from workbench.tui.startup import RuntimeSessions, build


def _session_files() -> list[Path]:
    return sorted(sessions_dir().rglob("*.jsonl"))


def _sessions(ws: Path, *argv: str) -> RuntimeSessions:
    return RuntimeSessions(build_parser().parse_args(list(argv)), load_settings(ws), ws, ApprovalBroker(), None)


def _older_session(ws: Path) -> Path:
    with SessionManager.create(ws, sessions_dir=sessions_dir()) as m:
        m.append_message({"role": "user", "content": [{"type": "text", "text": "the real work"}], "timestamp": 1})
        return m.path


def test_launching_and_quitting_leaves_no_session_file(tmp_path: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    out = build(build_parser().parse_args(["--provider", "openai", "--model", "gpt-4o"]), ws, load_settings(ws))
    backend = out["backend"]
    assert backend is not None and out.get("startup_error") is None
    backend.agent.manager.close()  # what quitting does
    assert _session_files() == []


def test_continue_after_resuming_an_older_session_opens_that_one(tmp_path: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    older = _older_session(ws)
    # `workbench -r`: the picker over a new session; the user picks the older one, then quits
    out = build(build_parser().parse_args(["-r"]), ws, load_settings(ws))
    assert out["open_picker"]
    out["backend"].agent.manager.close()  # the app switches away from the new session
    picked = out["sessions"].open_path(older)
    picked.agent.manager.close()
    assert _session_files() == [older]
    # `workbench -c`
    again = _sessions(ws, "-c").first()
    try:
        assert again.agent.manager.path == older
    finally:
        again.agent.manager.close()


def test_fork_of_a_session_without_messages_is_refused(tmp_path: Path):
    ws = tmp_path / "ws"
    ws.mkdir()
    sessions = _sessions(ws, "--provider", "openai", "--model", "gpt-4o")
    backend = sessions.new()
    try:
        assert [e["type"] for e in backend.agent.manager.entries] == ["model_change", "thinking_level_change"]  # in memory only
        with pytest.raises(WorkbenchError, match="nothing to fork"):
            sessions.fork(backend)
    finally:
        backend.agent.manager.close()
    assert _session_files() == []
