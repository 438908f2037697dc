"""End to end through real HTTP on 127.0.0.1: the official anthropic SDK against the fake Messages
API server, driven by the agent loop — a 429 with retry-after, a tool call, the final answer."""

from workbench.providers import make_provider
from workbench.runtime.retry import RetryPolicy
from tests.fakes.anthropic_server import (FakeHTTPServer, anthropic_error, anthropic_stream, text, thinking,
                                          tool_use)
from tests.runtime.conftest import file_messages, of_type


async def test_agent_over_the_anthropic_sdk(make_agent, workspace):
    srv = FakeHTTPServer([
        anthropic_error(429, "rate_limit_error", "Number of requests exceeded", retry_after="0"),
        anthropic_stream([thinking("Check the file."), text("Reading it."),
                          tool_use("toolu_1", "read", {"path": "hello.txt"})], stop_reason="tool_use"),
        anthropic_stream([text("It says hello world.")]),
    ])
    srv.start()
    try:
        provider = make_provider("anthropic", model="claude-sonnet-4-5", base_url=srv.url, api_key="test-key")
        agent = make_agent([], provider=provider, model="claude-sonnet-4-5", retry=RetryPolicy(base_delay=0.0))
        result = await agent.run("what does hello.txt say?")
        await provider.aclose()
    finally:
        srv.stop()
    assert result.text == "It says hello world." and result.tool_calls == 1
    assert len(of_type(agent, "retrying")) == 1
    assert result.cost_usd is not None and result.cost_usd > 0
    msgs = file_messages(agent)
    assert [m["role"] for m in msgs] == ["user", "assistant", "toolResult", "assistant"]
    assert msgs[1]["content"][0]["type"] == "thinking" and msgs[1]["content"][-1]["name"] == "read"
    assert "hello world" in msgs[2]["content"][0]["text"]
    # the second request carried the tool result back to the model
    body = srv.requests[-1].json
    assert any(b.get("type") == "tool_result" for m in body["messages"] for b in (m["content"] if isinstance(m["content"], list) else []))
