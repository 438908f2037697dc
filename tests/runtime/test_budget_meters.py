"""Issue 13 item 4: what the budget meters count, said plainly and consistently."""

from workbench.providers.replay import ReplayProvider, ScriptBuilder
from workbench.runtime.approvals import ApprovalBroker
from workbench.tui.backend import Limits, RuntimeBackend, Stats
from workbench.tui.widgets.meters import budget_content
from tests.runtime.scripted import Turn


async def test_the_sessions_turns_include_this_runs_and_the_pane_says_which_is_which(make_agent):
    agent = make_agent([Turn().text("one"), Turn().tool("read", {"path": "hello.txt"}), Turn().text("two")])
    backend = RuntimeBackend(agent, ApprovalBroker())
    agent.events.add_listener(backend.note_event)
    await agent.run("first")
    await agent.run("second")
    stats = backend.stats()
    assert (stats.run_turns, stats.turns) == (2, 3)
    assert (stats.run_tool_calls, stats.tool_calls) == (1, 1)
    text = budget_content(Stats(limits=Limits(turns=100), run_turns=2, turns=3), width=80).plain
    assert "counts per run · 3 in the session" in text


async def test_a_turn_in_progress_never_shows_more_than_the_sessions_total(make_agent):
    agent = make_agent([Turn().text("one"), Turn().text("two")])
    backend = RuntimeBackend(agent, ApprovalBroker())
    agent.events.add_listener(backend.note_event)
    await agent.run("first")
    backend.note_event(type("E", (), {"type": "run_started"})())  # the second run starts…
    agent.turns = 1  # …and its first turn is streaming: no assistant message recorded yet
    stats = backend.stats()
    assert stats.run_turns == 1 and stats.turns == 2  # was "1 this run · 1 in the session"


async def test_a_denied_call_counts_in_the_run_as_in_the_session(make_agent):
    agent = make_agent([Turn().tool("bash", {"command": "rm -rf build"}), Turn().text("ok")], mode="ask")
    await agent.run("clean")  # headless: nobody to ask, the call is denied
    assert agent.tool_calls == 1 and agent.session_tool_calls == 1  # both lines count it


async def test_the_context_meter_never_drops_when_the_replay_runs_past_its_script(make_agent):
    script = ScriptBuilder().turn().text("scripted").usage(input=5000, output=200, cache_read=1000).build()
    agent = make_agent([], provider=ReplayProvider(script))
    await agent.run("first")
    after_script = agent.context_tokens
    assert after_script == 6200
    await agent.run("a follow-up")  # past the script: its usage is estimated
    assert agent.context_tokens > after_script  # it used to fall to a few tokens
