"""The issue's scenario on the replay provider: events, persisted sessions and the final roster."""

import asyncio
import json
from pathlib import Path

from tests.mob import scenario
from tests.mob.conftest import replay_env, wait_until
from workbench.mob.definition import parse_definition
from workbench.mob.handle import MobHandle
from workbench.runtime.approvals import ApprovalDecision


def _subsequence(events, wanted):
    """Each wanted (type, predicate) found in order; returns the indexes."""
    idx, out = 0, []
    for want_type, pred in wanted:
        while idx < len(events) and not (events[idx].type == want_type and pred(events[idx])):
            idx += 1
        assert idx < len(events), f"missing {want_type} after index {out[-1] if out else 0}"
        out.append(idx)
        idx += 1
    return out


async def run_scenario(handle):
    broker = handle.approvals
    run = asyncio.create_task(handle.run("Ship release 2.0"))
    requests = broker.subscribe()
    req = await asyncio.wait_for(requests.__anext__(), 60)
    assert req.agent == "w1" and req.tool == "edit"
    assert req.preview and "version 2.0" in req.preview["text"]

    def lead_noted_w3():
        roster = {m.identity: m for m in handle.roster()}
        if not {"w2", "w3"} <= roster.keys():
            return False
        return (roster["w3"].status == "completed" and roster["lead"].status == "idle"
                and roster["w2"].status == "idle" and handle.session("lead").turns >= 1
                and sum(1 for e in handle.session("lead").manager.entries
                        if e.get("type") == "message" and e["message"]["role"] == "assistant") == 3)

    await wait_until(handle, lead_noted_w3, timeout=60)
    assert handle.member("w1").status == "waiting_for_approval"
    broker.resolve(req.request_id, ApprovalDecision("once"))
    result = await asyncio.wait_for(run, 60)
    await requests.aclose()
    return result


def _session(path):
    lines = [json.loads(l) for l in Path(path).read_text().splitlines()]
    return lines[0], lines[1:]


async def test_scenario_on_replay(tmp_path, workspace):
    env = replay_env(tmp_path, workspace, scenario.replay_scripts())
    handle = await MobHandle.create(parse_definition(scenario.DEFINITION), env, task="Ship release 2.0")
    try:
        result = await run_scenario(handle)
        events = handle.events.history()
        roster = {m.identity: m for m in handle.roster()}
    finally:
        await handle.complete()
        handle.close()

    assert result is not None and result.text == scenario.FINAL
    assert (workspace / "notes.txt").read_text() == "release notes\nversion 2.0\n"

    m = lambda **kw: (lambda e: all(getattr(e, k) == v for k, v in kw.items()))
    _subsequence(events, [
        ("member_spawned", m(identity="lead", orchestrator=True)),
        ("run_started", m(member="lead")),
        ("member_spawned", m(identity="w1", profile="worker")),
        ("members_wired", m(a="lead", b="w1")),
        ("tool_approval_requested", m(member="w1", name="edit")),
        ("member_spawned", m(identity="w3", profile="scout")),
        ("members_wired", m(a="w1", b="w2")),
        ("budget_exhausted", m(member="w3", budget_type="tokens")),
        ("member_status_changed", m(identity="w3", status="completed")),
        ("peer_message", m(sender="mob", recipient="lead")),
        ("tool_approval_resolved", m(member="w1", decision="once")),
        ("peer_message", m(sender="w1", recipient="w2")),
        ("peer_message", m(sender="w2", recipient="lead")),
        ("member_retired", m(identity="w3")),
        ("peer_message", m(sender="lead", recipient="w1")),
        ("run_completed", m(member="lead", text=scenario.FINAL)),
    ])
    # Every runtime event of a member is attributed to it.
    for e in events:
        if e.type in ("turn_started", "text_delta", "tool_execution_started", "run_completed"):
            assert e.member in ("lead", "w1", "w2", "w3"), e
    # The strict topology refusal went back to w2's model as an error.
    refused = [e for e in events if e.type == "tool_result_received" and e.member == "w2" and e.is_error]
    assert len(refused) == 1
    assert not any(e.type == "peer_message" and e.recipient == "w3" for e in events)
    # Status changes were emitted with activity.
    assert any(e.type == "member_status_changed" and e.identity == "w1" and e.status == "waiting_for_approval"
               and e.activity == "edit" for e in events)
    assert any(e.type == "member_status_changed" and e.identity == "w3" and e.activity == "ls" for e in events)

    # Final roster: w3 retired and gone; the rest completed with the mob, with tokens counted.
    assert sorted(roster) == ["lead", "w1", "w2"]
    assert [r.status for r in roster.values()] == ["idle", "idle", "idle"]
    assert roster["lead"].peers == ("w1", "w2") and roster["w1"].peers == ("lead", "w2")
    assert roster["w1"].tokens == 30 + 10 + 40 + 10 + 45 + 5 + 50 + 4

    # Persisted sessions: headers name the mob and the lead's session; peer messages are custom_message.
    lead_header, lead_entries = _session(roster["lead"].session_path)
    assert lead_header["mob"] == {"id": handle.id, "member": "lead", "profile": "lead"}
    assert "parentSession" not in lead_header
    w2_header, w2_entries = _session(roster["w2"].session_path)
    assert w2_header["mob"]["member"] == "w2" and w2_header["parentSession"] == roster["lead"].session_path
    peer = [e for e in w2_entries if e["type"] == "custom_message"]
    assert len(peer) == 1 and peer[0]["customType"] == "peer_message"
    assert peer[0]["details"]["sender"] == "w1" and "please review" in peer[0]["content"]
    senders = [e["details"]["sender"] for e in lead_entries if e["type"] == "custom_message"]
    assert senders == ["mob", "w2"]
    assert [e["message"]["role"] for e in lead_entries if e["type"] == "message"].count("assistant") == 5
