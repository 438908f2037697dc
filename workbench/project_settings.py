"""What a project's `.workbench/config.toml` may change before the user trusts the project.

A cloned repository is untrusted: its config file may only tighten what the user configured.
Kept without trust: a narrower approval mode, `ask` and `deny` rules, smaller budgets, and the
theme. Everything else — provider, model, base URL, allow rules, key bindings, hooks, MCP servers,
any section added later — waits for trust (a whitelist, so a new setting is safe by default: add it
to `_TIGHTENING` only if every value it takes can only tighten).
"""

from __future__ import annotations

import json
from typing import Any, Callable

# plan (read-only) < ask < edits < yolo
_MODE_RANK = {"plan": 0, "ask": 1, "edits": 2, "yolo": 3}
_BUDGET_DEFAULTS: dict[str, float | None] = {"max_turns": 100}


def _narrower_mode(value: Any, user: dict[str, Any]) -> bool:
    current = (user.get("approvals") or {}).get("mode", "ask")
    return value in _MODE_RANK and _MODE_RANK[value] <= _MODE_RANK.get(current, _MODE_RANK["ask"])


def _smaller_budget(key: str) -> Callable[[Any, dict[str, Any]], bool]:
    def check(value: Any, user: dict[str, Any]) -> bool:
        current = (user.get("budget") or {}).get(key, _BUDGET_DEFAULTS.get(key))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return current is None or value <= current
    return check


def _always(value: Any, user: dict[str, Any]) -> bool:
    return True


# (section, key) -> does this project value only tighten, given the user's own config?
_TIGHTENING: dict[tuple[str, str], Callable[[Any, dict[str, Any]], bool]] = {
    ("approvals", "mode"): _narrower_mode,
    ("approvals", "ask"): _always,
    ("approvals", "deny"): _always,
    ("approvals", "protected"): _always,  # more paths whose writes ask
    ("ui", "theme"): _always,  # looks only
    **{("budget", key): _smaller_budget(key) for key in
       ("max_tokens", "max_cost", "max_turns", "max_tool_calls", "max_duration", "max_turn_duration")},
}


# Sections whose own subsystem lists them for the trust dialog, one line per item (hooks:
# hooks.config.describe_hooks): dropped here like the rest, but not listed twice.
_LISTED_BY_OWNER = frozenset({"hooks"})


def render_value(value: Any) -> str:
    """A setting's value as the file would spell it (JSON is close enough to TOML for a line)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def split_project(data: dict[str, Any], user: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """(what an untrusted project file keeps, [(dotted key, "key = value") it loses]).

    `user` is the user's own config (raw TOML data); the project may narrow it, never widen it."""
    kept: dict[str, Any] = {}
    ignored: list[tuple[str, str]] = []
    for section, body in data.items():
        if section in _LISTED_BY_OWNER:
            continue
        if not isinstance(body, dict):
            ignored.append((section, f"{section} = {render_value(body)}"))
            continue
        for key, value in body.items():
            dotted = f"{section}.{key}"
            check = _TIGHTENING.get((section, key))
            if check is not None and check(value, user):
                kept.setdefault(section, {})[key] = value
            elif isinstance(value, list) and value and not isinstance(value[0], dict):
                ignored.extend((dotted, f"{dotted} += {render_value(v)}") for v in value)
            else:
                ignored.append((dotted, f"{dotted} = {render_value(value)}"))
    return kept, ignored
