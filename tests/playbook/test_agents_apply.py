"""An agent profile applied to a real AgentSession: prompt, tool allow-list, max_turns, model,
provider and thinking, and switching back."""

from __future__ import annotations

import dataclasses

from workbench.playbook.agents import AgentProfile, apply_agent
from workbench.playbook.command_tools import CommandToolSpec
from workbench.playbook.equip import add_tools
from workbench.errors import InvalidParams
from workbench.playbook.command_tools import RetryConfig
from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision
from tests.runtime.conftest import make_agent, of_type, sessions_dir, workspace  # noqa: F401 (fixtures)
from tests.runtime.scripted import Turn
from tests.runtime.test_approvals_flow import answering

import pytest

REVIEWER = AgentProfile(name="reviewer", system_prompt="You review code; you never edit.",
                        tools=("read", "grep", "l*"), max_turns=2)


def tool_names(request) -> list[str]:
    return [t.name for t in request.tools]


async def test_prompt_is_appended_and_only_allowed_tools_are_offered(make_agent):
    agent = make_agent([Turn().text("ok")])
    default_prompt = agent.system_prompt
    apply_agent(agent, REVIEWER)
    await agent.run("look at hello.txt")
    request = agent.provider.requests[0]
    assert request.system_prompt.startswith(default_prompt.split("\n")[0])
    assert request.system_prompt.endswith("# Agent: reviewer\n\nYou review code; you never edit.")
    assert tool_names(request) == ["read", "ls", "grep"]
    assert agent.agent_profile is REVIEWER


async def test_replace_prompt_replaces_the_default(make_agent):
    agent = make_agent([Turn().text("ok")])
    apply_agent(agent, AgentProfile(name="terse", system_prompt="Answer in one line.", replace_prompt=True))
    await agent.run("hi")
    assert agent.provider.requests[0].system_prompt == "Answer in one line."


async def test_a_call_to_a_tool_outside_the_allow_list_is_refused(make_agent, workspace):
    agent = make_agent([Turn().tool("bash", {"command": "touch ran"}), Turn().text("done")])
    apply_agent(agent, dataclasses.replace(REVIEWER, max_turns=None))
    await agent.run("go")
    assert not (workspace / "ran").exists()
    result = agent.messages[2]
    assert result["role"] == "toolResult" and result["isError"]
    text = result["content"][0]["text"]
    assert "tool 'bash' is not available to agent 'reviewer'" in text and "available tools: read, ls, grep" in text


async def test_max_turns_stops_the_run_in_order(make_agent):
    turns = [Turn().tool("read", {"path": "hello.txt"}) for _ in range(4)] + [Turn().text("never")]
    agent = make_agent(turns)
    apply_agent(agent, REVIEWER)
    result = await agent.run("read it four times")
    assert len(agent.provider.requests) == 2 and result.turns == 2
    completed = of_type(agent, "run_completed")[-1]
    assert completed.stop == "turn_limit"
    assert agent._turn_limit_message() == ("stopped after 2 model turns: agent 'reviewer' allows no more per run "
                                           "(max_turns = 2)")
    # the results of the last turn's calls are kept: the session is whole
    assert [m["role"] for m in agent.messages] == ["user", "assistant", "toolResult", "assistant", "toolResult"]
    # the next run gets its own turns
    apply_agent(agent, dataclasses.replace(REVIEWER, max_turns=1))
    agent.provider.turns = [Turn().text("one")]
    second = await agent.run("again")
    assert second.text == "one" and of_type(agent, "run_completed")[-1].stop == "end_turn"


async def test_model_thinking_and_provider_apply_and_a_switch_restores_them(make_agent):
    agent = make_agent([Turn().text("ok")])
    assert (agent.provider.name, agent.model, agent.thinking_level) == ("replay", "scripted-model", "off")
    scripted = agent.provider
    apply_agent(agent, AgentProfile(name="deep", model="deep-model", thinking="high"))
    assert (agent.provider is scripted, agent.model, agent.thinking_level) == (True, "deep-model", "high")
    apply_agent(agent, AgentProfile(name="gpt", provider="openai", model="gpt-4.1"))
    assert (agent.provider.name, agent.model, agent.thinking_level) == ("openai", "gpt-4.1", "off")
    apply_agent(agent, None)
    assert (agent.provider is scripted, agent.model, agent.thinking_level) == (True, "scripted-model", "off")
    assert agent.agent_profile is None and agent.tools.offered("bash")
    changes = [e for e in agent.manager.entries if e.get("type") == "model_change"]
    assert [c["modelId"] for c in changes][-3:] == ["deep-model", "gpt-4.1", "scripted-model"]


async def test_configured_tools_join_the_registry_and_retries_become_events(make_agent, workspace):
    script = 'n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; [ $n -ge 1 ] && cat || exit 7'
    spec = CommandToolSpec(name="echo_args", description="echoes", command=script,
                           retry=RetryConfig(max_attempts=3, delay_ms=10))
    agent = make_agent([Turn().tool("echo_args", {"x": 1}, call_id="c1"), Turn().text("done")])
    assert add_tools(agent.tools, [spec]) == []
    assert add_tools(agent.tools, [spec])[0].startswith("playbook tool 'echo_args'")
    await agent.run("go")
    assert "echo_args" in tool_names(agent.provider.requests[0])
    retry = of_type(agent, "tool_retrying")
    assert [(e.call_id, e.tool_name, e.attempt, e.max_attempts, e.delay_ms, e.error) for e in retry] == [
        ("c1", "echo_args", 2, 3, 10, "exited with code 7")]
    result = agent.messages[2]
    assert not result["isError"] and result["content"][0]["text"] == '{"x": 1}'


async def test_configured_tools_ask_for_approval_in_ask_mode(make_agent, workspace):
    broker = ApprovalBroker()
    seen = answering(broker, ApprovalDecision("deny"), ApprovalDecision("once"))
    spec = CommandToolSpec(name="deploy", description="deploys", command="touch deployed; echo shipped")
    agent = make_agent([Turn().tool("deploy", {"env": "prod"}), Turn().tool("deploy", {"env": "prod"}),
                        Turn().text("ok")], mode="ask", approvals=broker)
    add_tools(agent.tools, [spec])
    await agent.run("deploy")
    assert len(seen) == 2
    asked = of_type(agent, "tool_approval_requested")[0]
    assert asked.name == "deploy" and asked.preview["kind"] == "command"
    assert asked.preview["text"].startswith("touch deployed; echo shipped\n# stdin:")
    assert [e.status for e in of_type(agent, "tool_result_received")] == ["denied", "done"]
    assert (workspace / "deployed").exists()
    assert agent.messages[4]["content"][0]["text"] == "shipped"


async def test_a_configured_tool_timing_out_is_reported_with_its_own_limit(make_agent):
    spec = CommandToolSpec(name="slow", description="sleeps", command="sleep 20", timeout_secs=0.2)
    agent = make_agent([Turn().tool("slow", {}), Turn().text("ok")])
    add_tools(agent.tools, [spec])
    await agent.run("go")
    timed_out = of_type(agent, "tool_execution_timed_out")
    assert [(e.name, e.timeout_ms) for e in timed_out] == [("slow", 200)]
    assert of_type(agent, "tool_result_received")[0].status == "timed_out"
    assert "timed out after 0.2 s" in agent.messages[2]["content"][0]["text"]


async def test_the_playbook_runtime_applies_its_agent_and_a_resumed_session_gets_it_back(make_agent, workspace):
    from workbench.playbook.loader import load_playbook
    from workbench.playbook.runtime import PlaybookRuntime
    from workbench.sessions.manager import SessionManager

    (workspace / ".workbench").mkdir()
    (workspace / ".workbench" / "playbook.toml").write_text(
        '[[agents]]\nname = "reviewer"\nsystem_prompt = "Review only."\ntools = ["read"]\nmodel = "review-model"\n')
    book = load_playbook(workspace)
    agent = make_agent([Turn().text("ok")], playbook=PlaybookRuntime(book))
    agent.playbook.set_agent("reviewer")
    assert agent.agent_profile.name == "reviewer" and agent.model == "review-model"
    assert [s.name for s in agent.tools.specs()] == ["read"]
    await agent.run("hi")
    path = agent.manager.path
    agent.manager.close()
    resumed = make_agent([Turn().text("ok")], manager=SessionManager.open(path), model=None,
                         playbook=PlaybookRuntime(load_playbook(workspace)))
    assert resumed.agent_profile is not None and resumed.agent_profile.name == "reviewer"
    assert resumed.model == "review-model" and resumed.system_prompt.endswith("Review only.")
    resumed.playbook.set_agent(None)
    assert resumed.agent_profile is None and resumed.tools.offered("bash")
