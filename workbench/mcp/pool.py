"""`MCPClientPool`: every configured MCP server of a session, started in the background.

`start()` returns at once: each server starts in its own task, concurrently, so nothing waits
for a slow or hanging server (a turn starts with the tools that are ready; `not_ready()` says
which servers are still starting). The pool keeps the tool registries it is attached to in step
with the servers: a server that becomes ready adds its tools, one that fails or stops removes
them, a `tools/list_changed` replaces them (the model sees the change from its next turn).

Project servers (`.mcp.json`) start only when the project is trusted (`trusted=True`, decided
by the caller with workbench.trust); until then they are listed as "untrusted".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from workbench.mcp.config import MCPConfig, MCPConfigProblem, MCPServerConfig
from workbench.mcp.connection import ServerConnection
from workbench.mcp.names import tool_name, unique
from workbench.mcp.reaper import Reaper
from workbench.mcp.tool import MCPTool


@dataclass(frozen=True)
class MCPServerStatus:
    """One server as `/mcp` and `workbench mcp list` show it (no secret in it)."""

    name: str
    state: str
    source: str                       # project | user | settings
    path: str                         # the config file
    transport: str
    summary: str                      # the command line or URL, env/header values masked
    tools: list[str] = field(default_factory=list)          # workbench names (mcp__server__tool)
    remote_tools: list[str] = field(default_factory=list)   # the server's own names
    error: str | None = None
    stderr: list[str] = field(default_factory=list)         # last lines (failed servers)
    trusted: bool = True
    ready_after_s: float | None = None
    warning: str | None = None                              # e.g. a malformed message it sent

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def describe(self) -> str:
        """One line: `github  ready · 12 tools`."""
        if self.state == "ready":
            what = f"ready · {len(self.tools)} tool{'s' if len(self.tools) != 1 else ''}"
        elif self.state == "failed":
            what = f"failed: {self.error or 'unknown error'}"
        elif self.state == "untrusted":
            what = "not started: the project is not trusted"
        else:
            what = self.state
        return f"{self.name}  {what}"


class _Attachment:
    def __init__(self, registry: Any, servers: set[str] | None) -> None:
        self.registry = registry
        self.servers = servers          # None: every server
        self.names: dict[str, list[str]] = {}  # server → tool names registered for it

    def wants(self, server: str) -> bool:
        return self.servers is None or server in self.servers


class MCPClientPool:
    def __init__(self, config: MCPConfig, workspace: Path | str, *, trusted: bool = False) -> None:
        self.workspace = Path(workspace)
        self.problems: list[MCPConfigProblem] = list(config.problems)
        self.trusted = trusted
        self.reaper = Reaper()
        self._listeners: list[Callable[[], None]] = []
        self._attachments: list[_Attachment] = []
        self._names: dict[tuple[str, str], str] = {}   # (server, remote tool) → workbench name
        self._tools: dict[str, list[MCPTool]] = {}     # server → its MCPTools
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._starting: asyncio.Task[None] | None = None
        self.connections: dict[str, ServerConnection] = {}
        for cfg in config.servers:
            conn = ServerConnection(cfg, self.workspace, reaper=self.reaper, on_change=self._changed)
            if cfg.from_project and not trusted:
                conn.state = "untrusted"
            self.connections[cfg.name] = conn

    @classmethod
    def from_workspace(cls, workspace: Path | str, *, trusted: bool | None = None,
                       trust_override: bool = False) -> "MCPClientPool":
        """The pool of a workspace's configuration, trusted as workbench.trust says (or as told)."""
        from workbench.mcp.config import load_mcp_config

        ws = Path(workspace)
        if trusted is None:
            trusted = project_trusted(ws, override=trust_override)
        return cls(load_mcp_config(ws), ws, trusted=trusted)

    # --- state --------------------------------------------------------------------------------

    def __bool__(self) -> bool:
        return bool(self.connections)

    @property
    def names(self) -> list[str]:
        return list(self.connections)

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Called (on the event loop) whenever a server's state or tools change."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def counts(self) -> tuple[int, int]:
        """(ready, wanted): servers ready, of those meant to run (not disabled, not untrusted)."""
        wanted = [c for c in self.connections.values() if c.state not in ("disabled", "untrusted")]
        return sum(1 for c in wanted if c.state == "ready"), len(wanted)

    def not_ready(self, servers: Iterable[str] | None = None) -> list[str]:
        """Servers still starting (of `servers`, default all)."""
        wanted = None if servers is None else set(servers)
        return [c.name for c in self.connections.values()
                if c.state == "starting" and (wanted is None or c.name in wanted)]

    def status(self) -> list[MCPServerStatus]:
        out = []
        for conn in self.connections.values():
            cfg = conn.config
            tools = [t.name for t in self._tools.get(conn.name, [])] if conn.state == "ready" else []
            out.append(MCPServerStatus(
                name=conn.name, state=conn.state, source=cfg.source, path=str(cfg.path),
                transport=cfg.transport, summary=cfg.summary(), tools=tools,
                remote_tools=[t.name for t in conn.tools] if conn.state == "ready" else [],
                error=conn.error, stderr=list(conn.stderr) if conn.state == "failed" else [],
                trusted=not cfg.from_project or self.trusted, ready_after_s=conn.ready_after,
                warning=conn.warning))
        return out

    def tools(self, server: str) -> list[MCPTool]:
        return list(self._tools.get(server, []))

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start every server that may run, each in its own task; returns at once. The SDK is
        imported in a thread first (about a second of CPU): the UI's loop never waits for it."""
        if self._starting is None and any(c.state == "starting" for c in self.connections.values()):
            self._starting = asyncio.get_running_loop().create_task(self._start_all(), name="mcp:start")

    async def _start_all(self) -> None:
        await asyncio.to_thread(import_sdk)
        for conn in self.connections.values():
            if conn.state == "starting" and not conn.running and not self._closed:
                conn.start()

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Until no server is starting (each bounded by its own startup_timeout), or `timeout`."""
        async def settled() -> None:
            if self._starting is not None:
                await asyncio.shield(self._starting)
            await asyncio.gather(*(c.wait_settled() for c in self.connections.values() if c.state == "starting"))

        try:
            await asyncio.wait_for(settled(), timeout)
        except TimeoutError:
            pass

    def trust_granted(self) -> None:
        """The user trusted the project now: its servers start."""
        self.trusted = True
        for conn in self.connections.values():
            if conn.state == "untrusted":
                conn.state = "starting" if conn.config.enabled else "disabled"
                if conn.state == "starting":
                    conn.start()
        self._notify()

    def _get(self, name: str) -> ServerConnection:
        conn = self.connections.get(name)
        if conn is None:
            known = ", ".join(self.connections) or "none configured"
            raise KeyError(f"no MCP server named {name!r} (servers: {known})")
        return conn

    async def restart(self, name: str) -> None:
        conn = self._get(name)
        if conn.state == "untrusted":
            raise PermissionError(f"MCP server {name!r} comes from the project's .mcp.json and the project "
                                  "is not trusted")
        await conn.stop()
        conn.start()

    async def enable(self, name: str) -> None:
        conn = self._get(name)
        if conn.state == "untrusted":
            raise PermissionError(f"MCP server {name!r} comes from the project's .mcp.json and the project "
                                  "is not trusted")
        if conn.state in ("disabled", "failed", "stopped"):
            await conn.stop()
            conn.start()

    async def disable(self, name: str) -> None:
        conn = self._get(name)
        if conn.state != "untrusted":
            await conn.stop("disabled")

    async def aclose(self) -> None:
        """Stop every server (their process groups end) and the watchdog."""
        if self._closed:
            return
        self._closed = True
        if self._starting is not None and not self._starting.done():
            await asyncio.gather(self._starting, return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*(c.stop() for c in self.connections.values() if c.running),
                             return_exceptions=True)
        self.reaper.close()

    # --- registries ---------------------------------------------------------------------------

    def attach(self, registry: Any, servers: Iterable[str] | None = None) -> Callable[[], None]:
        """Keep `registry` holding the tools of `servers` (default: all) while they are ready.
        Registries also learn which servers are still starting (the turn says so)."""
        wanted = None if servers is None else set(servers)
        att = _Attachment(registry, wanted)
        self._attachments.append(att)
        for name in self.connections:
            if att.wants(name):
                self._sync(att, name)
        hook = getattr(registry, "add_pending_source", None)
        if hook is not None:
            hook(lambda: self.not_ready(wanted))

        def detach() -> None:
            if att in self._attachments:
                self._attachments.remove(att)
                for server in list(att.names):
                    for tool in att.names.pop(server):
                        registry.unregister(tool)
        return detach

    def _build_tools(self, conn: ServerConnection) -> list[MCPTool]:
        taken = {n for (server, _), n in self._names.items() if server != conn.name}
        # names already given to this server's tools stay theirs
        out: list[MCPTool] = []
        for remote in conn.tools:
            key = (conn.name, remote.name)
            name = self._names.get(key)
            if name is None or name in taken:
                name = unique(tool_name(conn.name, remote.name), taken)
                self._names[key] = name
            taken.add(name)
            out.append(MCPTool(conn, remote, name))
        return out

    def _sync(self, att: _Attachment, server: str) -> None:
        registry = att.registry
        for name in att.names.pop(server, []):
            registry.unregister(name)
        tools = self._tools.get(server, []) if self.connections[server].state == "ready" else []
        added = []
        for tool in tools:
            if tool.name in registry:
                continue  # a built-in or another tool of that name wins: never replaced
            registry.register(tool)
            added.append(tool.name)
        if added:
            att.names[server] = added

    def _changed(self, conn: ServerConnection) -> None:
        if conn.tools_changed and conn.state == "ready":
            self._spawn(self._refresh(conn))
            return
        if conn.state == "ready":
            self._tools[conn.name] = self._build_tools(conn)
        else:
            self._tools.pop(conn.name, None)
        for att in self._attachments:
            if att.wants(conn.name):
                self._sync(att, conn.name)
        self._notify()

    async def _refresh(self, conn: ServerConnection) -> None:
        await conn.refresh_tools()  # calls _changed again with the new list

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # a listener's bug never stops the pool
                pass


def import_sdk() -> None:
    """The SDK modules a connection uses (heavy: pydantic models for every MCP type)."""
    import mcp.client.session  # noqa: F401
    import mcp.client.stdio  # noqa: F401
    import mcp.client.streamable_http  # noqa: F401


def project_trusted(workspace: Path, *, override: bool = False) -> bool:
    """workbench.trust's verdict (the project's .mcp.json may start its servers)."""
    if override:
        return True
    try:
        from workbench import trust
    except ImportError:  # the trust module has not landed: nothing from the project runs
        return False
    return bool(trust.is_trusted(workspace, override=override))


def configs(pool: MCPClientPool) -> list[MCPServerConfig]:
    return [c.config for c in pool.connections.values()]
