"""EventStream: the events of one turn, as an async context manager and async iterator.

The request (turn/start, or session/create for a streamed first turn) is sent on entering the
`async with`. The server sends every event of the turn before its answer, so the answer closes
the stream: iteration ends there, `result` holds the RunResult, or the error is raised.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from workbench.sdk.errors import WorkbenchError
from workbench.sdk.events import Event, TextDelta
from workbench.sdk.types import RunResult

if TYPE_CHECKING:
    from workbench.sdk.client import Session, WorkbenchClient

_END = object()


class EventStream:
    def __init__(self, client: "WorkbenchClient", session_id: str | None, method: str, params: dict[str, Any],
                 session: "Session | None" = None) -> None:
        self._client = client
        self.session_id = session_id
        self._method = method
        self._params = params
        self._session = session
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._result: RunResult | None = None
        self._error: BaseException | None = None
        self._done = False
        self._rid: int | None = None
        self._entered = False

    async def __aenter__(self) -> "EventStream":
        if self._entered:
            raise WorkbenchError("INVALID_ARGS", "an EventStream can be entered once")
        self._entered = True
        if self.session_id is None:
            # session/create: the id comes with the answer, so allocate first and stream the turn
            reply = await self._client._request("session/create", {**{k: v for k, v in self._params.items()
                                                                       if k not in ("prompt", "output_schema",
                                                                                    "structured_output_retries")},
                                                                    "deferred": True})
            from workbench.sdk.client import Session

            self.session_id = reply["session_id"]
            self._session = Session(self._client, reply["session_id"], reply.get("session_ref"))
            self._method = "turn/start"
            self._params = {"session_id": self.session_id, **{k: v for k, v in self._params.items()
                                                              if k in ("prompt", "output_schema",
                                                                       "structured_output_retries")}}
        self._client._subscribe(self.session_id, self._queue)
        self._rid, future = self._client._send(self._method, self._params)
        future.add_done_callback(self._answered)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self.session_id is not None:
            self._client._unsubscribe(self.session_id, self._queue)

    def _answered(self, future: asyncio.Future[Any]) -> None:
        if future.cancelled():
            self._error = WorkbenchError("REQUEST_CANCELLED", "the request was cancelled")
        elif future.exception() is not None:
            self._error = future.exception()
        else:
            reply = future.result()
            ref = self._session.ref if self._session is not None else None
            self._result = RunResult.from_wire(reply.get("result", reply) if self._method == "session/create" else reply, ref)
            if self._session is not None:
                self._session.last_result = self._result
        self._queue.put_nowait(_END)

    def __aiter__(self) -> "EventStream":
        return self

    async def __anext__(self) -> Event:
        if not self._entered:
            raise WorkbenchError("INVALID_ARGS", "use the stream inside `async with`")
        if self._done:
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is _END:
            self._done = True
            if self._error is not None:
                raise self._error
            raise StopAsyncIteration
        return item

    @property
    def session(self) -> "Session | None":
        return self._session

    @property
    def result(self) -> RunResult:
        if not self._done or self._result is None:
            raise WorkbenchError("STREAM_NOT_CONSUMED", "the stream's result is known once it has been read to the end")
        return self._result

    def cancel(self) -> None:
        """Ask the server to stop the turn ($/cancelRequest): the turn is interrupted and the
        stream ends with a RequestCancelledError."""
        if self._rid is not None and not self._done:
            self._client._cancel(self._rid)

    async def collect(self) -> RunResult:
        async with self:
            async for _event in self:
                pass
        return self.result

    async def collect_text(self) -> tuple[str, RunResult]:
        parts: list[str] = []
        async with self:
            async for event in self:
                if isinstance(event, TextDelta):
                    parts.append(event.delta)
        return "".join(parts), self.result
