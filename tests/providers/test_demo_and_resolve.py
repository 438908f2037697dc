import argparse
import time

import pytest

from tests.providers.conftest import collect
from workbench.config import Settings
from workbench.errors import InvalidParams
from workbench.providers import make_provider, resolve_provider_settings
from workbench.providers.anthropic_provider import AnthropicProvider
from workbench.providers.base import ProviderRequest
from workbench.providers.demo import DEMO_ENDED_TEXT, demo_provider, demo_script
from workbench.providers.openai_provider import OpenAIProvider
from workbench.tools.base import ToolContext
from workbench.tools.registry import builtin_registry


def _calls(script):
    return [c.tool_call for t in script.turns for c in t.chunks if c.tool_call]


def test_demo_says_it_is_a_demo_and_how_to_configure():
    first_text = "".join(c.text or "" for c in demo_script().turns[0].chunks)
    assert "offline demo" in first_text
    for needle in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "[provider]"):
        assert needle in first_text
    all_text = "".join(c.text or "" for t in demo_script().turns for c in t.chunks)
    assert "```python" in all_text and "\n- " in all_text and "\n1. " in all_text
    assert any(c.thinking for t in demo_script().turns for c in t.chunks)
    assert "ANTHROPIC_API_KEY" in DEMO_ENDED_TEXT


def test_demo_tool_calls_are_valid_for_the_builtin_tools():
    registry = builtin_registry()
    calls = _calls(demo_script())
    assert {c.name for c in calls} >= {"ls", "find", "write", "read", "edit", "bash"}
    for call in calls:
        assert registry.validate(call.name, call.arguments) == [], call


async def test_demo_tool_calls_work_in_an_empty_directory(tmp_path):
    """Run every tool call the demo makes, in order, in an empty workspace: all succeed."""
    registry = builtin_registry()
    ctx = ToolContext(workspace=tmp_path)
    outputs = {}
    for call in _calls(demo_script()):
        result = await registry.execute(call.name, call.arguments, ctx)
        assert not result.is_error, (call.name, result.content)
        outputs[call.name] = result.content
    assert "Hello, workbench!" in outputs["bash"]
    assert '"""Say hello to someone by name."""' in (tmp_path / "hello.py").read_text()


async def test_demo_plays_fast_with_env_and_paced_without(monkeypatch):
    monkeypatch.setenv("WORKBENCH_DEMO_FAST", "1")
    p = make_provider("replay", model="replay")
    assert p.is_demo and p.delay_scale == 0
    start = time.perf_counter()
    stops = []
    for _ in range(len(demo_script().turns)):
        _, msg = await collect(p, ProviderRequest(model="replay", messages=[{"role": "user", "content": "hi"}]))
        stops.append(msg["stopReason"])
    assert time.perf_counter() - start < 0.5
    assert stops == ["toolUse"] * 5 + ["stop"]
    _, after = await collect(p, ProviderRequest(model="replay", messages=[]))
    assert after["content"][0]["text"] == DEMO_ENDED_TEXT
    monkeypatch.delenv("WORKBENCH_DEMO_FAST")
    assert demo_provider().delay_scale == 1.0


def test_resolution_order():
    s = Settings()
    assert resolve_provider_settings(s, None, {}).is_demo
    demo = resolve_provider_settings(s, None, {})
    assert (demo.name, demo.model) == ("replay", "replay")
    a = resolve_provider_settings(s, None, {"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "o"})
    assert (a.name, a.model, a.is_demo) == ("anthropic", "claude-sonnet-4-5", False)
    o = resolve_provider_settings(s, None, {"OPENAI_BASE_URL": "http://localhost:11434/v1"})
    assert (o.name, o.model, o.base_url) == ("openai", "gpt-4.1", "http://localhost:11434/v1")
    # config beats the environment; flags beat config
    s.provider.name = "openai"
    s.provider.model = "gpt-4o-mini"
    assert resolve_provider_settings(s, None, {"ANTHROPIC_API_KEY": "k"}).model == "gpt-4o-mini"
    flags = argparse.Namespace(provider="anthropic", model="claude-haiku-4-5", replay_script=None)
    f = resolve_provider_settings(s, flags, {})
    assert (f.name, f.model) == ("anthropic", "claude-haiku-4-5")
    # a known model picks its provider when none is named
    m = resolve_provider_settings(Settings(), {"model": "o3"}, {"ANTHROPIC_API_KEY": "k"})
    assert (m.name, m.model) == ("openai", "o3")
    r = resolve_provider_settings(Settings(), {"provider": "replay", "replay_script": "s.json"}, {})
    assert (r.name, r.replay_script, r.is_demo) == ("replay", "s.json", False)
    assert resolve_provider_settings(Settings(), {"provider": "replay"}, {}).is_demo


def test_make_provider_by_name():
    assert isinstance(make_provider("anthropic", model="claude-sonnet-4-5", api_key="k"), AnthropicProvider)
    assert isinstance(make_provider("openai", model="gpt-4.1", base_url="http://127.0.0.1:1/v1"), OpenAIProvider)
    with pytest.raises(InvalidParams, match="unknown provider 'gemini'"):
        make_provider("gemini", model="x")
    resolved = resolve_provider_settings(Settings(), None, {})
    assert resolved.create(delay_scale=0).is_demo
