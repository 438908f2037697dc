"""/model switches for real (provider from the catalog, credentials present) or refuses plainly."""

from types import SimpleNamespace

import pytest

from tests.tui.conftest import make_app
from workbench.tui.backend import RuntimeBackend
from workbench.tui.model_switch import ModelSwitch, plan_model_switch


def test_demo_refuses_without_credentials():
    with pytest.raises(ValueError, match="OPENAI_API_KEY or OPENAI_BASE_URL is not set.*Still on the offline demo"):
        plan_model_switch("replay", "gpt-4.1", env={})
    with pytest.raises(ValueError, match="offline demo plays a script and can't switch to 'my-local-model'"):
        plan_model_switch("replay", "my-local-model", env={"OPENAI_API_KEY": "k"})


def test_catalog_picks_the_provider_when_its_credentials_are_set():
    assert plan_model_switch("replay", "gpt-4.1", env={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1"}) == \
        ModelSwitch("openai", "gpt-4.1")
    assert plan_model_switch("openai", "claude-sonnet-4-5", env={"ANTHROPIC_API_KEY": "k"}) == \
        ModelSwitch("anthropic", "claude-sonnet-4-5")
    with pytest.raises(ValueError, match="ANTHROPIC_API_KEY is not set"):
        plan_model_switch("openai", "claude-sonnet-4-5", env={"OPENAI_API_KEY": "k"})
    # same provider, or a name only the current server knows: no credentials asked for
    assert plan_model_switch("anthropic", "claude-opus-4-1", env={}) == ModelSwitch("anthropic", "claude-opus-4-1")
    assert plan_model_switch("openai", "llama3.1:8b", env={}) == ModelSwitch("openai", "llama3.1:8b")


class Agent:
    def __init__(self):
        self.provider = SimpleNamespace(name="replay")
        self.model = "replay"
        self.cost_usd = None
        self.calls = []
        self.pending_steering, self.pending_follow_ups = [], []
        self.manager = None

    def set_model(self, provider, model):
        self.calls.append((provider, model))
        self.provider = SimpleNamespace(name=provider)
        self.model = model


async def test_slash_model_under_the_demo_refuses_and_keeps_the_status(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    agent = Agent()
    backend = RuntimeBackend(agent, None, demo=True)
    backend.subscribe = _never  # no runtime events in this test
    app = make_app(backend)
    async with app.run_test(size=(120, 30)) as pilot:
        app.run_slash("model", "gpt-4.1")
        await pilot.pause()
        assert agent.calls == [] and backend.stats().model == "replay" and backend.demo
        message = str(list(app._notifications)[-1].message)
        assert message.startswith("/model: gpt-4.1 is an openai model and OPENAI_API_KEY")
        monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
        app.run_slash("model", "gpt-4.1")
        await pilot.pause()
        assert agent.calls == [("openai", "gpt-4.1")]
        assert not backend.demo  # the OFFLINE DEMO badge goes
        assert str(list(app._notifications)[-1].message) == "Model gpt-4.1 — now on openai"


async def _never():
    import asyncio

    await asyncio.Event().wait()
    yield None
