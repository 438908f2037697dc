"""What the `/hooks` view lists: every configured hook, where it comes from, whether it runs this
session and how its last runs went. Plain data, so the TUI only draws it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from workbench.hooks.engine import HookRun


@dataclass(frozen=True)
class HookRow:
    id: str
    point: str          # with the match glob, e.g. "pre_tool_execution (bash)"
    how: str            # "foreground guardrail, fail_closed, 30s, priority 10"
    state: str          # "on" | "disabled (--no-hooks)" | "disabled (--disable-hook)" | "waiting for trust"
    source: str         # the config file
    command: str        # untrusted when it comes from a project: shown as text
    runs: tuple[HookRun, ...] = ()


def describe_run(run: HookRun, now: float | None = None) -> str:
    ago = max(0.0, (now or time.time()) - run.started)
    when = f"{ago:.0f}s ago" if ago < 120 else f"{ago / 60:.0f}m ago" if ago < 7200 else f"{ago / 3600:.0f}h ago"
    took = f" in {run.duration_ms} ms" if run.duration_ms is not None else ""
    what = f"{run.outcome}{took}"
    return f"{when} · {run.point} · {what}" + (f": {run.detail}" if run.detail else "")


def rows(session_hooks: Any) -> list[HookRow]:
    """From a workbench.hooks.setup.SessionHooks (None: no session yet)."""
    if session_hooks is None:
        return []
    engine = session_hooks.engine
    overrides = engine.overrides
    out: list[HookRow] = []
    for entry in engine.entries:
        if engine.enabled(entry):
            state = "on"
        elif overrides.disabled:
            state = "disabled (--no-hooks)"
        else:
            state = "disabled (--disable-hook)"
        out.append(_row(entry, state, tuple(engine.last_runs(entry.id))))
    for entry in session_hooks.loaded.untrusted:
        out.append(_row(entry, "waiting for trust", ()))
    return out


def _row(entry: Any, state: str, runs: tuple[HookRun, ...]) -> HookRow:
    point = entry.point + (f" ({entry.match})" if entry.match else "")
    how = f"{entry.mode} {entry.capability}, {entry.failure}, {entry.timeout:g}s" + (
        f", priority {entry.priority}" if entry.priority else "")
    return HookRow(entry.id, point, how, state, str(entry.source), entry.command, runs)
