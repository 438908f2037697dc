"""Import a provider's SDK in a background thread, started first thing in a headless run.

`import anthropic` (or `openai`) is most of a headless start: it builds hundreds of pydantic
models. Waiting for it serially, then reading the config, opening the session and building the
system prompt, adds both up; started first in a daemon thread, the import overlaps that work
(file reads, stats and git calls release the GIL). Whoever needs the SDK just imports it: the
import system's per-module locks make that wait for the thread's import instead of doing it again.
Before the thread starts, workbench/sdk_lazy.py makes the SDK's packages load only what is used,
so the thread imports the client and the one resource a run needs rather than the whole SDK.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Mapping, Sequence

# The SDK's client, then what it imports only when the first client or request is made (the HTTP
# transport, the messages / chat resource): all off the start path's critical line. A module a
# future SDK no longer has is skipped. The providers import their client from the same modules.
_SDKS = {"anthropic": ("anthropic._client", "httpcore2", "anthropic.resources.messages"),
         "openai": ("openai", "httpcore2", "openai.resources.chat.completions.completions")}
_started: set[str] = set()
_lock = threading.Lock()


def preload(provider: str | None) -> None:
    """Start importing the SDK of `provider` (anthropic, openai; anything else: nothing)."""
    modules = _SDKS.get(provider or "")
    if modules is None or modules[0] in sys.modules:
        return
    with _lock:
        if modules[0] in _started:
            return
        _started.add(modules[0])
    from workbench import sdk_lazy

    sdk_lazy.install()
    threading.Thread(target=_import, args=(modules,), name=f"workbench-import-{modules[0]}", daemon=True).start()


def _import(modules: tuple[str, ...]) -> None:
    for module in modules:
        try:
            __import__(module)
        except Exception:  # noqa: BLE001 — the real import, on first use, reports the problem
            if module == modules[0]:
                return


def likely_provider(argv: Sequence[str], env: Mapping[str, str] | None = None) -> str | None:
    """For `workbench -p ...`: the provider the run will most likely use, from the raw command line
    and the environment alone (before argparse and the config; resolve_provider_settings has the
    final word and may start another). None for any other command."""
    env = os.environ if env is None else env
    argv = list(argv)
    if not any(a in ("-p", "--print") or a.startswith(("--print=", "-p")) for a in argv):
        return None
    if argv and not argv[0].startswith("-"):
        return None  # a subcommand (mob run -p ...): not this path
    for i, arg in enumerate(argv):
        if arg == "--provider" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--provider="):
            return arg.partition("=")[2]
    if env.get("ANTHROPIC_API_KEY"):
        return "anthropic"
    if env.get("OPENAI_API_KEY") or env.get("OPENAI_BASE_URL"):
        return "openai"
    return None
