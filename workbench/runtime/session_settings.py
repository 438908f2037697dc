"""Settings chosen for one session — the approval mode (/mode) and the budget limits (/budget) —
kept in its file, so `workbench -c`, `-r` and the resume picker bring them back.

They are `custom` entries (`customType` `workbench.mode` / `workbench.limits`, invisible to pi,
which skips custom entries when it builds a context); the last one in the file wins, whichever
branch it is on: they describe the session, not a point in the conversation. A flag given on the
command line (`--approve`, `--max-*`) still beats what the session stored.
"""

from __future__ import annotations

import functools
from dataclasses import fields
from typing import Any

from workbench.runtime.budget import BudgetLimits

MODE_TYPE = "workbench.mode"
LIMITS_TYPE = "workbench.limits"
LIMIT_FIELDS = tuple(f.name for f in fields(BudgetLimits))


def stored(manager: Any) -> tuple[str | None, dict[str, Any] | None]:
    """(mode, limits) last recorded in the session, None for what it never recorded."""
    mode: str | None = None
    limits: dict[str, Any] | None = None
    of_type = getattr(manager, "entries_of_type", None)  # only the custom entries parsed
    for entry in of_type("custom") if of_type is not None else manager.entries:
        if entry.get("type") != "custom":
            continue
        data = entry.get("data")
        if not isinstance(data, dict):
            continue
        if entry.get("customType") == MODE_TYPE and isinstance(data.get("mode"), str):
            mode = data["mode"]
        elif entry.get("customType") == LIMITS_TYPE:
            limits = {k: v for k, v in data.items() if k in LIMIT_FIELDS}
    return mode, limits


def _record(agent: Any, custom_type: str, data: dict[str, Any]) -> None:
    if getattr(agent.manager, "readonly", False):
        return
    agent._persist_now(functools.partial(agent.manager.append_custom, custom_type, data))


def set_mode(agent: Any, mode: str) -> None:
    """Change the agent's mode and keep it with the session."""
    agent.set_mode(mode)
    _record(agent, MODE_TYPE, {"mode": mode})


def set_limits(agent: Any, limits: BudgetLimits) -> None:
    """Change the agent's limits and keep them with the session."""
    agent.set_limits(limits)
    _record(agent, LIMITS_TYPE, {name: getattr(limits, name) for name in LIMIT_FIELDS})


def restore(agent: Any, *, mode_flag: str | None = None, limit_flags: dict[str, Any] | None = None) -> None:
    """Apply what the session stored to a freshly opened agent (flags given on the command line
    win). A stored value that no longer makes sense is ignored: the defaults stay."""
    mode, limits = stored(agent.manager)
    if mode is not None and not mode_flag:
        try:
            agent.set_mode(mode)
        except Exception:
            pass
    if limits:
        given = {k for k, v in (limit_flags or {}).items() if v is not None}
        changes = {k: v for k, v in limits.items() if k not in given}
        try:
            agent.set_limits(agent.limits.with_(**changes))
        except (TypeError, ValueError):
            pass


def restore_from_args(agent: Any, args: Any, *, mode: bool = True) -> None:
    """`restore` with the command line's flags (`--approve`, `--max-*`) winning. `mode=False`
    (headless): the mode comes from the flags and config only — a run nobody watches never
    inherits a wider mode (yolo) chosen in the TUI."""
    flags = {name: getattr(args, name, None) for name in LIMIT_FIELDS}
    restore(agent, mode_flag=getattr(args, "approve", None) if mode else "flags", limit_flags=flags)
