"""A shell command that outlives its timeout: the whole process group is stopped, the model gets
an error result saying so, and the run goes on."""

from __future__ import annotations

import time

from workbench.tools.process import group_members
from tests.runtime.conftest import file_messages, of_type, types
from tests.runtime.scripted import Turn


async def test_bash_timeout_kills_the_group_and_records_a_timed_out_result(make_agent, workspace):
    # The shell leads its process group ($$ is its id); it starts a background sleep too.
    command = "echo $$ > pgid.txt; sleep 5 & sleep 5; echo never"
    agent = make_agent([Turn().tool("bash", {"command": command, "timeout": 0.3}, "t1"),
                        Turn().text("it timed out")])
    started = time.monotonic()
    result = await agent.run("run it")
    elapsed = time.monotonic() - started

    assert result.text == "it timed out" and result.tool_calls == 1
    assert elapsed < 4, elapsed  # neither sleep was waited for
    pgid = int((workspace / "pgid.txt").read_text())
    assert group_members(pgid) == []  # the shell and its background child are gone

    seq = types(agent)
    i = seq.index("tool_execution_started")
    assert seq[i + 1:i + 3] == ["tool_execution_timed_out", "tool_result_received"]
    assert "tool_execution_completed" not in seq
    [timed_out] = of_type(agent, "tool_execution_timed_out")
    assert (timed_out.id, timed_out.name, timed_out.timeout_ms) == ("t1", "bash", 300)
    [received] = of_type(agent, "tool_result_received")
    assert received.status == "timed_out" and received.is_error

    recorded = [m for m in file_messages(agent) if m["role"] == "toolResult"]
    assert len(recorded) == 1
    msg = recorded[0]
    assert msg["toolCallId"] == "t1" and msg["isError"] is True
    assert msg["details"]["timedOut"] is True and msg["details"]["exitCode"] is None
    assert "timed out after 0.3 seconds" in msg["content"][0]["text"]
    assert "never" not in msg["content"][0]["text"]
    # The model saw the result on its next turn.
    assert agent.provider.requests[1].messages[-1]["toolCallId"] == "t1"
