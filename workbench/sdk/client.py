"""WorkbenchClient: drive `workbench rpc` from Python (after the seed's MeerkatClient).

    async with WorkbenchClient() as client:
        session = await client.create_session("Summarise README.md")
        print(session.text)

The client starts `workbench rpc` as a child process (or the command you give), talks JSON-RPC
over its stdin/stdout, and negotiates the contract version on connect: 0.x needs the same minor,
1.0 and later the same major (VERSION_MISMATCH otherwise).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from typing import Any, Sequence

from workbench.sdk.errors import CapabilityUnavailableError, WorkbenchError, error_from_wire
from workbench.sdk.events import parse_event
from workbench.sdk.stream import EventStream
from workbench.sdk.types import Capability, RunResult, SessionInfo
from workbench.wire import CONTRACT_VERSION, compatible

_LINE_LIMIT = 64 * 1024 * 1024
_EVENT_LINE = b'{"jsonrpc":"2.0","method":"session/event",'  # how the server starts every event line


def default_command(server_args: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", "workbench.cli", "rpc", *server_args]


class WorkbenchClient:
    def __init__(self, command: Sequence[str] | None = None, *, server_args: Sequence[str] = (),
                 cwd: str | None = None, env: dict[str, str] | None = None, stderr: Any = None) -> None:
        """`command`: the server to start (default: this Python's `workbench rpc` with `server_args`,
        e.g. ["--provider", "replay", "--replay-script", "s.json"]). `stderr`: where the server's log
        goes (default: this process's stderr; asyncio.subprocess.DEVNULL to silence it)."""
        self.command = list(command) if command is not None else default_command(server_args)
        self.cwd = cwd
        self.env = env
        self.stderr = stderr
        self.capabilities: list[Capability] = []
        self.server_version: str | None = None
        self.contract_version: str | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._listeners: dict[str, list[asyncio.Queue[Any]]] = {}
        self._closed_error: WorkbenchError | None = None

    # --- connection ------------------------------------------------------------------------------

    async def __aenter__(self) -> "WorkbenchClient":
        await self.connect()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def connect(self) -> "WorkbenchClient":
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.command, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=self.stderr, cwd=self.cwd, env=self.env, limit=_LINE_LIMIT)
        except OSError as exc:
            raise WorkbenchError("BINARY_NOT_FOUND", f"cannot start {self.command[0]}: {exc}") from None
        self._closed_error = None
        self._reader = asyncio.ensure_future(self._read())
        info = await self._request("initialize", {"contract_version": CONTRACT_VERSION, "client": "workbench.sdk"})
        self.server_version = info.get("server_version")
        self.contract_version = info.get("contract_version")
        if not compatible(str(self.contract_version), CONTRACT_VERSION):
            await self.close()
            raise WorkbenchError("VERSION_MISMATCH", f"the server speaks contract {self.contract_version}; this SDK "
                                 f"needs {CONTRACT_VERSION} (0.x: the same minor version)",
                                 {"server": self.contract_version, "client": CONTRACT_VERSION})
        self.capabilities = [Capability(c["id"], c.get("description", ""), c.get("status", ""))
                             for c in info.get("capabilities") or []]
        return self

    async def close(self) -> None:
        """End the server: it interrupts running turns and closes every session file."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout=30)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
        if self._reader is not None:
            await asyncio.wait([self._reader], timeout=5)
        self._fail_all(WorkbenchError("NOT_CONNECTED", "the client was closed"))

    @property
    def connected(self) -> bool:
        return self._proc is not None and self._closed_error is None

    # --- capabilities ----------------------------------------------------------------------------

    def has_capability(self, capability_id: str) -> bool:
        return any(c.id == capability_id and c.available for c in self.capabilities)

    def require_capability(self, capability_id: str) -> None:
        if not self.has_capability(capability_id):
            status = next((c.status for c in self.capabilities if c.id == capability_id), "unknown")
            raise CapabilityUnavailableError("CAPABILITY_UNAVAILABLE",
                                             f"capability {capability_id!r} is not available ({status})",
                                             {"capability": capability_id, "status": status},
                                             capability_hint=capability_id)

    # --- sessions --------------------------------------------------------------------------------

    async def create_session(self, prompt: Any = None, **options: Any) -> "Session":
        """A new session; with a prompt, its first turn runs now and `session.last_result` holds it.
        Options: model, provider, system_prompt, cwd, labels, approval_mode, allow, deny, thinking,
        budget ({max_tokens, max_cost, max_turns, max_tool_calls, max_duration}), output_schema,
        structured_output_retries, and the playbook's agent, variables ({KEY: VALUE}) and journey."""
        params = _drop_none({"prompt": prompt, **options})
        reply = await self._request("session/create", params)
        session = Session(self, reply["session_id"], reply.get("session_ref"))
        if reply.get("result") is not None:
            session.last_result = RunResult.from_wire(reply["result"], session.ref)
        return session

    async def create_deferred_session(self, prompt: Any = None, **options: Any) -> "DeferredSession":
        """Allocate the session now; `await deferred.start_turn()` runs `prompt` later."""
        reply = await self._request("session/create", _drop_none({**options, "deferred": True}))
        return DeferredSession(self, reply["session_id"], reply.get("session_ref"), prompt)

    def create_session_streaming(self, prompt: Any, **options: Any) -> EventStream:
        """Create a session and stream its first turn; `events.session_id` is set on entering."""
        return EventStream(self, None, "session/create", _drop_none({"prompt": prompt, **options}))

    async def open_session(self, session_id: str) -> "Session":
        """A session by id (or unique prefix), live or stored."""
        info = await self._request("session/read", {"session_id": session_id})
        session = Session(self, info["session_id"], info.get("session_ref"))
        if info.get("last_result"):
            session.last_result = RunResult.from_wire(info["last_result"], session.ref)
        return session

    async def list_sessions(self, *, include_stored: bool = False, labels: dict[str, str] | None = None,
                            limit: int = 50, offset: int = 0) -> list[SessionInfo]:
        reply = await self._request("session/list", _drop_none({"include_stored": include_stored, "labels": labels,
                                                                "limit": limit, "offset": offset}))
        return [SessionInfo.from_wire(row) for row in reply.get("sessions", [])]

    async def list_approvals(self, session_id: str | None = None) -> list[dict[str, Any]]:
        reply = await self._request("approval/list", _drop_none({"session_id": session_id}))
        return list(reply.get("approvals", []))

    async def respond_approval(self, request_id: str, decision: str, feedback: str | None = None) -> None:
        """decision: once | session | always | deny (feedback goes to the model with a deny)."""
        await self._request("approval/respond", _drop_none({"request_id": request_id, "decision": decision,
                                                            "feedback": feedback}))

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """Any RPC method by name (mob/*, ...): the raw result."""
        return await self._request(method, params or {})

    # --- transport -------------------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any]) -> tuple[int, asyncio.Future[Any]]:
        if self._proc is None or self._proc.stdin is None:
            raise WorkbenchError("NOT_CONNECTED", "not connected: use `async with WorkbenchClient()` or await connect()")
        if self._closed_error is not None:
            raise self._closed_error
        rid = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        line = json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}, ensure_ascii=False)
        self._proc.stdin.write(line.encode() + b"\n")
        return rid, future

    async def _request(self, method: str, params: dict[str, Any]) -> Any:
        _rid, future = self._send(method, params)
        return await future

    def _cancel(self, rid: int) -> None:
        if self._proc is not None and self._proc.stdin is not None and not self._proc.stdin.is_closing():
            self._proc.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "$/cancelRequest",
                                               "params": {"id": rid}}).encode() + b"\n")

    def _subscribe(self, session_id: str, queue: asyncio.Queue[Any]) -> None:
        self._listeners.setdefault(session_id, []).append(queue)

    def _unsubscribe(self, session_id: str, queue: asyncio.Queue[Any]) -> None:
        queues = self._listeners.get(session_id, [])
        if queue in queues:
            queues.remove(queue)
        if not queues:
            self._listeners.pop(session_id, None)

    async def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        stdout = self._proc.stdout
        try:
            while True:
                line = await stdout.readline()
                if not line:
                    break
                if not self._listeners and line.startswith(_EVENT_LINE):
                    continue  # nobody streams: an event need not even be parsed
                try:
                    message = json.loads(line)
                except json.JSONDecodeError:
                    continue  # not ours (the server keeps stdout clean; be lenient anyway)
                if isinstance(message, dict):
                    self._dispatch(message)
        except (asyncio.LimitOverrunError, ValueError, ConnectionError):
            pass
        finally:
            self._closed_error = WorkbenchError("CONNECTION_CLOSED", "the workbench rpc process closed the connection")
            self._fail_all(self._closed_error)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message and ("result" in message or "error" in message):
            future = self._pending.pop(message["id"], None) if isinstance(message["id"], int) else None
            if future is None or future.done():
                return
            if "error" in message:
                future.set_exception(error_from_wire(message["error"]))
            else:
                future.set_result(message.get("result"))
            return
        if message.get("method") == "session/event":
            params = message.get("params") or {}
            queues = self._listeners.get(str(params.get("session_id")))
            if queues:  # parsed only when someone streams this session
                event = parse_event(params.get("event"))
                for queue in list(queues):
                    queue.put_nowait(event)

    def _fail_all(self, error: WorkbenchError) -> None:
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(error)


class Session:
    """A session of the server. `text`, `usage`, `turns`, `tool_calls`, `structured_output` are
    those of the most recent run (`last_result`)."""

    def __init__(self, client: WorkbenchClient, session_id: str, ref: str | None = None) -> None:
        self.client = client
        self.id = session_id
        self.ref = ref
        self.last_result: RunResult | None = None

    def __repr__(self) -> str:
        return f"Session({self.id!r})"

    @property
    def text(self) -> str:
        return self.last_result.text if self.last_result else ""

    @property
    def usage(self) -> Any:
        return self.last_result.usage if self.last_result else None

    @property
    def turns(self) -> int:
        return self.last_result.turns if self.last_result else 0

    @property
    def tool_calls(self) -> int:
        return self.last_result.tool_calls if self.last_result else 0

    @property
    def structured_output(self) -> Any:
        return self.last_result.structured_output if self.last_result else None

    async def turn(self, prompt: Any, *, output_schema: dict[str, Any] | None = None,
                   structured_output_retries: int | None = None,
                   variables: dict[str, str] | None = None) -> RunResult:
        """One turn. `variables`: playbook context variables set before it (kept in the session)."""
        reply = await self.client._request("turn/start", _drop_none({
            "session_id": self.id, "prompt": prompt, "output_schema": output_schema,
            "structured_output_retries": structured_output_retries, "variables": variables or None}))
        self.last_result = RunResult.from_wire(reply, self.ref)
        return self.last_result

    def stream(self, prompt: Any, *, output_schema: dict[str, Any] | None = None,
               structured_output_retries: int | None = None) -> EventStream:
        """The turn's events as they happen; the request is sent when the `async with` is entered."""
        return EventStream(self.client, self.id, "turn/start", _drop_none({
            "session_id": self.id, "prompt": prompt, "output_schema": output_schema,
            "structured_output_retries": structured_output_retries}), session=self)

    async def history(self, leaf: str | None = None) -> list[dict[str, Any]]:
        """The messages of the active branch (or of the branch ending at entry `leaf`), pi's format."""
        reply = await self.client._request("session/history", _drop_none({"session_id": self.id, "leaf": leaf}))
        return list(reply.get("messages", []))

    async def read(self) -> dict[str, Any]:
        return await self.client._request("session/read", {"session_id": self.id})

    async def interrupt(self) -> None:
        await self.client._request("turn/interrupt", {"session_id": self.id})

    async def archive(self) -> None:
        await self.client._request("session/archive", {"session_id": self.id})

    async def approve(self, request_id: str, decision: str = "once", feedback: str | None = None) -> None:
        await self.client.respond_approval(request_id, decision, feedback)


class DeferredSession(Session):
    def __init__(self, client: WorkbenchClient, session_id: str, ref: str | None, prompt: Any) -> None:
        super().__init__(client, session_id, ref)
        self._prompt = prompt

    async def start_turn(self, prompt: Any = None, **options: Any) -> RunResult:
        chosen = prompt if prompt is not None else self._prompt
        if chosen is None:
            raise WorkbenchError("INVALID_ARGS", "no prompt: pass one to start_turn() or create_deferred_session()")
        return await self.turn(chosen, **options)


def _drop_none(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


__all__ = ["WorkbenchClient", "Session", "DeferredSession"]
