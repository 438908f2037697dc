import asyncio
import json
import time

import pytest

from tests.providers.conftest import collect
from workbench.providers import make_provider
from workbench.providers.base import ProviderError, ProviderRequest
from workbench.providers.replay import ENDED_TEXT, ReplayProvider, ScriptBuilder, ScriptError, load_script, parse_script


def req(messages=None):
    return ProviderRequest(model="replay", messages=messages or [{"role": "user", "content": "hello there"}])


async def test_plays_turns_in_order_with_text_thinking_tool_calls_and_usage():
    script = (ScriptBuilder()
              .turn().thinking("plan").text("Hello ").text("world").tool_call("read", {"path": "a.py"}, id="c1")
              .usage(input=100, output=20, cache_read=50)
              .turn().text("Done.")
              .build())
    p = ReplayProvider(script)
    events, msg = await collect(p, req())
    assert [e.kind for e in events] == ["thinking", "text", "text", "tool_call_start", "tool_call_delta",
                                        "tool_call_end", "done"]
    assert msg["content"] == [{"type": "thinking", "thinking": "plan"}, {"type": "text", "text": "Hello world"},
                              {"type": "toolCall", "id": "c1", "name": "read", "arguments": {"path": "a.py"}}]
    assert msg["stopReason"] == "toolUse" and msg["api"] == "replay"
    assert (msg["usage"]["input"], msg["usage"]["output"], msg["usage"]["cacheRead"], msg["usage"]["totalTokens"]) == (100, 20, 50, 170)
    _, second = await collect(p, req())
    assert second["content"] == [{"type": "text", "text": "Done."}] and second["stopReason"] == "stop"
    assert second["usage"]["output"] >= 1 and second["usage"]["input"] > 0  # estimated when not scripted
    assert p.exhausted
    _, ended = await collect(p, req())
    assert ended["content"] == [{"type": "text", "text": ENDED_TEXT}] and ended["stopReason"] == "stop"


async def test_delays_between_chunks():
    script = ScriptBuilder(delay_ms=20).turn().text("a").text("b").text("c").text("d", delay_ms=60).build()
    start = time.perf_counter()
    await collect(ReplayProvider(script), req())
    assert time.perf_counter() - start >= 0.11  # 3 × 20 ms + 60 ms
    start = time.perf_counter()
    await collect(ReplayProvider(script, delay_scale=0.0), req())
    assert time.perf_counter() - start < 0.05


async def test_injected_errors_for_retries():
    script = (ScriptBuilder()
              .turn().error("rate_limited", status=429, retry_after=0.25)
              .turn().text("Half an ").text("answer").error("connection")
              .turn().text("Whole answer.")
              .build())
    p = ReplayProvider(script)
    with pytest.raises(ProviderError) as first:
        await collect(p, req())
    assert (first.value.kind, first.value.retry_after, first.value.status, first.value.partial) == ("rate_limited", 0.25, 429, None)
    assert "rate limit (429): retry in 250 ms" in first.value.message
    seen = []
    with pytest.raises(ProviderError) as second:
        async for ev in p.stream(req()):
            seen.append(ev)
    assert second.value.kind == "connection" and "dropped" in second.value.message
    assert [e.text for e in seen] == ["Half an ", "answer"]
    assert second.value.partial["content"] == [{"type": "text", "text": "Half an answer"}]
    assert second.value.partial["stopReason"] == "error" and second.value.partial["errorMessage"] == second.value.message
    _, msg = await collect(p, req())
    assert msg["content"][0]["text"] == "Whole answer."


async def test_interrupt_mid_stream_by_cancelling_the_consumer():
    script = ScriptBuilder(delay_ms=50).turn().text("one ").text("two ").text("three").build()
    p = ReplayProvider(script)
    got = []

    async def consume():
        async for ev in p.stream(req()):
            got.append(ev)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.08)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [e.text for e in got] == ["one "]


async def test_zero_latency_is_fast():
    b = ScriptBuilder()
    for i in range(1000):
        b.turn().text(f"turn {i}").tool_call("read", {"path": f"f{i}.py"}).usage(input=10, output=5)
    p = ReplayProvider(b.build())
    history = [{"role": "user", "content": "go"}]
    start = time.perf_counter()
    for _ in range(1000):
        async for ev in p.stream(req(history)):
            pass
    per_turn = (time.perf_counter() - start) / 1000
    assert per_turn < 0.0005, f"{per_turn * 1e6:.0f} µs per replayed turn"


def test_json_script_file_with_shorthand_and_round_trip(tmp_path):
    path = tmp_path / "script.json"
    path.write_text(json.dumps({
        "version": 1, "delay_ms": 5,
        "turns": [
            {"thinking": "Look around first.", "text": "Listing files.", "tool_calls": [{"name": "ls", "arguments": {"path": "."}}]},
            {"chunks": [{"text": "Done"}, {"text": "!", "delay_ms": 0}], "usage": {"input": 9, "output": 2}},
            {"error": {"kind": "overloaded", "retry_after": 1}},
        ]}))
    script = load_script(path)
    assert [c.thinking for c in script.turns[0].chunks if c.thinking] == ["Look around ", "first."]
    assert script.turns[0].chunks[-1].tool_call.name == "ls"
    assert script.turns[2].error.kind == "overloaded"
    assert parse_script(json.loads(script.to_json())) == script


def test_bad_scripts_name_the_file_and_place(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"turns": [\n  {"text": "hi",}\n]}')
    with pytest.raises(ScriptError, match=r"broken\.json:2:\d+: invalid JSON"):
        load_script(broken)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"turns": [{"chunks": [{"text": "a"}, {"text": "b", "thinking": "c"}]},
                                           {"error": {"kind": "flaky"}}]}))
    with pytest.raises(ScriptError) as info:
        load_script(wrong)
    msg = str(info.value)
    assert "wrong.json: turns[0].chunks[1]" in msg and "exactly one of text, thinking, tool_call" in msg
    assert "turns[1].error.kind" in msg
    with pytest.raises(ScriptError, match="cannot read"):
        load_script(tmp_path / "missing.json")
    assert ScriptError("x").exit_code == 2  # INVALID_PARAMS at the CLI


async def test_make_provider_replay_from_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"turns": [{"text": "from a file"}]}))
    p = make_provider("replay", model="replay", replay_script=str(path))
    _, msg = await collect(p, req())
    assert msg["content"] == [{"type": "text", "text": "from a file"}]
