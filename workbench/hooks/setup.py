"""What a session gets from this package: its hook engine and its sandbox, built the same way by
the TUI, headless mode, the session service and mobs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.hooks.config import HookRunOverrides, LoadedHooks, load_hooks
from workbench.hooks.engine import HookEngine
from workbench.hooks.sandbox import Sandbox, sandbox_for

SANDBOX_KEY = "sandbox"  # the key in ToolContext.extra (workbench.tools.builtin.bash reads it)


@dataclass
class SessionHooks:
    engine: HookEngine
    sandbox: Sandbox
    loaded: LoadedHooks

    def agent_kwargs(self, tool_extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """Keyword arguments for AgentSession: the engine (None without any hook) and the sandbox."""
        extra = dict(tool_extra or {})
        extra[SANDBOX_KEY] = self.sandbox
        return {"hooks": self.engine if self.engine.entries else None, "tool_extra": extra}

    async def close(self) -> None:
        """End the long-lived sandbox this process started (headless: before its loop ends)."""
        from workbench.hooks.sandbox_server import close_servers

        await close_servers()

    def notices(self) -> list[str]:
        """What a person should know before the run: hooks waiting for trust, a sandbox that
        cannot run."""
        out = []
        if self.loaded.untrusted:
            ids = ", ".join(e.id for e in self.loaded.untrusted)
            out.append(f"the project's hooks ({ids}) do not run: the project is not trusted")
        out += [f"hooks: {p}" for p in self.loaded.problems]
        status = self.sandbox.status_text()
        if status is not None and not self.sandbox.active:
            out.append(status)
        return out


def overrides_from(args: Any) -> HookRunOverrides:
    return HookRunOverrides(disabled=bool(getattr(args, "no_hooks", False)),
                            disable_ids=frozenset(getattr(args, "disable_hook", None) or ()))


def session_hooks(settings: Any, workspace: Path, args: Any = None) -> SessionHooks:
    """Hooks from the user's config and (trusted) project's, with `--no-hooks` / `--disable-hook`
    applied; the sandbox from `[sandbox]` or `--sandbox`, probed now (in the caller's thread)."""
    trust_override = bool(getattr(args, "trust_project", False))
    loaded = load_hooks(workspace, trust_override=trust_override)
    engine = HookEngine(loaded.entries, workspace, overrides=overrides_from(args))
    sandbox = sandbox_for(settings, workspace, force_on=bool(getattr(args, "sandbox", False)))
    if sandbox.enabled:
        sandbox.problem()
    return SessionHooks(engine, sandbox, loaded)
