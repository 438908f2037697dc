"""The offline demo's playbook tour, through the real agent runtime and playbook: the demo
workspace's playbook loads, the first prompt starts the journey by a pattern, the tour's two prompts
move it to its end, every turn leaves a record the why view shows, and the demo's answers say
what the playbook injected only when it really did."""

from __future__ import annotations

import asyncio

from workbench.demo_workspace import prepare_demo_workspace
from workbench.playbook.loader import load_playbook
from workbench.playbook.runtime import PlaybookRuntime
from workbench.playbook.state import state_at
from workbench.providers.base import ProviderRequest
from workbench.providers.demo import demo_provider
from workbench.providers.demo_tour import GUIDELINE_ACTION, TOUR_PROMPTS, tour_turn
from workbench.runtime.agent import AgentSession
from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision
from workbench.runtime.compaction import CompactionSettings
from workbench.runtime.retry import RetryPolicy
from workbench.sessions.manager import SessionManager
from workbench.tui.screens.why import turns_on_path
from workbench.tui.startup import DEMO_PROMPT


def _text(turn) -> str:
    return "".join(c.text or "" for c in turn.chunks)


def test_tour_answers_say_only_what_was_injected():
    assert tour_turn("hi", ProviderRequest(model="replay", messages=[])) is None
    told = _text(tour_turn(TOUR_PROMPTS[0], ProviderRequest(model="replay", messages=[],
                                                            system_prompt=f"- [python-style] {GUIDELINE_ACTION}")))
    assert "`python-style` matched" in told and "second step" not in told  # the step was not injected
    bare = _text(tour_turn(TOUR_PROMPTS[0], ProviderRequest(model="replay", messages=[])))
    assert bare.startswith("No playbook guidance reached me") and "python-style" not in bare


async def test_the_tour_through_the_runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    workspace = prepare_demo_workspace()
    playbook = load_playbook(workspace)
    assert not playbook.problems and [j.id for j in playbook.journeys] == ["demo-tour"]
    manager = SessionManager.create(workspace, sessions_dir=tmp_path / "sessions")
    broker = ApprovalBroker()

    def approve(req):
        if not req.done:
            asyncio.get_running_loop().call_soon(broker.resolve, req.request_id, ApprovalDecision("once"))

    broker.add_listener(approve)
    runtime = PlaybookRuntime(playbook)
    agent = AgentSession(manager, demo_provider(fast=True), model="replay", approvals=broker, playbook=runtime,
                         retry=RetryPolicy(base_delay=0.0), compaction=CompactionSettings(enabled=False))
    statuses = []
    try:
        for prompt in (DEMO_PROMPT, *TOUR_PROMPTS):
            await agent.run(prompt)
            statuses.append(runtime.status_text())
        assert statuses[:2] == ["journey demo-tour · 1/3 look around", "journey demo-tour · 2/3 check the code"]
        assert state_at(manager).journey.status == "completed"
        assert state_at(manager).journey.path == ("look", "check", "done")
        turns = turns_on_path(manager)
        assert [t.text for t in turns] == [DEMO_PROMPT, *TOUR_PROMPTS]
        first, check, wrap = (t.record for t in turns)
        assert first["matcher"] == "patterns-only" and first["matcher_note"]
        assert [(m["id"], m["source"]) for m in first["matched"]] == [("tour-guide", "pattern")]
        assert [(m["id"], m["source"]) for m in check["matched"]] == [("python-style", "pattern")]
        assert check["transition"]["to"] == "check" and wrap["transition"]["to"] == "done"
        assert GUIDELINE_ACTION in check["injected"]
        answers = [m for m in manager.build_context().messages if m["role"] == "assistant"]
        said = "".join(b.get("text", "") for b in answers[-2]["content"] if b["type"] == "text")
        assert "`python-style` matched by its pattern" in said and "**check the code**" in said
    finally:
        manager.close()
