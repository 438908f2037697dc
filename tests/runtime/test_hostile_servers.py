"""Issue 12 item 6: a hostile server cannot hang a run. Real HTTP on 127.0.0.1 (the official SDKs
against the fake servers), with small deadlines so the tests are fast."""

from __future__ import annotations

import io
import json
import time

import pytest

from tests.fakes.anthropic_server import (SSE, FakeHTTPServer, anthropic_error, anthropic_events, anthropic_stream,
                                          text)
from tests.fakes.openai_server import openai_stream
from workbench.cli import build_parser
from workbench.errors import ProviderFailure
from workbench.headless import run_headless
from workbench.providers import make_provider
from workbench.runtime.retry import RetryPolicy


def _pings_forever(n: int = 3_000) -> SSE:
    """message_start, then keep-alive pings every 20 ms for a minute: never any content."""
    start = anthropic_events([text("x")])[0]
    return SSE([start] + [("ping", '{"type": "ping"}')] * n, delay=0.02)


def _trickle(n: int = 3_000) -> SSE:
    """A real answer that takes a minute: a text delta every 20 ms."""
    events = anthropic_events([text("a" * n, pieces=n)])
    return SSE(events[:3] + [events[3]] * n, delay=0.02)


FAST = dict(base_delay=0.0, max_attempts=2)


async def _run(make_agent, server: FakeHTTPServer, retry: RetryPolicy, api: str = "anthropic"):
    url = server.url if api == "anthropic" else server.url + "/v1"
    provider = make_provider(api, model="claude-sonnet-4-5" if api == "anthropic" else "gpt-4.1",
                             base_url=url, api_key="test-key")
    agent = make_agent([], provider=provider, model=provider.model, retry=retry)
    try:
        return agent, await agent.run("hi")
    finally:
        await provider.aclose()


async def test_pings_forever_end_the_attempt_at_the_idle_timeout(make_agent):
    with FakeHTTPServer([_pings_forever(), _pings_forever()]) as srv:
        t0 = time.monotonic()
        with pytest.raises(ProviderFailure) as info:
            await _run(make_agent, srv, RetryPolicy(idle_timeout=0.3, **FAST))
        took = time.monotonic() - t0
    assert "sent nothing for 0.3s" in str(info.value) and "idle_timeout" in str(info.value)
    assert "gave up after 2 attempts" in str(info.value)  # retried once (a timeout is retryable), then gave up
    assert took < 20  # the server would ping for 60 s (the first attempt also imports the SDK)


async def test_idle_timeout_then_a_good_answer_is_retried(make_agent):
    with FakeHTTPServer([_pings_forever(), anthropic_stream([text("fine now")])]) as srv:
        agent, result = await _run(make_agent, srv, RetryPolicy(idle_timeout=0.3, **FAST))
    assert result.text == "fine now"
    retrying = [e for e in agent.events.history() if e.type == "retrying"]
    assert len(retrying) == 1 and retrying[0].kind == "timeout"


async def test_hanging_after_the_headers_ends_at_the_idle_timeout_openai(make_agent):
    with FakeHTTPServer([SSE([], stall_after=0), SSE([], stall_after=0)]) as srv:
        t0 = time.monotonic()
        with pytest.raises(ProviderFailure, match="sent nothing for 0.3s"):
            await _run(make_agent, srv, RetryPolicy(idle_timeout=0.3, **FAST), api="openai")
    assert time.monotonic() - t0 < 20


async def test_hanging_after_the_first_content_also_ends(make_agent):
    events = openai_stream(text="partial answer that stops").events
    with FakeHTTPServer([SSE(events, stall_after=2), SSE(events, stall_after=2)]) as srv:
        with pytest.raises(ProviderFailure, match="sent nothing"):
            await _run(make_agent, srv, RetryPolicy(idle_timeout=0.3, **FAST), api="openai")


async def test_a_trickle_ends_at_the_attempt_cap(make_agent):
    with FakeHTTPServer([_trickle(), _trickle()]) as srv:
        t0 = time.monotonic()
        with pytest.raises(ProviderFailure) as info:
            await _run(make_agent, srv, RetryPolicy(idle_timeout=5, attempt_timeout=0.5, **FAST))
    assert "longer than 0.5s for one answer" in str(info.value) and "attempt_timeout" in str(info.value)
    assert time.monotonic() - t0 < 20


async def test_retry_after_beyond_the_cap_fails_at_once_with_the_servers_wait(make_agent):
    with FakeHTTPServer([anthropic_error(429, "rate_limit_error", "slow down", retry_after="3600")]) as srv:
        t0 = time.monotonic()
        with pytest.raises(ProviderFailure) as info:
            await _run(make_agent, srv, RetryPolicy(base_delay=0.0))
    assert time.monotonic() - t0 < 20 and len(srv.requests) == 1
    assert "wait 3600s" in str(info.value) and "60s" in str(info.value)


async def test_retry_after_within_the_cap_is_honoured(make_agent):
    with FakeHTTPServer([anthropic_error(429, "rate_limit_error", "slow down", retry_after="1"),
                         anthropic_stream([text("ok")])]) as srv:
        agent, result = await _run(make_agent, srv, RetryPolicy(base_delay=0.0, max_retry_after=1))
    assert result.text == "ok"
    assert [e.delay_ms for e in agent.events.history() if e.type == "retrying"] == [1000]


def _headless(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_headless(build_parser().parse_args(list(argv)), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_headless_idle_timeout_flag_and_retry_after_cap(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    with FakeHTTPServer([_pings_forever(), anthropic_stream([text("answered")])]) as srv:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
        code, out, err = _headless("-p", "hi", "--cwd", str(tmp_path), "--idle-timeout", "0.3")
    assert code == 0 and out.strip() == "answered"
    assert "sent nothing for 0.3s" in err and "retrying" in err
    with FakeHTTPServer([anthropic_error(429, "rate_limit_error", "slow down", retry_after="3600")]) as srv:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
        t0 = time.monotonic()
        code, out, err = _headless("-p", "hi", "--cwd", str(tmp_path), "--output-format", "jsonl")
    assert time.monotonic() - t0 < 10 and len(srv.requests) == 1
    failed = [json.loads(line) for line in out.splitlines() if '"run_failed"' in line]
    assert code != 0 and failed and "3600s" in json.dumps(failed[-1])


def test_deadlines_come_from_config_and_bad_flags_say_so(tmp_path, monkeypatch):
    import os

    from workbench.config import load_settings

    home = os.environ["WORKBENCH_HOME"]
    with open(os.path.join(home, "config.toml"), "w") as fh:
        fh.write("[provider]\nidle_timeout = 7\nattempt_timeout = 30\nmax_retry_after = 5\n")
    policy = RetryPolicy.from_settings(load_settings(tmp_path).settings.provider)
    assert (policy.idle_timeout, policy.attempt_timeout, policy.max_retry_after) == (7, 30, 5)
    assert RetryPolicy.from_settings(load_settings(tmp_path).settings.provider, idle_timeout=2).idle_timeout == 2
    defaults = RetryPolicy.from_settings(None)
    assert (defaults.idle_timeout, defaults.attempt_timeout, defaults.max_retry_after) == (120, 600, 60)
    code, _out, err = _headless("-p", "hi", "--cwd", str(tmp_path), "--idle-timeout", "0")
    assert code == 2 and "--idle-timeout must be more than 0" in err and "Traceback" not in err
