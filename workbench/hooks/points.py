"""The seed's eight HookPoints (meerkat-api-reference.md "Hook types"), in snake_case."""

from __future__ import annotations

HOOK_POINTS: tuple[str, ...] = (
    "run_started", "run_completed", "run_failed",
    "pre_llm_request", "post_llm_response",
    "pre_tool_execution", "post_tool_execution",
    "turn_boundary",
)
TOOL_POINTS = frozenset({"pre_tool_execution", "post_tool_execution"})
# Where a guardrail's "deny" stops something; elsewhere a decision is only reported.
DENY_POINTS = frozenset({"run_started", "pre_llm_request", "pre_tool_execution"})
