"""A config file that does not parse (TOML syntax error): its approval rules are unknown, so the
agent starts, every tool call asks (reads included) and only this session's answers allow, until
the file is fixed. A file that parses but holds a bad rule still stops the agent (other tests)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from workbench.cli import build_parser
from workbench.config import load_settings
from workbench.headless import run_headless
from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision
from workbench.runtime.rules import load_policy
from workbench.tools.base import ToolContext
from workbench.tui.startup import build
from tests.runtime.conftest import file_messages, of_type
from tests.runtime.scripted import ScriptedProvider, Turn
from tests.runtime.test_approvals_flow import answering

BROKEN = '[budget\nmax_turns = 3\n[approvals]\ndeny = ["read(secret*)"]\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home


def break_project(workspace: Path) -> Path:
    (workspace / ".workbench").mkdir(exist_ok=True)
    project = workspace / ".workbench" / "config.toml"
    project.write_text(BROKEN)
    return project


def test_every_call_asks_while_a_file_does_not_parse(home, workspace):
    (home / "config.toml").write_text('[approvals]\nallow = ["bash(ls*)"]\ndeny = ["bash(rm *)"]\n')
    project = break_project(workspace)
    policy = load_policy(workspace)
    ctx = ToolContext(workspace=workspace)
    read = policy.decide("read", {"path": "hello.txt"}, ctx)
    assert read.action == "ask"
    assert str(project) in read.reason and "every tool call asks" in read.reason
    assert policy.decide("bash", {"command": "ls"}, ctx).action == "ask"  # the user file's allow can't be trusted
    assert policy.decide("bash", {"command": "rm x"}, ctx).action == "deny"  # a known deny still applies
    policy.grant("read(hello.txt)")  # "allow for this session"
    assert policy.decide("read", {"path": "hello.txt"}, ctx).action == "allow"
    assert policy.decide("read", {"path": "other.txt"}, ctx).action == "ask"


async def test_the_agent_asks_for_reads_then_stops_once_the_file_is_fixed(home, workspace, make_agent):
    project = break_project(workspace)
    broker = ApprovalBroker()
    seen = answering(broker, ApprovalDecision("once"), ApprovalDecision("always"))
    agent = make_agent([
        Turn().tool("read", {"path": "hello.txt"}, "c1"),
        Turn().tool("ls", {}, "c2"),
        Turn().text("between"),
    ], approvals=broker, policy=load_policy(workspace), grants=None)
    await agent.run("look")
    assert [r.tool for r in seen] == ["read", "ls"]
    assert "could not be read" in seen[0].reason
    results = [m for m in file_messages(agent) if m["role"] == "toolResult"]
    assert [r["isError"] for r in results] == [False, False]
    # the user fixes the file: the rules are known again, reads run without asking
    project.write_text('[approvals]\ndeny = ["read(secret*)"]\n')
    (workspace / "secret.txt").write_text("s\n")
    agent.provider = ScriptedProvider([
        Turn().tool("read", {"path": "hello.txt"}, "c3").tool("read", {"path": "secret.txt"}, "c4"),
        Turn().text("done"),
    ])
    await agent.run("again")
    assert len(seen) == 2
    statuses = {e.id: e.status for e in of_type(agent, "tool_result_received")}
    assert statuses["c3"] == "done" and statuses["c4"] == "denied"  # the fixed file's deny applies


async def test_always_with_an_unparsable_project_file_still_runs_the_call(home, workspace, make_agent, tmp_path):
    from workbench.tools.grants import GrantStore

    project = break_project(workspace)
    grants = GrantStore(workspace, user_file=tmp_path / "user.toml", project_file=project)
    broker = ApprovalBroker()
    answering(broker, ApprovalDecision("always"))
    agent = make_agent([Turn().tool("read", {"path": "hello.txt"}, "c1"), Turn().text("ok")],
                       approvals=broker, policy=load_policy(workspace), grants=grants)
    await agent.run("read")
    assert of_type(agent, "tool_result_received")[0].status == "done"
    assert of_type(agent, "tool_approval_resolved")[0].saved_rule is None  # nothing written to the broken file
    assert project.read_text() == BROKEN


def test_the_tui_starts_the_agent_and_the_problems_dialog_says_every_call_asks(home, workspace):
    project = break_project(workspace)
    loaded = load_settings(workspace)
    out = build(build_parser().parse_args(["--provider", "openai", "--model", "gpt-4o"]), workspace, loaded)
    try:
        assert out.get("startup_error") is None and out["backend"] is not None
        messages = [str(p) for p in loaded.problems]
        assert any(f"{project}:1" in m and "invalid TOML" in m for m in messages)
        assert any(str(project) in m and "every tool call asks, reads included" in m for m in messages)
    finally:
        out["backend"].agent.manager.close()


def test_headless_stops_with_the_file_and_line(home, workspace):
    project = break_project(workspace)
    args = build_parser().parse_args(["-p", "go", "--cwd", str(workspace)])
    out, err = io.StringIO(), io.StringIO()
    code = run_headless(args, stdout=out, stderr=err, provider=ScriptedProvider([Turn().text("never")]))
    assert code == 2
    assert f"{project}:1" in err.getvalue() and "invalid TOML" in err.getvalue()
