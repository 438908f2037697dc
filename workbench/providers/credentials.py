"""What a provider needs before its first request, said before a run starts.

A missing key used to surface mid-run (the Anthropic SDK's raw TypeError, a mob whose every spawn
failed); here it is one sentence naming the provider, what is missing and how to set it, and
callers stop with PROVIDER_ERROR (exit 20) before anything runs.
"""

from __future__ import annotations

import os
from typing import Mapping


def setup_problem(name: str, base_url: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """None when `name` can be used as configured; else what is missing and how to set it."""
    env = os.environ if env is None else env
    if name == "anthropic" and not (env.get("ANTHROPIC_API_KEY") or env.get("ANTHROPIC_AUTH_TOKEN")):
        return ("the anthropic provider needs an API key and none is set: export ANTHROPIC_API_KEY=… "
                "(or choose another provider with --provider, or [provider] name in config.toml)")
    if name == "openai" and not env.get("OPENAI_API_KEY") and not (base_url or env.get("OPENAI_BASE_URL")):
        return ("the openai provider needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local server "
                "(e.g. export OPENAI_BASE_URL=http://localhost:11434/v1 for Ollama)")
    return None


def require_setup(name: str, base_url: str | None = None) -> None:
    """Raise ProviderFailure (PROVIDER_ERROR, exit 20) when `name` cannot work as configured."""
    from workbench.errors import ProviderFailure

    problem = setup_problem(name, base_url)
    if problem is not None:
        raise ProviderFailure(problem)
