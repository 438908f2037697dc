"""What this build can do, as the seed's CapabilityId + CapabilityStatus list for `initialize`.

Statuses are found, not declared: a package that is not in this build is `NotCompiled`, one that
the server's policy switches off is `DisabledByPolicy`, and one the build has but whose sessions
over RPC do not use yet is `NotSupportedByProtocol` (the TUI and `-p` have it).
"""

from __future__ import annotations

import importlib.util
from typing import Any

# id -> (description, module whose presence makes it available, or None when the server itself has it)
_KNOWN: list[tuple[str, str, str | None]] = [
    ("sessions", "Create, resume, list, read and archive sessions (pi session format v3)", None),
    ("streaming", "Events of a running turn as session/event notifications", None),
    ("approvals", "Tool calls that need approval arrive as events, answered with approval/respond", None),
    ("structured_output", "output_schema on session/create and turn/start, validated with JSON Schema", None),
    ("images", "Prompts with image blocks", None),
    ("builtins", "Built-in tools: read, write, edit, ls, find, grep", "workbench.tools.builtin"),
    ("shell", "The bash tool", "workbench.tools.builtin.bash"),
    ("budgets", "Token, cost, turn, tool-call and time limits per session", "workbench.runtime.budget"),
    ("compaction", "Automatic context compaction", "workbench.runtime.compaction"),
    ("mob", "Teams of agents: mob/* methods", "workbench.mob.handle"),
    ("hooks", "Hooks around runs, turns and tool calls (user and trusted project config)", "workbench.hooks"),
    ("checkpoints", "File checkpoints around tool calls that change files", "workbench.checkpoints"),
    ("skills", "Context files (AGENTS.md) and skills in the system prompt", "workbench.context"),
    ("mcp", "MCP servers as tool sources (.mcp.json, user config; project servers once trusted)", "workbench.mcp"),
]
_NOT_OVER_RPC: frozenset[str] = frozenset()  # every capability above reaches RPC sessions


def _present(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def capabilities(disabled: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    out = []
    for cap_id, description, module in _KNOWN:
        if module is not None and not _present(module):
            status = "NotCompiled"
        elif cap_id in _NOT_OVER_RPC:
            status = "NotSupportedByProtocol"
        elif cap_id in disabled:
            status = "DisabledByPolicy"
        else:
            status = "Available"
        out.append({"id": cap_id, "description": description, "status": status})
    return out
