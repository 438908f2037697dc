"""Import a provider's SDK in a background thread, started first thing in a headless run.

`import anthropic` (or `openai`) is most of a headless start: it builds hundreds of pydantic
models. Waiting for it serially, then reading the config, opening the session and building the
system prompt, adds both up; started first in a daemon thread, the import overlaps that work
(file reads, stats and git calls release the GIL). Whoever needs the SDK just imports it: the
import system's per-module locks make that wait for the thread's import instead of doing it again.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Mapping

_SDKS = {"anthropic": "anthropic", "openai": "openai"}
_started: set[str] = set()
_lock = threading.Lock()


def preload(provider: str | None) -> None:
    """Start importing the SDK of `provider` (anthropic, openai; anything else: nothing)."""
    module = _SDKS.get(provider or "")
    if module is None or module in sys.modules:
        return
    with _lock:
        if module in _started:
            return
        _started.add(module)
    threading.Thread(target=_import, args=(module,), name=f"workbench-import-{module}", daemon=True).start()


def _import(module: str) -> None:
    try:
        __import__(module)
    except Exception:  # noqa: BLE001 — the real import, on first use, reports the problem
        pass


def likely_provider(args: Any, env: Mapping[str, str] | None = None) -> str | None:
    """The provider a run will most likely use, from the flags and the environment alone (before
    the config is read; resolve_provider_settings has the final word and may start another)."""
    env = os.environ if env is None else env
    name = getattr(args, "provider", None)
    if name:
        return name
    if env.get("ANTHROPIC_API_KEY"):
        return "anthropic"
    if env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"):
        return "openai"
    return None
