"""One MCP server's life on the official SDK: start, handshake, tools, calls, crash, stop.

Each server lives in its own asyncio task that holds the SDK's transport and `ClientSession`
contexts open (anyio wants a context entered and left by the same task); calls from the agent's
tasks go through the session. The transport's read stream is forwarded through one memory
stream so the connection knows the moment the server goes away, even between calls: a stdio
server that exits is marked failed at once, and the SDK ends its pending calls.

States: starting → ready | failed; disabled (not started on purpose); untrusted (a project server
of a project not trusted yet); stopped (closed with the session).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Literal

from workbench.mcp.config import MCPServerConfig, expand_server
from workbench.mcp.reaper import Reaper, pid_marker, shell_available, wrap_command
from workbench.mcp.secrets import Redactor

State = Literal["starting", "ready", "failed", "disabled", "untrusted", "stopped"]
STDERR_LINES = 20

# The SDK logs a server's malformed output and transport noise through `logging`; with no handler
# Python would print it on stderr, across the TUI. The connection reports those itself (`warning`).
logging.getLogger("mcp").addHandler(logging.NullHandler())


class ServerUnavailable(Exception):
    """A call to a server that is not ready (failed, stopped, restarting...)."""


@dataclass(frozen=True)
class RemoteTool:
    """What a server says about one of its tools (the SDK's Tool, reduced to what we use)."""

    name: str
    description: str
    input_schema: dict[str, Any]
    annotations: dict[str, Any]
    title: str | None = None


class _StderrTail:
    """The server's stderr, read from a pipe on the event loop: the last lines (shown when it
    fails) and the pid marker the /bin/sh wrapper prints first."""

    def __init__(self, redact: Redactor, on_pid: Callable[[int], None]) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._redact = redact
        self._on_pid = on_pid
        self._partial = b""
        self._read_fd, write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        self.writer = os.fdopen(write_fd, "wb", buffering=0)
        self.eof = asyncio.Event()
        asyncio.get_running_loop().add_reader(self._read_fd, self._readable)

    def _readable(self) -> None:
        try:
            chunk = os.read(self._read_fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close_reader()
            if self._partial:
                self._line(self._partial)
                self._partial = b""
            self.eof.set()
            return
        data = self._partial + chunk
        *lines, self._partial = data.split(b"\n")
        if len(self._partial) > 8192:  # one endless line: keep its end
            self._partial = self._partial[-8192:]
        for line in lines:
            self._line(line)

    def _line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").rstrip("\r")
        marker = pid_marker()
        if text.startswith(marker) and text[len(marker):].strip().isdigit():
            self._on_pid(int(text[len(marker):]))
            return
        if text.strip():
            self.lines.append(self._redact(text))

    def release_writer(self) -> None:
        """Our copy of the pipe's write end, once the child has its own: end-of-file then means
        the server (and anything holding its stderr) is gone."""
        try:
            self.writer.close()
        except OSError:
            pass

    def _close_reader(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            loop.remove_reader(self._read_fd)
        except (ValueError, RuntimeError):
            pass
        try:
            os.close(self._read_fd)
        except OSError:
            pass

    def close(self) -> None:
        self.release_writer()
        if not self.eof.is_set():
            self._close_reader()
            self.eof.set()


class ServerConnection:
    def __init__(self, config: MCPServerConfig, workspace: Path, *, reaper: Reaper,
                 on_change: Callable[["ServerConnection"], None]) -> None:
        self.config = config
        self.workspace = Path(workspace)
        self.reaper = reaper
        self.on_change = on_change
        self.state: State = "disabled" if not config.enabled else "starting"
        self.error: str | None = None
        self.tools: list[RemoteTool] = []
        self.redact = Redactor(config.secret_values())
        self.stderr: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self.server_name: str | None = None   # as the server calls itself
        self.instructions: str | None = None
        self.started_at: float | None = None
        self.ready_after: float | None = None  # seconds from start to ready
        self.pgid: int | None = None
        self.tools_changed = False  # a list_changed arrived: refreshed before the next turn
        self.warning: str | None = None  # the last malformed message or transport error
        self._session: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event() if _loop_running() else None
        self._ready_event: asyncio.Event | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start in the background (a task on the running loop); returns at once."""
        if self.running:
            return
        self._stop = asyncio.Event()
        self._ready_event = asyncio.Event()
        self.state, self.error, self.tools = "starting", None, []
        self.started_at = time.monotonic()
        self.ready_after = None
        self._task = asyncio.get_running_loop().create_task(self._life(), name=f"mcp:{self.name}")
        self._changed()

    async def wait_settled(self, timeout: float | None = None) -> None:
        """Until the server is ready or failed (or `timeout` seconds)."""
        if self.state != "starting" or self._ready_event is None:
            return
        try:
            await asyncio.wait_for(self._ready_event.wait(), timeout)
        except TimeoutError:
            pass

    async def stop(self, state: State = "stopped") -> None:
        task = self._task
        if self._stop is not None:
            self._stop.set()
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), 8)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._task = None
        self._session = None
        self.state = state
        if state != "failed":
            self.error = None
        self.tools = []
        self._changed()

    def _changed(self) -> None:
        try:
            self.on_change(self)
        except Exception:  # a listener's bug never stops a server
            pass

    def _settle(self, state: State, error: str | None = None) -> None:
        if self.state == "stopped" and state == "failed":
            return  # closing on purpose: not a failure
        self.state = state
        if error is not None:
            self.error = self.redact(error)
        if state == "ready" and self.started_at is not None:
            self.ready_after = time.monotonic() - self.started_at
        if self._ready_event is not None:
            self._ready_event.set()
        self._changed()

    async def _life(self) -> None:
        stderr_tail: _StderrTail | None = None
        try:
            try:
                expanded = expand_server(self.config)
            except ValueError as exc:
                self._settle("failed", str(exc))
                return
            self.redact.add([*expanded.env.values(), *expanded.headers.values()])
            if self.config.transport == "stdio":
                stderr_tail = _StderrTail(self.redact, self._watch_group)
                self.stderr = stderr_tail.lines
            async with self._transport(expanded, stderr_tail) as (read, write):
                if stderr_tail is not None:
                    stderr_tail.release_writer()
                await self._serve(read, write, stderr_tail)
        except asyncio.CancelledError:
            if self.state == "starting":
                self._settle("failed", "start-up was cancelled")
            raise
        except BaseException as exc:  # noqa: BLE001 — a server's failure never escapes its task
            if self.state in ("starting", "ready"):
                self._settle("failed", self._describe_failure(exc))
        finally:
            if stderr_tail is not None:
                # a moment for the last lines of a server that just died
                if not stderr_tail.eof.is_set():
                    try:
                        await asyncio.wait_for(stderr_tail.eof.wait(), 0.2)
                    except (TimeoutError, asyncio.CancelledError):
                        pass
                stderr_tail.close()
            if self.pgid is not None:
                # The SDK ends the group only when the server itself outlives its stdin; a server
                # that exits at once can leave its own children behind in the group: end them too.
                await end_group(self.pgid)
                self.reaper.forget(self.pgid)
                self.pgid = None
            self._session = None
            if self._ready_event is not None:
                self._ready_event.set()

    def _watch_group(self, pgid: int) -> None:
        self.pgid = pgid
        self.reaper.watch(pgid)

    @asynccontextmanager
    async def _transport(self, expanded: Any, stderr_tail: _StderrTail | None) -> AsyncIterator[tuple[Any, Any]]:
        cfg = self.config
        if cfg.transport == "stdio":
            from mcp.client.stdio import StdioServerParameters, stdio_client

            command, args = expanded.command, expanded.args
            if shell_available():
                command, args = wrap_command(command, args)
            cwd = Path(cfg.cwd).expanduser() if cfg.cwd else self.workspace
            if not cwd.is_absolute():
                cwd = self.workspace / cwd
            params = StdioServerParameters(command=command, args=args, env=expanded.env or None, cwd=cwd)
            assert stderr_tail is not None
            async with stdio_client(params, errlog=stderr_tail.writer) as streams:  # type: ignore[arg-type]
                yield streams
            return
        from mcp.shared._httpx_utils import create_mcp_http_client

        client = create_mcp_http_client(headers=expanded.headers or None)
        async with client:
            if cfg.transport == "sse":
                from mcp.client.sse import sse_client

                async with sse_client(expanded.url, headers=expanded.headers or None) as streams:
                    yield streams[0], streams[1]
                return
            from mcp.client.streamable_http import streamable_http_client

            async with streamable_http_client(expanded.url, http_client=client) as streams:
                yield streams[0], streams[1]

    async def _serve(self, read: Any, write: Any, stderr_tail: _StderrTail | None) -> None:
        import anyio
        from mcp.client.session import ClientSession
        from mcp_types import Implementation

        from workbench import __version__

        forward_send, forward_recv = anyio.create_memory_object_stream[Any](0)
        gone = asyncio.Event()

        async def forward() -> None:
            try:
                async with forward_send:
                    async for item in read:
                        await forward_send.send(item)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream):
                pass
            finally:
                gone.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(forward)
            async with ClientSession(forward_recv, write, message_handler=self._on_message,
                                     client_info=Implementation(name="workbench", version=__version__)) as session:
                self._session = session
                try:
                    with anyio.fail_after(self.config.startup_timeout):
                        init = await session.initialize()
                        tools = await self._list_tools(session)
                except TimeoutError:
                    self._settle("failed", f"did not start within {self.config.startup_timeout:g}s "
                                           "(startup_timeout)")
                    tg.cancel_scope.cancel()
                    return
                self.server_name = init.server_info.name if init.server_info else None
                self.instructions = init.instructions
                self.tools = tools
                self._settle("ready")
                stop = asyncio.ensure_future(self._stop.wait()) if self._stop else None
                lost = asyncio.ensure_future(gone.wait())
                try:
                    await asyncio.wait([t for t in (stop, lost) if t is not None],
                                       return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for t in (stop, lost):
                        if t is not None:
                            t.cancel()
                if gone.is_set() and not (self._stop and self._stop.is_set()):
                    if stderr_tail is not None:
                        try:
                            await asyncio.wait_for(stderr_tail.eof.wait(), 0.3)
                        except TimeoutError:
                            pass
                    self._settle("failed", "the server exited" + self._last_stderr())
                self._session = None
            tg.cancel_scope.cancel()

    async def _list_tools(self, session: Any) -> list[RemoteTool]:
        out: list[RemoteTool] = []
        cursor = None
        while True:
            if cursor is None:
                listed = await session.list_tools()
            else:
                from mcp_types import PaginatedRequestParams

                listed = await session.list_tools(params=PaginatedRequestParams(cursor=cursor))
            for t in listed.tools:
                annotations = t.annotations.model_dump(exclude_none=True) if t.annotations else {}
                out.append(RemoteTool(name=t.name, description=t.description or "",
                                      input_schema=dict(t.input_schema or {"type": "object"}),
                                      annotations=annotations, title=t.title))
            cursor = listed.next_cursor
            if not cursor:
                return out

    async def _on_message(self, message: Any) -> None:
        from mcp_types import ToolListChangedNotification

        if isinstance(message, Exception):  # a line that is not JSON-RPC, a broken stream
            what = str(message).splitlines()[0] if str(message) else type(message).__name__
            self.warning = self.redact(f"malformed message from the server ignored: {what[:300]}")
            self._changed()
        elif isinstance(message, ToolListChangedNotification):
            self.tools_changed = True
            self._changed()

    async def refresh_tools(self) -> bool:
        """Fetch the tool list again after a list_changed; True when it was refreshed."""
        session = self._session
        if session is None or self.state != "ready":
            return False
        self.tools_changed = False
        try:
            self.tools = await asyncio.wait_for(self._list_tools(session), self.config.timeout)
        except Exception as exc:  # noqa: BLE001
            self.error = self.redact(f"could not refresh its tools: {exc}")
            return False
        self._changed()
        return True

    # --- calls ------------------------------------------------------------------------------

    async def call(self, tool: str, args: dict[str, Any], *, timeout: float | None,
                   progress: Callable[[float, float | None, str | None], Any] | None = None) -> Any:
        """The SDK's CallToolResult. Raises ServerUnavailable when the server is not ready or
        went away during the call (its name and state in the message)."""
        from mcp.shared.exceptions import MCPError
        from mcp_types import CONNECTION_CLOSED, REQUEST_TIMEOUT

        session = self._session
        if session is None or self.state != "ready":
            raise ServerUnavailable(self.unavailable_reason())

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            if progress is not None:
                progress(value, total, self.redact(message) if message else message)

        try:
            return await session.call_tool(tool, args, read_timeout_seconds=timeout,
                                           progress_callback=on_progress if progress else None)
        except MCPError as exc:
            if exc.code == REQUEST_TIMEOUT:
                raise TimeoutError() from None
            if exc.code == CONNECTION_CLOSED:
                # the forwarder's end-of-stream may not have been handled yet: wait for the verdict
                for _ in range(20):
                    if self.state != "ready":
                        break
                    await asyncio.sleep(0.025)
                raise ServerUnavailable(f"MCP server '{self.name}' went away during the call"
                                        + self._last_stderr()) from None
            raise
        except (OSError, ConnectionError) as exc:
            if self.config.transport != "stdio":
                self._settle("failed", f"connection failed: {exc}")
            raise ServerUnavailable(f"MCP server '{self.name}': {self.redact(str(exc))}") from None

    def unavailable_reason(self) -> str:
        if self.state == "failed":
            return f"MCP server '{self.name}' has failed: {self.error or 'unknown error'}"
        if self.state == "starting":
            return f"MCP server '{self.name}' is still starting"
        return f"MCP server '{self.name}' is {self.state}"

    def _last_stderr(self) -> str:
        if not self.stderr:
            return ""
        return f"; its last output: {self.stderr[-1]}"

    def _describe_failure(self, exc: BaseException) -> str:
        if isinstance(exc, BaseExceptionGroup):
            inner = [e for e in exc.exceptions if not isinstance(e, asyncio.CancelledError)]
            if inner:
                return self._describe_failure(inner[0])
        if isinstance(exc, FileNotFoundError):
            return f"cannot run {self.config.command!r}: not found"
        if isinstance(exc, PermissionError):
            return f"cannot run {self.config.command!r}: permission denied"
        text = str(exc) or type(exc).__name__
        from mcp.shared.exceptions import MCPError

        if isinstance(exc, MCPError) and exc.code == -32000:  # CONNECTION_CLOSED during start-up
            return "the server closed the connection during start-up" + self._last_stderr()
        return f"{type(exc).__name__}: {text}" + self._last_stderr()


async def end_group(pgid: int, grace: float = 1.0) -> None:
    """SIGTERM to what is left of a server's process group, SIGKILL after `grace` seconds."""
    import signal

    def signal_group(sig: int) -> bool:
        try:
            os.killpg(pgid, sig)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True

    if not signal_group(0) or not signal_group(signal.SIGTERM):
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        if not signal_group(0):
            return
    signal_group(signal.SIGKILL)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False
