"""Hooks (the user's own commands around every run, turn and tool call) and the bash sandbox.

Below the runtime: nothing here imports workbench.runtime or the TUI. The runtime calls the
engine at each point and turns its notices into events (workbench/runtime/hooking.py).
"""

from workbench.hooks.points import DENY_POINTS, HOOK_POINTS, TOOL_POINTS

__all__ = ["DENY_POINTS", "HOOK_POINTS", "TOOL_POINTS"]
