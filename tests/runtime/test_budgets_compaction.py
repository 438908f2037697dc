import asyncio

import pytest

from workbench.errors import BudgetExhaustedError
from workbench.runtime.budget import BudgetLimits
from workbench.runtime.compaction import CompactionSettings
from tests.runtime.conftest import file_messages, of_type, types
from tests.runtime.scripted import Turn


def tool_turns(n: int) -> list[Turn]:
    return [Turn(usage=(100, 10)).tool("read", {"path": "hello.txt"}) for _ in range(n)] + [Turn().text("end")]


@pytest.mark.parametrize("limits, budget_type", [
    (BudgetLimits(max_turns=3), "turns"),
    (BudgetLimits(max_tokens=250), "tokens"),
    (BudgetLimits(max_cost=0.001), "cost"),
])
async def test_orderly_limits_end_the_run_with_what_it_has(make_agent, limits, budget_type):
    agent = make_agent(tool_turns(10), limits=limits, model="claude-sonnet-4-5")
    result = await agent.run("go")
    done = of_type(agent, "run_completed")[0]
    assert done.stop == "budget_exhausted"
    ex = of_type(agent, "budget_exhausted")
    assert len(ex) == 1 and ex[0].budget_type == budget_type and ex[0].orderly
    assert result.turns < 10
    assert {w.budget_type for w in of_type(agent, "budget_warning")} >= {budget_type}
    assert file_messages(agent)[-1]["role"] == "toolResult"  # every call has its result


async def test_warnings_at_50_80_95_percent_once_each(make_agent):
    agent = make_agent(tool_turns(25), limits=BudgetLimits(max_turns=20))
    await agent.run("go")
    warned = [w.percent for w in of_type(agent, "budget_warning") if w.budget_type == "turns"]
    assert warned == [50.0, 80.0, 95.0]


async def test_tool_call_limit_skips_the_rest_and_stops(make_agent):
    agent = make_agent([Turn().tool("read", {"path": "hello.txt"}).tool("ls", {}).tool("read", {"path": "hello.txt"}),
                        Turn().text("never")], limits=BudgetLimits(max_tool_calls=2))
    result = await agent.run("go")
    assert result.tool_calls == 2
    assert of_type(agent, "budget_exhausted")[0].budget_type == "tool_calls"
    results = [m for m in file_messages(agent) if m["role"] == "toolResult"]
    assert "tool call budget" in results[2]["content"][0]["text"]
    assert of_type(agent, "run_completed")[0].stop == "budget_exhausted"


async def test_cost_limit_on_an_unpriced_model_gives_no_bogus_warning(make_agent):
    # issue 13: no "cost at 0 %" warning; the cost is unknown (never $0) and the meters say so
    agent = make_agent(tool_turns(2), limits=BudgetLimits(max_cost=0.5), model="my-local-llama")
    result = await agent.run("go")
    assert result.cost_usd is None
    assert [w for w in of_type(agent, "budget_warning") if w.budget_type == "cost"] == []


async def test_run_time_limit_is_a_hard_failure(make_agent):
    agent = make_agent([Turn().text("slow").delay(5)], limits=BudgetLimits(max_duration=0.2))
    with pytest.raises(BudgetExhaustedError) as info:
        await agent.run("go")
    assert info.value.exit_code == 21
    ex = of_type(agent, "budget_exhausted")[0]
    assert ex.budget_type == "duration" and ex.orderly is False
    assert of_type(agent, "run_failed")[0].code == "BUDGET_EXHAUSTED"
    last = file_messages(agent)[-1]
    assert last["stopReason"] == "aborted" and last["content"][0]["text"] == "slow"
    assert not agent.is_running


async def test_turn_time_limit_tears_down_a_slow_turn(make_agent):
    agent = make_agent([Turn().delay(5)], limits=BudgetLimits(max_turn_duration=0.1))
    with pytest.raises(BudgetExhaustedError, match="model turn"):
        await agent.run("go")
    assert of_type(agent, "budget_exhausted")[0].budget_type == "turn_duration"


async def test_run_time_limit_also_stops_a_running_tool(make_agent):
    agent = make_agent([Turn().tool("bash", {"command": "sleep 20"}, "c1")], limits=BudgetLimits(max_duration=0.5))
    with pytest.raises(BudgetExhaustedError):
        await asyncio.wait_for(agent.run("go"), 5)
    tr = file_messages(agent)[-1]
    assert tr["role"] == "toolResult" and "time limit" in tr["content"][0]["text"]


def _long(n: int) -> str:
    return ("word " * n).strip()


async def test_compaction_on_demand_writes_a_pi_compaction_entry(make_agent):
    agent = make_agent([Turn().text(_long(400)), Turn().text(_long(400)), Turn().text("third answer"),
                        Turn().text("## Goal\nsummary of it all"), Turn().text("after")],
                       compaction=CompactionSettings(enabled=True, reserve_tokens=1000, keep_recent_tokens=50))
    for p in ("one", "two", "three"):
        await agent.run(p)
    before = len(agent.messages)
    entry_id = await agent.compact("focus on the goal")
    entry = agent.manager.get_entry(entry_id)
    assert entry["type"] == "compaction" and entry["summary"] == "## Goal\nsummary of it all"
    kept = agent.manager.get_entry(entry["firstKeptEntryId"])
    # the newest ~50 tokens end inside turn two's long answer: the cut is at the user message "two"
    assert kept["message"]["role"] == "user" and kept["message"]["content"][0]["text"] == "two"
    assert entry["tokensBefore"] > 0
    summary_req = agent.provider.requests[-1]
    assert summary_req.tools == [] and "focus on the goal" in summary_req.messages[0]["content"][0]["text"]
    ctx = file_messages(agent)
    assert [m["role"] for m in ctx] == ["compactionSummary", "user", "assistant", "user", "assistant"]
    assert agent.messages == ctx
    done = of_type(agent, "compaction_completed")[0]
    assert done.messages_before == before and done.messages_after == 5 and done.entry_id == entry_id
    await agent.run("four")
    assert agent.provider.requests[-1].messages[0]["role"] == "compactionSummary"


async def test_compaction_triggers_near_the_window(make_agent):
    # claude-sonnet-4-5 has a 200k window: a turn reporting 190k input tokens crosses window - reserve
    agent = make_agent([Turn(usage=(1000, 10)).text("a"), Turn(usage=(190_000, 10)).tool("ls", {}),
                        Turn().text("SUMMARY"), Turn().text("continued")],
                       model="claude-sonnet-4-5",
                       compaction=CompactionSettings(enabled=True, reserve_tokens=16_384, keep_recent_tokens=10))
    await agent.run("first")
    await agent.run("second")
    t = types(agent)
    assert "compaction_started" in t and "compaction_completed" in t
    assert t.index("compaction_completed") < len(t) - t[::-1].index("turn_started") - 1
    assert file_messages(agent)[0]["role"] == "compactionSummary"


async def test_compaction_with_nothing_older_fails_cleanly(make_agent):
    agent = make_agent([Turn().text("only")], compaction=CompactionSettings(enabled=True))
    await agent.run("one")
    assert await agent.compact() is None
    assert of_type(agent, "compaction_failed")[0].error.startswith("nothing to compact")
