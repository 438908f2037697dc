import asyncio
import email.utils

import httpx
import pytest

from workbench.providers.catalog import (
    DEFAULT_CONTEXT_WINDOW, CatalogError, cost_breakdown, cost_usd, default_model, get_model, list_models,
    lookup_model, parse_catalog,
)
from workbench.providers.errors import classify, parse_retry_after


def test_retry_after_headers():
    assert parse_retry_after({"retry-after": "12"}) == 12.0
    assert parse_retry_after({"Retry-After-Ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5  # ms is more precise
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=1_000_000) == pytest.approx(30.0)
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after": "-3"}) is None
    assert parse_retry_after({}) is None and parse_retry_after(None) is None


def test_classify_raw_exceptions():
    refused = httpx.ConnectError("All connection attempts failed")
    refused.__cause__ = ConnectionRefusedError(111, "Connect call failed")
    err = classify(refused, label="Anthropic", base_url="http://127.0.0.1:9")
    assert (err.kind, err.message) == ("connection", "Cannot reach http://127.0.0.1:9: connection refused")

    dropped = classify(httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
                       label="OpenAI", base_url="http://h/v1")
    assert dropped.kind == "connection" and dropped.message.startswith("Connection to http://h/v1 dropped")

    assert classify(asyncio.TimeoutError(), label="Anthropic").kind == "timeout"
    assert classify(ConnectionResetError(104, "Connection reset by peer"), label="X").message.endswith("connection reset by the server")
    unknown = classify(RuntimeError("boom"), label="Anthropic")
    assert unknown.kind == "unknown" and not unknown.retryable and "boom" in unknown.message


def test_classified_messages_strip_terminal_escapes():
    class FakeStatus(Exception):
        pass

    FakeStatus.__name__ = "APIStatusError"
    exc = FakeStatus("x")
    exc.status_code = 500
    exc.body = {"error": {"type": "api_error", "message": "bad \x1b[31mred\x1b[0m"}}
    err = classify(exc, label="Anthropic")
    assert err.kind == "server_error" and "\x1b" not in err.message and "red" in err.message


def test_catalog_ids_aliases_and_defaults():
    assert get_model("claude-sonnet-4-5").context_window == 200_000
    assert get_model("claude-sonnet-4-5-20250929").id == "claude-sonnet-4-5"
    assert get_model("claude-3-5-haiku-latest").id == "claude-3-5-haiku"
    assert get_model("gpt-4o-2024-08-06").id == "gpt-4o"
    assert get_model("openai/gpt-4.1-mini").id == "gpt-4.1-mini"
    assert get_model("GPT-5").id == "gpt-5"
    assert get_model("llama3.2") is None
    info = lookup_model("llama3.2", "openai")
    assert (info.known, info.priced, info.context_window) == (False, False, DEFAULT_CONTEXT_WINDOW)
    assert default_model("anthropic") == "claude-sonnet-4-5" and default_model("openai") == "gpt-4.1"
    required = {"claude-opus-4-1", "claude-opus-4", "claude-sonnet-4-5", "claude-sonnet-4", "claude-haiku-4-5",
                "claude-3-5-haiku", "gpt-5", "gpt-5-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini", "o3", "o4-mini"}
    listed = {m.id for m in list_models()}
    assert required <= listed
    for m in list_models():
        assert m.context_window > 0 and 0 < m.max_output <= m.context_window
        if m.provider in ("anthropic", "openai"):
            assert m.priced and m.cache_read is not None and m.cache_read < m.input


def test_cost_breakdown_and_unpriced_models():
    usage = {"input": 10_000, "output": 2_000, "cacheRead": 50_000, "cacheWrite": 4_000}
    c = cost_breakdown("claude-opus-4-1", usage)
    assert c["input"] == pytest.approx(0.15) and c["output"] == pytest.approx(0.15)
    assert c["cacheRead"] == pytest.approx(0.075) and c["cacheWrite"] == pytest.approx(0.075)
    assert c["total"] == pytest.approx(0.45)
    runtime_usage = {"input_tokens": 10_000, "output_tokens": 2_000, "cache_read_tokens": 50_000, "cache_creation_tokens": 4_000}
    assert cost_usd("claude-opus-4-1-20250805", runtime_usage) == pytest.approx(0.45)
    assert cost_usd("gpt-4o-mini", {"input": 1_000_000, "output": 1_000_000}) == pytest.approx(0.75)
    assert cost_usd("my-local-model", usage) is None  # unknown: unpriced, never $0
    assert cost_usd("replay", usage) is None


def test_parse_catalog_reports_bad_entries():
    with pytest.raises(CatalogError, match=r"\[\[models\]\] #1"):
        parse_catalog({"models": [{"provider": "x"}]})
    with pytest.raises(CatalogError, match="m1"):
        parse_catalog({"models": [{"id": "m1", "provider": "x", "context_window": "lots"}]})
