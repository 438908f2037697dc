"""The Anthropic provider against a local server speaking the Messages SSE format, through the real SDK."""

import json
import socket

import pytest

from tests.fakes.anthropic_server import anthropic_error, anthropic_stream, text, thinking, tool_use
from tests.fakes.http_server import Hang
from tests.providers.conftest import collect
from workbench.providers import make_provider
from workbench.providers.anthropic_provider import THINKING_BUDGETS, build_params, convert_messages
from workbench.providers.base import ProviderError, ProviderRequest, ToolSpec

MODEL = "claude-sonnet-4-5"
READ = ToolSpec("read", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}})
LS = ToolSpec("ls", "List", {"type": "object", "properties": {}})


def provider(srv, **kw):
    return make_provider("anthropic", model=MODEL, base_url=srv.url, api_key="test-key", **kw)


def request(messages=None, **kw):
    return ProviderRequest(model=MODEL, messages=messages or [{"role": "user", "content": "hi", "timestamp": 1}], **kw)


async def test_streams_thinking_text_and_tool_use_assembled_from_many_deltas(serve):
    args = {"path": "src/main.py", "offset": 10, "note": "a longer value so the JSON splits a lot"}
    srv = serve([anthropic_stream(
        [thinking("I should read the file first.", signature="sig-xyz"), text("Reading it now."),
         tool_use("toolu_01", "read", args, pieces=25)],
        stop_reason="tool_use", input_tokens=1200, output_tokens=80, cache_read=900, cache_write=300)])
    events, msg = await collect(provider(srv), request(tools=[READ]))

    kinds = [e.kind for e in events]
    assert kinds.index("thinking") < kinds.index("text") < kinds.index("tool_call_start")
    deltas = [e.partial_json for e in events if e.kind == "tool_call_delta"]
    assert len(deltas) >= 20 and json.loads("".join(deltas)) == args
    end = next(e for e in events if e.kind == "tool_call_end")
    assert (end.id, end.name, end.arguments) == ("toolu_01", "read", args)
    assert "".join(e.text for e in events if e.kind == "text") == "Reading it now."

    assert msg["content"] == [
        {"type": "thinking", "thinking": "I should read the file first.", "thinkingSignature": "sig-xyz"},
        {"type": "text", "text": "Reading it now."},
        {"type": "toolCall", "id": "toolu_01", "name": "read", "arguments": args},
    ]
    assert msg["stopReason"] == "toolUse"
    assert (msg["api"], msg["provider"], msg["model"]) == ("anthropic-messages", "anthropic", MODEL)
    usage = msg["usage"]
    assert (usage["input"], usage["output"], usage["cacheRead"], usage["cacheWrite"]) == (1200, 80, 900, 300)
    assert usage["totalTokens"] == 2480
    # claude-sonnet-4-5: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million
    assert usage["cost"]["total"] == pytest.approx((1200 * 3 + 80 * 15 + 900 * 0.3 + 300 * 3.75) / 1e6)


async def test_request_marks_stable_prefix_for_caching_and_sets_thinking_budget(serve):
    srv = serve([anthropic_stream([text("ok")])])
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "first"}], "timestamp": 1},
        {"role": "assistant", "content": [{"type": "text", "text": "answer"}], "api": "anthropic-messages",
         "stopReason": "stop"},
        {"role": "user", "content": "second", "timestamp": 3},
    ]
    await collect(provider(srv), request(messages, system_prompt="You are helpful.", tools=[LS, READ],
                                         thinking_level="medium", max_output_tokens=8000))
    assert len(srv.requests) == 1 and srv.requests[0].path == "/v1/messages"
    body = srv.requests[0].json
    assert body["stream"] is True
    assert body["system"] == [{"type": "text", "text": "You are helpful.", "cache_control": {"type": "ephemeral"}}]
    assert "cache_control" not in body["tools"][0] and body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["tools"][-1]["input_schema"] == READ.parameters
    assert body["messages"][-1]["content"][-1] == {"type": "text", "text": "second", "cache_control": {"type": "ephemeral"}}
    assert "cache_control" not in body["messages"][0]["content"][-1]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": THINKING_BUDGETS["medium"]}
    assert body["max_tokens"] == 8000 + THINKING_BUDGETS["medium"]
    headers = srv.requests[0].headers
    assert "test-key" in (headers.get("x-api-key", "") + headers.get("authorization", ""))


def test_thinking_levels_and_max_tokens():
    assert [THINKING_BUDGETS[k] for k in ("off", "minimal", "low", "medium", "high")] == [0, 1024, 4096, 10240, 32768]
    off = build_params(request(thinking_level="off"))
    assert "thinking" not in off and off["max_tokens"] == 16384
    high = build_params(request(thinking_level="high"))
    assert high["thinking"]["budget_tokens"] == 32768 and high["max_tokens"] > 32768
    # a model whose output limit is small: the budget shrinks to leave room for the answer
    haiku35 = build_params(ProviderRequest(model="claude-3-5-haiku", messages=[], thinking_level="high"))
    assert "thinking" not in haiku35  # not a thinking model
    opus41 = build_params(ProviderRequest(model="claude-opus-4-1", messages=[], thinking_level="high"))
    assert opus41["max_tokens"] == 32000 and opus41["thinking"]["budget_tokens"] < opus41["max_tokens"]


def test_converts_pi_messages_to_anthropic_messages():
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "Fix it"}], "timestamp": 1},
        {"role": "assistant", "api": "anthropic-messages", "stopReason": "toolUse", "content": [
            {"type": "thinking", "thinking": "signed", "thinkingSignature": "sig-1"},
            {"type": "thinking", "thinking": "unsigned, sent as text"},
            {"type": "toolCall", "id": "toolu_a", "name": "read", "arguments": {"path": "a"}},
            {"type": "toolCall", "id": "toolu_b", "name": "read", "arguments": {"path": "b"}}]},
        {"role": "toolResult", "toolCallId": "toolu_a", "toolName": "read", "content": [{"type": "text", "text": "A"}], "isError": False},
        {"role": "toolResult", "toolCallId": "toolu_b", "toolName": "read", "content": [{"type": "text", "text": "B"}], "isError": True},
        {"role": "bashExecution", "command": "npm test", "output": "3 passing\n", "exitCode": 0, "cancelled": False, "truncated": False, "timestamp": 2},
        {"role": "bashExecution", "command": "git status", "output": "M x\n", "exitCode": 0, "cancelled": False,
         "truncated": False, "timestamp": 3, "excludeFromContext": True},
        {"role": "custom", "customType": "note", "content": "a custom note", "display": True, "timestamp": 4},
        {"role": "branchSummary", "summary": "tried X", "fromId": "abc", "timestamp": 5},
        {"role": "compactionSummary", "summary": "earlier work", "tokensBefore": 1000, "timestamp": 6},
        {"role": "assistant", "api": "anthropic-messages", "stopReason": "aborted", "content": [{"type": "text", "text": "half"}]},
        {"role": "user", "content": "go on", "timestamp": 7},
    ]
    out = convert_messages(messages)
    assert [m["role"] for m in out] == ["user", "assistant", "user", "user", "user", "user", "user", "user"]
    assert out[1]["content"] == [
        {"type": "thinking", "thinking": "signed", "signature": "sig-1"},
        {"type": "text", "text": "unsigned, sent as text"},
        {"type": "tool_use", "id": "toolu_a", "name": "read", "input": {"path": "a"}},
        {"type": "tool_use", "id": "toolu_b", "name": "read", "input": {"path": "b"}}]
    results = out[2]["content"]  # consecutive tool results merged into one user message
    assert [(r["type"], r["tool_use_id"], r["is_error"]) for r in results] == [
        ("tool_result", "toolu_a", False), ("tool_result", "toolu_b", True)]
    assert results[0]["content"] == [{"type": "text", "text": "A"}]
    texts = [m["content"][0]["text"] for m in out[3:]]
    assert "npm test" in texts[0] and "3 passing" in texts[0]
    assert not any("git status" in t for t in texts)
    assert texts[1] == "a custom note"
    assert "tried X" in texts[2] and "earlier work" in texts[3]
    assert texts[4] == "go on"  # the aborted assistant message is left out


def test_thinking_from_another_provider_goes_as_text_and_orphan_tool_calls_get_a_result():
    messages = [
        {"role": "user", "content": "q"},
        {"role": "assistant", "api": "openai-completions", "stopReason": "toolUse", "content": [
            {"type": "thinking", "thinking": "t", "thinkingSignature": "not-anthropic"},
            {"type": "toolCall", "id": "call|1", "name": "ls", "arguments": {}}]},
        {"role": "user", "content": "interrupted; next question"},
    ]
    out = convert_messages(messages)
    assert out[1]["content"] == [{"type": "text", "text": "t"}, {"type": "tool_use", "id": "call_1", "name": "ls", "input": {}}]
    assert out[2]["content"][0]["type"] == "tool_result" and out[2]["content"][0]["tool_use_id"] == "call_1"
    assert out[2]["content"][0]["content"] == [{"type": "text", "text": "No result provided"}]
    assert out[2]["content"][0]["is_error"] is True
    assert out[3]["content"] == [{"type": "text", "text": "interrupted; next question"}]


async def test_thinking_signature_round_trips_to_the_next_request(serve):
    srv = serve([
        anthropic_stream([thinking("plan", signature="sig-round-trip"), tool_use("toolu_9", "ls", {})], stop_reason="tool_use"),
        anthropic_stream([text("done")]),
    ])
    p = provider(srv)
    _, first = await collect(p, request(thinking_level="low", tools=[LS]))
    history = [{"role": "user", "content": "hi"}, first,
               {"role": "toolResult", "toolCallId": "toolu_9", "toolName": "ls", "content": [{"type": "text", "text": "a.py"}], "isError": False}]
    _, second = await collect(p, request(history, thinking_level="low", tools=[LS]))
    sent = srv.requests[1].json["messages"]
    assert sent[1]["content"][0] == {"type": "thinking", "thinking": "plan", "signature": "sig-round-trip"}
    assert sent[2]["content"][0]["type"] == "tool_result"
    assert sent[2]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert second["content"] == [{"type": "text", "text": "done"}] and second["stopReason"] == "stop"


async def test_malformed_tool_json_and_max_tokens_stop(serve):
    srv = serve([anthropic_stream([tool_use("toolu_x", "read", '{"path": "a.py", oops', pieces=5)], stop_reason="max_tokens")])
    events, msg = await collect(provider(srv), request())
    end = next(e for e in events if e.kind == "tool_call_end")
    assert end.arguments == {"__invalid_json__": '{"path": "a.py", oops'}
    assert msg["stopReason"] == "length"


async def test_error_event_mid_stream_is_overloaded_with_partial(serve):
    srv = serve([anthropic_stream([text("Half an ans")], error=("overloaded_error", "Overloaded"))])
    p = provider(srv)
    seen = []
    with pytest.raises(ProviderError) as info:
        async for ev in p.stream(request()):
            seen.append(ev)
    err = info.value
    assert err.kind == "overloaded" and err.retryable
    assert "overloaded" in err.message.lower()
    assert "".join(e.text for e in seen if e.kind == "text") == "Half an ans"
    assert err.partial["stopReason"] == "error" and err.partial["errorMessage"] == err.message
    assert err.partial["content"] == [{"type": "text", "text": "Half an ans"}]


async def test_429_with_retry_after_is_rate_limited_and_not_retried_by_the_sdk(serve):
    srv = serve([anthropic_error(429, "rate_limit_error", "Number of requests exceeded", retry_after="12"),
                 anthropic_stream([text("should not be fetched")])])
    with pytest.raises(ProviderError) as info:
        await collect(provider(srv), request())
    err = info.value
    assert (err.kind, err.status, err.retry_after) == ("rate_limited", 429, 12.0)
    assert err.message.startswith("Anthropic rate limit (429): retry in 12 s")
    assert len(srv.requests) == 1  # SDK retries are off: the runtime retries


async def test_529_with_retry_after_ms_is_overloaded(serve):
    srv = serve([anthropic_error(529, "overloaded_error", "Overloaded", retry_after_ms="1500")])
    with pytest.raises(ProviderError) as info:
        await collect(provider(srv), request())
    assert (info.value.kind, info.value.status, info.value.retry_after) == ("overloaded", 529, 1.5)


@pytest.mark.parametrize("status,etype,message,kind,needle", [
    (401, "authentication_error", "invalid x-api-key", "auth", "ANTHROPIC_API_KEY"),
    (403, "permission_error", "no access", "auth", "Authentication failed"),
    (400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum", "context_too_long", "context window"),
    (400, "invalid_request_error", "messages: field required", "invalid_request", "rejected the request (400)"),
    (404, "not_found_error", "model: nope", "invalid_request", "model: nope"),
    (500, "api_error", "Internal server error", "server_error", "server error (500)"),
])
async def test_status_errors_are_classified(serve, status, etype, message, kind, needle):
    srv = serve([anthropic_error(status, etype, message)])
    with pytest.raises(ProviderError) as info:
        await collect(provider(srv), request())
    assert info.value.kind == kind and info.value.status == status
    assert needle in info.value.message


async def test_connection_dropped_midway_keeps_the_partial_message(serve):
    srv = serve([anthropic_stream([thinking("thinking hard", signature=None, pieces=2), text("The answer is", pieces=3)],
                                  drop_after=9)])
    with pytest.raises(ProviderError) as info:
        await collect(provider(srv), request())
    err = info.value
    assert err.kind == "connection" and err.retryable
    assert err.message.startswith(f"Connection to {srv.url} dropped")
    blocks = err.partial["content"]
    assert blocks[0] == {"type": "thinking", "thinking": "thinking hard"}
    assert blocks[1]["type"] == "text" and "The answer is".startswith(blocks[1]["text"]) and blocks[1]["text"]


async def test_connection_refused_names_the_address():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    p = make_provider("anthropic", model=MODEL, base_url=f"http://127.0.0.1:{port}", api_key="k")
    with pytest.raises(ProviderError) as info:
        await collect(p, request())
    assert info.value.kind == "connection"
    assert info.value.message == f"Cannot reach http://127.0.0.1:{port}: connection refused"
    assert info.value.partial is None


async def test_timeout_is_classified(serve):
    srv = serve([Hang()])
    p = make_provider("anthropic", model=MODEL, base_url=srv.url, api_key="k", timeout=0.3)
    with pytest.raises(ProviderError) as info:
        await collect(p, request())
    assert info.value.kind == "timeout" and info.value.retryable


async def test_honours_anthropic_env_vars(serve, monkeypatch):
    srv = serve([anthropic_stream([text("from env")])])
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
    p = make_provider("anthropic", model=MODEL)
    _, msg = await collect(p, request())
    assert msg["content"] == [{"type": "text", "text": "from env"}]
    headers = srv.requests[0].headers
    assert "env-key" in (headers.get("x-api-key", "") + headers.get("authorization", ""))
    await p.aclose()
