import asyncio

import pytest

from workbench.errors import SessionBusy
from tests.runtime.conftest import file_messages, of_type, types
from tests.runtime.scripted import Turn


async def test_a_run_streams_calls_tools_and_persists_every_message(make_agent, workspace):
    agent = make_agent([
        Turn().thinking("let me look").text("Reading.").tool("read", {"path": "hello.txt"}, "c1"),
        Turn().text("It says ").text("hello world."),
    ])
    result = await agent.run("what is in hello.txt?")
    assert result.text == "It says hello world."
    assert (result.turns, result.tool_calls) == (2, 1)
    assert result.usage.input_tokens == 20 and result.usage.output_tokens == 10
    t = types(agent)
    assert t[:3] == ["run_started", "user_message", "turn_started"]
    assert t.index("thinking_delta") < t.index("text_delta") < t.index("text_complete") \
        < t.index("tool_call_requested") < t.index("turn_completed") < t.index("tool_execution_started") \
        < t.index("tool_execution_completed") < t.index("tool_result_received")
    assert t[-1] == "run_completed"
    done = of_type(agent, "tool_execution_completed")[0]
    assert "hello world" in done.result and not done.is_error
    completed = of_type(agent, "run_completed")[0]
    assert completed.stop == "end_turn" and completed.cost_usd is None  # scripted model is unpriced

    msgs = file_messages(agent)
    assert [m["role"] for m in msgs] == ["user", "assistant", "toolResult", "assistant"]
    assert msgs[1]["stopReason"] == "toolUse" and msgs[1]["content"][-1]["type"] == "toolCall"
    assert msgs[2]["toolCallId"] == "c1" and "hello world" in msgs[2]["content"][0]["text"]
    assert msgs[3]["stopReason"] == "stop"
    # the turn_completed events name the entries that hold the assistant messages
    entry_ids = [e.entry_id for e in of_type(agent, "turn_completed")]
    assert all(agent.manager.get_entry(i)["message"]["role"] == "assistant" for i in entry_ids)


async def test_streamed_equals_persisted(make_agent):
    agent = make_agent([
        Turn().text("a").text("b").tool("read", {"path": "hello.txt"}).tool("ls", {}),
        Turn().text("done"),
    ])
    await agent.run("go")
    # rebuild the conversation from events alone
    from_events: list[tuple] = []
    for e in agent.events.history():
        if e.type == "user_message":
            from_events.append(("user", e.text))
        elif e.type == "turn_completed":
            pass
        elif e.type == "text_complete":
            from_events.append(("assistant_text", e.content))
        elif e.type == "tool_call_requested":
            from_events.append(("call", e.id, e.name, e.args))
        elif e.type == "tool_execution_completed":
            from_events.append(("result", e.id, e.result, e.is_error))
    from_file: list[tuple] = []
    for m in file_messages(agent):
        if m["role"] == "user":
            from_file.append(("user", m["content"][0]["text"]))
        elif m["role"] == "assistant":
            text = "".join(b["text"] for b in m["content"] if b["type"] == "text")
            if text:
                from_file.append(("assistant_text", text))
            from_file += [("call", b["id"], b["name"], b["arguments"]) for b in m["content"] if b["type"] == "toolCall"]
        elif m["role"] == "toolResult":
            from_file.append(("result", m["toolCallId"], m["content"][0]["text"], m["isError"]))
    assert from_events == from_file
    assert agent.messages == file_messages(agent)


async def test_invalid_arguments_and_unknown_tools_go_back_to_the_model(make_agent):
    agent = make_agent([
        Turn().tool("read", {"nope": 1}, "c1").tool("frobnicate", {}, "c2").tool("read", {"__invalid_json__": "{oops"}, "c3"),
        Turn().text("sorry"),
    ])
    await agent.run("go")
    results = [m for m in file_messages(agent) if m["role"] == "toolResult"]
    assert all(r["isError"] for r in results)
    assert "path" in results[0]["content"][0]["text"]
    assert "frobnicate" in results[1]["content"][0]["text"]
    assert "{oops" in results[2]["content"][0]["text"]
    assert of_type(agent, "tool_execution_started") == []  # nothing ran
    assert [e.status for e in of_type(agent, "tool_result_received")] == ["failed"] * 3


async def test_second_start_while_running_is_session_busy(make_agent):
    gate = asyncio.Event()
    agent = make_agent([Turn().text("x").gate(gate)])
    task = agent.start("one")
    await asyncio.sleep(0.01)
    assert agent.is_running
    with pytest.raises(SessionBusy) as info:
        await agent.run("two")
    assert info.value.code == "SESSION_BUSY" and info.value.exit_code == 11
    gate.set()
    await task
    assert not agent.is_running


async def test_steering_skips_the_remaining_calls_and_continues(make_agent):
    gate = asyncio.Event()
    agent = make_agent([
        Turn().tool("bash", {"command": "true"}, "c1").tool("read", {"path": "hello.txt"}, "c2"),
        Turn().text("ok, steering received"),
    ])
    remove = agent.events.add_listener(
        lambda e: agent.steer("stop reading, do X") if e.type == "tool_execution_started" and e.id == "c1" else None)
    result = await agent.run("go")
    remove()
    msgs = file_messages(agent)
    roles = [m["role"] for m in msgs]
    assert roles == ["user", "assistant", "toolResult", "toolResult", "user", "assistant"]
    assert msgs[2]["isError"] is False
    assert msgs[3]["content"][0]["text"] == "Skipped: the user sent a new message" and msgs[3]["isError"]
    assert msgs[4]["content"][0]["text"] == "stop reading, do X"
    assert [(e.kind, e.text) for e in of_type(agent, "user_message")] == [("prompt", "go"), ("steer", "stop reading, do X")]
    assert result.text == "ok, steering received"
    del gate


async def test_follow_up_is_delivered_when_the_agent_would_stop(make_agent):
    agent = make_agent([Turn().text("first answer"), Turn().text("second answer")])
    agent.events.add_listener(
        lambda e: agent.follow_up("and then?") if e.type == "turn_started" and e.turn_number == 1 else None)
    result = await agent.run("go")
    assert result.text == "second answer" and result.turns == 2
    assert [m["role"] for m in file_messages(agent)] == ["user", "assistant", "user", "assistant"]
    assert [e.kind for e in of_type(agent, "user_message")] == ["prompt", "follow_up"]


def test_pending_messages_are_editable(make_agent):
    agent = make_agent([])
    agent.steer("a")
    agent.follow_up("b")
    agent.pending_follow_ups[0] = "b2"
    assert agent.take_pending() == ["a", "b2"]
    assert agent.pending_steering == [] and agent.pending_follow_ups == []


async def test_resume_restores_model_thinking_and_usage(make_agent, workspace):
    from workbench.sessions.manager import SessionManager

    agent = make_agent([Turn().text("hi")], thinking_level="high", model="claude-sonnet-4-5")
    await agent.run("hello")
    path = agent.manager.path
    agent.manager.close()
    again = make_agent([], manager=SessionManager.open(path), model=None)
    assert again.model == "claude-sonnet-4-5" and again.thinking_level == "high"
    assert again.usage.input_tokens == 10 and again.usage.output_tokens == 5
    assert again.cost_usd is not None and again.cost_usd > 0  # priced in the catalog
