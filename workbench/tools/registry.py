"""The tool registry: what tools exist, their JSON-schema parameters, and argument checks.

`validate` runs before anything else so a malformed call goes back to the model as an error
result it can act on. `execute` is the whole path for one call once it is approved: validate,
check workspace confinement, run with the tool's timeout and retry policy.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from workbench.providers.base import ToolSpec
from workbench.tools.base import Tool, ToolContext, ToolResult
from workbench.tools.paths import outside_paths

INVALID_JSON_KEY = "__invalid_json__"  # what providers put in arguments they could not parse


class ToolRegistry:
    def __init__(self, tools: list[Tool] | None = None):
        self._tools: dict[str, Tool] = {}
        # Bumped on every change: tools come and go while a session runs (MCP servers become
        # ready, fail, change their list), and the runtime rebuilds the model's list when it moves.
        self.version = 0
        self._pending_sources: list[Callable[[], list[str]]] = []
        # An agent profile's allow-list (workbench/playbook/agents.py): what the model is offered
        # and may call; None: every tool. `_restricted_by` names it in the refusal.
        self._allowed: Callable[[str], bool] | None = None
        self._restricted_by = ""
        for tool in tools or []:
            self.register(tool)

    def register(self, tool: Tool) -> None:
        if not tool.name:
            raise ValueError(f"tool {type(tool).__name__} has no name")
        if tool.name in self._tools:
            raise ValueError(f"a tool named '{tool.name}' is already registered")
        self._tools[tool.name] = tool
        self.version += 1

    def unregister(self, name: str) -> None:
        if self._tools.pop(name, None) is not None:
            self.version += 1

    def add_pending_source(self, source: Callable[[], list[str]]) -> None:
        """A source of tools that may still be starting (an MCP pool): returns the names of what
        is not ready yet, so a turn can say which tools it starts without."""
        self._pending_sources.append(source)

    def pending(self) -> list[str]:
        out: list[str] = []
        for source in self._pending_sources:
            out.extend(n for n in source() if n not in out)
        return out

    def restrict(self, allowed: Callable[[str], bool] | None, by: str = "") -> None:
        """Offer the model only the tools `allowed` accepts; a call to another is refused, saying
        `by` (e.g. "agent 'reviewer'") holds it back. None lifts the restriction."""
        self._allowed, self._restricted_by = allowed, by
        self.version += 1

    def offered(self, name: str) -> bool:
        return name in self._tools and (self._allowed is None or self._allowed(name))

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self):
        return iter(self._tools.values())

    def names(self) -> list[str]:
        return list(self._tools)

    def specs(self, *, plan: bool = False) -> list[ToolSpec]:
        """The tools offered to the model; in plan mode without those hidden there."""
        return [ToolSpec(t.name, t.description, t.parameters) for t in self._tools.values()
                if not (plan and t.hidden_in_plan) and (self._allowed is None or self._allowed(t.name))]

    def validate(self, name: str, args: Any) -> list[str]:
        """Every problem with this call, each prefixed with the tool name; [] when it may run."""
        tool = self._tools.get(name)
        if tool is None:
            known = ", ".join(n for n in self._tools if self.offered(n)) or "none"
            return [f"unknown tool '{name}'; available tools: {known}"]
        if not self.offered(name):
            offered = ", ".join(n for n in self._tools if self.offered(n)) or "none"
            return [f"tool '{name}' is not available to {self._restricted_by or 'this session'}; "
                    f"available tools: {offered}"]
        if isinstance(args, dict) and INVALID_JSON_KEY in args:
            raw = str(args[INVALID_JSON_KEY])
            shown = raw if len(raw) <= 200 else raw[:200] + "..."
            return [f"{name}: the arguments are not valid JSON: {shown}"]
        return [f"{name}: {msg}" for msg in tool.validate_arguments(args)]

    async def execute(self, name: str, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Run one approved call. Invalid arguments, unapproved outside paths, a timeout or an
        unexpected exception all come back as an error result, never as a raise; cancellation
        propagates (the tool cleans up what it started)."""
        errors = self.validate(name, args)
        if errors:
            return ToolResult("\n".join(errors), is_error=True)
        tool = self._tools[name]
        outside = outside_paths(tool, args, ctx)
        if outside:
            listed = ", ".join(str(p) for p in outside)
            return ToolResult(f"{name}: refused: {listed} is outside the workspace {ctx.workspace} "
                              "and the user has not approved it.", is_error=True)
        attempts = max(1, tool.retry.max_attempts)
        for attempt in range(1, attempts + 1):
            try:
                if tool.timeout_s is None:
                    return await tool.run(args, ctx)
                return await asyncio.wait_for(tool.run(args, ctx), tool.timeout_s)
            except TimeoutError:
                return ToolResult(f"{name}: timed out after {tool.timeout_s:g} seconds.", is_error=True,
                                  details={"timedOut": True})
            except Exception as exc:  # a tool bug or an environment failure: report it to the model
                if attempt == attempts:
                    return ToolResult(f"{name} failed: {type(exc).__name__}: {exc}", is_error=True)
                await asyncio.sleep(tool.retry.backoff_s * 2 ** (attempt - 1))
        raise AssertionError("unreachable: the loop returns on its last attempt")


def builtin_tools() -> list[Tool]:
    from workbench.tools.builtin.bash import BashTool
    from workbench.tools.builtin.edit import EditTool
    from workbench.tools.builtin.find import FindTool
    from workbench.tools.builtin.grep import GrepTool
    from workbench.tools.builtin.ls import LsTool
    from workbench.tools.builtin.read import ReadTool
    from workbench.tools.builtin.write import WriteTool

    return [ReadTool(), WriteTool(), EditTool(), LsTool(), FindTool(), GrepTool(), BashTool()]


def builtin_registry() -> ToolRegistry:
    """A fresh registry holding read, write, edit, ls, find, grep and bash."""
    return ToolRegistry(builtin_tools())
