"""Agent profiles (`[[agents]]` in a playbook): the seed's Agent API as a named way to run a session.

A profile says who the agent is (a system prompt appended to the default, or replacing it with
`replace_prompt = true`), what it runs on (`provider`, `model`, `thinking`), which tools the model
is offered (`tools`: names and globs, the seed's per-turn tool overlay), how many model turns a run
may take (`max_turns`, the seed's max engine iterations) and which guidelines and journeys apply
(`guidelines`, `journeys`: ids; None means all). Applying one to a session is `apply_agent`.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from workbench.config import ConfigProblem
from workbench.playbook.items import ItemReader, as_items, item_line

TABLE = "agents"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
THINKING = ("off", "minimal", "low", "medium", "high")  # the runtime's levels
KEYS = ("name", "description", "system_prompt", "replace_prompt", "provider", "model", "thinking",
        "tools", "max_turns", "guidelines", "journeys")


@dataclass(frozen=True)
class AgentProfile:
    name: str
    description: str = ""
    system_prompt: str = ""
    replace_prompt: bool = False
    provider: str | None = None
    model: str | None = None
    thinking: str | None = None
    tools: tuple[str, ...] | None = None       # None: every tool the session has
    max_turns: int | None = None               # None: no limit beyond the session's budget
    guidelines: tuple[str, ...] | None = None  # None: every guideline may apply
    journeys: tuple[str, ...] | None = None    # None: every journey may start
    source: Path | None = None
    line: int | None = None

    def allows_tool(self, name: str) -> bool:
        """Whether the model is offered `name` under this profile (names and shell-style globs)."""
        if self.tools is None:
            return True
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.tools)

    def allows_guideline(self, guideline_id: str) -> bool:
        return self.guidelines is None or guideline_id in self.guidelines

    def allows_journey(self, journey_id: str) -> bool:
        return self.journeys is None or journey_id in self.journeys


def parse_agents(items: Any, path: Path, text: str) -> tuple[list[AgentProfile], list[ConfigProblem]]:
    """The `[[agents]]` of one playbook file. A broken item is dropped alone, with a problem naming
    file, line and key; the others load."""
    from workbench.providers import PROVIDER_NAMES

    problems: list[ConfigProblem] = []
    agents: list[AgentProfile] = []
    seen: set[str] = set()
    for index, item in as_items(items, TABLE, path, text, problems):
        r = ItemReader(TABLE, index, path, text, problems)
        r.unknown_keys(item, KEYS)
        name = r.name(item, NAME_RE, "letters, digits, '_', '-' and '.', starting with a letter or digit "
                      "(at most 64)", "agent", seen)
        provider = r.string(item, "provider") or None
        if provider is not None and provider not in PROVIDER_NAMES:
            r.problem("provider", f"unknown provider {provider!r}: choose one of {', '.join(PROVIDER_NAMES)}")
        thinking = r.string(item, "thinking") or None
        if thinking is not None and thinking not in THINKING:
            r.problem("thinking", f"must be one of {', '.join(THINKING)}, got {thinking!r}")
        max_turns = r.number(item, "max_turns", None, minimum=1, integer=True)
        profile = AgentProfile(
            name=name, description=r.string(item, "description").strip(),
            system_prompt=r.string(item, "system_prompt").strip(), replace_prompt=r.boolean(item, "replace_prompt"),
            provider=provider, model=(r.string(item, "model").strip() or None), thinking=thinking,
            tools=r.names(item, "tools"), max_turns=None if max_turns is None else int(max_turns),
            guidelines=r.names(item, "guidelines"), journeys=r.names(item, "journeys"),
            source=path, line=item_line(text, TABLE, index))
        if profile.replace_prompt and not profile.system_prompt:
            r.problem("replace_prompt", "replace_prompt = true needs a system_prompt to replace the default with")
        if r.failed:
            continue
        seen.add(name)
        agents.append(profile)
    return agents, problems


def find_agent(agents: Iterable[AgentProfile], name: str) -> AgentProfile | None:
    for agent in agents:
        if agent.name == name:
            return agent
    return None


def unknown_agent_message(name: str, agents: Iterable[AgentProfile]) -> str:
    known = sorted(a.name for a in agents)
    return (f"unknown agent {name!r}; " + (f"known agents: {', '.join(known)}" if known
            else "no agents are defined (add [[agents]] to .workbench/playbook.toml or <config dir>/playbook.toml)"))


# --- applying a profile to a session --------------------------------------------------------

@dataclass
class _Before:
    """What the session ran with before any profile: a switch or `None` goes back to it."""

    provider: Any
    model: str
    thinking: str


def apply_agent(session: Any, profile: AgentProfile | None) -> None:
    """Make `session` (a runtime AgentSession) run as `profile`, replacing the profile it had;
    None goes back to no profile. Prompt, tool allow-list and turn limit apply from the next
    request; provider, model and thinking change now (and are recorded in the session file, as
    /model and /thinking do). Raises the provider's error (e.g. InvalidParams) unchanged."""
    before: _Before | None = getattr(session, "_before_agent", None)
    if before is None:
        before = _Before(session.provider, session.model, session.thinking_level)
    provider_name = (profile.provider if profile is not None and profile.provider else before.provider.name)
    if profile is not None and profile.model:
        model = profile.model
    elif provider_name == before.provider.name:
        model = before.model
    else:
        from workbench.providers.catalog import default_model

        model = default_model(provider_name)
    if (provider_name, model) != (session.provider.name, session.model):
        same = provider_name == before.provider.name
        session.set_model(provider_name, model, provider=before.provider if same else None)
    thinking = profile.thinking if profile is not None and profile.thinking else before.thinking
    if thinking != session.thinking_level:
        session.set_thinking(thinking)
    restrict = getattr(session.tools, "restrict", None)
    if restrict is not None:
        if profile is not None and profile.tools is not None:
            restrict(profile.allows_tool, by=f"agent '{profile.name}'")
        else:
            restrict(None)
    session.agent_profile = profile
    session._before_agent = before if profile is not None else None


def profile_prompt(profile: AgentProfile | None, base: str) -> str:
    """The system prompt under `profile`: its text after the default, or in its place."""
    if profile is None or not profile.system_prompt:
        return base
    if profile.replace_prompt:
        return profile.system_prompt
    return f"{base}\n\n# Agent: {profile.name}\n\n{profile.system_prompt}"


def allow_turn_tools(session: Any, names: Iterable[str]) -> None:
    """Tools that matched guidelines bring in for this turn: offered even when the session's
    profile leaves them out (call again with () when the turn ends)."""
    profile: AgentProfile | None = getattr(session, "agent_profile", None)
    restrict = getattr(session.tools, "restrict", None)
    if profile is None or profile.tools is None or restrict is None:
        return
    extra = frozenset(names)
    restrict((lambda n: profile.allows_tool(n) or n in extra) if extra else profile.allows_tool,
             by=f"agent '{profile.name}'")


def reference_problems(agents: Iterable[AgentProfile], guideline_ids: Iterable[str],
                       journey_ids: Iterable[str]) -> list[ConfigProblem]:
    """An agent naming a guideline or journey no file defines (a typo would quietly leave the
    agent without it): one problem each, on the agent's line. The agent still loads."""
    known = {"guidelines": set(guideline_ids), "journeys": set(journey_ids)}
    out: list[ConfigProblem] = []
    for agent in agents:
        for key, ids in (("guidelines", agent.guidelines), ("journeys", agent.journeys)):
            missing = [i for i in ids or () if i not in known[key]]
            if missing and agent.source is not None:
                defined = ", ".join(sorted(known[key])) or "none"
                out.append(ConfigProblem(agent.source, agent.line, f"agents.{agent.name}.{key}",
                                         f"no {key[:-1]} {', '.join(repr(m) for m in missing)} is defined "
                                         f"(defined: {defined})"))
    return out
