"""The session methods of `workbench rpc`: session/*, turn/*, approval/*.

One SessionService holds every session of the server; each session's events are forwarded as
`session/event` notifications ({"session_id", "event"}; the event exactly as `--output-format
jsonl` prints it). Sessions this server has not opened yet (an id prefix of a stored session) are
opened on first use, so every session on disk can be read, continued or archived.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from workbench.errors import SessionNotFound, WorkbenchError
from workbench.rpc import params as P
from workbench.rpc.server import RpcServer, with_request_id
from workbench.runtime.approvals import ApprovalDecision
from workbench.runtime.budget import BudgetLimits
from workbench.runtime.service import CreateSessionRequest, SessionService


def wire_result(result: Any, stop: str | None = None) -> dict[str, Any]:
    """The seed's WireRunResult: session_id, text, turns, tool_calls, usage, cost_usd,
    structured_output, extraction_error (plus how the run stopped)."""
    data = result.model_dump(mode="json")
    data["stop"] = stop or "end_turn"
    return data


def session_info(service: SessionService, session_id: str) -> dict[str, Any]:
    state = service.read(session_id)
    session = service.get(session_id)
    entries = list(session.manager.entries)
    stamps = [e.get("timestamp") for e in entries if isinstance(e.get("timestamp"), str)]
    created = session.manager.header.get("timestamp") or (stamps[0] if stamps else None)
    return {
        "session_id": state.session_id, "session_ref": state.path, "path": state.path, "cwd": state.cwd,
        "model": state.model, "provider": state.provider, "is_active": state.is_running,
        "created_at": created, "updated_at": stamps[-1] if stamps else created,
        "message_count": sum(1 for e in entries if e.get("type") == "message"),
        "total_tokens": state.usage.total_tokens, "usage": state.usage.model_dump(mode="json"),
        "cost_usd": state.cost_usd, "context_tokens": state.context_tokens,
        "context_window": state.context_window, "labels": state.labels,
        "name": session.manager.name, "mode": session.mode,
        "playbook": _playbook_state(session),
    }


def _playbook_state(session: Any) -> dict[str, Any] | None:
    """The session's playbook state: agent, variables, journey (docs/playbooks.md)."""
    runtime = getattr(session, "playbook", None)
    if runtime is None:
        return None
    return {**runtime.state.to_json(), "status": runtime.status_text() or None}


def _set_variables(session: Any, variables: dict[str, str]) -> None:
    runtime = getattr(session, "playbook", None)
    if runtime is None:
        from workbench.errors import InvalidParams

        raise InvalidParams("this session has no playbook: variables need one")
    from workbench.playbook.setup import parse_vars

    parse_vars(f"{k}={v}" for k, v in variables.items())  # all checked before any is set
    for key, value in variables.items():
        if runtime.state.variables.get(key) != value:
            runtime.set_var(key, value)


def _thinking(level: str | None) -> str | None:
    return None if level in (None, "off") else level


class SessionMethods:
    def __init__(self, server: RpcServer, service: SessionService, settings: Any, defaults: Any = None) -> None:
        """`defaults`: the server's run options (argparse namespace of `workbench rpc`): approval
        mode, rules and budget flags every session starts from."""
        self.server = server
        self.service = service
        self.settings = settings
        self.defaults = defaults
        self._listening: dict[str, Callable[[], None]] = {}
        self._stops: dict[str, str] = {}  # session id -> how its last run stopped
        for name, model, handler in (
            ("session/create", P.SessionCreate, self.create), ("session/list", P.SessionList, self.list),
            ("session/read", P.SessionRef, self.read), ("session/history", P.SessionHistory, self.history),
            ("session/archive", P.SessionRef, self.archive), ("turn/start", P.TurnStart, self.turn_start),
            ("turn/interrupt", P.SessionRef, self.interrupt), ("approval/list", P.ApprovalList, self.approvals),
            ("approval/respond", P.ApprovalRespond, self.respond),
        ):
            server.register(name, model, handler)
        server.stop_hooks.append(self.stop)
        server.close_hooks.append(self.service.close)

    # --- plumbing --------------------------------------------------------------------------------

    def _listen(self, session: Any, *, replay: tuple[str, ...] = ()) -> None:
        """Forward the session's events from now on; `replay`: types of events it already sent
        to forward first (the playbook's, from session/create's agent, variables and journey)."""
        sid = session.id
        if sid in self._listening:
            return
        send = self.server.writer.send_raw
        head = b'{"jsonrpc":"2.0","method":"session/event","params":{"session_id":' + json.dumps(sid).encode() + b',"event":'

        def forward(event: Any) -> None:
            if event.type == "run_completed":
                self._stops[sid] = event.stop
            # the event serialised once, by pydantic, straight into the notification
            send(head + event.model_dump_json().encode() + b"}}")

        for event in session.events.history():
            if event.type in replay:
                forward(event)
        self._listening[sid] = session.events.add_listener(forward)

    async def _session(self, session_id: str) -> Any:
        """A live session, else the stored session with that id (prefix), opened now."""
        try:
            return self.service.get(session_id)
        except SessionNotFound:
            pass
        try:
            session = await self.service.open_session(session_id)
        except SessionNotFound:
            raise SessionNotFound(f"session not found: {session_id}", details={"session_id": session_id}) from None
        except WorkbenchError:
            raise
        except Exception as exc:  # e.g. a file another process holds
            raise WorkbenchError(f"cannot open session {session_id}: {exc}", code=getattr(exc, "code", "INTERNAL_ERROR"),
                                 details={"session_id": session_id}) from None
        self._listen(session)
        return session

    def _default(self, name: str, fallback: Any = None) -> Any:
        value = getattr(self.defaults, name, None)
        return fallback if value is None else value

    def _limits(self, budget: P.Budget | None) -> BudgetLimits:
        flags = {name: self._default(name) for name in
                 ("max_tokens", "max_cost", "max_turns", "max_tool_calls", "max_duration")}
        flags.update((budget or P.Budget()).model_dump(exclude_none=True))
        try:
            return BudgetLimits.from_settings(getattr(self.settings, "budget", None), **flags)
        except ValueError as exc:
            from workbench.errors import InvalidParams

            raise InvalidParams(str(exc)) from None

    @staticmethod
    def _run_options(p: P.StructuredParams, images: list[dict[str, Any]]) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if images:
            options["images"] = images
        if p.output_schema is not None:
            options["output_schema"] = p.output_schema
            options["structured_output_retries"] = p.structured_output_retries
        return options

    async def _run(self, session: Any, text: str, options: dict[str, Any], rid: Any) -> dict[str, Any]:
        if not text.strip() and not options.get("images"):
            from workbench.errors import InvalidParams

            raise InvalidParams("the prompt is empty")
        if rid is not None:
            self.server.on_cancel[rid] = session.interrupt  # $/cancelRequest stops the turn in order
        task = session.start(text, **options)
        result = await task
        return wire_result(result, self._stops.get(session.id))

    # --- methods ---------------------------------------------------------------------------------

    @with_request_id
    async def create(self, p: P.SessionCreate, rid: Any) -> dict[str, Any]:
        text, images = P.split_prompt(p.prompt) if p.prompt is not None else ("", [])
        options = self._run_options(p, images)
        if options.get("output_schema") is not None:
            from workbench.runtime.structured import check_schema

            check_schema(options["output_schema"])  # before the session exists
        req = CreateSessionRequest(
            model=p.model, provider=p.provider, system_prompt=p.system_prompt or self._default("system_prompt"),
            cwd=p.cwd,
            limits=self._limits(p.budget), labels=dict(p.labels), mode=p.approval_mode or self._default("approve"),
            thinking_level=_thinking(p.thinking or self._default("thinking")), run_now=False,
            allow=[*self._default("allow", []), *p.allow], deny=[*self._default("deny", []), *p.deny],
            agent=p.agent, variables=dict(p.variables), journey=p.journey)
        session = await self.service.create_session(req)
        self._listen(session, replay=("journey_transitioned",))
        out: dict[str, Any] = {"session_id": session.id, "session_ref": str(session.manager.path) if
                               session.manager.path else None, "result": None}
        if p.prompt is not None and not p.deferred:
            out["result"] = await self._run(session, text, options, rid)
        return out

    async def list(self, p: P.SessionList) -> dict[str, Any]:
        live = [session_info(self.service, s.session_id) for s in self.service.list(limit=10**9, labels=p.labels)]
        rows = live
        if p.include_stored and not p.labels:
            from workbench.config import sessions_dir
            from workbench.sessions.store import SessionStore

            known = {r["session_id"] for r in live}
            for info in SessionStore(sessions_dir()).list(all_dirs=True):
                if info.id in known:
                    continue
                rows.append({"session_id": info.id, "session_ref": str(info.path), "path": str(info.path),
                             "cwd": info.cwd, "is_active": False, "created_at": info.created.isoformat(),
                             "updated_at": info.modified.isoformat(), "message_count": info.message_count,
                             "total_tokens": None, "labels": {}, "name": info.name,
                             "first_message": info.first_message})
        return {"sessions": rows[p.offset:p.offset + p.limit], "total": len(rows)}

    async def read(self, p: P.SessionRef) -> dict[str, Any]:
        session = await self._session(p.session_id)
        info = session_info(self.service, session.id)
        last = session.last_result
        info["last_result"] = wire_result(last, self._stops.get(session.id)) if last is not None else None
        return info

    async def history(self, p: P.SessionHistory) -> dict[str, Any]:
        session = await self._session(p.session_id)
        manager = session.manager
        if p.leaf is not None and not manager.has_entry(p.leaf):
            from workbench.errors import InvalidParams

            raise InvalidParams(f"session {session.id} has no entry {p.leaf!r}")
        context = manager.build_context(p.leaf) if p.leaf is not None else manager.build_context()
        return {"session_id": session.id, "leaf_id": p.leaf or manager.leaf_id,
                "messages": list(context.messages)}

    async def archive(self, p: P.SessionRef) -> dict[str, Any]:
        session = await self._session(p.session_id)
        sid = session.id
        await self.service.archive(sid)
        remove = self._listening.pop(sid, None)
        if remove is not None:
            remove()
        return {"session_id": sid, "archived": True, "path": str(session.manager.path) if session.manager.path else None}

    @with_request_id
    async def turn_start(self, p: P.TurnStart, rid: Any) -> dict[str, Any]:
        session = await self._session(p.session_id)
        text, images = P.split_prompt(p.prompt)
        if p.variables:
            _set_variables(session, p.variables)
        return await self._run(session, text, self._run_options(p, images), rid)

    async def interrupt(self, p: P.SessionRef) -> dict[str, Any]:
        session = await self._session(p.session_id)
        await self.service.interrupt(session.id)
        return {"session_id": session.id, "interrupted": True}

    async def approvals(self, p: P.ApprovalList) -> dict[str, Any]:
        sid = None
        if p.session_id is not None:
            sid = (await self._session(p.session_id)).id
        return {"approvals": [{
            "request_id": r.request_id, "session_id": r.session_id, "agent": r.agent, "name": r.tool,
            "id": r.call_id, "args": r.args, "preview": r.preview, "scope": r.scope, "reason": r.reason,
        } for r in self.service.approvals.pending(sid)]}

    async def respond(self, p: P.ApprovalRespond) -> dict[str, Any]:
        req = self.service.approvals.resolve(p.request_id, ApprovalDecision(p.decision, p.feedback))
        return {"request_id": req.request_id, "decision": p.decision}

    async def stop(self) -> None:
        for state in self.service.list(limit=10**9):
            if state.is_running:
                await self.service.get(state.session_id).interrupt()
