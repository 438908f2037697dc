"""MCP tools in the agent loop: the approval gate and rules on mcp__ names, plan mode, results in
the session file (images, secrets masked), progress events, the turn that starts without a
server still starting, and a headless `-p` run using a configured server."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.mcp.conftest import http_server, pool_of, stdio_server
from tests.runtime.scripted import ScriptedProvider, Turn
from workbench import config as wb_config
from workbench.runtime.agent import AgentSession
from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision
from workbench.sessions.manager import SessionManager
from workbench.tools.permissions import PermissionPolicy
from workbench.tools.registry import builtin_registry


@pytest.fixture
async def remote(http_toolbox, tmp_path):
    """A ready pool with the shared HTTP toolbox as server 'r', attached to a fresh registry."""
    url, _ = http_toolbox
    pool = pool_of(http_server("r", url, read_only_tools=("echo",)), workspace=tmp_path)
    registry = builtin_registry()
    pool.attach(registry)
    pool.start()
    await pool.wait_ready(timeout=60)
    assert pool.status()[0].state == "ready"
    yield pool, registry
    await pool.aclose()


def agent(tmp_path: Path, registry, turns, *, mode="ask", allow=(), deny=(), approvals=None):
    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    policy = PermissionPolicy(mode, allow, (), deny, registry=registry, source="test")
    return AgentSession(manager, ScriptedProvider(turns), model="m", tools=registry, policy=policy,
                        approvals=approvals)


def results(session: AgentSession) -> list[dict]:
    return [m for m in session.messages if m.get("role") == "toolResult"]


async def test_every_mcp_tool_asks_in_ask_and_edits_and_the_approval_shows_server_tool_json(remote, tmp_path):
    _, registry = remote
    broker = ApprovalBroker()
    seen = []

    def answer(req):
        if not req.done and req.future is not None:
            seen.append(req)
            broker.resolve(req.request_id, ApprovalDecision("once"))

    broker.add_listener(lambda req: asyncio.get_running_loop().call_soon(answer, req))
    for mode in ("ask", "edits"):
        s = agent(tmp_path, registry, [Turn().tool("mcp__r__echo", {"text": "hi"}), Turn().text("ok")],
                  mode=mode, approvals=broker)
        await s.run("go")
        assert results(s)[-1]["content"][0]["text"] == "hi"
    assert len(seen) == 2  # echo is read_only_tools and carries readOnlyHint: it still asks
    preview = seen[0].preview
    assert preview["kind"] == "mcp" and preview["server"] == "r" and preview["tool"] == "echo"
    assert json.loads(preview["text"]) == {"text": "hi"}
    assert preview["annotations"] == {"read_only_hint": True}
    assert seen[0].scope == "mcp__r__echo"  # what "always" would save


async def test_rules_with_globs_allow_and_deny_mcp_names(remote, tmp_path):
    _, registry = remote
    s = agent(tmp_path, registry, [Turn().tool("mcp__r__add", {"a": 1, "b": 2}), Turn().text("ok")],
              allow=["mcp__r__*"])
    await s.run("go")
    assert '"sum": 3' in results(s)[-1]["content"][0]["text"]
    s = agent(tmp_path, registry, [Turn().tool("mcp__r__echo", {"text": "x"}), Turn().text("ok")],
              mode="yolo", deny=["mcp__*__echo"])
    await s.run("go")
    r = results(s)[-1]
    assert r["isError"] and "denied by the rule mcp__*__echo" in r["content"][0]["text"]
    s = agent(tmp_path, registry, [Turn().tool("mcp__r__echo", {"text": "x"}), Turn().text("ok")])
    await s.run("go")  # headless: nobody to ask
    text = results(s)[-1]["content"][0]["text"]
    assert "needs approval" in text and "--allow 'mcp__r__echo'" in text
    s = agent(tmp_path, registry, [Turn().tool("mcp__r__echo", {"text": "x"}), Turn().text("ok")],
              allow=["read"])  # the read family never covers an MCP tool
    await s.run("go")
    assert "needs approval" in results(s)[-1]["content"][0]["text"]


async def test_plan_mode_offers_only_read_only_tools(remote, tmp_path):
    _, registry = remote
    s = agent(tmp_path, registry, [Turn().tool("mcp__r__add", {"a": 1, "b": 1}), Turn().text("ok")],
              mode="plan", allow=["mcp__r__*"])
    await s.run("go")
    offered = {t.name for t in s.provider.requests[0].tools}
    assert "mcp__r__echo" in offered and "mcp__r__add" not in offered and "read" in offered
    r = results(s)[-1]
    assert r["isError"] and "plan mode" in r["content"][0]["text"]


async def test_images_reach_the_model_and_progress_updates_the_card(remote, tmp_path):
    _, registry = remote
    s = agent(tmp_path, registry, [Turn().tool("mcp__r__picture", {}), Turn().tool("mcp__r__slow", {"seconds": 0.1}),
                                   Turn().text("ok")], allow=["mcp__r__*"])
    await s.run("go")
    image_result = results(s)[0]
    assert [b["type"] for b in image_result["content"]] == ["text", "image"]
    assert image_result["content"][1]["mimeType"] == "image/png"
    second_request = s.provider.requests[1].messages
    assert any(b.get("type") == "image" for m in second_request if m.get("role") == "toolResult"
               for b in m["content"])
    progress = [e for e in s.events.history() if e.type == "tool_progress"]
    assert [p.message for p in progress] == [f"step {i} of 4" for i in range(1, 5)]
    assert progress[0].name == "mcp__r__slow" and progress[0].total == 4


async def test_a_turn_starts_without_a_server_still_starting_and_says_so(tmp_path):
    pool = pool_of(stdio_server("stuck", "--hang-start", startup_timeout=30), workspace=tmp_path)
    registry = builtin_registry()
    pool.attach(registry)
    pool.start()
    try:
        s = agent(tmp_path, registry, [Turn().text("ready when you are")])
        result = await asyncio.wait_for(s.run("go"), 10)  # never waits for the server
        assert result.text == "ready when you are"
        [pending] = [e for e in s.events.history() if e.type == "tools_pending"]
        assert pending.sources == ["stuck"] and "still starting: stuck" in pending.message
        assert "MCP servers stuck are still starting" in s.provider.requests[0].system_prompt
    finally:
        await pool.aclose()


async def test_secrets_never_reach_the_session_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BOX_SECRET", "sk-very-secret-42")
    pool = pool_of(stdio_server("box", env={"API_KEY": "${BOX_SECRET}"}), workspace=tmp_path)
    registry = builtin_registry()
    pool.attach(registry)
    pool.start()
    await pool.wait_ready(timeout=60)
    try:
        s = agent(tmp_path, registry, [Turn().tool("mcp__box__env", {"key": "API_KEY"}), Turn().text("done")],
                  allow=["mcp__box__env"])
        await s.run("go")
        assert results(s)[-1]["content"][0]["text"] == "••••"
        s.manager.close()
        assert "sk-very-secret-42" not in Path(s.manager.path).read_text()
    finally:
        await pool.aclose()


async def test_headless_run_uses_configured_servers(http_toolbox, tmp_path, monkeypatch):
    from workbench.headless import run_headless

    url, _ = http_toolbox
    user_file = wb_config.config_home() / "mcp.json"
    user_file.parent.mkdir(parents=True, exist_ok=True)
    user_file.write_text(json.dumps({"mcpServers": {"remote": {"type": "http", "url": url}}}))
    ws = tmp_path / "ws"
    ws.mkdir()
    provider = ScriptedProvider([Turn().tool("mcp__remote__add", {"a": 20, "b": 22}), Turn().text("the sum is 42")])
    args = SimpleNamespace(prompt="add", cwd=str(ws), output_format="text", approve=None,
                           allow=["mcp__remote__*"], deny=[], max_tokens=None, max_cost=None, max_turns=None,
                           max_tool_calls=None, max_duration=None, system_prompt=None, thinking=None,
                           model=None, session=None, continue_recent=False, trust_project=False)
    out, err = io.StringIO(), io.StringIO()
    code = await asyncio.to_thread(run_headless, args, stdout=out, stderr=err, provider=provider)
    assert code == 0, err.getvalue()
    assert out.getvalue().strip() == "the sum is 42"
    assert "mcp__remote__add" in {t.name for t in provider.requests[0].tools}
    tool_result = provider.requests[1].messages[-1]
    assert tool_result["role"] == "toolResult" and '"sum": 42' in tool_result["content"][0]["text"]
