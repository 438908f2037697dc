"""The OpenAI-compatible provider against a local chat-completions SSE server, through the real SDK."""

import json

import pytest

from tests.fakes.openai_server import openai_error, openai_stream
from tests.providers.conftest import collect
from workbench.providers import make_provider
from workbench.providers.base import ProviderError, ProviderRequest, ToolSpec
from workbench.providers.openai_provider import build_params, convert_messages

READ = ToolSpec("read", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}})


def provider(srv, model="gpt-4.1", **kw):
    return make_provider("openai", model=model, base_url=srv.url + "/v1", api_key="sk-test", **kw)


def request(messages=None, model="gpt-4.1", **kw):
    return ProviderRequest(model=model, messages=messages or [{"role": "user", "content": "hi"}], **kw)


async def test_streams_reasoning_text_and_index_based_tool_call_deltas(serve):
    calls = [{"id": "call_a", "name": "read", "arguments": {"path": "src/app.py", "limit": 40}, "pieces": 9},
             {"id": "call_b", "name": "ls", "arguments": {}, "pieces": 1}]
    srv = serve([openai_stream(reasoning="Think first.", text="Looking.", tool_calls=calls,
                               prompt_tokens=500, completion_tokens=42, cached_tokens=300)])
    events, msg = await collect(provider(srv), request(tools=[READ]))
    a_deltas = [e.partial_json for e in events if e.kind == "tool_call_delta" and e.id == "call_a"]
    assert len(a_deltas) >= 8 and json.loads("".join(a_deltas)) == {"path": "src/app.py", "limit": 40}
    ends = [(e.id, e.name, e.arguments) for e in events if e.kind == "tool_call_end"]
    assert ends == [("call_a", "read", {"path": "src/app.py", "limit": 40}), ("call_b", "ls", {})]
    assert msg["content"] == [
        {"type": "thinking", "thinking": "Think first."},
        {"type": "text", "text": "Looking."},
        {"type": "toolCall", "id": "call_a", "name": "read", "arguments": {"path": "src/app.py", "limit": 40}},
        {"type": "toolCall", "id": "call_b", "name": "ls", "arguments": {}},
    ]
    assert msg["stopReason"] == "toolUse" and msg["api"] == "openai-completions" and msg["provider"] == "openai"
    u = msg["usage"]
    assert (u["input"], u["output"], u["cacheRead"], u["cacheWrite"], u["totalTokens"]) == (200, 42, 300, 0, 542)
    assert u["cost"]["total"] == pytest.approx((200 * 2.0 + 42 * 8.0 + 300 * 0.5) / 1e6)


async def test_request_body_streams_with_usage_and_converts_history(serve):
    srv = serve([openai_stream(text="ok")])
    history = [
        {"role": "user", "content": [{"type": "text", "text": "read a"}]},
        {"role": "assistant", "api": "openai-completions", "stopReason": "toolUse", "content": [
            {"type": "thinking", "thinking": "not sent back"}, {"type": "text", "text": "Sure."},
            {"type": "toolCall", "id": "call_1", "name": "read", "arguments": {"path": "a"}}]},
        {"role": "toolResult", "toolCallId": "call_1", "toolName": "read", "content": [{"type": "text", "text": "AAA"}], "isError": False},
        {"role": "bashExecution", "command": "make", "output": "ok", "exitCode": 2, "cancelled": False, "truncated": False},
        {"role": "user", "content": "thanks"},
    ]
    await collect(provider(srv), request(history, system_prompt="Be brief.", tools=[READ], max_output_tokens=500))
    req = srv.requests[0]
    assert req.path == "/v1/chat/completions" and req.headers["authorization"] == "Bearer sk-test"
    body = req.json
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == 500
    assert body["tools"] == [{"type": "function", "function": {"name": "read", "description": "Read a file",
                                                               "parameters": READ.parameters}}]
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert body["messages"][1] == {"role": "user", "content": "read a"}
    assert body["messages"][2] == {"role": "assistant", "content": "Sure.", "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "read", "arguments": '{"path": "a"}'}}]}
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "call_1", "content": "AAA"}
    assert body["messages"][4]["role"] == "user" and "make" in body["messages"][4]["content"]
    assert "exited with code 2" in body["messages"][4]["content"]
    assert body["messages"][5] == {"role": "user", "content": "thanks"}
    assert "reasoning_effort" not in body


def test_reasoning_effort_only_for_known_reasoning_models():
    assert build_params(request(model="o4-mini", thinking_level="high"))["reasoning_effort"] == "high"
    assert "reasoning_effort" not in build_params(request(model="gpt-4.1", thinking_level="high"))
    assert "reasoning_effort" not in build_params(request(model="llama3.2", thinking_level="high"))


def test_orphan_tool_calls_and_invalid_json_are_sent_back_faithfully():
    out = convert_messages([
        {"role": "user", "content": "q"},
        {"role": "assistant", "stopReason": "toolUse", "content": [
            {"type": "toolCall", "id": "c1", "name": "read", "arguments": {"__invalid_json__": '{"path": '}}]},
        {"role": "user", "content": "next"},
    ])
    assert out[1]["tool_calls"][0]["function"]["arguments"] == '{"path": '
    assert out[2]["role"] == "tool" and out[2]["tool_call_id"] == "c1"
    assert out[3] == {"role": "user", "content": "next"}


async def test_finish_reason_length_and_missing_usage(serve):
    srv = serve([openai_stream(text="cut", finish_reason="length", include_usage=False)])
    _, msg = await collect(provider(srv), request())
    assert msg["stopReason"] == "length" and msg["usage"]["totalTokens"] == 0


async def test_error_chunk_mid_stream_keeps_partial(serve):
    srv = serve([openai_stream(text="some text", error={"message": "The server had an error", "type": "server_error"})])
    with pytest.raises(ProviderError) as info:
        await collect(provider(srv), request())
    err = info.value
    assert err.kind == "server_error" and err.retryable and "The server had an error" in err.message
    assert err.partial["content"] == [{"type": "text", "text": "some text"}] and err.partial["stopReason"] == "error"


async def test_429_with_retry_after(serve):
    srv = serve([openai_error(429, "Rate limit reached", type="requests", code="rate_limit_exceeded", retry_after="3")])
    with pytest.raises(ProviderError) as info:
        await collect(provider(srv), request())
    assert (info.value.kind, info.value.retry_after, info.value.status) == ("rate_limited", 3.0, 429)
    assert len(srv.requests) == 1


@pytest.mark.parametrize("status,message,code,kind", [
    (401, "Incorrect API key provided", "invalid_api_key", "auth"),
    (400, "This model's maximum context length is 128000 tokens", "context_length_exceeded", "context_too_long"),
    (404, "The model `nope` does not exist", "model_not_found", "invalid_request"),
    (503, "Service unavailable", None, "server_error"),
])
async def test_status_errors(serve, status, message, code, kind):
    srv = serve([openai_error(status, message, code=code)])
    with pytest.raises(ProviderError) as info:
        await collect(provider(srv), request())
    assert info.value.kind == kind
    if kind == "auth":
        assert "OPENAI_API_KEY" in info.value.message


async def test_dropped_connection_midway(serve):
    srv = serve([openai_stream(text="partial answer text", pieces=4, drop_after=3)])
    with pytest.raises(ProviderError) as info:
        await collect(provider(srv), request())
    err = info.value
    assert err.kind == "connection" and "dropped" in err.message
    assert err.partial["content"][0]["text"] and "partial answer text".startswith(err.partial["content"][0]["text"])


async def test_local_server_via_env_without_a_key(serve, monkeypatch):
    srv = serve([openai_stream(text="llama says hi", model="llama3.2")])
    monkeypatch.setenv("OPENAI_BASE_URL", srv.url + "/v1")
    p = make_provider("openai", model="llama3.2")
    _, msg = await collect(p, request(model="llama3.2"))
    assert msg["content"] == [{"type": "text", "text": "llama says hi"}]
    assert srv.requests[0].headers["authorization"] == "Bearer not-needed"
    await p.aclose()


async def test_no_key_and_no_base_url_is_an_auth_error():
    p = make_provider("openai", model="gpt-4.1")
    with pytest.raises(ProviderError) as info:
        await collect(p, request())
    assert info.value.kind == "auth" and "OPENAI_API_KEY" in info.value.message
