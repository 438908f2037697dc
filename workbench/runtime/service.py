"""SessionService: the lifecycle of many sessions in one process (meerkat's SessionService).

Create (run the first turn now or defer it), open an existing session file, start a turn,
interrupt, read state and usage, list with labels, archive, subscribe to events. Errors are
`WorkbenchError`s carrying the seed's stable codes (SESSION_NOT_FOUND, SESSION_BUSY,
SESSION_NOT_RUNNING, ...), which map to CLI exit codes in workbench/errors.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from workbench.errors import InvalidParams, SessionBusy, SessionNotFound, WorkbenchError
from workbench.runtime.agent import AgentSession
from workbench.runtime.approvals import ApprovalBroker
from workbench.runtime.budget import BudgetLimits
from workbench.runtime.events import RunResult, Usage
from workbench.runtime.retry import RetryPolicy
from workbench.runtime.rules import load_policy
from workbench.runtime.stream import Subscription

LABELS_CUSTOM_TYPE = "workbench.labels"  # custom entry holding the session's key/value labels

ProviderFactory = Callable[[str | None, str | None], Any]


@dataclass
class CreateSessionRequest:
    model: str | None = None
    provider: str | None = None
    prompt: str | None = None
    system_prompt: str | None = None
    cwd: str | Path | None = None
    limits: BudgetLimits | None = None
    labels: dict[str, str] = field(default_factory=dict)
    mode: str | None = None
    thinking_level: str | None = None
    run_now: bool = True
    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    run_options: dict[str, Any] = field(default_factory=dict)  # AgentSession.run's: images, output_schema, ...
    agent: str | None = None  # a playbook agent ([[agents]]) the session runs as
    variables: dict[str, str] = field(default_factory=dict)  # playbook context variables
    journey: str | None = None  # a playbook journey to start


@dataclass(frozen=True)
class SessionState:
    session_id: str
    path: str | None
    cwd: str
    model: str
    provider: str
    is_running: bool
    turns: int
    tool_calls: int
    usage: Usage
    cost_usd: float | None
    context_tokens: int
    context_window: int | None
    labels: dict[str, str]
    last_result: RunResult | None


def _default_provider_factory(name: str | None, model: str | None) -> Any:
    from workbench.providers import make_provider

    return make_provider(name or "replay", model=model)


class SessionService:
    def __init__(self, sessions_dir: str | Path | None = None, approvals: ApprovalBroker | None = None,
                 settings: Any = None, cwd: str | Path | None = None,
                 provider_factory: ProviderFactory | None = None, grants: Any = None,
                 nobody_to_ask: bool = False, mcp_pool: Any = None, trust_project: bool = False) -> None:
        """`nobody_to_ask`: no person answers approvals (the MCP server): what needs asking is
        denied with the way to allow it, as in headless mode."""
        self.sessions_dir = Path(sessions_dir) if sessions_dir is not None else None
        self.approvals = approvals if approvals is not None else ApprovalBroker()
        self.nobody_to_ask = nobody_to_ask
        self.settings = settings
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        self.provider_factory = provider_factory or _default_provider_factory
        self.grants = grants
        self.mcp_pool = mcp_pool  # workbench.mcp.pool.MCPClientPool: every session gets its tools
        self.trust_project = trust_project  # --trust-project: the project's playbook tools load too
        self._sessions: dict[str, AgentSession] = {}
        self._labels: dict[str, dict[str, str]] = {}

    # --- creating and opening ----------------------------------------------------------------

    def _session_kwargs(self, mode: str | None, allow: list[str], deny: list[str], cwd: Path,
                        playbook: Any = None) -> dict[str, Any]:
        from workbench.tools.grants import GrantStore

        # The rules of the user config and of this cwd's project config add up, each kept with
        # its source (the merged `settings.approvals` would let the project list replace the user's).
        from workbench.context.project import ProjectContext, context_enabled
        from workbench.hooks.setup import session_hooks

        from workbench.playbook.equip import add_tools

        tools: dict[str, Any] = {}
        playbook = playbook if playbook is not None else self.playbook(cwd)
        if self.mcp_pool is not None or playbook.tools:
            from workbench.tools.registry import builtin_registry

            registry = builtin_registry()
            add_tools(registry, playbook.tools)  # before MCP: a configured tool keeps its name
            if self.mcp_pool is not None:
                self.mcp_pool.start()
                self.mcp_pool.attach(registry)
            tools = {"tools": registry}
        return {
            **tools,
            # context files (AGENTS.md) and skills of the workspace, as the TUI and -p load them
            "project": ProjectContext.load(cwd, files_enabled=context_enabled(self.settings)),
            "policy": load_policy(cwd, mode=mode, allow=allow, deny=deny, registry=tools.get("tools")),
            "approvals": None if self.nobody_to_ask else self.approvals,
            "grants": self.grants if self.grants is not None else GrantStore(cwd),
            **session_hooks(self.settings, cwd).agent_kwargs(),
            "retry": RetryPolicy.from_settings(getattr(self.settings, "provider", None)),
        }

    def playbook(self, cwd: Path) -> Any:
        """The workspace's playbook (agents, configured tools), read afresh for each session."""
        from workbench.playbook.loader import load_playbook

        return load_playbook(cwd, trust_override=self.trust_project)

    def _default_limits(self) -> BudgetLimits:
        budget = getattr(self.settings, "budget", None)
        return BudgetLimits.from_settings(budget) if budget is not None else BudgetLimits()

    async def create_session(self, req: CreateSessionRequest) -> AgentSession:
        from workbench.sessions.manager import SessionManager

        cwd = Path(req.cwd) if req.cwd is not None else self.cwd
        if not cwd.is_dir():
            raise InvalidParams(f"cwd {cwd} is not a directory")
        from workbench.playbook.setup import StartOptions, session_playbook

        loaded = self.playbook(cwd)
        # an unknown agent or journey, a bad variable: InvalidParams before any file
        playbook = session_playbook(cwd, playbook=loaded, options=StartOptions(
            req.agent, tuple(req.variables.items()), req.journey))
        kwargs = self._session_kwargs(req.mode, req.allow, req.deny, cwd, loaded)  # bad rules: before any file
        provider = self.provider_factory(req.provider, req.model)
        manager = SessionManager.create(cwd, sessions_dir=self.sessions_dir)
        if req.labels:
            manager.append_custom(LABELS_CUSTOM_TYPE, dict(req.labels))
        session = AgentSession(
            manager, provider, model=req.model or getattr(provider, "model", None),
            limits=req.limits or self._default_limits(), system_prompt=req.system_prompt,
            thinking_level=req.thinking_level, playbook=playbook, **kwargs)
        playbook.apply_start_options()  # the agent's model, the variables, the journey: from now on
        self._register(session, dict(req.labels))
        if req.prompt is not None and req.run_now:
            await session.run(req.prompt, **req.run_options)
        return session

    async def open_session(self, path_or_prefix: str | Path, cwd: str | Path | None = None, *,
                           provider: str | None = None, model: str | None = None,
                           mode: str | None = None, allow: list[str] | None = None,
                           deny: list[str] | None = None) -> AgentSession:
        """Resume a session file: model and thinking level come from its context, usage so far
        from its assistant messages."""
        from workbench.sessions.manager import SessionManager
        from workbench.sessions.store import SessionStore

        base = Path(cwd) if cwd is not None else self.cwd
        path = SessionStore(self.sessions_dir).resolve(str(path_or_prefix), base)
        for live in self._sessions.values():
            if live.manager.path is not None and Path(live.manager.path) == Path(path):
                return live
        try:
            manager = SessionManager.open(path)
        except FileNotFoundError:
            raise SessionNotFound(f"no session file at {path}") from None
        workspace = Path(manager.cwd or base)
        try:
            loaded = self.playbook(workspace)
            kwargs = self._session_kwargs(mode, list(allow or []), list(deny or []), workspace, loaded)
        except WorkbenchError:
            manager.close()
            raise
        context = manager.build_context()
        stored = context.model or {}
        provider_obj = self.provider_factory(provider or stored.get("provider"), model or stored.get("modelId"))
        from workbench.playbook.setup import session_playbook

        session = AgentSession(manager, provider_obj, model=model, limits=self._default_limits(),
                               playbook=session_playbook(workspace, playbook=loaded), **kwargs)  # its state back
        labels: dict[str, str] = {}
        for entry in manager.entries:
            if entry.get("type") == "custom" and entry.get("customType") == LABELS_CUSTOM_TYPE:
                labels.update(entry.get("data") or {})
        self._register(session, labels)
        return session

    def _register(self, session: AgentSession, labels: dict[str, str]) -> None:
        self._sessions[session.id] = session
        self._labels[session.id] = labels

    # --- driving -----------------------------------------------------------------------------

    def get(self, session_id: str) -> AgentSession:
        session = self._sessions.get(session_id)
        if session is None:
            matches = [s for sid, s in self._sessions.items() if sid.startswith(session_id)] if session_id else []
            if len(matches) == 1:
                return matches[0]
            raise SessionNotFound(f"session not found: {session_id}", details={"session_id": session_id})
        return session

    async def start_turn(self, session_id: str, prompt: str, **options: Any) -> RunResult:
        return await self.get(session_id).run(prompt, **options)

    async def interrupt(self, session_id: str) -> None:
        session = self.get(session_id)
        if not session.is_running:
            raise WorkbenchError(f"no turn running on session {session_id}", code="SESSION_NOT_RUNNING")
        await session.interrupt()

    def read(self, session_id: str) -> SessionState:
        s = self.get(session_id)
        return SessionState(
            session_id=s.id, path=str(s.manager.path) if s.manager.path else None, cwd=str(s.cwd),
            model=s.model, provider=s.provider.name, is_running=s.is_running, turns=s.turns,
            tool_calls=s.tool_calls, usage=s.usage, cost_usd=s.cost_usd, context_tokens=s.context_tokens,
            context_window=s.context_window, labels=dict(self._labels.get(s.id, {})), last_result=s.last_result)

    def list(self, limit: int = 50, offset: int = 0, labels: dict[str, str] | None = None) -> list[SessionState]:
        if limit < 0 or offset < 0:
            raise InvalidParams(f"limit and offset must not be negative (got limit={limit}, offset={offset})")
        ids = [sid for sid in self._sessions
               if not labels or all(self._labels.get(sid, {}).get(k) == v for k, v in labels.items())]
        return [self.read(sid) for sid in ids[offset:offset + limit]]

    async def archive(self, session_id: str) -> None:
        """Take the session out of the live set and release its file (the file stays on disk)."""
        session = self.get(session_id)
        if session.is_running:
            raise SessionBusy(f"session {session.id} is running; interrupt it before archiving")
        self._sessions.pop(session.id, None)
        self._labels.pop(session.id, None)
        session.manager.close()
        session.events.close()

    def subscribe(self, session_id: str) -> Subscription:
        return self.get(session_id).events.subscribe()

    async def close(self) -> None:
        for session in list(self._sessions.values()):
            if session.is_running:
                await session.interrupt()
            session.manager.close()
            await session.provider.aclose()
        self._sessions.clear()
        self._labels.clear()
