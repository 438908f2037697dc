import asyncio

import pytest

from workbench.errors import InvalidParams
from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision, ApprovalRequest, new_request_id


def req(session="s1") -> ApprovalRequest:
    return ApprovalRequest(request_id=new_request_id(), session_id=session, agent=None, tool="bash",
                           call_id="c1", args={"command": "ls"}, preview=None, scope="bash(ls*)")


async def test_request_waits_for_resolve_and_subscribers_see_it():
    broker = ApprovalBroker()
    seen = []

    async def ui():
        async for r in broker.subscribe():
            seen.append(r)
            broker.resolve(r.request_id, ApprovalDecision("session"))

    ui_task = asyncio.create_task(ui())
    await asyncio.sleep(0)
    r = req()
    decision = await asyncio.wait_for(broker.request(r), 1)
    assert decision.kind == "session" and seen == [r]
    assert broker.pending() == []
    ui_task.cancel()


async def test_pending_replayed_to_late_subscriber_and_cancel_withdraws():
    broker = ApprovalBroker()
    r = req("s2")
    waiter = asyncio.create_task(broker.request(r))
    await asyncio.sleep(0)
    assert broker.pending("s2") == [r] and broker.pending("other") == []
    sub = broker.subscribe()
    assert (await asyncio.wait_for(sub.__anext__(), 1)) is r
    waiter.cancel()
    await asyncio.sleep(0)
    assert broker.pending() == []
    with pytest.raises(InvalidParams, match="no pending approval"):
        broker.resolve(r.request_id, ApprovalDecision("once"))
    await sub.aclose()


def test_decision_kind_is_checked():
    with pytest.raises(InvalidParams, match="once, session, always, deny"):
        ApprovalDecision("maybe")  # type: ignore[arg-type]
