"""MobHandle: a running mob — members, wiring, peer messages, budgets, lifecycle, persistence.

One asyncio loop drives everything. Each member is a `MemberSession` (a real AgentSession with its
own session_v3 file) publishing straight into the mob's one `EventStream` with `member` set; the
handle listens to that stream synchronously to keep the roster (status, activity, tokens, cost)
and emits `member_status_changed` on every change, so the UI follows events and never polls.

A member's runs are driven by one task per member (`_drive`): it starts a run with the first
message waiting in the member's inbox, hands the rest to the runtime as follow-ups, and after the
run takes back anything the runtime did not deliver. A message for a member that is running goes
in as steering, the way pi delivers a message typed mid-run.

Everything the mob needs to come back after a crash is appended to its log (workbench.mob.log)
before it takes effect; `MobHandle.open` rebuilds roster, wiring and each member's conversation
from the log and the session files, delivers peer messages that never arrived and lets members
that died mid-run carry on.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

from workbench.errors import InvalidParams, SessionNotFound, WorkbenchError
from workbench.mob.definition import MobDefinition, is_valid_name
from workbench.mob.environment import MobEnvironment
from workbench.mob.log import MobLog, read_log, resolve_mob
from workbench.mob.member import Continue, MemberSession, PeerText
from workbench.mob.members import Member, MemberBuilding, SpawnSpec, check_tools
from workbench.mob.playbook import check_agents
from workbench.mob.recovery import LogState, delivered_ids, fold_log, lost_messages
from workbench.mob.roster import MemberInfo, MobError, MobState, check_mob_transition
from workbench.mob.status import StatusTracking
from workbench.mob.wiring import WiringGraph, auto_wires, check_route
from workbench.peer_messages import MOB_SENDER
from workbench.runtime import events as ev
from workbench.runtime.stream import EventStream

__all__ = ["MobHandle", "SpawnSpec", "check_tools"]


def _new_mob_id(definition_id: str) -> str:
    return f"{definition_id}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


class MobHandle(MemberBuilding, StatusTracking):
    """Create with `await MobHandle.create(definition, env)`; resume with `await MobHandle.open(id, env)`."""

    def __init__(self, definition: MobDefinition, env: MobEnvironment, log: MobLog, mob_id: str,
                 events: EventStream | None = None):
        self.definition = definition
        self.env = env
        self.id = mob_id
        self.events = events if events is not None else EventStream()  # an empty stream is falsy
        self.approvals = env.approvals
        self._log = log
        self._state: MobState = "creating"
        self._members: dict[str, Member] = {}
        self._retired: dict[str, MemberInfo] = {}  # identity -> its last roster row (respawn, the pane)
        self._graph = WiringGraph()
        self._orchestrator: str | None = None
        self._closed = False
        # send_message calls whose result is not on disk yet: message id -> (sender, recipient, text)
        self._outbox: dict[str, tuple[str, str, str]] = {}
        self._remove_listener = self.events.add_listener(self._on_event)
        self._shared_exhausted: str | None = None

    # --- construction ------------------------------------------------------------------------

    @classmethod
    async def create(cls, definition: MobDefinition, env: MobEnvironment, *, mob_id: str | None = None,
                     task: str | None = None, events: EventStream | None = None,
                     meta: dict[str, Any] | None = None) -> "MobHandle":
        """A new mob with its orchestrator member spawned; state `running`. `task` is only recorded
        (send it with `send`/`run`). `meta` is stored in the log for whoever resumes the mob (the CLI
        keeps the provider choice there)."""
        check_tools(definition)
        check_agents(definition, env)
        mob_id = mob_id or _new_mob_id(definition.id)
        log = MobLog.create(env.resolved_mobs_dir(), mob_id)
        handle = cls(definition, env, log, mob_id, events)
        handle._append({"type": "mob_created", "mob_id": mob_id, "cwd": str(env.cwd),
                        "definition": definition.model_dump(mode="json"), "task": task,
                        "sessions_dir": str(env.sessions_dir) if env.sessions_dir else None,
                        "meta": meta or {}})
        orchestrator = definition.orchestrator_profile
        await handle.spawn(orchestrator, orchestrator)
        handle._set_state("running")
        return handle

    @classmethod
    async def open(cls, mob: str | Path, env: MobEnvironment, *,
                   events: EventStream | None = None) -> "MobHandle":
        """Rebuild a mob from its log and its members' session files and carry on."""
        path = resolve_mob(env.resolved_mobs_dir(), str(mob))
        loaded = read_log(path)
        if not loaded.records or loaded.records[0].get("type") != "mob_created":
            raise SessionNotFound(f"{path} is not a mob log (no mob_created record)")
        first = loaded.records[0]
        definition = MobDefinition.model_validate(first["definition"])
        if env.sessions_dir is None and first.get("sessions_dir"):
            env.sessions_dir = Path(first["sessions_dir"])
        folded = fold_log(loaded.records)
        if folded.state in ("completed", "destroyed"):
            raise InvalidParams(f"mob {first['mob_id']} is {folded.state}; it cannot be resumed")
        check_agents(definition, env)
        log = MobLog.open(path)
        handle = cls(definition, env, log, first["mob_id"], events)
        try:
            for identity, rec in folded.members.items():
                handle._open_member(identity, rec, folded.statuses.get(identity))
            for a, b in folded.wires:
                if a in handle._members and b in handle._members:
                    handle._graph.wire(a, b)
                    handle._emit(ev.MembersWired(mob_id=handle.id, a=a, b=b))
            handle._retired = folded.retired
            handle._state = "running" if folded.state == "creating" else folded.state  # type: ignore[assignment]
            await handle._recover(folded)
        except BaseException:
            handle._release()
            raise
        return handle

    def _open_member(self, identity: str, rec: dict[str, Any], status: tuple[str, str | None] | None) -> None:
        from workbench.sessions.errors import SessionFileMissing
        from workbench.sessions.manager import SessionManager

        try:
            manager = SessionManager.open(Path(rec["session_path"]))
        except SessionFileMissing:
            # A session is written with its first message (as pi's): a member that never got one
            # has no file. Nothing was lost; it starts a new session, recorded for the next resume.
            manager = self._new_manager(identity, rec["profile"])
            self._append({"type": "member_session", "identity": identity,
                          "session_path": str(manager.path), "session_id": manager.session_id})
        member = self._build_member(identity, rec["profile"], manager, orchestrator=rec.get("orchestrator", False))
        if status is not None:
            member.status, member.activity = status[0], status[1]  # type: ignore[assignment]
        if rec.get("task") and not any(e.get("type") in ("message", "custom_message") for e in manager.entries):
            member.inbox.append(rec["task"])  # spawned with a task it never got to record
        self._members[identity] = member
        if member.orchestrator:
            self._orchestrator = identity
        self._emit(ev.MemberSpawned(mob_id=self.id, identity=identity, profile=member.profile_name,
                                    model=member.model, orchestrator=member.orchestrator,
                                    member_session_id=member.session.id, member=identity))
        self._emit_status(member)

    async def _recover(self, folded: LogState) -> None:
        """After a crash: finish dangling tool calls, redeliver lost peer messages, carry on."""
        sessions = {identity: member.session for identity, member in self._members.items()}
        delivered = delivered_ids(sessions.values())
        for member in self._members.values():
            if member.status in ("completed", "retired", "retiring"):
                continue
            member.session.repair_dangling_tool_calls(delivered)
            if member.session.needs_continue():
                member.inbox.append(Continue())
        for sender, message in lost_messages(sessions, folded, delivered):
            member = self._members.get(message.recipient)
            if member is None or member.status in ("completed", "retired", "retiring"):
                continue
            member.inbox.append(PeerText(message.text, sender=sender, message_id=message.message_id))
        if self._state == "running":
            for member in self._members.values():
                self._kick(member)

    # --- members -----------------------------------------------------------------------------

    async def spawn(self, profile: str, identity: str, initial_message: str | None = None) -> MemberInfo:
        """Add a member from a profile, wire it by the definition's rules, and start its first run."""
        self._require_live()
        if profile not in self.definition.profiles:
            raise MobError(f"no profile named {profile!r} in mob {self.definition.id} "
                           f"(profiles: {', '.join(sorted(self.definition.profiles))})")
        if not is_valid_name(identity) or identity == MOB_SENDER or identity == "user":
            raise MobError(f"invalid member identity {identity!r}: use letters, digits, '_', '-', '.' "
                           f"(and not 'mob' or 'user')")
        if identity in self._members:
            raise MobError(f"a member named {identity!r} already exists")
        cap = self.definition.limits.max_members
        if cap is not None and len(self._members) >= cap:
            raise MobError(f"mob {self.definition.id} is full: at most {cap} members (limits.max_members)")
        orchestrator = profile == self.definition.orchestrator_profile and self._orchestrator is None
        # The provider first: a member that cannot get one leaves no session file behind.
        provider = self.env.provider_factory(identity, profile, self.definition.profiles[profile])
        manager = self._new_manager(identity, profile)
        try:
            member = self._build_member(identity, profile, manager, orchestrator=orchestrator, provider=provider)
        except BaseException:
            manager.close()
            raise
        self._members[identity] = member
        if orchestrator:
            self._orchestrator = identity
        others = {i: m.profile_name for i, m in self._members.items() if i != identity}
        wires = auto_wires(self.definition, identity, profile, others, self._orchestrator)
        # Its first task and the wires the rules give it are in the same record: a process that
        # dies halfway through a spawn still has them on resume.
        await self._durable({"type": "member_spawned", "identity": identity, "profile": profile,
                             "orchestrator": orchestrator, "session_path": member.path,
                             "session_id": member.session.id, "task": initial_message,
                             "wires": [list(w) for w in wires]})
        self._emit(ev.MemberSpawned(mob_id=self.id, identity=identity, profile=profile, model=member.model,
                                    orchestrator=orchestrator, member_session_id=member.session.id,
                                    member=identity))
        self._emit_status(member)
        for a, b in wires:
            await self.wire(a, b)
        if initial_message:
            self._enqueue(member, initial_message)
        return self._info(member)

    async def spawn_many(self, specs: list[SpawnSpec]) -> list[MemberInfo | MobError]:
        """Spawn several members at once; results (or the MobError of each that failed) in input order."""
        results = await asyncio.gather(*(self.spawn(s.profile, s.identity, s.initial_message) for s in specs),
                                       return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, MobError):
                raise result
        return list(results)  # type: ignore[arg-type]

    async def retire(self, identity: str) -> None:
        """Stop the member (its current run is interrupted), unwire it, take it out of the mob."""
        member = self._member(identity)
        if member.status in ("retiring", "retired"):
            return
        if member.orchestrator and self._state not in ("completed", "destroyed"):
            raise MobError("the orchestrator cannot be retired while the mob runs")
        self._set_status(member, "retiring")
        member.inbox.clear()
        await self._halt(member)
        for a, b in self._graph.remove(identity):
            self._append({"type": "members_unwired", "a": a, "b": b})
            self._emit(ev.MembersUnwired(mob_id=self.id, a=a, b=b))
        self._set_status(member, "retired")
        final = self._info(member)
        # What it spent goes in the record: a resumed mob shows it without opening the session file.
        await self._durable({"type": "member_retired", "identity": identity, "profile": final.profile,
                             "model": final.model, "session_id": final.session_id,
                             "session_path": final.session_path, "tokens": final.tokens,
                             "cost_usd": final.cost_usd, "turns": final.turns})
        self._emit(ev.MemberRetired(mob_id=self.id, identity=identity, member=identity))
        del self._members[identity]
        self._retired[identity] = final
        member.session.manager.close()

    async def respawn(self, identity: str, initial_message: str | None = None) -> MemberInfo:
        """Retire a member (if it is still there) and spawn it again, same identity and profile,
        with a fresh session and its previous wires restored."""
        member = self._members.get(identity)
        if member is not None:
            if member.orchestrator:
                raise MobError("the orchestrator cannot be respawned while the mob runs")
            profile, peers = member.profile_name, self._graph.peers(identity)
            await self.retire(identity)
        elif identity in self._retired:
            profile, peers = self._retired[identity].profile, []
        else:
            raise MobError(f"no member named {identity!r} (members: {', '.join(self._members) or 'none'})")
        self._retired.pop(identity, None)
        await self.spawn(profile, identity, initial_message)
        for peer in peers:
            if peer in self._members:
                await self.wire(identity, peer)
        return self._info(self._members[identity])

    async def wire(self, a: str, b: str) -> bool:
        self._member(a), self._member(b)
        if a == b:
            raise MobError(f"cannot wire {a!r} to itself")
        if not self._graph.wire(a, b):
            return False
        await self._durable({"type": "members_wired", "a": a, "b": b})
        self._emit(ev.MembersWired(mob_id=self.id, a=a, b=b))
        return True

    async def unwire(self, a: str, b: str) -> bool:
        self._member(a), self._member(b)
        if not self._graph.unwire(a, b):
            return False
        await self._durable({"type": "members_unwired", "a": a, "b": b})
        self._emit(ev.MembersUnwired(mob_id=self.id, a=a, b=b))
        return True

    # --- messages ----------------------------------------------------------------------------

    async def send(self, identity: str, text: str) -> None:
        """A message from the user (the host) to a member: a new run, or steering if it runs."""
        member = self._member(identity)
        self._require_reachable(member)
        self._enqueue(member, text)

    async def send_peer(self, sender: str, recipient: str, text: str, *, message_id: str | None = None) -> str | None:
        """A message to a peer. Strict topology refuses unwired peers with a MobError the model
        reads; advisory returns a warning for the sender.

        With `message_id` (a send_message call's: `MemberSession.peer_message_id`) the sender's
        own session is the record that it was sent (the call, then its result) and the recipient's
        session records it on arrival: nothing else is written, and a resumed mob matches the two
        (member.py). It reaches the recipient once the sender's result is on disk (`_sent`), so
        no member ever reads a message that a crash could take back. Without one (sent from
        outside a member's turn), the mob log records it first, and this returns once the record
        is on disk."""
        self._member(sender)
        member = self._member(recipient)
        if sender == recipient:
            raise MobError("you cannot send a message to yourself")
        route = check_route(self._graph, sender, recipient, self.definition.topology.mode)
        if not route.allowed:
            raise MobError(route.error or "not reachable")
        self._require_reachable(member)
        if message_id is not None:
            self._outbox[message_id] = (sender, recipient, text)
            return route.warning
        written = self._post(sender, member, text)
        if written is not None:
            await written  # the sender hears "delivered" only once the message is on disk
        return route.warning

    def notify_orchestrator(self, text: str) -> None:
        """A notice from the mob itself to the orchestrator (a member ran out of budget, ...)."""
        lead = self._members.get(self._orchestrator or "")
        if lead is not None and lead.status not in ("completed", "retiring", "retired"):
            self._post(MOB_SENDER, lead, text)

    def _post(self, sender: str, member: Member, text: str) -> "asyncio.Future[None] | None":
        message_id = f"pm-{uuid.uuid4().hex[:12]}"
        # Logged (in order, by the log's writer) as it is queued for the recipient: a message the
        # process dies holding is delivered on resume. The sender's tool call returns only once the
        # record is on disk, so a call whose result is in the sender's session was logged.
        written = self._append({"type": "peer_message", "message_id": message_id, "sender": sender,
                                "recipient": member.identity, "text": text})
        self._deliver(sender, member, text, message_id)
        return written

    def _sent(self, message_id: str) -> None:
        """A send_message result is on disk in its sender's session: the message goes out."""
        held = self._outbox.pop(message_id, None)
        member = self._members.get(held[1]) if held is not None else None
        if held is not None and member is not None:
            self._deliver(held[0], member, held[2], message_id)

    def _deliver(self, sender: str, member: Member, text: str, message_id: str) -> None:
        self._emit(ev.PeerMessage(mob_id=self.id, sender=sender, recipient=member.identity, text=text,
                                  member=sender if sender != MOB_SENDER else None))
        self._enqueue(member, PeerText(text, sender=sender, message_id=message_id))

    def _enqueue(self, member: Member, text: str) -> None:
        if member.session.is_running and self._state == "running":
            member.session.steer(text)
        else:
            member.inbox.append(text)
            self._kick(member)

    def _require_reachable(self, member: Member) -> None:
        if member.status in ("retiring", "retired"):
            raise MobError(f"{member.identity} has retired and takes no more messages")
        if member.status == "completed":
            why = f" (its {member.exhausted} budget is exhausted)" if member.exhausted else ""
            raise MobError(f"{member.identity} has completed{why} and takes no more messages")

    # --- driving runs ------------------------------------------------------------------------

    def _kick(self, member: Member) -> None:
        if self._state != "running" or not member.inbox:
            return
        if member.driver is None or member.driver.done():
            member.driver = asyncio.get_running_loop().create_task(self._drive(member),
                                                                   name=f"mob-{self.id}-{member.identity}")

    async def _drive(self, member: Member) -> None:
        while member.inbox and self._state == "running" and member.status not in ("completed", "retiring",
                                                                                   "retired"):
            if self._shared_exhausted:
                self._finish_member(member, f"mob {self._shared_exhausted} budget exhausted")
                break
            first = member.inbox.popleft()
            while member.inbox:
                member.session.follow_up(member.inbox.popleft())
            try:
                await member.session.run(first)
            except WorkbenchError:
                pass  # run_failed was published; _on_event marked the member broken
            # What the runtime did not get to (queued as the run ended, or an interrupt) waits here.
            member.inbox.extendleft(reversed(member.session.take_pending()))
            if member.status == "broken":
                break
            await asyncio.sleep(0)

    async def _halt(self, member: Member) -> None:
        await member.session.interrupt()
        task = member.driver
        if task is not None and not task.done() and task is not asyncio.current_task():
            await asyncio.wait((task,))

    async def wait_idle(self) -> None:
        """Until no member runs and no message waits to start a run (or the mob is not running)."""
        while True:
            tasks = [m.driver for m in self._members.values()
                     if m.driver is not None and not m.driver.done() and m.driver is not asyncio.current_task()]
            if not tasks:
                return
            await asyncio.wait(tasks)

    async def run(self, task: str) -> ev.RunResult | None:
        """Give the orchestrator a task and wait until the whole mob is idle; the orchestrator's
        last result (None if it never completed a run)."""
        if self._orchestrator is None:
            raise MobError("the mob has no orchestrator member")
        await self.send(self._orchestrator, task)
        await self.wait_idle()
        return self.orchestrator_session.last_result

    async def carry_on(self) -> ev.RunResult | None:
        """After `open`: wait until what was interrupted has finished."""
        await self.wait_idle()
        return self.orchestrator_session.last_result if self._orchestrator else None

    def last_answer(self) -> str:
        """The orchestrator's last answer in its session (also one written before a restart)."""
        if self._orchestrator is None:
            return ""
        for entry in reversed(self.orchestrator_session.manager.get_branch()):
            message = entry.get("message") if entry.get("type") == "message" else None
            if message and message.get("role") == "assistant":
                text = "".join(b.get("text", "") for b in message.get("content") or () if b.get("type") == "text")
                if text:
                    return text
        return ""

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def state(self) -> MobState:
        return self._state

    async def stop(self) -> None:
        """Interrupt every member; messages sent while stopped wait until `resume`. Returns with
        the stop on disk (`mob list` elsewhere says so)."""
        written = self._set_state("stopped")
        if written is not None:
            await written
        for member in list(self._members.values()):
            await self._halt(member)

    async def resume(self) -> None:
        """Carry on: the state is on disk (`mob list` elsewhere says running) before members start."""
        written = self._set_state("running")
        if written is not None:
            await written
        for member in self._members.values():
            self._kick(member)

    async def complete(self) -> None:
        """The work is done: members are interrupted if still running and marked completed."""
        if self._state == "completed":
            return
        for member in list(self._members.values()):
            await self._halt(member)
        self._set_state("completed")
        for member in self._members.values():
            if member.status not in ("retired", "completed"):
                self._finish_member(member, member.activity if member.exhausted else None)

    async def destroy(self) -> None:
        """Stop everything and close the mob for good. Session files and the log stay on disk."""
        if self._state == "destroyed":
            return
        for member in list(self._members.values()):
            await self._halt(member)
        self._set_state("destroyed")
        self.close()

    def close(self) -> None:
        """Release the log lock and the members' session files (the process may exit after).
        A mob closed while running is recorded as stopped, so `mob list` does not call it running;
        runs in progress are cancelled, not recorded as aborted, so `mob resume` carries them on
        from the last message each member had (as after a crash)."""
        if self._closed:
            return
        self._closed = True
        if self._state == "running" and not self._log.closed:
            self._state = "stopped"
            try:
                self._log.append({"type": "mob_state", "state": "stopped"})
            except OSError:
                pass  # the log is unwritable: the mob reads as running, which resume also handles
        for member in self._members.values():
            if member.driver is not None and not member.driver.done():
                try:
                    member.driver.cancel()
                except RuntimeError:  # its event loop has already closed: nothing left to stop
                    pass
            member.session.manager.close()
        self._release()

    def _release(self) -> None:
        self._remove_listener()
        self._log.close()

    # --- roster ------------------------------------------------------------------------------

    @property
    def orchestrator(self) -> str | None:
        return self._orchestrator

    @property
    def orchestrator_session(self) -> MemberSession:
        return self._member(self._orchestrator or "").session

    @property
    def log_path(self) -> Path:
        return self._log.path

    def retired(self) -> dict[str, MemberInfo]:
        """Members that retired (and were not respawned): identity -> their last roster row (status
        retired, with the tokens, cost and turns they had spent), in retirement order."""
        return dict(self._retired)

    def roster(self) -> list[MemberInfo]:
        """Every member still in the mob, orchestrator first, then in spawn order."""
        members = sorted(self._members.values(), key=lambda m: not m.orchestrator)
        return [self._info(m) for m in members]

    def member(self, identity: str) -> MemberInfo:
        return self._info(self._member(identity))

    def session(self, identity: str) -> MemberSession:
        return self._member(identity).session

    def wires(self) -> list[tuple[str, str]]:
        return self._graph.edges()

    def peers(self, identity: str) -> list[str]:
        self._member(identity)
        return self._graph.peers(identity)

    @property
    def total_tokens(self) -> int:
        return sum(m.tokens for m in self._members.values())

    @property
    def total_cost(self) -> float | None:
        costs = [m.cost for m in self._members.values()]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)

    def describe_peers(self, identity: str) -> str:
        """The list_peers answer: wired peers, and under advisory topology the others too."""
        rows = []
        for peer in self._graph.peers(identity):
            rows.append(self._peer_row(self._members[peer]))
        text = "Wired peers:\n" + ("\n".join(rows) if rows else "  (none)")
        if self.definition.topology.mode == "advisory":
            others = [self._peer_row(m) for i, m in self._members.items()
                      if i != identity and not self._graph.is_wired(identity, i)]
            if others:
                text += "\nNot wired (advisory topology: reachable, but prefer wired peers):\n" + "\n".join(others)
        return text

    def _peer_row(self, m: Member) -> str:
        desc = f" — {m.profile.peer_description}" if m.profile.peer_description else ""
        role = "orchestrator" if m.orchestrator else m.profile_name
        return f"  {m.identity} ({role}, {m.status}){desc}"

    def _member(self, identity: str) -> Member:
        member = self._members.get(identity)
        if member is None and identity in self._retired:
            raise MobError(f"{identity} has retired from mob {self.id} (its session file stays on disk; "
                           f"spawn it again to bring it back)")
        if member is None:
            known = ", ".join(self._members) or "none"
            raise MobError(f"no member named {identity!r} in mob {self.id} (members: {known})")
        return member

    def _info(self, m: Member) -> MemberInfo:
        return MemberInfo(identity=m.identity, profile=m.profile_name, status=m.status, orchestrator=m.orchestrator,
                          session_id=m.session.id, session_path=m.path, model=m.model, activity=m.activity,
                          error=m.error, tokens=m.tokens, cost_usd=m.cost, peers=tuple(self._graph.peers(m.identity)),
                          turns=m.turns)

    # --- state and events --------------------------------------------------------------------

    def _require_live(self) -> None:
        if self._state in ("completed", "destroyed"):
            raise MobError(f"mob {self.id} is {self._state}")

    def _set_state(self, state: MobState) -> "asyncio.Future[None] | None":
        """Change the mob's state and log it; the future resolves once the record is on disk."""
        if state == self._state:
            return None
        check_mob_transition(self._state, state)
        self._state = state
        return self._append({"type": "mob_state", "state": state})

    def _emit(self, event: Any) -> None:
        self.events.publish(event)

    def _append(self, record: dict[str, Any]) -> "asyncio.Future[None] | None":
        """Queue a log record (written in order by the log's writer thread); the future resolves
        when it is on disk. Await it where the record must be durable before the effect."""
        if self._log.closed:
            return None
        try:
            return self._log.submit(record)
        except RuntimeError:  # no running loop (closing from synchronous code)
            self._log.append(record)
            return None

    async def _durable(self, record: dict[str, Any]) -> None:
        written = self._append(record)
        if written is not None:
            await written
