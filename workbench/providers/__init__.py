"""workbench.providers: model providers behind one streaming contract (see base.py).

`make_provider` builds one by name; `resolve_provider_settings` decides which one to use from
CLI flags, config and the environment, falling back to the offline demo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from workbench.errors import InvalidParams
from workbench.providers.base import Provider, ProviderError, ProviderRequest, ToolSpec
from workbench.providers.catalog import default_model, get_model

PROVIDER_NAMES = ("anthropic", "openai", "replay")

__all__ = ["PROVIDER_NAMES", "Provider", "ProviderError", "ProviderRequest", "ResolvedProvider", "ToolSpec",
           "make_provider", "resolve_provider_settings"]


def make_provider(name: str, *, model: str, base_url: str | None = None, api_key: str | None = None,
                  replay_script: Any = None, timeout: float | None = None,
                  delay_scale: float | None = None) -> Provider:
    """Build a provider. For "replay", `replay_script` is a path to a JSON script, a ReplayScript,
    or None for the built-in offline demo (delays follow WORKBENCH_DEMO_FAST unless delay_scale is given)."""
    if name == "anthropic":
        from workbench.providers.anthropic_provider import AnthropicProvider

        return AnthropicProvider(model=model, base_url=base_url, api_key=api_key, timeout=timeout)
    if name == "openai":
        from workbench.providers.openai_provider import OpenAIProvider

        return OpenAIProvider(model=model, base_url=base_url, api_key=api_key, timeout=timeout)
    if name == "replay":
        from workbench.providers.demo import demo_provider
        from workbench.providers.replay import ReplayProvider, ReplayScript, load_script

        if replay_script is None:
            provider = demo_provider()
            if delay_scale is not None:
                provider.delay_scale = delay_scale
            return provider
        script = replay_script if isinstance(replay_script, ReplayScript) else load_script(Path(replay_script))
        return ReplayProvider(script, model=model or "replay", delay_scale=1.0 if delay_scale is None else delay_scale)
    raise InvalidParams(f"unknown provider {name!r}: choose one of {', '.join(PROVIDER_NAMES)}")


@dataclass(frozen=True)
class ResolvedProvider:
    name: str               # anthropic | openai | replay
    model: str
    base_url: str | None = None
    replay_script: str | None = None
    is_demo: bool = False   # the built-in offline demo: the UI says so plainly
    reason: str = ""        # why this provider was chosen, for the UI and --verbose output

    def create(self, *, api_key: str | None = None, delay_scale: float | None = None) -> Provider:
        return make_provider(self.name, model=self.model, base_url=self.base_url, api_key=api_key,
                             replay_script=self.replay_script, delay_scale=delay_scale)


def _arg(cli_args: Any, key: str) -> Any:
    if cli_args is None:
        return None
    if isinstance(cli_args, Mapping):
        return cli_args.get(key)
    return getattr(cli_args, key, None)


def resolve_provider_settings(settings: Any = None, cli_args: Any = None,
                              env: Mapping[str, str] | None = None) -> ResolvedProvider:
    """Which provider and model to use. A provider named by flag or config wins; else a model the
    catalog knows picks its provider; else ANTHROPIC_API_KEY → anthropic; else OPENAI_API_KEY or
    OPENAI_BASE_URL → openai; else the offline demo (replay, is_demo=True)."""
    env = os.environ if env is None else env
    section = getattr(settings, "provider", None)
    name = _arg(cli_args, "provider") or getattr(section, "name", None)
    model = _arg(cli_args, "model") or getattr(section, "model", None)
    base_url = _arg(cli_args, "base_url") or getattr(section, "base_url", None)
    script = _arg(cli_args, "replay_script") or getattr(section, "replay_script", None)
    source = "--provider" if _arg(cli_args, "provider") else "config [provider] name"

    if name is None and model:
        info = get_model(model)
        if info is not None and info.provider in ("anthropic", "openai"):
            name, source = info.provider, f"model {model} is an {info.provider} model"
    if name is None:
        if env.get("ANTHROPIC_API_KEY"):
            name, source = "anthropic", "ANTHROPIC_API_KEY is set"
        elif env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"):
            name = "openai"
            source = "OPENAI_API_KEY is set" if env.get("OPENAI_API_KEY") else "OPENAI_BASE_URL is set"
        else:
            return ResolvedProvider("replay", "replay", is_demo=True,
                                    reason="no provider configured: running the offline demo")
    if name not in PROVIDER_NAMES:
        raise InvalidParams(f"unknown provider {name!r} ({source}): choose one of {', '.join(PROVIDER_NAMES)}")
    if name == "replay":
        if script:
            return ResolvedProvider("replay", model or "replay", replay_script=str(script), reason=source)
        return ResolvedProvider("replay", model or "replay", is_demo=True,
                                reason=f"{source}: replay without a script plays the offline demo")
    if name == "openai" and base_url is None:
        base_url = env.get("OPENAI_BASE_URL") or None
    if name == "anthropic" and base_url is None:
        base_url = env.get("ANTHROPIC_BASE_URL") or None
    return ResolvedProvider(name, model or default_model(name), base_url=base_url, reason=source)
