"""Approval rules from config: the user's and the project's lists add up (load_settings' deep merge
would let the project list replace the user's), in headless mode and in SessionService."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from workbench import trust
from workbench.cli import build_parser
from workbench.errors import InvalidParams
from workbench.headless import run_headless
from workbench.runtime.rules import load_policy
from workbench.runtime.service import CreateSessionRequest, SessionService
from workbench.tools.base import ToolContext
from tests.runtime.scripted import ScriptedProvider, Turn


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home


def write_rules(home: Path, workspace: Path, *, user: str, project: str) -> None:
    (home / "config.toml").write_text(user)
    (workspace / ".workbench").mkdir(exist_ok=True)
    (workspace / ".workbench" / "config.toml").write_text(project)
    trust.trust(workspace)  # the user trusts this project (untrusted ones: tests/security/test_trust.py)


def test_user_and_project_allow_lists_both_apply_with_their_sources(home, workspace):
    write_rules(home, workspace, user='[approvals]\nallow = ["bash(echo user*)"]\n',
                project='[approvals]\nallow = ["bash(echo project*)"]\ndeny = ["bash(echo user secret*)"]\n')
    policy = load_policy(workspace, allow=["bash(echo flag*)"])
    ctx = ToolContext(workspace=workspace)
    assert policy.mode == "ask"
    for command in ("echo user", "echo project", "echo flag"):
        assert policy.decide("bash", {"command": command}, ctx).action == "allow", command
    assert policy.decide("bash", {"command": "echo other"}, ctx).action == "ask"
    assert policy.decide("bash", {"command": "echo user secret"}, ctx).action == "deny"
    sources = {str(r): r.source for r in policy.rules["allow"]}
    assert sources["bash(echo user*)"].startswith("user config")
    assert sources["bash(echo project*)"].startswith("project config")
    assert sources["bash(echo flag*)"] == "--allow"


def test_a_rule_that_does_not_parse_is_an_error_naming_the_file(home, workspace):
    write_rules(home, workspace, user="", project='[approvals]\ndeny = ["bash(rm *"]\n')
    with pytest.raises(InvalidParams) as info:
        load_policy(workspace)
    assert "config.toml" in info.value.message and "deny[0]" in info.value.message
    with pytest.raises(InvalidParams) as info:
        load_policy(workspace / "nowhere", allow=["bash("])
    assert "--allow" in info.value.message


def test_headless_applies_user_and_project_rules(home, workspace):
    write_rules(home, workspace, user='[approvals]\nallow = ["bash(echo user*)"]\n',
                project='[approvals]\nallow = ["bash(echo project*)"]\n')
    provider = ScriptedProvider([
        Turn().tool("bash", {"command": "echo user"}, "c1").tool("bash", {"command": "echo project"}, "c2")
        .tool("bash", {"command": "echo other"}, "c3"),
        Turn().text("done"),
    ])
    args = build_parser().parse_args(["-p", "go", "--approve", "ask", "--output-format", "jsonl",
                                      "--cwd", str(workspace)])
    out, err = io.StringIO(), io.StringIO()
    code = run_headless(args, stdout=out, stderr=err, provider=provider)
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    results = {e["id"]: e["status"] for e in events if e["type"] == "tool_result_received"}
    assert results == {"c1": "done", "c2": "done", "c3": "denied"}
    assert events[-1]["type"] == "run_completed"
    assert code == 22  # the run ended right after a denial: the job is likely not done


async def test_service_sessions_get_both_files_rules(home, workspace, sessions_dir):
    write_rules(home, workspace, user='[approvals]\nallow = ["bash(echo user*)"]\n',
                project='[approvals]\nmode = "plan"\nallow = ["bash(echo project*)"]\n')
    svc = SessionService(sessions_dir=sessions_dir, cwd=workspace,
                         provider_factory=lambda name, model: ScriptedProvider([]))
    session = await svc.create_session(CreateSessionRequest(run_now=False, mode="ask", deny=["bash(echo user x*)"]))
    ctx = ToolContext(workspace=workspace)
    policy = session._gate.policy
    assert session.mode == "ask"  # the request's mode beats the project's
    assert [policy.decide("bash", {"command": c}, ctx).action
            for c in ("echo user", "echo project", "echo user x", "echo other")] == ["allow", "allow", "deny", "ask"]
    plain = await svc.create_session(CreateSessionRequest(run_now=False))
    assert plain.mode == "plan"  # from the project file
    await svc.close()
