"""Runtime defects QA found in the real app: steering replayed after an interrupt, budget meters
reset by a resume, repeated budget warnings, and /compact with too little history."""

from __future__ import annotations

import asyncio
import io

from workbench.cli import build_parser
from workbench.headless import run_headless
from workbench.runtime.approvals import ApprovalBroker
from workbench.runtime.compaction import CompactionSettings, estimate_context_tokens
from workbench.sessions.manager import SessionManager
from workbench.tui.backend import ReadOnlyBackend, RuntimeBackend
from tests.runtime.conftest import file_messages, of_type, types
from tests.runtime.scripted import ScriptedProvider, Turn


def _user_texts(agent) -> list[str]:
    return [m["content"][0]["text"] for m in file_messages(agent) if m["role"] == "user"]


async def test_steering_queued_before_an_interrupt_is_handed_back_not_replayed(make_agent):
    gate = asyncio.Event()
    agent = make_agent([Turn().text("working on it").gate(gate).text(" never"), Turn().text("answer two")])
    backend = RuntimeBackend(agent, ApprovalBroker())
    task = agent.start("one")
    while "text_delta" not in types(agent):
        await asyncio.sleep(0.005)
    backend.steer("use the other file")
    backend.follow_up("then run the tests")
    await backend.interrupt()
    await task
    # shown as pending (recallable), and handed back to the prompt on request
    assert backend.pending() == [("steer", "use the other file"), ("follow_up", "then run the tests")]
    assert agent.pending_steering == [] and agent.pending_follow_ups == []
    # the next prompt does not carry them: they were never delivered
    await agent.run("two")
    assert _user_texts(agent) == ["one", "two"]
    assert [t for _, t in backend.take_pending()] == ["use the other file", "then run the tests"]
    assert backend.pending() == []


async def test_resume_restores_the_whole_sessions_spend(make_agent, workspace, sessions_dir):
    agent = make_agent([Turn(usage=(100, 10)).tool("ls", {}, "c1"), Turn(usage=(200, 20)).text("first"),
                        Turn(usage=(300, 30)).text("second")], model="claude-sonnet-4-5")
    await agent.run("one")
    first_answer = agent.manager.leaf_id
    root = agent.manager.entry_ids()[1]  # the first user message (after the model change)
    agent.manager.branch(agent.manager.get_entry(root)["parentId"])
    agent.reload_context()
    await agent.run("another branch")  # a second branch: its spend counts too
    assert first_answer not in agent.manager.get_branch_ids()
    spent = agent.usage.total_tokens
    assert spent == 110 + 220 + 330
    cost = agent.cost_usd
    path = agent.manager.path
    agent.manager.close()

    reopened = SessionManager.open(path)
    resumed = make_agent([], manager=reopened, model="claude-sonnet-4-5")
    assert resumed.usage.total_tokens == spent and abs(resumed.cost_usd - cost) < 1e-12
    assert (resumed.session_turns, resumed.session_tool_calls) == (3, 1)
    stats = RuntimeBackend(resumed, ApprovalBroker()).stats()
    assert (stats.usage.total_tokens, stats.turns, stats.tool_calls) == (spent, 3, 1)
    assert (stats.run_turns, stats.run_tool_calls) == (0, 0)  # the per-run limits start afresh
    reopened.close()

    readonly = ReadOnlyBackend(SessionManager.open(path, readonly=True)).stats()
    assert (readonly.usage.total_tokens, readonly.turns, readonly.tool_calls) == (spent, 3, 1)
    assert readonly.cost_usd is not None and abs(readonly.cost_usd - cost) < 1e-12


async def _two_branch_session(make_agent) -> tuple[str, int, float]:
    agent = make_agent([Turn(usage=(100, 10)).tool("ls", {}, "c1"), Turn(usage=(200, 20)).text("first"),
                        Turn(usage=(300, 30)).text("second")], model="claude-sonnet-4-5")
    await agent.run("one")
    agent.manager.branch(agent.manager.get_entry(agent.manager.entry_ids()[1])["parentId"])
    agent.reload_context()
    await agent.run("another branch")
    path, spent, cost = agent.manager.path, agent.usage.total_tokens, agent.cost_usd
    agent.manager.close()
    return path, spent, cost


async def test_spend_counted_later_gives_the_same_totals_and_only_what_was_stored(make_agent):
    """The TUI counts a resumed session's spend after its first paint (`spend_later`): until then
    the totals read zero; counted, they are exactly those counted at open; a message appended
    after the open is not counted twice."""
    path, spent, cost = await _two_branch_session(make_agent)
    at_open = make_agent([], manager=SessionManager.open(path), model="claude-sonnet-4-5")
    at_open.manager.close()  # the file has one writer at a time
    later = make_agent([], manager=SessionManager.open(path), model="claude-sonnet-4-5", spend_later=True)
    assert (later.usage.total_tokens, later.cost_usd, later.session_turns) == (0, 0.0, 0)
    assert later.session_tool_calls == 1  # counted from line prefixes at open: cheap
    later.manager.append_message({"role": "assistant", "content": [{"type": "text", "text": "x"}],
                                  "model": "claude-sonnet-4-5", "usage": {"input": 5000, "output": 7}})
    later.count_stored_spend()
    later.count_stored_spend()  # once only
    assert later.usage == at_open.usage and later.usage.total_tokens == spent
    assert later.cost_usd == at_open.cost_usd == cost  # same additions in the same order
    assert later.session_turns == at_open.session_turns == 3
    assert (later._budget.tokens, later._budget.cost) == (at_open._budget.tokens, at_open._budget.cost)


async def test_a_run_counts_the_stored_spend_first(make_agent):
    path, spent, cost = await _two_branch_session(make_agent)
    resumed = make_agent([Turn(usage=(40, 4)).text("third")], manager=SessionManager.open(path),
                         model="claude-sonnet-4-5", spend_later=True)
    backend = RuntimeBackend(resumed, ApprovalBroker())
    resumed.events.subscribe()
    await resumed.run("go on")
    assert resumed.usage.total_tokens == spent + 44 and resumed._budget.tokens == spent + 44
    assert resumed.session_turns == 4 and resumed.cost_usd > cost
    assert backend.stats().turns == 4


def test_headless_prints_one_warning_per_crossing_and_no_doubled_demo_notice(workspace, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DEMO_FAST", "1")
    provider = ScriptedProvider([Turn().tool("ls", {}, "c1"), Turn().text("done")])
    args = build_parser().parse_args(["-p", "go", "--max-turns", "1", "--approve", "yolo", "--cwd", str(workspace)])
    out, err = io.StringIO(), io.StringIO()
    run_headless(args, stdout=out, stderr=err, provider=provider)
    warnings = [line for line in err.getvalue().splitlines() if "budget warning" in line]
    assert warnings == ["workbench: budget warning: 100% of the turns budget used (1 of 1)"]

    args = build_parser().parse_args(["-p", "hi", "--approve", "yolo", "--cwd", str(workspace)])
    out, err = io.StringIO(), io.StringIO()
    assert run_headless(args, stdout=out, stderr=err) == 0
    notice = err.getvalue().splitlines()[0]
    assert notice.count("offline demo") == 1 and notice.startswith("workbench: no provider configured")


async def test_can_compact_says_why_not_and_uses_the_meters_estimate(make_agent):
    long = ("word " * 400).strip()
    agent = make_agent([Turn().text(long), Turn().text(long), Turn().text("SUMMARY")],
                       compaction=CompactionSettings(enabled=True, keep_recent_tokens=50))
    ok, reason = agent.can_compact()
    assert not ok and "nothing to compact" in reason
    assert RuntimeBackend(agent, ApprovalBroker()).can_compact() == (ok, reason)
    await agent.run("one")
    ok, reason = agent.can_compact()
    assert not ok and f"~{agent.context_tokens:,} tokens" in reason
    await agent.run("two")
    ok, reason = agent.can_compact()
    assert ok and f"~{agent.context_tokens:,} tokens" in reason
    assert agent.context_tokens == estimate_context_tokens(agent.messages)  # one estimator
    await agent.compact()
    assert agent.context_tokens == estimate_context_tokens(agent.messages)
    assert of_type(agent, "compaction_completed")
