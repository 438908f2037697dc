"""Building a mob's members: what a member is to the handle (`Member`), and how one is made from
a profile — its provider and model, budget limits, tools, approval rules, system prompt, project
context and playbook, and its session file (`MemberBuilding`, mixed into `MobHandle`)."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.context.project import ProjectContext
from workbench.errors import InvalidParams
from workbench.mob.definition import MobDefinition, Profile
from workbench.mob.member import MemberSession
from workbench.mob.playbook import add_member_tools, apply_member_agent, member_playbook
from workbench.mob.recovery import align_replay
from workbench.mob.roster import MemberStatus
from workbench.mob.tools import MOB_KEY, mob_tools
from workbench.runtime.budget import BudgetLimits
from workbench.runtime.rules import load_policy

if TYPE_CHECKING:
    from workbench.mob.environment import MobEnvironment
    from workbench.runtime.approvals import ApprovalBroker
    from workbench.runtime.stream import EventStream


@dataclass(frozen=True)
class SpawnSpec:
    profile: str
    identity: str
    initial_message: str | None = None


@dataclass
class Member:
    """A member as the handle keeps it: its session, its place in the roster, its inbox."""

    identity: str
    profile_name: str
    profile: Profile
    orchestrator: bool
    session: MemberSession
    model: str
    own_limits: BudgetLimits
    status: MemberStatus = "idle"
    activity: str | None = None
    error: str | None = None
    exhausted: str | None = None       # budget type that ran out
    inbox: deque[str] = field(default_factory=deque)
    driver: asyncio.Task[None] | None = None
    turns: int = 0                     # model turns over its whole session (the runtime counts one run)

    @property
    def tokens(self) -> int:
        return self.session.usage.total_tokens

    @property
    def cost(self) -> float | None:
        return self.session.cost_usd

    @property
    def path(self) -> str | None:
        path = getattr(self.session.manager, "path", None)
        return str(path) if path is not None else None


class MemberBuilding:
    """How `MobHandle` makes a member (a mixin: it reads the handle's definition and environment)."""

    definition: MobDefinition
    env: "MobEnvironment"
    id: str
    events: "EventStream"
    approvals: "ApprovalBroker | None"
    _members: dict[str, Member]
    _orchestrator: str | None

    if TYPE_CHECKING:
        def _sent(self, message_id: str) -> None: ...  # MobHandle's: a send_message result is on disk

    def _build_member(self, identity: str, profile_name: str, manager: Any, *, orchestrator: bool,
                      provider: tuple[Any, str] | None = None) -> Member:
        profile = self.definition.profiles[profile_name]
        provider, model = provider or self.env.provider_factory(identity, profile_name, profile)
        align_replay(provider, manager)
        limits = self._member_limits(profile)
        tools = self._tools_for(profile, orchestrator)
        add_member_tools(tools, self.env)  # the playbook's [[tools]] (an MCP tool's name stays its)
        # Rules from the user and project config files add up with the mob's own (runtime.rules).
        policy = load_policy(self.env.cwd, mode=self.env.mode, allow=self.env.allow, ask=self.env.ask,
                             deny=self.env.deny, registry=tools, trust_project=self.env.trust_project,
                             lenient=self.approvals is not None)  # someone can answer: strict, not stopped
        session = MemberSession(
            manager, provider, model=model, tools=tools, policy=policy, approvals=self.approvals,
            grants=self.env.grants, limits=limits, retry=self.env.retry,
            system_prompt=self._system_prompt(identity, profile_name, profile, orchestrator),
            thinking_level=profile.thinking, agent=identity, events=self.events,
            project=ProjectContext.load(self.env.cwd, files_enabled=self.env.context_files,
                                        skill_names=profile.skills),
            playbook=member_playbook(self.env),  # guidelines and journeys, each member its own state
            **(self.env.hooks.agent_kwargs({MOB_KEY: self}) if self.env.hooks is not None
               else {"tool_extra": {MOB_KEY: self}}))
        apply_member_agent(session, profile, self.env)
        session.on_sent = self._sent
        member = Member(identity, profile_name, profile, orchestrator, session, session.model, limits)
        member.turns = sum(1 for e in manager.get_branch() if e.get("type") == "message"
                           and (e.get("message") or {}).get("role") == "assistant")
        return member

    def _member_limits(self, profile: Profile) -> BudgetLimits:
        lim = self.definition.limits
        env = self.env
        return BudgetLimits(
            max_tokens=profile.max_tokens or lim.max_tokens_per_member,
            max_cost=profile.max_cost or lim.max_cost_per_member,
            max_turns=profile.max_turns or lim.max_turns_per_member or env.max_turns or 100,
            max_tool_calls=env.max_tool_calls, max_duration=env.max_duration)

    def _tools_for(self, profile: Profile, orchestrator: bool) -> Any:
        from workbench.tools.registry import ToolRegistry, builtin_registry

        builtins = builtin_registry()
        tools = [builtins.get(name) for name in profile.tools]
        registry = ToolRegistry([t for t in tools if t is not None] + mob_tools(orchestrator))
        pool = self.env.mcp_pool
        if pool is not None:  # every server's tools, or those of the profile's `mcp = [...]`
            pool.start()
            pool.attach(registry, profile.mcp)
        return registry

    def _system_prompt(self, identity: str, profile_name: str, profile: Profile, orchestrator: bool) -> str:
        role = ("You are the orchestrator: the user's messages come to you. Spawn members with "
                "spawn_member, wire and unwire them, retire them when done, and message them with "
                "send_message. When the work is done, give the user your conclusion."
                if orchestrator else
                "Report back to the orchestrator with send_message when you finish or get stuck.")
        mob = (f"You are {identity!r} (profile {profile_name!r}), a member of the mob {self.definition.id!r}. "
               f"Messages from other members arrive as '[message from NAME]'. Use list_peers to see who "
               f"you can reach. {role}")
        base = profile.system_prompt.strip()
        return f"{base}\n\n{mob}" if base else mob

    def _new_manager(self, identity: str, profile: str) -> Any:
        from workbench.sessions.manager import SessionManager

        lead = self._members.get(self._orchestrator) if self._orchestrator else None
        return SessionManager.create(
            self.env.cwd, sessions_dir=self.env.sessions_dir,
            parent_session=lead.path if lead is not None else None,
            extra_header={"mob": {"id": self.id, "member": identity, "profile": profile}})


def check_tools(definition: MobDefinition) -> None:
    """Every tool a profile names must be a built-in (the mob tools are added by role)."""
    from workbench.tools.registry import builtin_registry

    names = set(builtin_registry().names())
    for profile_name, profile in definition.profiles.items():
        unknown = [t for t in profile.tools if t not in names]
        if unknown:
            raise InvalidParams(f"profiles.{profile_name}.tools: unknown tool(s) {', '.join(unknown)}; "
                                f"built-in tools: {', '.join(sorted(names))}")
