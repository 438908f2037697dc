"""workbench.sdk: type conformance (no server) and end to end against `workbench rpc`, including
every example of docs/sdk.md."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import workbench.sdk as sdk
from workbench.providers.replay import ScriptBuilder
from workbench.runtime import events as runtime_events
from workbench.sdk import (CapabilityUnavailableError, RunResult, SessionBusyError, SessionNotFoundError,
                           TextDelta, ToolApprovalRequested, UnknownEvent, WorkbenchClient, WorkbenchError,
                           parse_event)
from workbench.wire import RPC_CODES, compatible

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "sdk.md"


# --- conformance: no server needed -------------------------------------------------------------

def test_every_runtime_event_has_a_typed_sdk_event_with_the_same_fields():
    for cls in runtime_events._Event.__subclasses__():
        kind = cls.model_fields["type"].default
        sdk_cls = sdk.events.EVENT_CLASSES[kind]
        assert dataclasses.is_dataclass(sdk_cls) and sdk_cls.__dataclass_params__.frozen
        assert set(cls.model_fields) == {f.name for f in dataclasses.fields(sdk_cls)}, kind


def test_wire_events_parse_into_frozen_dataclasses_you_can_match():
    usage = runtime_events.Usage(input_tokens=3, output_tokens=4)
    wire = runtime_events.TurnCompleted(session_id="s", stop_reason="end_turn", usage=usage).model_dump(mode="json")
    event = parse_event(wire)
    match event:
        case sdk.TurnCompleted(usage=sdk.Usage(input_tokens=n), stop_reason="end_turn"):
            assert n == 3
        case _:
            pytest.fail(f"no match: {event!r}")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.stop_reason = "x"  # type: ignore[misc]
    newer = parse_event({"type": "text_delta", "delta": "a", "added_in_v2": True})
    assert newer == TextDelta(type="text_delta", delta="a")


@pytest.mark.parametrize("data", [
    {"type": "hologram_rendered", "session_id": "s", "x": 1}, {"no": "type"}, "not a dict",
    {"type": "turn_started", "turn_number": "many"},
])
def test_unknown_or_malformed_events_become_unknown_event(data):
    event = parse_event(data)
    if isinstance(data, dict) and data.get("type") == "turn_started":
        assert isinstance(event, (UnknownEvent, sdk.TurnStarted))  # a dataclass does not check types
    else:
        assert isinstance(event, UnknownEvent)
    if isinstance(data, dict) and data.get("type") == "hologram_rendered":
        assert event.type == "hologram_rendered" and event.data["x"] == 1


def test_errors_map_codes_to_classes():
    for code, rpc_code in RPC_CODES.items():
        err = sdk.errors.error_from_wire({"code": rpc_code, "message": "m", "data": {"code": code, "details": {"a": 1}}})
        assert isinstance(err, WorkbenchError) and err.code == code and err.details == {"a": 1}
    assert isinstance(sdk.errors.error_from_wire({"code": -32001, "message": "x", "data": {"code": "SESSION_NOT_FOUND"}}),
                      SessionNotFoundError)
    assert isinstance(sdk.errors.error_from_wire({"code": -32002, "data": {"code": "SESSION_BUSY"}}), SessionBusyError)
    assert sdk.errors.error_from_wire("garbage").code == "INTERNAL_ERROR"


@pytest.mark.parametrize("server, client, ok", [
    ("0.1.0", "0.1.0", True), ("0.1.7", "0.1.0", True), ("0.2.0", "0.1.0", False), ("1.4.0", "1.0.0", True),
    ("2.0.0", "1.9.0", False), ("garbage", "0.1.0", False),
])
def test_version_negotiation_rule(server, client, ok):
    assert compatible(server, client) is ok


def test_the_sdk_imports_no_runtime_and_no_textual():
    code = ("import sys, time; t = time.perf_counter(); import workbench.sdk; t = time.perf_counter() - t; "
            "bad = [m for m in sys.modules if m.startswith(('workbench.runtime', 'workbench.tui', 'textual', "
            "'workbench.providers', 'pydantic'))]; print(bad, t)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    bad, seconds = p.stdout.rsplit(" ", 1)
    assert bad == "[]" and float(seconds) < 2.0, p.stdout + p.stderr  # ~0.05 s on an idle machine


async def test_client_side_errors():
    client = WorkbenchClient()
    with pytest.raises(WorkbenchError) as exc:
        await client.list_sessions()
    assert exc.value.code == "NOT_CONNECTED"
    with pytest.raises(WorkbenchError) as exc:
        await WorkbenchClient(["/no/such/binary"]).connect()
    assert exc.value.code == "BINARY_NOT_FOUND"


FAKE_SERVER = """
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("method") == "initialize":
        print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": {
            "contract_version": sys.argv[1], "server_version": "9", "capabilities": []}}), flush=True)
    elif sys.argv[2] == "die":
        sys.exit(3)
"""


async def test_version_mismatch_and_connection_closed(tmp_path):
    fake = tmp_path / "fake_server.py"
    fake.write_text(FAKE_SERVER)
    with pytest.raises(WorkbenchError) as exc:
        await WorkbenchClient([sys.executable, str(fake), "0.9.0", "ok"]).connect()
    assert exc.value.code == "VERSION_MISMATCH" and exc.value.details["server"] == "0.9.0"
    async with WorkbenchClient([sys.executable, str(fake), sdk.CONTRACT_VERSION, "die"]) as client:
        assert client.capabilities == [] and not client.has_capability("sessions")
        with pytest.raises(CapabilityUnavailableError) as cap:
            client.require_capability("sessions")
        assert cap.value.code == "CAPABILITY_UNAVAILABLE"
        with pytest.raises(WorkbenchError) as exc:
            await client.create_session("hi")
        assert exc.value.code == "CONNECTION_CLOSED"


# --- end to end against workbench rpc ----------------------------------------------------------

def write_script(path: Path, builder: ScriptBuilder) -> str:
    path.write_text(builder.build().to_json())
    return str(path)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    d = tmp_path / "ws"
    d.mkdir()
    return d


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


async def test_end_to_end_sessions_streams_and_approvals(tmp_path, ws):
    b = ScriptBuilder().turn().text("Hello ").text("there").turn().tool_call("write", {"path": "n.txt", "content": "hi"}) \
        .turn().text("wrote it").turn().text('{"n": 2}').turn().text("x").text("y", delay_ms=30000)
    args = ["--provider", "replay", "--replay-script", write_script(tmp_path / "s.json", b)]
    async with WorkbenchClient(server_args=args, cwd=str(ws), env=env()) as client:
        assert client.has_capability("sessions") and client.server_version
        session = await client.create_session("hi")
        assert session.text == "Hello there" and session.turns == 1 and session.usage.output_tokens > 0
        assert Path(session.ref).is_file()

        seen: list[str] = []
        stream = session.stream("write n.txt")
        with pytest.raises(WorkbenchError) as exc:
            stream.result
        assert exc.value.code == "STREAM_NOT_CONSUMED"
        async with stream as events:
            async for event in events:
                seen.append(event.type)
                match event:
                    case ToolApprovalRequested(request_id=rid, name="write"):
                        assert [a["request_id"] for a in await client.list_approvals()] == [rid]
                        await session.approve(rid, "once")
        assert events.result.text == "wrote it" and events.result.tool_calls == 1
        assert (ws / "n.txt").read_text() == "hi" and session.last_result == events.result
        assert seen[0] == "run_started" and seen[-1] == "run_completed" and "tool_approval_resolved" in seen

        result = await session.turn("count", output_schema={"type": "object", "required": ["n"]})
        assert isinstance(result, RunResult) and result.structured_output == {"n": 2}
        history = await session.history()
        assert [m["role"] for m in history][:2] == ["user", "assistant"] and len(history) == 8

        infos = await client.list_sessions()
        assert [i.session_id for i in infos] == [session.id] and infos[0].message_count == 8

        slow = session.stream("slow")
        async with slow as events:
            async for event in events:
                if event.type == "text_delta":
                    break
        with pytest.raises(SessionBusyError):
            await session.turn("while busy")
        await session.interrupt()
        with pytest.raises(SessionNotFoundError):
            await client.open_session("0000dead")
        await session.archive()
        assert await client.list_sessions() == []
        reopened = await client.open_session(session.id[:8])
        assert reopened.id == session.id


async def test_cancel_a_stream_collect_and_a_streamed_first_turn(tmp_path, ws):
    b = ScriptBuilder().turn().text("one ").text("two").turn().text("a").text("b", delay_ms=30000)
    args = ["--provider", "replay", "--replay-script", write_script(tmp_path / "s.json", b)]
    async with WorkbenchClient(server_args=args, cwd=str(ws), env=env()) as client:
        session = await client.create_deferred_session("unused")
        text, result = await session.stream("first").collect_text()
        assert text == "one two" == result.text

        stream = session.stream("go")
        with pytest.raises(sdk.RequestCancelledError):
            async with stream as events:
                async for event in events:
                    if isinstance(event, TextDelta):
                        stream.cancel()
        assert (await session.read())["is_active"] is False  # the turn was stopped, not left running

        streaming = client.create_session_streaming("first turn, streamed")
        assert streaming.session_id is None
        async with streaming as events:
            types = [event.type async for event in events]
        assert streaming.session_id and streaming.session_id != session.id
        assert types[0] == "run_started" and types[-1] == "run_completed"
        assert events.result.text == "one two" and streaming.session.last_result == events.result


def _examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


@pytest.mark.parametrize("index", range(len(_examples())))
def test_the_documented_examples_run(tmp_path, index):
    code = _examples()[index]
    home = tmp_path / "home"
    home.mkdir()
    if "ToolApprovalRequested" in code:
        b = ScriptBuilder().turn().tool_call("write", {"path": "notes.txt", "content": "notes\n"}).turn().text("Done.")
    else:
        b = ScriptBuilder().turn().text("Hello! I am the workbench.").turn().text('{"files": 2}')
        for _ in range(4):
            b.turn().text("Done.")
    script = write_script(tmp_path / "script.json", b)
    (home / "config.toml").write_text(f'[provider]\nname = "replay"\nreplay_script = {json.dumps(script)}\n')
    (tmp_path / "example.py").write_text(code)
    p = subprocess.run([sys.executable, "example.py"], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                       env={**env(), "WORKBENCH_HOME": str(home)})
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    if "output_schema" in code:
        assert "2 files" in p.stdout
    if "ToolApprovalRequested" in code:
        assert "1 tool call(s)" in p.stdout and (tmp_path / "notes.txt").read_text() == "notes\n"
    if "require_capability" in code:
        assert "Comms not available" in p.stdout
    if "Explain monads" in code:
        assert "Tokens: " in p.stdout and p.stdout.rstrip().endswith("True")
