"""A MobHandle stand-in for snapshots: the same surface, events published by hand, nothing random."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from workbench.mob.definition import parse_definition
from workbench.mob.roster import MobError
from workbench.runtime import events as ev
from workbench.runtime.approvals import ApprovalBroker
from workbench.runtime.stream import EventStream
from workbench.sessions.manager import SessionManager
from workbench.tui.mob.controller import start_in_app

DEFINITION = '''
[mob]
id = "release"
orchestrator = "lead"
[profiles.lead]
model = "claude-sonnet-4-5"
peer_description = "Breaks work down"
[profiles.worker]
model = "claude-haiku-4-5"
peer_description = "Does one task"
[profiles.reviewer]
model = "claude-sonnet-4-5"
peer_description = "Checks the work"
[limits]
max_cost = 2.0
max_tokens = 1000000
max_tokens_per_member = 200000
'''

MOB = "release-1"


class FakeHandle:
    def __init__(self, cwd):
        self.id = MOB
        self.definition = parse_definition(DEFINITION, "<test>")
        self.env = SimpleNamespace(max_tokens=None, max_cost=None)
        self.events = EventStream()
        self.approvals = ApprovalBroker()
        self.state = "running"
        self.orchestrator = None
        self.cwd = cwd
        self.calls: list[tuple] = []
        self.agents: dict[str, SimpleNamespace] = {}
        self.status: dict[str, str] = {}
        self.closed = False

    # the surface the controller uses
    def roster(self):
        return []

    def wires(self):
        return []

    def retired(self):
        return {}

    def session(self, identity):
        return self.agents[identity]

    def member(self, identity):
        return SimpleNamespace(status=self.status.get(identity, "idle"))

    async def spawn(self, profile, identity, message=None):
        self.calls.append(("spawn", profile, identity, message))
        if identity in self.status and self.status[identity] != "retired":
            raise MobError(f"{identity} exists")
        self.add(identity, profile)

    async def retire(self, identity):
        self.calls.append(("retire", identity))
        self.publish(ev.MemberRetired(mob_id=MOB, identity=identity, member=identity))
        self.status[identity] = "retired"

    async def wire(self, a, b):
        self.calls.append(("wire", a, b))
        self.publish(ev.MembersWired(mob_id=MOB, a=a, b=b))
        return True

    async def unwire(self, a, b):
        self.calls.append(("unwire", a, b))
        self.publish(ev.MembersUnwired(mob_id=MOB, a=a, b=b))
        return True

    async def send(self, identity, text):
        self.calls.append(("send", identity, text))

    async def stop(self):
        self.calls.append(("stop",))

    async def resume(self):
        self.calls.append(("resume",))

    def close(self):
        self.closed = True

    # building a scene
    def publish(self, *events):
        for e in events:
            self.events.publish(e)

    def add(self, identity, profile, *, orchestrator=False, history=()):
        manager = SessionManager.in_memory(self.cwd)
        for message in history:
            manager.append_message(message)
        model = self.definition.profiles[profile].model
        self.agents[identity] = SimpleNamespace(manager=manager, model=model, id=f"sess-{identity}", mode="ask",
                                                is_running=False, turns=0, tool_calls=0, limits=None,
                                                pending_steering=[], pending_follow_ups=[])
        self.status[identity] = "idle"
        if orchestrator:
            self.orchestrator = identity
        self.publish(ev.MemberSpawned(mob_id=MOB, identity=identity, profile=profile, model=model,
                                      orchestrator=orchestrator, member=identity))

    def set(self, identity, status, *, activity=None, error=None, tokens=0, cost=0.0):
        self.status[identity] = status
        self.publish(ev.MemberStatusChanged(mob_id=MOB, identity=identity, status=status, activity=activity,
                                            error=error, tokens=tokens, cost_usd=cost, member=identity))

    def peer(self, sender, recipient, text):
        self.publish(ev.PeerMessage(mob_id=MOB, sender=sender, recipient=recipient, text=text, member=sender))


def user(text):
    return {"role": "user", "content": [{"type": "text", "text": text}], "timestamp": 1}


def assistant(text):
    return {"role": "assistant", "content": [{"type": "text", "text": text}], "api": "anthropic-messages",
            "provider": "anthropic", "model": "claude-sonnet-4-5",
            "usage": {"input": 10, "output": 5, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 15,
                      "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "total": 0}},
            "stopReason": "stop", "timestamp": 2}


def starter(handle):
    async def start(app):
        async def make():
            return handle
        await start_in_app(app, make)
    return start


async def wait_for(pilot, cond, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await pilot.pause(0.02)
