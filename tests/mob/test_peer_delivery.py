"""A member's send_message is recorded once by its sender (the call and its result) and once by
its recipient (a peer_message entry): the mob log holds none of it, and a resumed mob still
delivers every message exactly once, whichever of the two writes a crash cut off."""

import json
from pathlib import Path

from tests.mob.conftest import replay_env
from workbench.mob.definition import parse_definition
from workbench.mob.handle import MobHandle
from workbench.providers.replay import ScriptBuilder

DEFINITION = parse_definition('''
[mob]
id = "d"
orchestrator = "lead"
[profiles.lead]
[profiles.worker]
[wiring]
role_wiring = [{ a = "worker", b = "worker" }]
''')


def scripts():
    u = dict(input=10, output=5)
    return {
        "lead": ScriptBuilder().turn().text("x").usage(**u).build(),
        "a": (ScriptBuilder().turn().tool_call("send_message", {"to": "b", "text": "the plan changed"}, id="s1")
              .usage(**u).turn().text("sent").usage(**u).build()),
        "b": (ScriptBuilder().turn().text("noted").usage(**u).turn().text("noted again").usage(**u).build()),
    }


def lines(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def peer_entries(path) -> list[dict]:
    return [e for e in lines(path) if e["type"] == "custom_message"]


def send_results(path) -> list[dict]:
    return [e["message"] for e in lines(path) if e["type"] == "message"
            and e["message"].get("toolName") == "send_message"]


async def started(tmp_path, workspace):
    h = await MobHandle.create(DEFINITION, replay_env(tmp_path, workspace, scripts()))
    await h.spawn("worker", "a")
    await h.spawn("worker", "b")
    return h


async def reopen(tmp_path, workspace, mob_id):
    h = await MobHandle.open(mob_id, replay_env(tmp_path, workspace, scripts()))
    await h.resume()
    await h.wait_idle()
    return h


async def test_a_message_whose_recipient_never_recorded_it_is_delivered_once_on_resume(tmp_path, workspace):
    h = await started(tmp_path, workspace)
    await h.stop()  # b takes nothing in: the message waits in memory only
    result = await h.session("a").run("report to b")  # a's call and its result reach a's file
    assert result.text == "sent"
    mob_id, a_path, b_path = h.id, h.member("a").session_path, h.member("b").session_path
    h.close()  # the process "dies" with the message still queued for b
    [sent] = send_results(a_path)
    message_id = sent["details"]["messageId"]
    assert not sent["isError"] and sent["details"]["to"] == "b" and message_id.startswith("a:")
    assert not [r for r in lines(h.log_path) if r["type"] == "peer_message"]  # the log holds none
    assert not Path(b_path).exists()  # b never got a message: no session file yet

    h2 = await reopen(tmp_path, workspace, mob_id)
    b_path = h2.member("b").session_path  # b had no message yet: its session starts on resume
    try:
        [entry] = peer_entries(b_path)
        assert entry["details"] == {"sender": "a", "recipient": "b", "messageId": message_id}
        assert "the plan changed" in entry["content"] and h2.session("b").last_result.text == "noted"
    finally:
        h2.close()
    h3 = await reopen(tmp_path, workspace, mob_id)  # nothing left to deliver: no second copy
    h3.close()
    assert len(peer_entries(b_path)) == 1 and len(send_results(a_path)) == 1


def cut_after_the_call(path) -> None:
    """The process died after a's call was recorded and before its result was."""
    kept = []
    for raw in Path(path).read_text().splitlines(keepends=True):
        kept.append(raw)
        entry = json.loads(raw)
        if entry["type"] == "message" and any(b.get("name") == "send_message"
                                              for b in entry["message"].get("content") or ()):
            break
    Path(path).write_text("".join(kept))


async def test_a_call_cut_off_after_the_message_arrived_is_answered_delivered(tmp_path, workspace):
    h = await started(tmp_path, workspace)
    await h.send("a", "report to b")
    await h.wait_idle()
    mob_id, a_path, b_path = h.id, h.member("a").session_path, h.member("b").session_path
    h.close()
    [entry] = peer_entries(b_path)
    cut_after_the_call(a_path)
    assert send_results(a_path) == []

    h2 = await reopen(tmp_path, workspace, mob_id)
    h2.close()
    [result] = send_results(a_path)
    assert not result["isError"] and result["content"][0]["text"] == "message delivered to b"
    assert result["details"]["messageId"] == entry["details"]["messageId"]
    assert len(peer_entries(b_path)) == 1  # not delivered a second time


async def test_a_call_cut_off_before_the_message_arrived_says_not_delivered(tmp_path, workspace):
    h = await started(tmp_path, workspace)
    await h.stop()
    await h.session("a").run("report to b")
    mob_id, a_path, b_path = h.id, h.member("a").session_path, h.member("b").session_path
    h.close()
    cut_after_the_call(a_path)

    h2 = await reopen(tmp_path, workspace, mob_id)
    b_now = h2.member("b").session_path
    h2.close()
    [result] = send_results(a_path)
    assert result["isError"] and result["content"][0]["text"].startswith("Not delivered: the process stopped")
    for path in {b_path, b_now}:  # never delivered behind a's back
        assert not Path(path).exists() or not peer_entries(path)
    assert not [e for e in h2.events.history() if e.type == "user_message" and e.member == "b"]


async def test_the_recipient_gets_a_message_only_once_the_senders_result_is_on_disk(tmp_path, workspace):
    h = await started(tmp_path, workspace)
    a_path = h.member("a").session_path
    on_disk_at_delivery = []

    def check(event):
        if event.type == "peer_message" and event.sender == "a":
            on_disk_at_delivery.append([m["details"]["messageId"] for m in send_results(a_path)])

    h.events.add_listener(check)
    try:
        await h.send("a", "report to b")
        await h.wait_idle()
        [entry] = peer_entries(h.member("b").session_path)
        assert on_disk_at_delivery == [[entry["details"]["messageId"]]]
        assert h.session("b").last_result.text == "noted"
    finally:
        h.close()
