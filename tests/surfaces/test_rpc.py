"""`workbench rpc` through a real process: a conversation, approvals, interrupt, busy, not found,
malformed input, cancel, end of input mid-turn, many sessions, mobs, and the Anthropic wire format."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import FakeHTTPServer, anthropic_error, anthropic_stream, text, tool_use
from tests.surfaces.rpc_process import Rpc
from workbench.providers.replay import ScriptBuilder
from workbench.sessions.manager import SessionManager


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    d = tmp_path / "ws"
    d.mkdir()
    (d / "hello.txt").write_text("hello world\n")
    return d


def script(tmp_path: Path, builder: ScriptBuilder, name: str = "script.json") -> str:
    path = tmp_path / name
    path.write_text(builder.build().to_json())
    return str(path)


async def replay_server(tmp_path: Path, ws: Path, builder: ScriptBuilder, *extra: str) -> Rpc:
    return await Rpc.start("--provider", "replay", "--replay-script", script(tmp_path, builder), *extra, cwd=ws)


def error_of(reply: dict) -> tuple[int, str]:
    assert "error" in reply, reply
    return reply["error"]["code"], reply["error"]["data"]["code"]


async def test_a_conversation_streams_the_jsonl_events_and_answers_with_the_run_result(tmp_path, ws):
    rpc = await replay_server(tmp_path, ws, ScriptBuilder().turn().text("hi ").text("there").usage(input=10, output=2)
                              .turn().tool_call("read", {"path": "hello.txt"}).turn().text("It says hello."))
    try:
        init = await rpc.result("initialize", {"contract_version": "0.1.0"})
        assert init["contract_version"] == "0.1.0" and init["server_version"]
        caps = {c["id"]: c["status"] for c in init["capabilities"]}
        assert caps["sessions"] == caps["streaming"] == caps["approvals"] == caps["mob"] == "Available"
        assert set(caps.values()) <= {"Available", "NotCompiled", "DisabledByPolicy", "NotSupportedByProtocol"}
        assert caps["hooks"] == caps["checkpoints"] == caps["skills"] == "Available"
        assert caps["mcp"] == "Available"  # rpc sessions get the MCP servers' tools (SessionService mcp_pool)
        assert {"turn/start", "approval/respond", "mob/create", "$/cancelRequest"} <= set(init["methods"])

        created = await rpc.result("session/create", {"prompt": "hello", "labels": {"team": "a"}})
        sid = created["session_id"]
        assert created["result"]["text"] == "hi there" and created["result"]["stop"] == "end_turn"
        assert created["result"]["usage"]["input_tokens"] == 10
        types = [e["type"] for e in rpc.events(sid)]
        # the same events, in the same order, as `workbench -p --output-format jsonl`
        assert types == ["run_started", "skills_resolved", "user_message", "turn_started", "text_delta",
                         "text_delta", "text_complete", "turn_completed", "run_completed"]
        assert all(e["session_id"] == sid for e in rpc.events(sid))
        # every notification precedes the answer it belongs to
        answer_at = next(i for i, m in enumerate(rpc.messages) if m.get("id") == 2)
        last_event_at = max(i for i, m in enumerate(rpc.messages) if m.get("method") == "session/event")
        assert last_event_at < answer_at

        result = await rpc.result("turn/start", {"session_id": sid[:8], "prompt": "read hello.txt"})
        assert result["text"] == "It says hello." and result["tool_calls"] == 1 and result["turns"] == 2

        listed = await rpc.result("session/list", {"labels": {"team": "a"}})
        assert [s["session_id"] for s in listed["sessions"]] == [sid]
        info = await rpc.result("session/read", {"session_id": sid})
        assert info["message_count"] == 6 and info["is_active"] is False and info["last_result"]["tool_calls"] == 1
        history = await rpc.result("session/history", {"session_id": sid})
        assert [m["role"] for m in history["messages"]] == ["user", "assistant", "user", "assistant", "toolResult",
                                                            "assistant"]
        archived = await rpc.result("session/archive", {"session_id": sid})
        assert archived["archived"] and (await rpc.result("session/list"))["sessions"] == []
        # archived is not gone: the stored session opens again by id
        again = await rpc.result("session/read", {"session_id": sid})
        assert again["message_count"] == 6
        stored = await rpc.result("session/list", {"include_stored": True})
        assert sid in [s["session_id"] for s in stored["sessions"]]
    finally:
        assert await rpc.close() == 0


async def test_approval_over_rpc(tmp_path, ws):
    b = ScriptBuilder().turn().tool_call("write", {"path": "new.txt", "content": "made over rpc\n"}) \
        .turn().text("written").turn().tool_call("bash", {"command": "rm -rf /tmp/nothing-here"}).turn().text("ok")
    rpc = await replay_server(tmp_path, ws, b, "--approve", "ask")
    try:
        sid = (await rpc.result("session/create", {}))["session_id"]
        rid = await rpc.send("turn/start", {"session_id": sid, "prompt": "write new.txt"})
        asked = await rpc.event("tool_approval_requested")
        assert asked["name"] == "write" and asked["preview"]["kind"] == "diff" and "+made over rpc" in asked["preview"]["text"]
        pending = (await rpc.result("approval/list", {"session_id": sid}))["approvals"]
        assert [p["request_id"] for p in pending] == [asked["request_id"]]
        assert not (ws / "new.txt").exists()
        ok = await rpc.result("approval/respond", {"request_id": asked["request_id"], "decision": "once"})
        assert ok["decision"] == "once"
        result = (await rpc.answer(rid))["result"]
        assert result["text"] == "written" and (ws / "new.txt").read_text() == "made over rpc\n"
        assert (await rpc.event("tool_approval_resolved"))["decision"] == "once"

        rid = await rpc.send("turn/start", {"session_id": sid, "prompt": "clean up"})
        asked = await rpc.event("tool_approval_requested", name="bash")
        await rpc.result("approval/respond", {"request_id": asked["request_id"], "decision": "deny",
                                              "feedback": "not that"})
        assert (await rpc.answer(rid))["result"]["text"] == "ok"
        assert (await rpc.event("tool_result_received", name="bash"))["status"] == "denied"
        # answering twice, or something unknown, is INVALID_PARAMS
        again = await rpc.call("approval/respond", {"request_id": asked["request_id"], "decision": "once"})
        assert error_of(again) == (-32602, "INVALID_PARAMS")
    finally:
        assert await rpc.close() == 0


async def test_busy_interrupt_cancel_and_not_found(tmp_path, ws):
    b = ScriptBuilder().turn().tool_call("write", {"path": "a.txt", "content": "a"}) \
        .turn().text("slow ").text("answer ").text("that ").text("goes ").text("on", delay_ms=30000) \
        .turn().tool_call("write", {"path": "b.txt", "content": "b"}).turn().text("after cancel")
    rpc = await replay_server(tmp_path, ws, b, "--approve", "ask")
    try:
        sid = (await rpc.result("session/create", {}))["session_id"]
        first = await rpc.send("turn/start", {"session_id": sid, "prompt": "one"})
        await rpc.event("tool_approval_requested")
        busy = await rpc.call("turn/start", {"session_id": sid, "prompt": "two"})
        assert error_of(busy) == (-32002, "SESSION_BUSY")
        assert busy["error"]["data"]["details"]["session_id"] == sid
        # interrupt while it waits for approval: the turn answers, stopped
        assert (await rpc.result("turn/interrupt", {"session_id": sid}))["interrupted"]
        stopped = (await rpc.answer(first))["result"]
        assert stopped["stop"] == "interrupted" and not (ws / "a.txt").exists()
        assert error_of(await rpc.call("turn/interrupt", {"session_id": sid})) == (-32003, "SESSION_NOT_RUNNING")

        # interrupt mid-stream keeps the partial answer
        slow = await rpc.send("turn/start", {"session_id": sid, "prompt": "three"})
        await rpc.event("text_delta", delta="goes ")
        await rpc.result("turn/interrupt", {"session_id": sid})
        partial = (await rpc.answer(slow))["result"]
        assert partial["stop"] == "interrupted" and partial["text"].startswith("slow answer that goes")

        # $/cancelRequest: REQUEST_CANCELLED, and the session is usable again at once
        cancelled = await rpc.send("turn/start", {"session_id": sid, "prompt": "four"})
        await rpc.event("tool_approval_requested", name="write", args={"path": "b.txt", "content": "b"})
        await rpc.notify("$/cancelRequest", {"id": cancelled})
        assert error_of(await rpc.answer(cancelled)) == (-32005, "REQUEST_CANCELLED")
        assert not (ws / "b.txt").exists()
        assert (await rpc.result("turn/start", {"session_id": sid, "prompt": "five"}))["text"] == "after cancel"

        for method in ("session/read", "turn/interrupt", "session/history", "session/archive"):
            reply = await rpc.call(method, {"session_id": "0000dead"})
            assert error_of(reply) == (-32001, "SESSION_NOT_FOUND"), method
        assert error_of(await rpc.call("turn/start", {"session_id": "0000dead", "prompt": "x"}))[1] == "SESSION_NOT_FOUND"
    finally:
        assert await rpc.close() == 0


async def test_malformed_input_gets_errors_and_the_server_keeps_serving(tmp_path, ws):
    rpc = await replay_server(tmp_path, ws, ScriptBuilder().turn().text("fine"))
    try:
        await rpc.write(b"this is not json\n")
        await rpc.write(b"[1, 2]\n42\n\"text\"\n")
        await rpc.write(b'{"jsonrpc": "2.0", "id": 7}\n')
        await rpc.write(b'{"jsonrpc": "1.0", "id": 8, "method": "initialize"}\n')
        await rpc.write(b'{"jsonrpc": "2.0", "id": 9, "method": "initialize", "params": [1]}\n')
        await rpc.write(b'\xff\xfe\n')
        big = b'{"jsonrpc": "2.0", "id": 10, "method": "session/create", "params": {"prompt": "' + b"x" * (50 << 20) + b'"}}\n'
        await rpc.write(big)
        unknown = await rpc.call("no/such/method", {})
        assert error_of(unknown) == (-32601, "METHOD_NOT_FOUND")
        wrong = await rpc.call("turn/start", {"session_id": 5, "prompt": "x", "bogus": True})
        code, name = error_of(wrong)
        assert (code, name) == (-32602, "INVALID_PARAMS")
        fields = {e["field"] for e in wrong["error"]["data"]["details"]["errors"]}
        assert fields == {"session_id", "bogus"}
        bad_image = await rpc.call("session/create", {"prompt": [{"type": "image", "media_type": "image/png",
                                                                  "data": "not base64!"}]})
        assert error_of(bad_image)[1] == "INVALID_PARAMS"
        bad_schema = await rpc.call("session/create", {"prompt": "x", "output_schema": {"type": 12}})
        assert error_of(bad_schema)[1] == "INVALID_PARAMS" and "JSON Schema" in bad_schema["error"]["message"]
        # still serving, and the answers came in order of the lines
        assert (await rpc.result("session/create", {"prompt": "ok?"}))["result"]["text"] == "fine"
        errors = [m for m in rpc.messages if "error" in m]
        codes = [m["error"]["code"] for m in errors[:9]]
        assert codes == [-32700, -32600, -32600, -32600, -32600, -32600, -32602, -32700, -32600]
        assert errors[4]["id"] == 7 and errors[5]["id"] == 8 and errors[6]["id"] == 9
        too_big = next(m for m in errors if "too large" in m["error"]["message"])
        assert too_big["error"]["data"]["details"]["bytes"] > 50 << 20
        assert not [m for m in rpc.messages if m.get("id") == 10 and "result" in m]
    finally:
        assert await rpc.close() == 0


async def test_end_of_input_mid_turn_interrupts_and_every_session_stays_loadable(tmp_path, ws):
    b = ScriptBuilder().turn().text("streaming ").text("for a long time", delay_ms=30000)
    rpc = await replay_server(tmp_path, ws, b)
    sids = []
    for _ in range(3):
        sids.append((await rpc.result("session/create", {}))["session_id"])
    for sid in sids:
        await rpc.send("turn/start", {"session_id": sid, "prompt": "go"})
    for sid in sids:
        await rpc.wait_for(lambda m, s=sid: m.get("method") == "session/event" and m["params"]["session_id"] == s
                           and m["params"]["event"]["type"] == "text_delta")
    started = asyncio.get_running_loop().time()
    assert await rpc.close() == 0
    assert asyncio.get_running_loop().time() - started < 10
    answers = [m["result"] for m in rpc.messages if "result" in m and "stop" in m["result"]]
    assert sorted(a["stop"] for a in answers) == ["interrupted"] * 3
    files = list((Path(os.environ["WORKBENCH_HOME"]) / "sessions").rglob("*.jsonl"))
    assert len(files) == 3
    for f in files:
        m = SessionManager.open(f)  # loadable, and the lock was released
        roles = [x["role"] for x in m.build_context().messages]
        assert roles == ["user", "assistant"] and m.build_context().messages[-1]["stopReason"] == "aborted"
        assert "streaming" in json.dumps(m.build_context().messages[-1])
        m.close()


async def test_many_sessions_at_once_with_images_and_structured_output(tmp_path, ws):
    b = ScriptBuilder().turn().text('{"n": ', delay_ms=500).text('1}')
    rpc = await replay_server(tmp_path, ws, b)
    try:
        png = base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()
        schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
        sids = [(await rpc.result("session/create", {}))["session_id"] for _ in range(5)]
        loop = asyncio.get_running_loop()
        started = loop.time()
        rids = [await rpc.send("turn/start", {"session_id": s, "prompt": [
            {"type": "text", "text": "count"}, {"type": "image", "media_type": "image/png", "data": png}],
            "output_schema": schema}) for s in sids]
        answers = [await rpc.answer(r) for r in rids]
        assert all("result" in a for a in answers), answers
        results = [a["result"] for a in answers]
        assert loop.time() - started < 0.5 * 5  # concurrently: one after the other would take 2.5 s
        assert all(r["structured_output"] == {"n": 1} and r["extraction_error"] is None for r in results)
        history = await rpc.result("session/history", {"session_id": sids[0]})
        content = history["messages"][0]["content"]
        assert content[0]["type"] == "text" and content[0]["text"].startswith("count")
        assert content[1] == {"type": "image", "data": png, "mimeType": "image/png"}
    finally:
        assert await rpc.close() == 0


async def test_mob_methods(tmp_path, ws):
    rpc = await Rpc.start("--provider", "replay", cwd=ws, env={"WORKBENCH_REPLAY_DELAY_SCALE": "0"})
    try:
        mob = await rpc.result("mob/create", {"definition": "demo"})
        mob_id = mob["mob_id"]
        assert mob["state"] == "running" and mob["live"]
        members = (await rpc.result("mob/members", {"mob_id": mob_id}))["members"]
        lead = next(m for m in members if m["orchestrator"])
        profiles = [p for p in ("worker", "reviewer", "coder") if p]
        spawned = None
        for profile in profiles:
            reply = await rpc.call("mob/spawn", {"mob_id": mob_id, "profile": profile, "identity": "helper-1"})
            if "result" in reply:
                spawned = reply["result"]
                break
        assert spawned is not None and spawned["identity"] == "helper-1"
        wired = await rpc.result("mob/wire", {"mob_id": mob_id, "a": lead["identity"], "b": "helper-1"})
        assert "changed" in wired
        assert (await rpc.result("mob/unwire", {"mob_id": mob_id, "a": lead["identity"], "b": "helper-1"}))["b"] == "helper-1"
        assert (await rpc.result("mob/retire", {"mob_id": mob_id, "identity": "helper-1"}))["retired"]
        events = await rpc.result("mob/events", {"mob_id": mob_id})
        types = [e["type"] for e in events["events"]]
        assert "member_spawned" in types and "member_retired" in types and events["next"] == len(events["events"])
        later = await rpc.result("mob/events", {"mob_id": mob_id, "after": events["next"]})
        assert later["events"] == [] or later["events"][0]["type"]
        assert [m for m in rpc.messages if m.get("method") == "mob/event"]
        listed = (await rpc.result("mob/list"))["mobs"]
        assert any(m["mob_id"] == mob_id and m["live"] for m in listed)
        assert error_of(await rpc.call("mob/status", {"mob_id": "nope"}))[1] == "SESSION_NOT_FOUND"
        assert (await rpc.result("mob/destroy", {"mob_id": mob_id}))["destroyed"]
        assert (await rpc.result("mob/status", {"mob_id": mob_id}))["state"] == "destroyed"
    finally:
        assert await rpc.close() == 0


async def test_against_the_anthropic_wire_format(tmp_path, ws):
    srv = FakeHTTPServer([
        anthropic_stream([text("Let me look.", pieces=2), tool_use("toolu_1", "read", {"path": "hello.txt"})],
                         stop_reason="tool_use"),
        anthropic_stream([text("It says hello world.", pieces=4)]),
        anthropic_stream([tool_use("toolu_2", "write", {"path": "poem.txt", "content": "an old pond\n"})],
                         stop_reason="tool_use"),
        anthropic_stream([text("Wrote the poem.")]),
        anthropic_error(401, "authentication_error", "invalid x-api-key"),
    ]).start()
    try:
        (ws / "AGENTS.md").write_text("Always answer in haiku. <project rule 7>\n")
        rpc = await Rpc.start("--provider", "anthropic", "--model", "claude-sonnet-4-5", cwd=ws,
                              env={"ANTHROPIC_BASE_URL": srv.url, "ANTHROPIC_API_KEY": "sk-test"})
        try:
            created = await rpc.result("session/create", {"prompt": "what does hello.txt say?"})
            result = created["result"]
            assert result["text"] == "It says hello world." and result["tool_calls"] == 1
            assert result["cost_usd"] is not None and result["usage"]["input_tokens"] == 200
            deltas = [e["delta"] for e in rpc.events() if e["type"] == "text_delta"]
            assert "".join(deltas) == "Let me look.It says hello world." and len(deltas) == 6
            assert srv.requests[1].json["messages"][-1]["content"][0]["type"] == "tool_result"
            assert "<project rule 7>" in json.dumps(srv.requests[0].json["system"])  # AGENTS.md, as in the TUI
            sid = created["session_id"]
            rid = await rpc.send("turn/start", {"session_id": sid, "prompt": "write a poem"})
            asked = await rpc.event("tool_approval_requested")
            assert asked["name"] == "write" and "+an old pond" in asked["preview"]["text"]
            await rpc.result("approval/respond", {"request_id": asked["request_id"], "decision": "once"})
            assert (await rpc.answer(rid))["result"]["text"] == "Wrote the poem."
            assert (ws / "poem.txt").read_text() == "an old pond\n"
            failed = await rpc.call("turn/start", {"session_id": sid, "prompt": "again"})
            assert error_of(failed) == (-32010, "PROVIDER_ERROR")
            assert "sk-test" not in json.dumps(rpc.messages)
            assert (await rpc.event("run_failed"))["code"] == "PROVIDER_ERROR"
        finally:
            assert await rpc.close() == 0
    finally:
        srv.stop()


async def test_a_session_another_process_holds_is_busy_and_a_corrupt_line_is_skipped(tmp_path, ws):
    held = SessionManager.create(ws, sessions_dir=Path(os.environ["WORKBENCH_HOME"]) / "sessions")
    held.append_message({"role": "user", "content": [{"type": "text", "text": "mine"}], "timestamp": 1})
    rpc = await replay_server(tmp_path, ws, ScriptBuilder().turn().text("x"))
    try:
        reply = await rpc.call("turn/start", {"session_id": held.session_id, "prompt": "steal it"})
        assert error_of(reply) == (-32002, "SESSION_LOCKED")
        held.close()
        broken = tmp_path / "broken.jsonl"
        broken.write_text('{"type":"session","version":3,"id":"b","timestamp":"2026-01-01T00:00:00Z","cwd":"/x"}\n{oops\n')
        reply = await rpc.call("session/read", {"session_id": str(broken)})
        assert reply["result"]["session_id"] == "b"  # opened: the bad line is skipped, not fatal
        assert "{oops" in broken.read_text()  # and kept: nothing already written is lost
    finally:
        assert await rpc.close() == 0
