"""A mob's members and the workspace's playbook: every member gets its configured `[[tools]]`
(within its agent's allow-list), and a profile's `agent = "NAME"` runs its members as that
playbook agent (prompt, tools, model, max_turns)."""

from __future__ import annotations

from typing import Any

from workbench.errors import InvalidParams


def mob_playbook(env: Any) -> Any:
    """The playbook of the mob's workspace, loaded once per environment (trusted like the rest of
    the project's configuration: `--trust-project` or a recorded trust)."""
    if getattr(env, "playbook", None) is None:
        from workbench.playbook.loader import load_playbook

        env.playbook = load_playbook(env.cwd, trust_override=env.trust_project)
    return env.playbook


def check_agents(definition: Any, env: Any) -> None:
    """Every profile's `agent` names a playbook agent, else InvalidParams (exit 2) listing them."""
    from workbench.playbook.agents import find_agent, unknown_agent_message

    named = {name: p.agent for name, p in definition.profiles.items() if getattr(p, "agent", None)}
    if not named:
        return
    agents = mob_playbook(env).agents
    for profile_name, agent in named.items():
        if find_agent(agents, agent) is None:
            raise InvalidParams(f"profiles.{profile_name}.agent: {unknown_agent_message(agent, agents)}")


def add_member_tools(registry: Any, env: Any) -> None:
    from workbench.playbook.equip import add_tools

    add_tools(registry, mob_playbook(env).tools)  # a clash with an MCP tool keeps the MCP tool


def apply_member_agent(session: Any, profile: Any, env: Any) -> None:
    """Run the member as its profile's playbook agent. The agent's prompt goes with the profile's
    own prompt (after it, or in its place with `replace_prompt`), never in place of the mob's
    instructions that follow (the member must still know its peers): MemberSession keeps the two
    parts apart (`prompt_parts`)."""
    name = getattr(profile, "agent", None)
    if not name:
        return
    from workbench.playbook.agents import find_agent
    from workbench.playbook.equip import choose_agent

    agent = find_agent(mob_playbook(env).agents, name)
    if agent is None:  # checked when the mob started; a playbook edited since then
        raise InvalidParams(f"playbook agent {name!r} is no longer defined")
    own = profile.system_prompt.strip()
    whole = session._custom_system_prompt or ""  # "{own}\n\n{mob}" (MobHandle._system_prompt)
    session.prompt_parts = (own, whole[len(own) + 2:] if own and whole.startswith(own) else whole)
    choose_agent(session, agent)


def member_playbook(env: Any) -> Any:
    """A member's PlaybookRuntime (workbench/playbook/setup.py) on the mob's playbook: guidelines
    and journeys for every member, each with its own state in its own session file."""
    from workbench.playbook.setup import session_playbook

    return session_playbook(env.cwd, playbook=mob_playbook(env))
