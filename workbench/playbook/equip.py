"""Giving a session what its playbook brings: the configured tools and the chosen agent profile.

Every surface (TUI, `-p`, RPC, mob members) builds its own tool registry; `add_tools` puts the
playbook's `[[tools]]` into it. `choose_agent` runs a session as a profile (a mob member's
`agent =`); `--agent` and RPC's `agent` go through playbook/setup.py's start options.
"""

from __future__ import annotations

from typing import Any, Iterable

from workbench.playbook.agents import AgentProfile
from workbench.playbook.command_tools import CommandTool, CommandToolSpec


def add_tools(registry: Any, specs: Iterable[CommandToolSpec]) -> list[str]:
    """Register each configured tool; one whose name is taken (an MCP tool registered first) is
    left out, and the returned notice says so."""
    notes: list[str] = []
    for spec in specs:
        if spec.name in registry:
            where = f"{spec.source}:{spec.line}" if spec.source and spec.line else str(spec.source or "playbook")
            notes.append(f"playbook tool '{spec.name}' ({where}) not added: a tool with that name already exists")
            continue
        registry.register(CommandTool(spec))
    return notes


def choose_agent(session: Any, profile: AgentProfile | None) -> None:
    """Run `session` as `profile` from now on: through its PlaybookRuntime when it has one (the
    choice is then stored in the session and comes back on resume), else applied directly."""
    if profile is None:
        return
    runtime = getattr(session, "playbook", None)
    if runtime is not None and hasattr(runtime, "set_agent"):
        if runtime.state.agent != profile.name:  # a resumed session restored it already: no new entry
            runtime.set_agent(profile.name)
        return
    from workbench.playbook.agents import apply_agent

    apply_agent(session, profile)


def equip_session(session: Any) -> list[str]:
    """The configured tools of the session's playbook (its PlaybookRuntime's) into its registry;
    returns notices for the user."""
    runtime = getattr(session, "playbook", None)
    return add_tools(session.tools, runtime.playbook.tools) if runtime is not None else []
