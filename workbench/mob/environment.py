"""What a mob needs from the outside world to run: where it writes, which provider each member
talks to, the approval broker, the approval mode and rules, and limits from the command line.

Kept apart from the handle so the CLI, the TUI and tests each build one the way they need.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

from workbench.errors import InvalidParams
from workbench.mob.definition import Profile
from workbench.runtime.approvals import ApprovalBroker
from workbench.runtime.retry import RetryPolicy

# (identity, profile name, profile) -> (provider, model name)
ProviderFactory = Callable[[str, str, Profile], tuple[Any, str]]


@dataclass
class MobEnvironment:
    cwd: Path
    provider_factory: ProviderFactory
    mobs_dir: Path | None = None       # default: config.mobs_dir()
    sessions_dir: Path | None = None   # default: the session store's directory for cwd
    approvals: ApprovalBroker | None = field(default_factory=ApprovalBroker)  # None: asks are denied
    mode: str | None = None            # None: the config files' mode (runtime.rules.load_policy)
    allow: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    trust_project: bool = False        # --trust-project: the project's config applies in full
    retry: Any = None                  # runtime.retry.RetryPolicy (deadlines, retry-after cap); None: defaults
    grants: Any = None                 # workbench.tools.permissions.GrantStore | None
    # Overrides of the definition's shared limits (CLI budget flags), None = keep the definition's.
    max_cost: float | None = None
    max_tokens: int | None = None
    # Each member's own limits from the command line (turns, tool calls, time).
    max_turns: int | None = None
    max_tool_calls: int | None = None
    max_duration: float | None = None
    hooks: Any = None                  # workbench.hooks.setup.SessionHooks every member shares
    mcp_pool: Any = None               # workbench.mcp.pool.MCPClientPool: members get its tools
    context_files: bool = True         # AGENTS.md / CLAUDE.md in every member's system prompt
    playbook: Any = None               # the workspace's playbook (loaded on first use: mob/playbook.py)

    def resolved_mobs_dir(self) -> Path:
        if self.mobs_dir is not None:
            return Path(self.mobs_dir)
        from workbench.config import mobs_dir

        return mobs_dir()


# --- building one from the command line (headless `workbench mob ...` and the TUI alike) -------

def provider_choice(args: Any, settings: Any, meta: dict[str, Any] | None) -> dict[str, Any]:
    """CLI flags, else what the mob was started with, else config and the environment."""
    from workbench.providers import resolve_provider_settings

    saved = (meta or {}).get("provider") or {}
    if not args.provider and saved:
        choice = dict(saved)
        if args.model:
            choice["model"] = args.model
        if args.replay_script:
            choice["replay_script"] = str(Path(args.replay_script).resolve())
        return choice
    resolved = resolve_provider_settings(settings, args)
    return {"name": resolved.name, "model": resolved.model, "base_url": resolved.base_url,
            "replay_script": str(Path(resolved.replay_script).resolve()) if resolved.replay_script else None,
            "demo": resolved.is_demo}


def check_providers(definition: Any, choice: dict[str, Any]) -> None:
    """Every profile's provider can work as configured, else ProviderFailure (exit 20) naming it
    and how to configure it. A mob of the user's own with no provider configured never silently
    plays the demo's scripts (every spawn would fail): only the demo mob does."""
    from workbench.errors import ProviderFailure
    from workbench.providers.credentials import setup_problem

    if choice.get("demo") and definition.mob.id != "demo":
        raise ProviderFailure(
            f"no model provider is configured for mob {definition.mob.id!r}: set ANTHROPIC_API_KEY, or "
            "OPENAI_API_KEY / OPENAI_BASE_URL, or pass --provider and --model (or set [provider] in "
            "config.toml). `workbench mob run demo -p TASK` plays the offline demo mob.")
    for name, profile in definition.profiles.items():
        provider = profile.provider or choice["name"]
        problem = setup_problem(provider, choice.get("base_url") if provider == choice["name"] else None)
        if problem is not None:
            raise ProviderFailure(f"profile {name!r} of mob {definition.mob.id!r}: {problem}")


def provider_factory(choice: dict[str, Any], notices: TextIO) -> ProviderFactory:
    from workbench.mob.replay import load_mob_scripts, replay_factory
    from workbench.providers import make_provider

    name = choice["name"]
    if name == "replay":
        scale = float(os.environ.get("WORKBENCH_REPLAY_DELAY_SCALE", "1"))
        if choice.get("demo") or not choice.get("replay_script"):
            from workbench.mob.demo import NOTICE, demo_factory

            notices.write(f"workbench: {NOTICE}\n")
            return demo_factory(delay_scale=scale)  # members spawned later improvise in character
        return replay_factory(load_mob_scripts(choice["replay_script"]), delay_scale=scale)

    def factory(identity: str, profile_name: str, profile: Any) -> tuple[Any, str]:
        provider_name = profile.provider or name
        model = profile.model or choice.get("model")
        if provider_name == "replay":
            raise InvalidParams(f"profile {profile_name!r} asks for the replay provider: run the mob with "
                                "--provider replay --replay-script FILE")
        base_url = choice.get("base_url") if provider_name == name else None
        return make_provider(provider_name, model=model, base_url=base_url), model

    return factory


def _retry(settings: Any, args: Any) -> RetryPolicy:
    try:
        return RetryPolicy.from_settings(getattr(settings, "provider", None), idle_timeout=getattr(args, "idle_timeout", None))
    except ValueError as exc:
        raise InvalidParams(str(exc)) from None


def environment_from_args(args: Any, settings: Any, cwd: Path, *, meta: dict[str, Any] | None,
                          approvals: ApprovalBroker | None, notices: TextIO,
                          mobs_dir: Path | None = None, definition: Any = None) -> tuple[MobEnvironment, dict[str, Any]]:
    """The environment for a mob run from CLI flags and settings; the approval rules of the config
    files are added per member by the handle (runtime.rules.load_policy), so only flags go here.
    With the `definition` of a new mob, a provider that cannot work stops it before it starts."""
    choice = provider_choice(args, settings, meta)
    if definition is not None:
        check_providers(definition, choice)
    env = MobEnvironment(
        cwd=cwd, provider_factory=provider_factory(choice, notices), mobs_dir=mobs_dir, approvals=approvals,
        mode=getattr(args, "approve", None), allow=tuple(getattr(args, "allow", None) or ()),
        deny=tuple(getattr(args, "deny", None) or ()), trust_project=bool(getattr(args, "trust_project", False)),
        retry=_retry(settings, args),
        max_cost=getattr(args, "max_cost", None), max_tokens=getattr(args, "max_tokens", None),
        max_turns=getattr(args, "max_turns", None), max_tool_calls=getattr(args, "max_tool_calls", None),
        max_duration=getattr(args, "max_duration", None))
    from workbench.hooks.setup import session_hooks

    env.hooks = session_hooks(settings, cwd, args)
    from workbench.context.project import context_enabled

    env.context_files = context_enabled(settings, args)
    return env, choice
