"""Hooks at each point of a real agent run (scripted model, real hook processes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.errors import HookDeniedError
from workbench.hooks.engine import HookEngine
from tests.hooks.conftest import hook
from tests.runtime.conftest import file_messages, of_type, types
from tests.runtime.scripted import Turn

LOG = 'cat >> "$WORKBENCH_WORKSPACE/hooks.jsonl"; echo >> "$WORKBENCH_WORKSPACE/hooks.jsonl"'


def payloads(ws: Path) -> list[dict]:
    return [json.loads(line) for line in (ws / "hooks.jsonl").read_text().splitlines() if line.strip()]


async def test_every_point_fires_with_its_documented_json(make_agent, workspace):
    points = ["run_started", "pre_llm_request", "post_llm_response", "pre_tool_execution",
              "post_tool_execution", "turn_boundary", "run_completed"]
    engine = HookEngine([hook(f"log-{p}", p, LOG) for p in points], workspace)
    agent = make_agent([Turn().text("Reading.").tool("read", {"path": "hello.txt"}, "c1"),
                        Turn().text("done")], hooks=engine)
    await agent.run("look")
    seen = payloads(workspace)
    common = {"session_id": agent.id, "workspace": str(workspace)}
    for p in seen:
        assert {k: p[k] for k in common} == common and p["hook_id"] == f"log-{p['point']}"
    order = [p["point"] for p in seen]
    assert order == ["run_started", "pre_llm_request", "post_llm_response", "pre_tool_execution",
                     "post_tool_execution", "turn_boundary", "pre_llm_request", "post_llm_response",
                     "turn_boundary", "run_completed"]
    by = {p["point"]: p for p in seen}
    assert by["run_started"]["prompt"] == "look"
    assert by["pre_llm_request"]["model"] == "scripted-model" and by["pre_llm_request"]["message_count"] == 3
    assert seen[1]["message_count"] == 1 and seen[1]["turn_number"] == 1
    assert seen[2]["tool_calls"] == ["read"] and seen[2]["usage"]["input_tokens"] == 10
    assert by["pre_tool_execution"] | {} == {**by["pre_tool_execution"], "tool_name": "read",
                                            "arguments": {"path": "hello.txt"}, "call_id": "c1"}
    post = by["post_tool_execution"]
    assert "hello world" in post["result"] and post["is_error"] is False and post["call_id"] == "c1"
    assert by["run_completed"]["result"] == "done" and by["run_completed"]["tool_calls"] == 1
    assert by["run_completed"]["usage"]["output_tokens"] == 10 and "cost_usd" in by["run_completed"]
    # hook events in the stream, before the run's last event
    t = types(agent)
    assert t.count("hook_started") == 10 and t.count("hook_completed") == 10 and t[-1] == "run_completed"
    tool_hooks = [e for e in of_type(agent, "hook_completed") if e.point.endswith("tool_execution")]
    assert all(e.call_id == "c1" for e in tool_hooks)


async def test_run_failed_point(make_agent, workspace):
    engine = HookEngine([hook("f", "run_failed", LOG)], workspace)
    agent = make_agent([Turn().error("auth", "bad key")], hooks=engine)
    with pytest.raises(Exception):
        await agent.run("hi")
    (p,) = payloads(workspace)
    assert p["point"] == "run_failed" and p["code"] == "PROVIDER_ERROR" and "bad key" in p["error"]
    assert types(agent)[-1] == "run_failed"


async def test_a_denied_tool_call_is_a_tool_error_the_model_reads(make_agent, workspace):
    guard = hook("no-rm", "pre_tool_execution",
                 """grep -q 'rm -rf' && { echo "no recursive deletes" >&2; exit 2; }; exit 0""",
                 match="bash", capability="guardrail")
    agent = make_agent([Turn().tool("bash", {"command": "rm -rf /tmp/nothing-here"}, "c1"),
                        Turn().tool("bash", {"command": "echo fine"}, "c2"), Turn().text("ok")],
                       hooks=HookEngine([guard], workspace))
    await agent.run("clean up")
    results = [m for m in file_messages(agent) if m["role"] == "toolResult"]
    assert results[0]["isError"] and results[0]["content"][0]["text"] == "Denied by hook no-rm: no recursive deletes"
    assert not results[1]["isError"] and "fine" in results[1]["content"][0]["text"]
    denied = of_type(agent, "hook_denied")
    assert len(denied) == 1 and denied[0].call_id == "c1" and denied[0].reason_code == "exit_code_2"
    assert [e.status for e in of_type(agent, "tool_result_received")] == ["denied", "done"]
    assert [e.id for e in of_type(agent, "tool_execution_started")] == ["c2"]  # c1 never ran


@pytest.mark.parametrize("point", ["run_started", "pre_llm_request"])
async def test_a_denied_run_ends_with_hook_denied(make_agent, workspace, point):
    guard = hook("stop", point, """echo '{"decision": "deny", "reason": "outside office hours"}'""",
                 capability="guardrail")
    agent = make_agent([Turn().text("never")], hooks=HookEngine([guard], workspace))
    with pytest.raises(HookDeniedError) as info:
        await agent.run("hi")
    assert info.value.exit_code == 22 and "outside office hours" in info.value.message
    failed = of_type(agent, "run_failed")[0]
    assert failed.code == "HOOK_DENIED" and "denied by hook stop" in failed.error
    assert agent.provider.requests == []  # the model was never asked


async def test_additional_context_reaches_the_model(make_agent, workspace):
    hooks = [hook("ctx-start", "run_started", """echo '{"additional_context": "branch: main"}'"""),
             hook("fmt", "post_tool_execution", """echo '{"additional_context": "formatted 1 file"}'""",
                  match="read")]
    agent = make_agent([Turn().tool("read", {"path": "hello.txt"}, "c1"), Turn().text("ok")],
                       hooks=HookEngine(hooks, workspace))
    await agent.run("go")
    msgs = file_messages(agent)
    assert msgs[0]["content"] == [{"type": "text", "text": "go"},
                                  {"type": "text", "text": "[hook context]\nbranch: main"}]
    result = next(m for m in msgs if m["role"] == "toolResult")["content"][0]["text"]
    assert "1\thello world" in result and result.endswith("[hook context]\nformatted 1 file")


async def test_background_hook_does_not_delay_the_turn(make_agent, workspace):
    import time

    bg = hook("slow-notify", "post_tool_execution", "sleep 2; echo done > notified", mode="background")
    engine = HookEngine([bg], workspace)
    agent = make_agent([Turn().tool("read", {"path": "hello.txt"}, "c1"), Turn().text("ok")], hooks=engine)
    started = time.monotonic()
    await agent.run("go")
    assert time.monotonic() - started < 1.5
    assert not (workspace / "notified").exists()
    await engine.drain(10)
    assert (workspace / "notified").read_text() == "done\n"


async def test_interrupt_while_a_pre_tool_hook_runs(make_agent, workspace):
    import asyncio

    slow = hook("slow", "pre_tool_execution", "sleep 20")
    agent = make_agent([Turn().tool("read", {"path": "hello.txt"}, "c1"), Turn().text("ok")],
                       hooks=HookEngine([slow], workspace))
    task = agent.start("go")
    for _ in range(100):
        if of_type(agent, "hook_started"):
            break
        await asyncio.sleep(0.02)
    import time

    started = time.monotonic()
    await agent.interrupt()
    result = await task
    assert time.monotonic() - started < 5  # the hook was killed, not waited for
    assert of_type(agent, "run_completed")[0].stop == "interrupted" and result.tool_calls == 0
    assert of_type(agent, "tool_result_received")[0].status == "interrupted"


async def test_interrupt_while_a_run_started_hook_runs(make_agent, workspace):
    import asyncio
    import time

    slow = hook("slow", "run_started", "sleep 20")
    agent = make_agent([Turn().text("never")], hooks=HookEngine([slow], workspace))
    task = agent.start("go")
    for _ in range(100):
        if of_type(agent, "hook_started"):
            break
        await asyncio.sleep(0.02)
    started = time.monotonic()
    await agent.interrupt()
    await task
    assert time.monotonic() - started < 5
    assert of_type(agent, "run_completed")[0].stop == "interrupted" and agent.provider.requests == []
