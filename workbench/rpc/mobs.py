"""The mob methods of `workbench rpc` over workbench/mob/: mob/create, mob/list, mob/status,
mob/members, mob/spawn, mob/retire, mob/wire, mob/unwire, mob/member_send, mob/events, mob/destroy.

A mob created here uses the server's approval broker (its members' approvals are answered with
approval/respond like any session's) and the server's provider choice. Its events go out as
`mob/event` notifications and can be read again with mob/events (a cursor over the event stream).
Mobs of earlier processes show in mob/list; mob/status of one reads its log.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

from workbench.errors import InvalidParams, SessionNotFound
from workbench.rpc import params as P
from workbench.rpc.server import RpcServer


def _member(info: Any) -> dict[str, Any]:
    data = asdict(info)
    data["peers"] = list(info.peers)
    return data


class MobMethods:
    def __init__(self, server: RpcServer, env_factory: Callable[[], Any], choice: dict[str, Any]) -> None:
        self.server = server
        self.env_factory = env_factory
        self.choice = choice
        self.mobs: dict[str, Any] = {}
        for name, model, handler in (
            ("mob/create", P.MobCreate, self.create), ("mob/list", None, self.list),
            ("mob/status", P.MobRef, self.status), ("mob/members", P.MobRef, self.members),
            ("mob/spawn", P.MobSpawn, self.spawn), ("mob/retire", P.MobMember, self.retire),
            ("mob/wire", P.MobWire, self.wire), ("mob/unwire", P.MobWire, self.unwire),
            ("mob/member_send", P.MobMemberSend, self.member_send), ("mob/events", P.MobEvents, self.events),
            ("mob/destroy", P.MobRef, self.destroy),
        ):
            server.register(name, model, handler)
        server.close_hooks.append(self.close)

    def _live(self, mob_id: str) -> Any:
        handle = self.mobs.get(mob_id)
        if handle is None:
            matches = [h for mid, h in self.mobs.items() if mid.startswith(mob_id)]
            if len(matches) != 1:
                raise SessionNotFound(f"no mob {mob_id!r} is running in this server (mob/list shows every mob)",
                                      details={"mob_id": mob_id})
            handle = matches[0]
        return handle

    async def create(self, p: P.MobCreate) -> dict[str, Any]:
        from workbench.mob.definition import MobDefinitionError, load_definition
        from workbench.mob.handle import MobHandle
        from workbench.runtime.stream import EventStream

        if p.definition == "demo" and not Path("demo").exists():
            from workbench.mob.demo import demo_definition

            definition = demo_definition()
        else:
            try:
                definition = load_definition(p.definition)
            except MobDefinitionError as exc:
                raise InvalidParams("; ".join(str(x) for x in exc.problems),
                                    details={"problems": [str(x) for x in exc.problems]}) from None
            except OSError as exc:
                raise InvalidParams(f"cannot read mob definition {p.definition}: {exc.strerror or exc}") from None
        events = EventStream()
        holder: dict[str, str] = {}
        notify = self.server.notify
        events.add_listener(lambda e: notify("mob/event", {"mob_id": holder.get("id"), "event": e.model_dump(mode="json")}))
        handle = await MobHandle.create(definition, self.env_factory(), task=p.task, events=events,
                                        meta={"provider": self.choice})
        holder["id"] = handle.id
        self.mobs[handle.id] = handle
        if p.task:
            await handle.send(handle.orchestrator, p.task)
        return await self.status(P.MobRef(mob_id=handle.id))

    async def list(self, _p: Any) -> dict[str, Any]:
        from workbench.config import mobs_dir
        from workbench.mob.log import list_mobs

        rows = []
        for m in list_mobs(mobs_dir()):
            live = self.mobs.get(m.mob_id)
            rows.append({"mob_id": m.mob_id, "definition": m.definition_id, "created": m.created,
                         "state": live.state if live is not None else m.state,
                         "members": len(live.roster()) if live is not None else m.members,
                         "task": m.task, "live": live is not None, "log": str(m.path)})
        return {"mobs": rows}

    async def status(self, p: P.MobRef) -> dict[str, Any]:
        if p.mob_id not in self.mobs and not any(mid.startswith(p.mob_id) for mid in self.mobs):
            from workbench.config import mobs_dir
            from workbench.mob.log import list_mobs

            for m in list_mobs(mobs_dir()):
                if m.mob_id.startswith(p.mob_id):
                    return {"mob_id": m.mob_id, "state": m.state, "live": False, "members": m.members,
                            "task": m.task, "log": str(m.path)}
            raise SessionNotFound(f"no mob {p.mob_id!r}", details={"mob_id": p.mob_id})
        h = self._live(p.mob_id)
        return {"mob_id": h.id, "state": h.state, "live": True, "orchestrator": h.orchestrator,
                "members": len(h.roster()), "wires": [list(w) for w in h.wires()],
                "total_tokens": h.total_tokens, "total_cost_usd": h.total_cost, "log": str(h.log_path)}

    async def members(self, p: P.MobRef) -> dict[str, Any]:
        h = self._live(p.mob_id)
        return {"mob_id": h.id, "members": [_member(m) for m in h.roster()]}

    async def spawn(self, p: P.MobSpawn) -> dict[str, Any]:
        h = self._live(p.mob_id)
        return _member(await h.spawn(p.profile, p.identity, p.initial_message))

    async def retire(self, p: P.MobMember) -> dict[str, Any]:
        h = self._live(p.mob_id)
        await h.retire(p.identity)
        return {"mob_id": h.id, "identity": p.identity, "retired": True}

    async def wire(self, p: P.MobWire) -> dict[str, Any]:
        h = self._live(p.mob_id)
        return {"mob_id": h.id, "a": p.a, "b": p.b, "changed": await h.wire(p.a, p.b)}

    async def unwire(self, p: P.MobWire) -> dict[str, Any]:
        h = self._live(p.mob_id)
        return {"mob_id": h.id, "a": p.a, "b": p.b, "changed": await h.unwire(p.a, p.b)}

    async def member_send(self, p: P.MobMemberSend) -> dict[str, Any]:
        h = self._live(p.mob_id)
        await h.send(p.identity, p.text)
        return {"mob_id": h.id, "identity": p.identity, "queued": True}

    async def events(self, p: P.MobEvents) -> dict[str, Any]:
        h = self._live(p.mob_id)
        stream = h.events
        first = stream.first_seq
        held = stream.history()
        start = max(p.after, first)
        chosen = held[start - first:start - first + p.limit]
        return {"mob_id": h.id, "events": [e.model_dump(mode="json") for e in chosen],
                "next": start + len(chosen), "missed": max(0, first - p.after)}

    async def destroy(self, p: P.MobRef) -> dict[str, Any]:
        h = self._live(p.mob_id)
        await h.destroy()
        self.mobs.pop(h.id, None)
        return {"mob_id": h.id, "destroyed": True}

    async def close(self) -> None:
        for handle in list(self.mobs.values()):
            try:
                await handle.stop()  # resumable later with `workbench mob resume`
            finally:
                handle.close()
        self.mobs.clear()
