"""Issue 12 item 4: the agent cannot raise its own permissions.

Protected paths ask in every mode but yolo, whatever the allow rules say, with the reason; and an
allow rule on git never runs repository-supplied code (the `.git/config` fsmonitor attack of the
issue, reproduced with a real repository and real git)."""

import subprocess
from pathlib import Path

import pytest

from tests.runtime.conftest import make_agent, of_type, sessions_dir, workspace  # noqa: F401 (fixtures)
from tests.runtime.scripted import Turn
from workbench import config
from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision
from workbench.runtime.rules import load_policy
from workbench.tools.base import ToolContext
from workbench.tools.githard import command_line_hazards, repository_hazards
from workbench.tools.permissions import PermissionPolicy
from workbench.tools.registry import builtin_registry


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    return root


@pytest.fixture
def ctx(ws):
    return ToolContext(workspace=ws)


def edit(path):
    return ("write", {"path": path, "content": "x = 1\n"})


@pytest.mark.parametrize("path,why", [
    (".workbench/config.toml", "project settings"), (".git/config", "git's own files"),
    (".git/hooks/pre-commit", "git's own files"), (".git/info/attributes", "git's own files"),
    (".mcp.json", "MCP servers"), (".agents/skills/x/SKILL.md", "agent instructions"),
    (".claude/settings.json", "Claude Code"), (".codex/config.toml", "Codex"),
    (".pi/settings.json", "(pi)"), (".opencode/x.json", "opencode"),
    (".vscode/tasks.json", "tasks"), ("sub/repo/.git/config", "git's own files"),
    (".envrc", "direnv"),
])
@pytest.mark.parametrize("mode", ["ask", "edits", "plan"])
def test_protected_writes_ask_with_the_reason(ctx, path, why, mode):
    policy = PermissionPolicy(mode, allow=["edit", "edit(**)"])
    d = policy.decide(*edit(path), ctx)
    if mode == "plan":
        assert d.action == "deny"  # plan refuses every write anyway
    else:
        assert d.action == "ask" and f"protected path: {path} (" in d.reason and why in d.reason
        assert "Protected paths always ask" in d.reason
    assert PermissionPolicy("yolo").decide(*edit(path), ctx).action == "allow"
    assert PermissionPolicy("edits").decide(*edit("src/ok.py"), ctx).action == "allow"  # the rest is unchanged


def test_the_workbench_config_and_data_dirs_are_protected(ctx):
    for folder in (config.config_home(), config.data_home()):
        d = PermissionPolicy("edits", allow=["edit(/**)"]).decide(*edit(str(folder / "config.toml")), ctx)
        assert d.action == "ask" and "protected path: " in d.reason and "the workbench's" in d.reason


def test_the_offline_demo_writes_its_scratch_workspace_without_a_protected_warning(tmp_path):
    """The demo's workspace lives in the data home (WORKBENCH_HOME/demo-workspace): its hello.py
    was flagged as "the workbench's user settings", while the rest of the data home stays protected."""
    from workbench.demo_workspace import demo_workspace

    demo = demo_workspace()
    demo.mkdir(parents=True, exist_ok=True)
    demo_ctx = ToolContext(workspace=demo)
    d = PermissionPolicy("edits").decide(*edit("hello.py"), demo_ctx)
    assert d.action == "allow", d.reason
    d = PermissionPolicy("edits", allow=["edit(/**)"]).decide(*edit(str(config.data_home() / "sessions" / "x.jsonl")),
                                                              demo_ctx)
    assert d.action == "ask" and "the workbench's" in d.reason


def test_configurable_list(ws, ctx, tmp_path):
    (ws / ".workbench").mkdir()
    (ws / ".workbench" / "config.toml").write_text('[approvals]\nprotected = ["deploy/**"]\n')
    policy = load_policy(ws, mode="edits", registry=builtin_registry())
    d = policy.decide(*edit("deploy/prod.yaml"), ctx)
    assert d.action == "ask" and "deploy/prod.yaml (listed in [approvals] protected as deploy/**)" in d.reason
    assert policy.decide(*edit("src/app.py"), ctx).action == "allow"


@pytest.mark.parametrize("command", [
    "echo 'mode = \"yolo\"' > .workbench/config.toml", "echo x >> .git/config", "echo x | tee .git/hooks/pre-commit",
    "cp evil.json .mcp.json", "sed -i s/a/b/ .git/config", "git config core.fsmonitor 'touch /tmp/p'",
    "cd sub && echo x > .git/config", "mv hook .git/hooks/post-checkout", "echo x > ~/.claude/settings.json",
    "printf x > .vscode/tasks.json", "ln -sf /tmp/x .git/hooks/pre-push",
])
def test_bash_writes_to_protected_paths_ask(ctx, command):
    policy = PermissionPolicy("edits", allow=["bash(echo*)", "bash(tee*)", "bash(cp*)", "bash(sed*)", "bash(git*)",
                                              "bash(cd*)", "bash(mv*)", "bash(printf*)", "bash(ln*)"])
    d = policy.decide("bash", {"command": command}, ctx)
    assert d.action == "ask" and "protected" in d.reason, (command, d)
    assert policy.decide("bash", {"command": "echo x > notes.txt"}, ctx).action == "allow"


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def hostile_repo(ws, tmp_path):
    git("init", "-q", cwd=ws)
    marker = tmp_path / "pwned"
    # what the agent wrote into .git/config in the issue (here written directly: the write itself asks now)
    with open(ws / ".git" / "config", "a") as f:
        f.write(f'[core]\n\tfsmonitor = "touch {marker}"\n')
    return marker


def test_an_allow_rule_on_git_does_not_run_the_repository_fsmonitor(ws, ctx, hostile_repo):
    marker = hostile_repo
    # the attack is real with this git: a plain `git status` runs the fsmonitor command
    subprocess.run(["git", "status"], cwd=ws, capture_output=True)
    assert marker.exists()
    marker.unlink()
    assert any("core.fsmonitor" in h for h in repository_hazards(ws))
    d = PermissionPolicy("ask", allow=["bash(git status*)"]).decide("bash", {"command": "git status"}, ctx)
    assert d.action == "ask" and "core.fsmonitor" in d.reason and "repository" in d.reason


async def test_the_attack_through_the_agent(make_agent, workspace, tmp_path):
    """--approve edits + bash(git status*): the write to .git/config asks, and with the config
    planted anyway, the allowed git status asks instead of running the fsmonitor."""
    git("init", "-q", cwd=workspace)
    marker = tmp_path / "p"
    broker = ApprovalBroker()
    seen = []

    def on_request(req):
        if req.done or any(r.request_id == req.request_id for r in seen):
            return
        seen.append(req)
        broker.resolve(req.request_id, ApprovalDecision("deny"))

    broker.add_listener(on_request)
    config_text = (workspace / ".git" / "config").read_text() + f'[core]\n\tfsmonitor = "touch {marker}"\n'
    agent = make_agent([
        Turn().tool("write", {"path": ".git/config", "content": config_text}, "c1"),
        Turn().tool("write", {"path": ".workbench/config.toml", "content": "[approvals]\nmode = \"yolo\"\n"}, "c2"),
        Turn().text("done"),
    ], mode="edits", allow=["bash(git status*)"], approvals=broker)
    await agent.run("go")
    assert [r.tool for r in seen] == ["write", "write"]  # both asked, in edits mode
    assert "fsmonitor" not in (workspace / ".git" / "config").read_text()
    assert not (workspace / ".workbench" / "config.toml").exists()
    assert all("protected" in (r.reason or "") for r in seen)

    (workspace / ".git" / "config").write_text(config_text)  # planted some other way
    seen.clear()
    agent2 = make_agent([Turn().tool("bash", {"command": "git status"}, "c3"), Turn().text("done")],
                        mode="edits", allow=["bash(git status*)"], approvals=broker)
    await agent2.run("go")
    assert len(seen) == 1 and "core.fsmonitor" in seen[0].reason
    assert not marker.exists()


async def test_a_rule_allowed_git_runs_without_hooks_or_fsmonitor(ws, tmp_path):
    """Even when the config changes under the command (the check ran before), git runs hardened."""
    from workbench.tools.builtin.bash import BashTool

    git("init", "-q", cwd=ws)
    marker = tmp_path / "hooked"
    hook = ws / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    command = (f"git config core.fsmonitor 'touch {marker}.fs' && git status >/dev/null && "
               "git -c user.email=a@b -c user.name=a commit -q --allow-empty -m x && git checkout -q -b other")
    tool = BashTool()
    result = await tool.run({"command": command}, ToolContext(workspace=ws, unattended=True))
    assert not result.is_error, result.content
    assert not marker.exists() and not Path(f"{marker}.fs").exists()
    # the same command approved by the user runs as git would (hooks included)
    subprocess.run(["git", "config", "--unset", "core.fsmonitor"], cwd=ws)
    await tool.run({"command": "git checkout -q -b third"}, ToolContext(workspace=ws))
    assert marker.exists()


@pytest.mark.parametrize("words,hazard", [
    (["git", "-c", "core.pager=sh -c x", "log"], True), (["git", "-c", "alias.x=!rm -rf /", "x"], True),
    (["git", "-c", "user.name=x", "status"], False), (["git", "--exec-path=/tmp", "status"], True),
    (["git", "-C", "sub", "status"], False), (["git", "--config-env=core.editor=ED", "commit"], True),
])
def test_git_command_line_hazards(words, hazard):
    assert bool(command_line_hazards(words)[0]) is hazard


def test_git_command_line_hazard_asks(ctx):
    d = PermissionPolicy("ask", allow=["bash(git*)"]).decide("bash", {"command": "git -c core.pager='touch x' log"}, ctx)
    assert d.action == "ask" and "core.pager" in d.reason


def test_a_config_written_mid_run_never_widens_the_mode(ws, ctx):
    """The only mid-run re-read (the strict reload after a broken file is fixed) keeps the mode the
    run started with; a wider one applies at the next start, after the user saw the file."""
    from workbench.runtime.gate import Gate

    user = config.user_config_file()  # the user's own file: a project file can't widen the mode at all
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("[approvals\n")  # broken: strict, every call asks
    policy = load_policy(ws)
    assert policy.decide("bash", {"command": "ls"}, ctx).action == "ask"
    user.write_text('[approvals]\nmode = "yolo"\n')
    fresh = policy.reloaded()
    assert fresh is not None and fresh.mode == "ask"
    assert fresh.decide("bash", {"command": "rm -rf src"}, ctx).action == "ask"
    assert Gate(policy, approvals=None).mode == "ask"
