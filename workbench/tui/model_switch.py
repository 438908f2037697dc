"""/model NAME: really switch, or refuse with what to do.

The catalog says which provider serves a model it knows (claude-… → anthropic, gpt-… → openai);
a name it doesn't know stays with the current provider (a local OpenAI-compatible server names
its own models). Moving to another provider needs its credentials in the environment, the same
variables startup reads. The offline demo plays a script: it has no models of its own, so a
name that would stay on it is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from workbench.providers.catalog import get_model

# What each provider needs in the environment (any one of them); the SDKs read these.
CREDENTIALS = {"anthropic": ("ANTHROPIC_API_KEY",), "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL")}


@dataclass(frozen=True)
class ModelSwitch:
    provider: str  # the provider to use: the current one, or the one the catalog names
    model: str

    def changes_provider(self, current: str) -> bool:
        return self.provider != current


def plan_model_switch(current_provider: str, model: str, env: Mapping[str, str] | None = None) -> ModelSwitch:
    """The switch to make; ValueError with a message saying why not and what to do."""
    env = os.environ if env is None else env
    model = model.strip()
    if not model:
        raise ValueError("give a model name, e.g. /model claude-sonnet-4-5")
    info = get_model(model)
    target = info.provider if info is not None and info.provider in CREDENTIALS else current_provider
    if target == "replay":
        raise ValueError(f"the offline demo plays a script and can't switch to {model!r}: it is not in the "
                         "model catalog, so no provider is known for it. Set ANTHROPIC_API_KEY or "
                         "OPENAI_API_KEY / OPENAI_BASE_URL and use a catalog model (e.g. /model claude-sonnet-4-5), "
                         "or restart with --provider and --model")
    if target != current_provider:
        needed = CREDENTIALS[target]
        if not any(env.get(name) for name in needed):
            where = "the offline demo" if current_provider == "replay" else current_provider
            raise ValueError(f"{model} is an {target} model and {' or '.join(needed)} is not set: set it and "
                             f"restart, or start with --provider {target} --model {model}. Still on {where}.")
    return ModelSwitch(target, model)
