"""The bash sandbox with the real bwrap: what a sandboxed command can and cannot do."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest

from workbench.hooks.sandbox import Sandbox, SandboxPolicy
from workbench.tools.base import ToolContext
from workbench.tools.builtin.bash import BashTool
from tests.runtime.conftest import of_type
from tests.runtime.scripted import Turn

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None or Sandbox(SandboxPolicy(mode="workspace"), Path("/")).problem() is not None,
    reason="bwrap cannot run here (.ci/run installs it)")


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    home = ws / "home"  # a fake HOME inside the writable workspace: only the hiding keeps .ssh out
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("PRIVATE-KEY-MATERIAL\n")
    (home / ".netrc").write_text("machine x password NETRC-SECRET\n")
    monkeypatch.setenv("HOME", str(home))
    return ws


def sandbox(ws: Path, persistent: bool = True, **kw) -> Sandbox:
    return Sandbox(SandboxPolicy(mode="workspace", **kw), ws, persistent=persistent)


async def bash(ws: Path, command: str, sb: Sandbox | None, timeout: float = 20):
    ctx = ToolContext(workspace=ws, extra={"sandbox": sb} if sb is not None else {})
    return await BashTool().run({"command": command, "timeout": timeout}, ctx)


@needs_bwrap
@pytest.mark.parametrize("persistent", [True, False], ids=["long-lived", "one-shot"])
async def test_writes_inside_work_and_outside_fail(ws, tmp_path, persistent):
    probe = f"/usr/wb-sandbox-probe-{os.getpid()}"
    result = await bash(ws, f"touch inside.txt; touch {probe}; echo > {tmp_path}/outside.txt; echo end",
                        sandbox(ws, persistent))
    assert (ws / "inside.txt").exists()
    assert not Path(probe).exists() and "Read-only file system" in result.content
    assert not (tmp_path / "outside.txt").exists()  # it went to the private /tmp, gone with it
    assert result.details["sandbox"] == "sandboxed"


@needs_bwrap
async def test_network_is_off_unless_allowed(ws):
    async def serve(reader, writer):
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    cmd = f"python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 2); print('connected')\""
    try:
        off = await bash(ws, cmd, sandbox(ws))
        off_once = await bash(ws, cmd, sandbox(ws, False))
        on = await bash(ws, cmd, sandbox(ws, network=True))
        bare = await bash(ws, cmd, None)
    finally:
        server.close()
    assert off.is_error and "connected" not in off.content
    assert off_once.is_error and "connected" not in off_once.content
    assert not on.is_error and "connected" in on.content
    assert "connected" in bare.content


@needs_bwrap
@pytest.mark.parametrize("persistent", [True, False], ids=["long-lived", "one-shot"])
async def test_home_secrets_are_hidden(ws, persistent):
    result = await bash(ws, "cat ~/.ssh/id_rsa; ls -a ~/.ssh; cat ~/.netrc; echo listed", sandbox(ws, persistent))
    assert "PRIVATE-KEY-MATERIAL" not in result.content and "NETRC-SECRET" not in result.content
    assert "listed" in result.content
    bare = await bash(ws, "cat ~/.ssh/id_rsa", None)
    assert "PRIVATE-KEY-MATERIAL" in bare.content  # the test's fake HOME really holds it


@needs_bwrap
async def test_the_workbench_config_dir_is_hidden(ws, tmp_path):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "config.toml").write_text("secret = 'CFG-SECRET'\n")
    ws_cfg = ws / "wbcfg"  # also when it sits inside the workspace
    ws_cfg.mkdir()
    (ws_cfg / "trust.json").write_text("WS-CFG-SECRET")
    sb = Sandbox(SandboxPolicy(mode="workspace"), ws, protect=(cfg, ws_cfg))
    result = await bash(ws, f"cat {cfg}/config.toml {ws_cfg}/trust.json; echo done", sb)
    assert "CFG-SECRET" not in result.content and "WS-CFG-SECRET" not in result.content


@needs_bwrap
async def test_api_keys_are_invisible_unless_passed(ws, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-VISIBLE-1")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-VISIBLE-2")
    monkeypatch.setenv("DB_SECRET", "VISIBLE-3")
    monkeypatch.setenv("NPM_TOKEN", "npm-PASSED")
    monkeypatch.setenv("PLAIN_SETTING", "kept-value")
    result = await bash(ws, "env", sandbox(ws, pass_env=("NPM_TOKEN",)))
    assert "VISIBLE" not in result.content
    assert "npm-PASSED" in result.content and "kept-value" in result.content


@needs_bwrap
async def test_a_timeout_kills_the_sandboxed_command(ws):
    started = time.monotonic()
    result = await bash(ws, "sleep 30 & sleep 30", sandbox(ws), timeout=0.5)
    assert time.monotonic() - started < 5 and result.details["timedOut"]


def _no_bwrap(ws: Path, fallback: str) -> Sandbox:
    return Sandbox(SandboxPolicy(mode="workspace", fallback=fallback), ws, env={"PATH": "/nonexistent", "HOME": "/x"})


async def test_missing_bwrap_refuses_with_the_fix(ws):
    sb = _no_bwrap(ws, "refuse")
    result = await bash(ws, "touch ran", sb)
    assert result.is_error and not (ws / "ran").exists()
    assert "bwrap (bubblewrap) is not installed" in result.content
    assert "apt-get install bubblewrap" in result.content and 'fallback = "unsandboxed"' in result.content
    assert "refused" in sb.status_text() and not sb.active


async def test_no_namespaces_refuses_with_the_fix(ws, tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    sb = Sandbox(SandboxPolicy(mode="workspace"), ws, bwrap=str(fake))
    result = await bash(ws, "touch ran", sb)
    assert result.is_error and not (ws / "ran").exists()
    assert "cannot create its namespaces" in result.content and "No permissions" in result.content
    assert "unprivileged_userns" in result.content


async def test_fallback_unsandboxed_runs_and_says_so(ws):
    sb = _no_bwrap(ws, "unsandboxed")
    result = await bash(ws, "touch ran", sb)
    assert not result.is_error and (ws / "ran").exists()
    assert result.details["sandbox"].startswith("unsandboxed: bwrap (bubblewrap) is not installed")
    assert "UNSANDBOXED" in sb.status_text() and sb.unsandboxed_fallback and not sb.active


async def test_off_changes_nothing(ws):
    sb = Sandbox(SandboxPolicy(mode="off"), ws)
    result = await bash(ws, "touch ran", sb)
    assert (ws / "ran").exists() and "sandbox" not in result.details and sb.status_text() is None


@needs_bwrap
@pytest.mark.parametrize("mode,runs", [("edits", True), ("ask", False)])
async def test_edits_mode_runs_sandboxed_bash_without_asking(make_agent, workspace, mode, runs):
    # approvals=None: anything that would ask is denied, so a run proves nothing was asked
    sb = Sandbox(SandboxPolicy(mode="workspace"), workspace)
    agent = make_agent([Turn().tool("bash", {"command": "echo hi > made.txt"}, "c1"), Turn().text("ok")],
                       mode=mode, tool_extra={"sandbox": sb})
    await agent.run("go")
    assert (workspace / "made.txt").exists() is runs
    status = of_type(agent, "tool_result_received")[0].status
    assert status == ("done" if runs else "denied")


async def test_edits_mode_still_asks_when_the_sandbox_is_unavailable(make_agent, workspace):
    sb = _no_bwrap(workspace, "unsandboxed")
    agent = make_agent([Turn().tool("bash", {"command": "echo hi > made.txt"}, "c1"), Turn().text("ok")],
                       mode="edits", tool_extra={"sandbox": sb})
    await agent.run("go")
    assert not (workspace / "made.txt").exists()
    assert of_type(agent, "tool_result_received")[0].status == "denied"


@needs_bwrap
def test_preview_says_sandboxed(ws):
    sb = sandbox(ws)
    p = BashTool().preview({"command": "ls"}, ToolContext(workspace=ws, extra={"sandbox": sb}))
    assert p.sandbox == "sandboxed" and p.to_dict()["sandbox"] == "sandboxed"
    assert BashTool().preview({"command": "ls"}, ToolContext(workspace=ws)).sandbox is None


@needs_bwrap
async def test_one_long_lived_sandbox_serves_the_commands(ws):
    from workbench.hooks.sandbox_server import SandboxServer

    sb = sandbox(ws)
    first = await bash(ws, "echo kept > /tmp/mark; echo $$", sb)
    second = await bash(ws, "cat /tmp/mark; echo $$", sb)
    assert "kept" in second.content  # the same private /tmp: the same sandbox
    server = sb.server()
    assert isinstance(server, SandboxServer) and server.alive
    # the supervisor dies: the next command runs in a new sandbox (a fresh /tmp), never unconfined
    server._proc.kill()
    await server._proc.wait()
    for _ in range(100):
        if not server.alive and server._failed:
            break
        await asyncio.sleep(0.02)
    third = await bash(ws, "touch /usr/x-probe; cat /tmp/mark; echo done", sb)
    assert "Read-only file system" in third.content and "kept" not in third.content and "done" in third.content
    assert sb.server() is not server
    assert not first.is_error and not second.is_error


@needs_bwrap
async def test_a_missing_program_in_the_long_lived_sandbox(ws):
    sb = sandbox(ws)
    srv = sb.server()
    loop = asyncio.get_running_loop()
    eof, out = loop.create_future(), []
    cmd = await srv.spawn(["no-such-program-here"], {"PATH": "/usr/bin:/bin"}, str(ws), out.append, eof)
    await asyncio.wait_for(cmd.exited, 5)
    await asyncio.wait_for(eof, 5)
    assert cmd.returncode == 127 and b"could not start no-such-program-here" in b"".join(out)


@needs_bwrap
async def test_an_interrupt_ends_the_sandboxed_command_and_its_children(ws):
    sb = sandbox(ws)
    await bash(ws, "true", sb)  # the long-lived sandbox is up
    task = asyncio.ensure_future(bash(ws, "(sleep 1; touch child-ran) & sleep 1; touch parent-ran", sb))
    await asyncio.sleep(0.3)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 3
    await asyncio.sleep(1.5)
    assert not (ws / "parent-ran").exists() and not (ws / "child-ran").exists()
    assert "ok" in (await bash(ws, "echo ok", sb)).content  # the sandbox still serves


def test_a_python_under_tmp_stays_visible_to_the_supervisor(ws, tmp_path, monkeypatch):
    """The sandbox's private /tmp hid a venv cloned under /tmp (CI's checkout, say): its supervisor,
    `sys.executable`, was "No such file or directory" and every sandboxed command was killed."""
    import sys

    prefix = tmp_path / "venv"
    (prefix / "bin").mkdir(parents=True)
    monkeypatch.setattr(sys, "prefix", str(prefix))
    args = sandbox(ws).bwrap_args()
    tmpfs = args.index("/tmp", args.index("--tmpfs"))
    at = args.index(str(prefix))
    assert args[at - 1] == "--ro-bind" and args[at + 1] == str(prefix) and at > tmpfs
