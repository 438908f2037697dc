"""The provider says the context is too long: compact once and send the turn again; if that does
not help (or there is nothing to compact) the run fails with a message a person can act on.
Driven by the replay provider's error injection."""

from __future__ import annotations

import pytest

from workbench.errors import ProviderFailure
from workbench.providers.replay import ReplayProvider, ScriptBuilder
from workbench.runtime.compaction import CompactionSettings
from tests.runtime.conftest import file_messages, of_type, types


class Recording(ReplayProvider):
    """The replay provider, keeping each request it was sent."""

    def __init__(self, script):
        super().__init__(script, delay_scale=0)
        self.requests = []

    def stream(self, request):
        self.requests.append(request)
        return super().stream(request)


def long_text(n: int) -> str:
    return ("word " * n).strip()


COMPACTION = CompactionSettings(enabled=True, reserve_tokens=1000, keep_recent_tokens=50)


async def two_long_runs(make_agent, script: ScriptBuilder, **kw):
    provider = Recording(script.build())
    agent = make_agent([], provider=provider, compaction=kw.pop("compaction", COMPACTION), **kw)
    for prompt in ("one", "two"):
        await agent.run(prompt)
    return agent, provider


def history(*after: callable) -> ScriptBuilder:
    b = ScriptBuilder().turn().text(long_text(400)).turn().text(long_text(400))
    for add in after:
        add(b)
    return b


async def test_compacts_once_and_sends_the_turn_again(make_agent):
    script = history(lambda b: b.turn().error("context_too_long"),
                     lambda b: b.turn().text("## Goal\nthe summary"),
                     lambda b: b.turn().text("answered after compaction"))
    agent, provider = await two_long_runs(make_agent, script)
    result = await agent.run("three")

    assert result.text == "answered after compaction" and result.turns == 1
    t = types(agent)
    tail = t[t.index("run_started", len(t) - t[::-1].index("run_started") - 1):]
    assert [x for x in tail if x in ("turn_started", "compaction_started", "compaction_completed", "retrying",
                                     "turn_completed", "run_completed", "run_failed")] == [
        "turn_started", "compaction_started", "compaction_completed", "retrying", "turn_completed", "run_completed"]
    retry = of_type(agent, "retrying")[-1]
    assert retry.kind == "context_too_long" and "compacted" in retry.error
    # The turn went out again on the compacted context, which the file agrees with.
    assert provider.requests[-1].messages[0]["role"] == "compactionSummary"
    assert provider.requests[-1].messages[-1]["content"][0]["text"] == "three"
    ctx = file_messages(agent)
    assert ctx[0] == {**ctx[0], "role": "compactionSummary", "summary": "## Goal\nthe summary"}
    assert ctx[-1]["role"] == "assistant" and ctx[-1]["content"][0]["text"] == "answered after compaction"
    assert agent.messages == ctx


async def test_still_too_long_after_compacting_fails_the_run_clearly(make_agent):
    script = history(lambda b: b.turn().error("context_too_long"),
                     lambda b: b.turn().text("summary"),
                     lambda b: b.turn().error("context_too_long"))
    agent, _ = await two_long_runs(make_agent, script)
    with pytest.raises(ProviderFailure) as info:
        await agent.run("three")
    assert info.value.exit_code == 20
    assert "still too long after compacting" in info.value.message
    failed = of_type(agent, "run_failed")[-1]
    assert failed.code == "PROVIDER_ERROR" and failed.error == info.value.message
    assert len(of_type(agent, "compaction_completed")) == 1  # once, not in a loop
    assert not agent.is_running
    assert file_messages(agent)[-1]["content"][0]["text"] == "three"  # the prompt is kept


async def test_nothing_to_compact_fails_with_the_reason(make_agent):
    provider = Recording(ScriptBuilder().turn().error("context_too_long").build())
    agent = make_agent([], provider=provider, compaction=COMPACTION)
    with pytest.raises(ProviderFailure) as info:
        await agent.run(long_text(50))
    assert "compacting it failed: nothing to compact" in info.value.message
    assert of_type(agent, "run_failed")[-1].error == info.value.message
    assert len(provider.requests) == 1


async def test_with_compaction_off_the_message_says_what_to_do(make_agent):
    script = history(lambda b: b.turn().error("context_too_long"))
    agent, provider = await two_long_runs(make_agent, script, compaction=CompactionSettings(enabled=False))
    with pytest.raises(ProviderFailure) as info:
        await agent.run("three")
    assert "Automatic compaction is off" in info.value.message and "/compact" in info.value.message
    assert "compaction_started" not in types(agent) and len(provider.requests) == 3
