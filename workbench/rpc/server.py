"""`workbench rpc`: JSON-RPC 2.0 over stdio, one JSON object per line (logs go to stderr).

Every request runs as its own task, so a long `turn/start` never blocks `turn/interrupt`,
`approval/respond` or another session's turn. `$/cancelRequest` cancels a request in flight: it
answers with REQUEST_CANCELLED (-32005); a cancelled turn is interrupted, not killed, so the
session file stays whole. Malformed input gets the JSON-RPC error for it and the server reads on.
End of input ends the server: running turns are interrupted and every session file is closed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any, Awaitable, Callable

from pydantic import BaseModel, ValidationError

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.rpc.framing import EOF, DEFAULT_MAX_LINE, LineReader, LineWriter
from workbench.wire import (CONTRACT_VERSION, INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST,
                            METHOD_NOT_FOUND, PARSE_ERROR, RPC_CODES, code_string_for)

Handler = Callable[[Any], Awaitable[Any]]


class RequestCancelled(WorkbenchError):
    code = "REQUEST_CANCELLED"


def error_object(code: int, message: str, code_string: str | None = None,
                 details: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {"code": code_string or code_string_for(code)}
    if details:
        data["details"] = details
    return {"code": code, "message": message, "data": data}


def workbench_error(exc: WorkbenchError) -> dict[str, Any]:
    return error_object(RPC_CODES.get(exc.code, INTERNAL_ERROR), exc.message, exc.code, exc.details)


def validation_error(exc: ValidationError) -> dict[str, Any]:
    problems = [{"field": ".".join(str(p) for p in e["loc"]) or "(params)", "message": e["msg"]}
                for e in exc.errors(include_url=False, include_input=False)]
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:3])
    return error_object(INVALID_PARAMS, f"invalid params: {summary}", "INVALID_PARAMS", {"errors": problems})


class Method:
    """A method: its params model and its coroutine."""

    def __init__(self, params: type[BaseModel] | None, handler: Handler) -> None:
        self.params = params
        self.handler = handler


class RpcServer:
    def __init__(self, out: Any, *, log: Any = None, max_line: int = DEFAULT_MAX_LINE) -> None:
        self.writer = LineWriter(out)
        self.log = log or sys.stderr
        self.max_line = max_line
        self.methods: dict[str, Method] = {}
        self._inflight: dict[Any, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.on_cancel: dict[Any, Callable[[], Awaitable[None]]] = {}  # request id -> orderly stop
        # End of input: `stop_hooks` interrupt what runs (called until every request has answered),
        # then `close_hooks` release sessions and mobs.
        self.stop_hooks: list[Callable[[], Awaitable[None]]] = []
        self.close_hooks: list[Callable[[], Awaitable[None]]] = []
        self.closing = False
        self._cancelled: set[Any] = set()  # requests stopped in order: they answer REQUEST_CANCELLED

    def register(self, name: str, params: type[BaseModel] | None, handler: Handler) -> None:
        self.methods[name] = Method(params, handler)

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.writer.send({"jsonrpc": "2.0", "method": method, "params": params})

    def warn(self, text: str) -> None:
        try:
            self.log.write(f"workbench rpc: {text}\n")
            self.log.flush()
        except (OSError, ValueError):
            pass

    # --- the loop ------------------------------------------------------------------------------

    async def serve(self, fd: int = 0) -> None:
        reader = LineReader(asyncio.get_running_loop(), fd, self.max_line)
        reader.start()
        while True:
            line = await reader.get()
            if line is EOF:
                break
            if line.data is None:
                self._reply_error(None, error_object(
                    INVALID_REQUEST, f"request too large: a line of {line.size:,} bytes (the limit is "
                    f"{self.max_line:,}); it was skipped", "INVALID_REQUEST", {"bytes": line.size}))
                continue
            if not line.data.strip():
                continue
            self._handle_line(line.data)
        await self.shutdown()

    async def shutdown(self, grace: float = 30.0) -> None:
        """End of input: interrupt what runs, let the requests answer, close every session.
        A request that was about to start a turn starts it and is interrupted on the next round."""
        self.closing = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while True:
            await self._call(self.stop_hooks)
            if not self._tasks:
                break
            left = deadline - loop.time()
            if left <= 0:
                for task in self._tasks:
                    task.cancel()
                await asyncio.wait(set(self._tasks), timeout=5)
                break
            await asyncio.wait(set(self._tasks), timeout=min(0.05, left))
        await self._call(self.close_hooks)
        self.writer.flush()

    async def _call(self, hooks: list[Callable[[], Awaitable[None]]]) -> None:
        for hook in hooks:
            try:
                await hook()
            except Exception as exc:  # one failing hook must not keep the others from running
                self.warn(f"while shutting down: {type(exc).__name__}: {exc}")

    def _handle_line(self, data: bytes) -> None:
        try:
            message = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            self._reply_error(None, error_object(PARSE_ERROR, f"parse error: not JSON ({exc})"))
            return
        if isinstance(message, list):
            self._reply_error(None, error_object(INVALID_REQUEST, "batch requests are not supported: "
                                                 "send one JSON object per line"))
            return
        if not isinstance(message, dict):
            self._reply_error(None, error_object(INVALID_REQUEST, "invalid request: expected a JSON object, "
                                                 f"got {type(message).__name__}"))
            return
        rid = message.get("id")
        has_id = "id" in message
        if has_id and not (rid is None or isinstance(rid, (str, int))) or isinstance(rid, bool):
            self._reply_error(None, error_object(INVALID_REQUEST, "invalid request: id must be a string or a number"))
            return
        method = message.get("method")
        if message.get("jsonrpc") != "2.0" or not isinstance(method, str):
            if "result" in message or "error" in message:
                return  # a response to nothing we asked: ignore
            self._reply_error(rid, error_object(INVALID_REQUEST, 'invalid request: needs "jsonrpc": "2.0" '
                                                'and a "method" string'))
            return
        params = message.get("params", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            if has_id:
                self._reply_error(rid, error_object(INVALID_PARAMS, "invalid params: params must be an object "
                                                    "(named parameters)", "INVALID_PARAMS"))
            return
        if method == "$/cancelRequest":
            self._cancel(params)
            return
        entry = self.methods.get(method)
        if entry is None:
            if has_id:
                self._reply_error(rid, error_object(METHOD_NOT_FOUND, f"method not found: {method}",
                                                    details={"method": method}))
            return
        if has_id and rid in self._inflight:
            self._reply_error(rid, error_object(INVALID_REQUEST, f"a request with id {rid!r} is already in flight",
                                                "DUPLICATE_INPUT"))
            return
        task = asyncio.ensure_future(self._run(entry, rid if has_id else None, params, has_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if has_id:
            self._inflight[rid] = task

    def _cancel(self, params: dict[str, Any]) -> None:
        rid = params.get("id")
        task = self._inflight.get(rid)
        if task is None or task.done():
            return  # finished already, or never known: nothing to cancel (notification, no reply)
        stop = self.on_cancel.get(rid)
        if stop is not None:
            asyncio.ensure_future(stop())  # an orderly stop (a turn is interrupted); the handler answers
            self._cancelled.add(rid)
        else:
            task.cancel()

    async def _run(self, entry: Method, rid: Any, params: dict[str, Any], has_id: bool) -> None:
        try:
            parsed = entry.params.model_validate(params) if entry.params is not None else params
            result = await entry.handler(parsed, rid) if _wants_id(entry.handler) else await entry.handler(parsed)
            if rid in self._cancelled:
                raise RequestCancelled("the request was cancelled ($/cancelRequest)")
            if has_id:
                self.writer.send({"jsonrpc": "2.0", "id": rid, "result": result})
        except ValidationError as exc:
            self._reply_error(rid, validation_error(exc), has_id)
        except WorkbenchError as exc:
            self._reply_error(rid, workbench_error(exc), has_id)
        except asyncio.CancelledError:
            self._reply_error(rid, workbench_error(RequestCancelled("the request was cancelled ($/cancelRequest)")),
                              has_id)
        except Exception as exc:  # a bug: the client gets INTERNAL_ERROR, the log the details
            self.warn(f"internal error in {rid!r}: {type(exc).__name__}: {exc}")
            self._reply_error(rid, error_object(INTERNAL_ERROR, f"internal error: {type(exc).__name__}: {exc}"),
                              has_id)
        finally:
            self._inflight.pop(rid, None)
            self.on_cancel.pop(rid, None)
            self._cancelled.discard(rid)

    def _reply_error(self, rid: Any, error: dict[str, Any], has_id: bool = True) -> None:
        if has_id:
            self.writer.send({"jsonrpc": "2.0", "id": rid, "error": error})


def _wants_id(handler: Handler) -> bool:
    return getattr(handler, "wants_request_id", False)


def with_request_id(handler: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Mark a handler that takes the request id too (to register an orderly cancel)."""
    handler.wants_request_id = True  # type: ignore[attr-defined]
    return handler


def protocol_stdout() -> Any:
    """The real stdout for protocol messages; fd 1 then points at stderr, so a stray print (ours, a
    library's, a child process's) lands in the log instead of corrupting the stream."""
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return out


def initialize_result(capabilities: list[dict[str, Any]], methods: list[str]) -> dict[str, Any]:
    return {"contract_version": CONTRACT_VERSION, "server_version": __version__, "server": "workbench",
            "capabilities": capabilities, "methods": sorted(methods)}
