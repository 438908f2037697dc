"""The TUI's agent gets the approval rules of the user AND the project config, plus the flags."""

from pathlib import Path

from workbench import trust
from workbench.cli import build_parser
from workbench.config import load_settings
from workbench.runtime.approvals import ApprovalBroker
from workbench.tools.base import ToolContext
from workbench.tools.registry import builtin_registry
from workbench.tui.startup import RuntimeSessions, build


def test_user_project_and_flag_rules_add_up(tmp_path: Path, monkeypatch):
    home, ws = tmp_path / "home", tmp_path / "ws"
    home.mkdir(), ws.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    (home / "config.toml").write_text('[approvals]\nallow = ["bash(git status*)"]\n')
    (ws / ".workbench").mkdir()
    (ws / ".workbench" / "config.toml").write_text('[approvals]\nallow = ["bash(npm test*)"]\n')
    trust.trust(ws)  # a trusted project (untrusted ones: tests/security/test_trust.py)
    # --cwd: the session works in ws (without it the offline demo would use its scratch workspace)
    args = build_parser().parse_args(["--deny", "bash(rm *)", "--cwd", str(ws)])
    sessions = RuntimeSessions(args, load_settings(ws), ws, ApprovalBroker(), None)
    backend = sessions.new()
    try:
        policy = backend.agent._gate.policy
        bash, ctx = builtin_registry().get("bash"), ToolContext(workspace=ws)
        assert policy.decide(bash, {"command": "git status"}, ctx).action == "allow"  # user file
        assert policy.decide(bash, {"command": "npm test"}, ctx).action == "allow"    # project file
        assert policy.decide(bash, {"command": "rm -rf x"}, ctx).action == "deny"     # flag
        assert policy.decide(bash, {"command": "make"}, ctx).action == "ask"          # mode default
    finally:
        backend.agent.manager.close()


def test_a_bad_rule_makes_its_files_rules_unknown_and_is_reported_the_agent_still_starts(tmp_path: Path, monkeypatch):
    # issue 13: each broken part falls back alone (it used to leave the app at "NO AGENT")
    home, ws = tmp_path / "home", tmp_path / "ws"
    home.mkdir(), ws.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    (home / "config.toml").write_text('[approvals]\nmode = "yolo"\ndeny = ["bash(unclosed"]\n')
    loaded = load_settings(ws)
    out = build(build_parser().parse_args(["--cwd", str(ws)]), ws, loaded)
    backend = out["backend"]
    try:
        assert backend is not None and out.get("startup_error") is None
        reported = [str(p) for p in loaded.problems]
        assert any("config.toml" in r and "bash(unclosed" in r and "every tool call asks" in r for r in reported)
        policy = backend.agent._gate.policy
        ctx = ToolContext(workspace=ws)
        read = builtin_registry().get("read")
        assert policy.decide(read, {"path": "x"}, ctx).action == "ask"  # strict, even in yolo: a deny may be lost
    finally:
        backend.agent.manager.close()
