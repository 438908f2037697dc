"""The approval broker: tool calls waiting for a person, shared by every session and mob member.

An agent that needs approval builds an `ApprovalRequest` (tool, arguments, a preview computed
before anything runs, who asks, and the rule an "always" answer would save) and awaits
`broker.request(req)`. The UI learns of it through `subscribe()` (or the session's
tool_approval_requested event) and answers with `resolve(request_id, ApprovalDecision(...))`.
The request is an `asyncio.Future`, so interrupting the agent simply cancels the wait.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Literal

from workbench.errors import InvalidParams

DecisionKind = Literal["once", "session", "always", "deny"]
DECISION_KINDS: tuple[str, ...] = ("once", "session", "always", "deny")


@dataclass(frozen=True)
class ApprovalDecision:
    kind: DecisionKind
    feedback: str | None = None  # with "deny": passed to the model

    def __post_init__(self) -> None:
        if self.kind not in DECISION_KINDS:
            raise InvalidParams(f"approval decision must be one of {', '.join(DECISION_KINDS)}; got {self.kind!r}")

    @property
    def allowed(self) -> bool:
        return self.kind != "deny"


@dataclass
class ApprovalRequest:
    request_id: str
    session_id: str | None
    agent: str | None          # who asks: a mob member's identity, or None for the session's agent
    tool: str
    call_id: str
    args: dict[str, Any]
    preview: dict[str, Any] | None  # Preview.to_dict(): {"kind": "diff"|"command"|..., "text": ...}
    scope: str | None          # the rule "always" would save, e.g. "bash(npm test*)"; shown before saving
    reason: str = ""           # why it asks (mode, rule, or a path outside the workspace)
    outside_paths: list[str] = field(default_factory=list)  # exact paths to approve, if any
    future: asyncio.Future[ApprovalDecision] | None = None

    @property
    def done(self) -> bool:
        return self.future is not None and self.future.done()


_ids = itertools.count(1)


def new_request_id() -> str:
    return f"apr-{next(_ids)}"


class ApprovalBroker:
    def __init__(self) -> None:
        self._pending: dict[str, ApprovalRequest] = {}
        self._queues: list[asyncio.Queue[ApprovalRequest]] = []
        self._listeners: list[Callable[[ApprovalRequest], None]] = []

    def pending(self, session_id: str | None = None) -> list[ApprovalRequest]:
        """Requests still waiting, oldest first (optionally of one session)."""
        return [r for r in self._pending.values() if session_id is None or r.session_id == session_id]

    def add_listener(self, listener: Callable[[ApprovalRequest], None]) -> Callable[[], None]:
        """Called synchronously with each new request and again when it is resolved or withdrawn."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def subscribe(self) -> AsyncIterator[ApprovalRequest]:
        """Every request from now on, after the ones already pending."""
        queue: asyncio.Queue[ApprovalRequest] = asyncio.Queue()
        for req in self._pending.values():
            queue.put_nowait(req)
        self._queues.append(queue)
        try:
            while True:
                req = await queue.get()
                if not req.done:
                    yield req
        finally:
            self._queues.remove(queue)

    async def request(self, req: ApprovalRequest) -> ApprovalDecision:
        """Register the request and wait for the answer. Cancelling the caller withdraws it."""
        req.future = asyncio.get_running_loop().create_future()
        self._pending[req.request_id] = req
        for queue in self._queues:
            queue.put_nowait(req)
        self._notify(req)
        try:
            return await req.future
        finally:
            self._pending.pop(req.request_id, None)
            if not req.future.done():
                req.future.cancel()
            self._notify(req)

    def on_withdrawn(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """`callback(request_id)` for each request that ends without an answer: its run was
        interrupted, stopped, failed or ran out of time. Whoever shows requests drops it then."""
        def listener(req: ApprovalRequest) -> None:
            if req.request_id not in self._pending and req.future is not None and req.future.cancelled():
                callback(req.request_id)

        return self.add_listener(listener)

    def resolve(self, request_id: str, decision: ApprovalDecision) -> ApprovalRequest:
        req = self._pending.get(request_id)
        if req is None or req.future is None or req.future.done():
            raise InvalidParams(f"no pending approval request with id {request_id!r}")
        req.future.set_result(decision)
        return req

    def _notify(self, req: ApprovalRequest) -> None:
        for listener in list(self._listeners):
            listener(req)
