"""The model catalog (workbench/data/models.toml): context windows, output limits and list prices.

`cost_breakdown` / `cost_usd` return None for a model without a price, so the UI can say
"unpriced" instead of showing $0. An unknown model still works: `lookup_model` gives it the
documented defaults (DEFAULT_CONTEXT_WINDOW, DEFAULT_MAX_OUTPUT) and no price.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

DEFAULT_CONTEXT_WINDOW = 128_000
DEFAULT_MAX_OUTPUT = 16_384
_FALLBACK_DEFAULTS = {"anthropic": "claude-sonnet-4-5", "openai": "gpt-4.1", "replay": "replay"}

_DATE_SUFFIX = re.compile(r"-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$")


@dataclass(frozen=True)
class ModelInfo:
    id: str
    provider: str
    context_window: int = DEFAULT_CONTEXT_WINDOW
    max_output: int = DEFAULT_MAX_OUTPUT
    # US dollars per million tokens; None = unpriced
    input: float | None = None
    output: float | None = None
    cache_read: float | None = None
    cache_write: float | None = None
    reasoning: bool = False
    images: bool = True  # False: text-only input (models.toml `images = false`)
    aliases: tuple[str, ...] = field(default_factory=tuple)
    known: bool = True  # False for a model the catalog does not list (defaults applied)

    @property
    def priced(self) -> bool:
        return self.input is not None and self.output is not None


class CatalogError(Exception):
    pass


@dataclass(frozen=True)
class Catalog:
    models: tuple[ModelInfo, ...]
    defaults: Mapping[str, str]
    index: Mapping[str, ModelInfo]

    def get(self, model_id: str) -> ModelInfo | None:
        for candidate in _candidates(model_id):
            info = self.index.get(candidate)
            if info is not None:
                return info
        return None


def _candidates(model_id: str) -> list[str]:
    key = model_id.strip().lower()
    out = [key]
    if "/" in key:  # vendor/model (OpenRouter)
        out.append(key.rsplit("/", 1)[1])
    for k in list(out):
        stripped = _DATE_SUFFIX.sub("", k)
        if stripped != k:
            out.append(stripped)
    return out


def parse_catalog(data: Mapping[str, Any], *, source: str = "models.toml") -> Catalog:
    models: list[ModelInfo] = []
    index: dict[str, ModelInfo] = {}
    for n, raw in enumerate(data.get("models", []), start=1):
        where = f"{source}: [[models]] #{n}"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) or not isinstance(raw.get("provider"), str):
            raise CatalogError(f"{where}: needs string fields id and provider")
        price = raw.get("price") or {}
        if not isinstance(price, Mapping):
            raise CatalogError(f"{where} ({raw['id']}): price must be a table")
        try:
            info = ModelInfo(
                id=raw["id"], provider=raw["provider"],
                context_window=int(raw.get("context_window", DEFAULT_CONTEXT_WINDOW)),
                max_output=int(raw.get("max_output", DEFAULT_MAX_OUTPUT)),
                input=_price(price, "input"), output=_price(price, "output"),
                cache_read=_price(price, "cache_read"), cache_write=_price(price, "cache_write"),
                reasoning=bool(raw.get("reasoning", False)),
                images=bool(raw.get("images", True)),
                aliases=tuple(str(a) for a in raw.get("aliases", ())),
            )
        except (TypeError, ValueError) as exc:
            raise CatalogError(f"{where} ({raw['id']}): {exc}") from exc
        models.append(info)
        for key in (info.id, *info.aliases):
            index[key.lower()] = info
    defaults = {**_FALLBACK_DEFAULTS, **dict(data.get("defaults", {}))}
    return Catalog(tuple(models), defaults, index)


def _price(price: Mapping[str, Any], key: str) -> float | None:
    value = price.get(key)
    return None if value is None else float(value)


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    text = resources.files("workbench").joinpath("data/models.toml").read_text(encoding="utf-8")
    return parse_catalog(tomllib.loads(text))


def get_model(model_id: str) -> ModelInfo | None:
    """The catalog entry for an id or alias (dated ids resolve), or None if unknown."""
    return load_catalog().get(model_id)


def lookup_model(model_id: str, provider: str = "unknown") -> ModelInfo:
    """Like get_model, but an unknown model gets the defaults and no price (known=False)."""
    return get_model(model_id) or ModelInfo(id=model_id, provider=provider, known=False)


def list_models(provider: str | None = None) -> list[ModelInfo]:
    return [m for m in load_catalog().models if provider is None or m.provider == provider]


def default_model(provider: str) -> str:
    return load_catalog().defaults.get(provider, _FALLBACK_DEFAULTS.get(provider, "replay"))


def _tokens(usage: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """(input, output, cache read, cache write) from pi usage or the runtime's snake_case usage."""
    if "input_tokens" in usage or "output_tokens" in usage:
        return (int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0),
                int(usage.get("cache_read_tokens") or 0), int(usage.get("cache_creation_tokens") or 0))
    return (int(usage.get("input") or 0), int(usage.get("output") or 0),
            int(usage.get("cacheRead") or 0), int(usage.get("cacheWrite") or 0))


def cost_breakdown(model: str | ModelInfo | None, usage: Mapping[str, Any]) -> dict[str, float] | None:
    """pi's usage.cost dict {input, output, cacheRead, cacheWrite, total} in dollars, or None
    when the model is unknown or unpriced. Cache prices default to the input price if missing."""
    info = get_model(model) if isinstance(model, str) else model
    if info is None or not info.priced:
        return None
    n_in, n_out, n_read, n_write = _tokens(usage)
    read_price = info.cache_read if info.cache_read is not None else info.input
    write_price = info.cache_write if info.cache_write is not None else info.input
    parts = {
        "input": n_in * info.input / 1e6,
        "output": n_out * info.output / 1e6,
        "cacheRead": n_read * read_price / 1e6,
        "cacheWrite": n_write * write_price / 1e6,
    }
    parts["total"] = parts["input"] + parts["output"] + parts["cacheRead"] + parts["cacheWrite"]
    return parts


def cost_usd(model: str | ModelInfo | None, usage: Mapping[str, Any]) -> float | None:
    breakdown = cost_breakdown(model, usage)
    return None if breakdown is None else breakdown["total"]


cost = cost_breakdown  # the name the providers issue uses
