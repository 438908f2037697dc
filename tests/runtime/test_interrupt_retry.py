import asyncio
import os
import time

import pytest

from workbench.errors import ProviderFailure
from tests.runtime.conftest import file_messages, of_type, types
from tests.runtime.scripted import Turn


async def test_interrupt_mid_stream_keeps_the_partial_answer(make_agent):
    gate = asyncio.Event()
    agent = make_agent([Turn().thinking("hmm").text("The answer is ").gate(gate).text("never sent")])
    task = agent.start("q")
    while "text_delta" not in types(agent):
        await asyncio.sleep(0.005)
    await agent.interrupt()
    result = await task
    assert result.text == "The answer is "
    assert of_type(agent, "run_completed")[0].stop == "interrupted"
    assert of_type(agent, "turn_completed")[-1].stop_reason == "aborted"
    last = file_messages(agent)[-1]
    assert last["role"] == "assistant" and last["stopReason"] == "aborted"
    assert last["errorMessage"] == "Request was aborted"
    assert [b["type"] for b in last["content"]] == ["thinking", "text"]
    assert not agent.is_running


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def test_interrupt_mid_tool_kills_the_bash_process_group(make_agent, workspace):
    pidfile = workspace / "pid"
    agent = make_agent([
        Turn().tool("bash", {"command": f"sh -c 'echo $$ > {pidfile}; sleep 30' & wait"}, "c1"),
        Turn().text("unreachable"),
    ])
    task = agent.start("run it")
    deadline = time.monotonic() + 5
    while not (pidfile.exists() and pidfile.read_text().strip()):
        assert time.monotonic() < deadline, "bash never started"
        await asyncio.sleep(0.01)
    pid = int(pidfile.read_text())
    await agent.interrupt()
    result = await asyncio.wait_for(task, 5)
    assert of_type(agent, "run_completed")[0].stop == "interrupted" and result.turns == 1
    tr = file_messages(agent)[-1]
    assert tr["role"] == "toolResult" and tr["isError"] and "Interrupted" in tr["content"][0]["text"]
    assert of_type(agent, "tool_result_received")[-1].status == "interrupted"
    for _ in range(250):  # the sleeping grandchild is gone too (a zombie nobody reaped counts as gone)
        if not alive(pid):
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail(f"process {pid} survived the interrupt")


async def test_rate_limit_is_retried_honouring_retry_after_then_succeeds(make_agent):
    agent = make_agent([
        Turn().text("partial that must be discarded").error("rate_limited", "429 slow down", retry_after=0.05, status=429),
        Turn().text("fine now"),
    ])
    started = time.monotonic()
    result = await agent.run("q")
    assert time.monotonic() - started >= 0.05
    retry = of_type(agent, "retrying")
    assert len(retry) == 1 and retry[0].attempt == 2 and retry[0].max_attempts == 4
    assert retry[0].delay_ms == 50 and retry[0].kind == "rate_limited"
    assert result.text == "fine now"
    assert [m["role"] for m in file_messages(agent)] == ["user", "assistant"]  # partial not persisted


async def test_retries_give_up_after_max_attempts(make_agent):
    from workbench.runtime.retry import RetryPolicy

    agent = make_agent([Turn().error("overloaded", "overloaded") for _ in range(3)],
                       retry=RetryPolicy(max_attempts=3, base_delay=0.0))
    with pytest.raises(ProviderFailure, match="after 3 attempts"):
        await agent.run("q")
    assert len(of_type(agent, "retrying")) == 2
    assert of_type(agent, "run_failed")[0].code == "PROVIDER_ERROR"


async def test_auth_error_is_not_retried_and_fails_with_provider_error(make_agent):
    agent = make_agent([Turn().error("auth", "Authentication failed (401): check ANTHROPIC_API_KEY", status=401)])
    with pytest.raises(ProviderFailure) as info:
        await agent.run("q")
    assert info.value.exit_code == 20 and "ANTHROPIC_API_KEY" in info.value.message
    assert of_type(agent, "retrying") == []
    failed = of_type(agent, "run_failed")
    assert failed[0].code == "PROVIDER_ERROR" and types(agent)[-1] == "run_failed"
    assert not agent.is_running


async def test_a_stream_dying_midway_records_the_partial_and_frees_the_session(make_agent):
    agent = make_agent([Turn().text("half an ans").error("invalid_request", "stream broke", with_partial=True),
                        Turn().text("next run works")])
    with pytest.raises(ProviderFailure):
        await agent.run("q")
    last = file_messages(agent)[-1]
    assert last["stopReason"] == "error" and last["content"] == [{"type": "text", "text": "half an ans"}]
    assert last["errorMessage"] == "stream broke"
    result = await agent.run("again")
    assert result.text == "next run works"
