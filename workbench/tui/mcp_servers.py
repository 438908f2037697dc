"""MCP in the TUI: the pool of the app, `MCP 2/3` in the status line, `/mcp` and its actions.

The pool is made from the configuration (cheap: JSON and TOML) once the agent is ready — after
the first frame — and started in the background; the status line follows its state. It lives as
long as the app: /new, /resume and /fork re-attach it to the new session's tool registry, and it
stops (every server's process group with it) when the app shuts down. Project servers start only
if the project is trusted (the trust dialog asked before the agent started) or with
--trust-project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench.tui.sanitize import safe_text

if TYPE_CHECKING:
    from workbench.mcp.pool import MCPClientPool, MCPServerStatus

USAGE = "/mcp lists the servers; /mcp restart NAME, /mcp enable NAME, /mcp disable NAME act on one"
_STATE_STYLE = {"ready": "green", "starting": "yellow", "failed": "red", "disabled": "dim",
                "untrusted": "dim", "stopped": "dim"}


class McpServers:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.pool: MCPClientPool | None = None
        self._detach: Any = None
        self._reported: set[str] = set()  # failed servers already announced

    def begin(self) -> None:
        """Build and start the pool (once), attached to the current session's tools."""
        if self.pool is not None:
            self.attach(self.app.backend)
            return
        from workbench import trust
        from workbench.mcp.pool import MCPClientPool

        args = getattr(self.app, "cli_args", None)
        override = bool(getattr(args, "trust_project", False))
        try:
            pool = MCPClientPool.from_workspace(self.app.cwd, trusted=trust.is_trusted(self.app.cwd, override=override))
        except Exception as exc:  # a config bug never stops the app
            self.app.notify(f"MCP servers could not be read: {exc}", severity="error")
            return
        self.pool = pool
        for problem in pool.problems:
            self.app.notify(f"MCP config: {problem}", title="MCP", severity="error", timeout=12)
        if not pool:
            return
        pool.add_listener(self._changed)
        self.attach(self.app.backend)
        pool.start()

    def attach(self, backend: Any) -> None:
        if self.pool is None or not self.pool:
            return
        if self._detach is not None:
            self._detach()
            self._detach = None
        tools = getattr(getattr(backend, "agent", None), "tools", None)
        if tools is not None and hasattr(tools, "register"):
            self._detach = self.pool.attach(tools)

    def _changed(self) -> None:
        self.app._stats_dirty = True
        for status in self.pool.status() if self.pool else ():
            if status.state == "failed" and status.name not in self._reported:
                self._reported.add(status.name)
                self.app.notify(f"MCP server {status.name} failed: {status.error}", title="MCP",
                                severity="error", timeout=8)
            elif status.state != "failed":
                self._reported.discard(status.name)

    def counts(self) -> tuple[int, int] | None:
        if self.pool is None or not self.pool:
            return None
        ready, wanted = self.pool.counts()
        return (ready, wanted) if wanted else None

    def failed(self) -> bool:
        return bool(self.pool) and any(c.state == "failed" for c in self.pool.connections.values())

    async def aclose(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()

    # --- /mcp --------------------------------------------------------------------------------

    def command(self, arg: str) -> Any:
        words = arg.split()
        if not words:
            self.app.push_screen(McpScreen(self))
            return None
        action, names = words[0].lower(), words[1:]
        if action not in ("restart", "enable", "disable") or len(names) != 1:
            raise ValueError(USAGE)
        if self.pool is None or not self.pool:
            raise ValueError("no MCP server is configured (see docs/mcp.md)")
        return self._act(action, names[0])

    async def _act(self, action: str, name: str) -> None:
        assert self.pool is not None
        try:
            await getattr(self.pool, action)(name)
        except (KeyError, PermissionError) as exc:
            self.app.notify(str(exc.args[0] if exc.args else exc), title="MCP", severity="error")
            return
        done = {"restart": "restarting", "enable": "starting", "disable": "disabled"}[action]
        self.app.notify(f"MCP server {name}: {done}", title="MCP", timeout=4)

    def mob_pool(self) -> Any:
        """The pool a mob's members share (started with the mob when the app opens on one)."""
        self.begin()
        return self.pool if self.pool else None

    def choices(self) -> list[str]:
        names = list(self.pool.connections) if self.pool is not None else []
        return [f"{action} {name}" for action in ("restart", "enable", "disable") for name in names]

    def statuses(self) -> list[MCPServerStatus]:
        return self.pool.status() if self.pool is not None else []


def status_lines(statuses: list[MCPServerStatus], problems: list[Any]) -> Group:
    """The /mcp listing: each server, its state, what it runs, its tools or its last stderr."""
    parts: list[Any] = []
    for problem in problems:
        parts.append(safe_text(f"config problem: {problem}", style="red"))
    if not statuses:
        parts.append(Text("No MCP servers configured. Add them to .mcp.json (this project), "
                          "<config dir>/mcp.json or [mcp.servers.NAME] in config.toml — see docs/mcp.md.",
                          style="dim"))
    for s in statuses:
        head = Text.assemble((s.name, "bold"), "  ", (s.describe()[len(s.name) + 2:], _STATE_STYLE.get(s.state, "")))
        parts.append(head)
        parts.append(safe_text(f"  {s.summary}", style="dim"))
        parts.append(safe_text(f"  {s.source}: {s.path}", style="dim"))
        if s.tools:
            parts.append(safe_text("  tools: " + ", ".join(s.tools)))
        if s.warning:
            parts.append(safe_text(f"  warning: {s.warning}", style="yellow"))
        for line in s.stderr[-5:]:
            parts.append(safe_text(f"  stderr: {line}", style="red"))
        parts.append(Text(""))
    parts.append(Text(USAGE, style="dim"))
    return Group(*parts)


class McpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "close", "Close", id="mcp.close")]

    def __init__(self, servers: McpServers) -> None:
        super().__init__()
        self.servers = servers

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="mcp-servers") as scroll:
            scroll.border_title = "MCP servers"
            scroll.border_subtitle = "Esc close"
            yield Static(id="mcp-list")

    def on_mount(self) -> None:
        self._draw()
        self.set_interval(0.5, self._draw)  # states change while it is open

    def _draw(self) -> None:
        pool = self.servers.pool
        self.query_one("#mcp-list", Static).update(
            status_lines(self.servers.statuses(), pool.problems if pool is not None else []))

    def action_close(self) -> None:
        self.dismiss(None)
