"""The offline demo mob: a definition and one replay script per member, no API key needed.

The lead spawns a scout and a reviewer, wires them, the scout lists the workspace and tells the
reviewer, the reviewer reports to the lead, the lead retires the scout and concludes. It only
reads (ls), so it is safe in any directory. The TUI starts it with `demo_handle(...)`.

After its script (and from the start for members you spawn yourself, e.g. `scout-1`) a member
improvises in character (`DemoMemberProvider`): a worker given a task by you or the lead works on
it (a scout lists the workspace first) and reports back with send_message; the lead acknowledges
reports. Workers answer a fellow worker's report in text only, so no two members message each
other forever.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

from workbench.mob.definition import MobDefinition, Profile, parse_definition
from workbench.mob.environment import MobEnvironment, ProviderFactory
from workbench.peer_messages import MOB_SENDER, PEER_MESSAGE
from workbench.providers.base import ProviderRequest, StreamEvent
from workbench.providers.replay import ReplayProvider, ReplayScript, ScriptBuilder

DEMO_TASK = "Find out what is in this workspace and summarise it."

DEMO_DEFINITION = '''
[mob]
id = "demo"
orchestrator = "lead"
description = "Offline demo mob (replay provider)"

[profiles.lead]
system_prompt = "You coordinate a small team."
peer_description = "Hands out work and concludes"

[profiles.scout]
tools = ["ls", "read"]
peer_description = "Looks around the workspace"

[profiles.reviewer]
tools = ["read"]
peer_description = "Checks what the scout found"

[wiring]
auto_wire_orchestrator = true
role_wiring = [{ a = "scout", b = "reviewer" }]

[topology]
mode = "strict"

[limits]
max_tokens_per_member = 50000
'''

NOTICE = ("This is the offline demo mob: every member plays a replay script. Set ANTHROPIC_API_KEY or "
          "OPENAI_API_KEY (or pass --provider and --model) to run a mob on a real model.")


def demo_definition() -> MobDefinition:
    return parse_definition(DEMO_DEFINITION, "<demo mob>")


def demo_scripts(delay_ms: float = 40.0) -> dict[str, Any]:
    lead = (ScriptBuilder(delay_ms=delay_ms, description="demo mob: lead")
            .turn().thinking("Two helpers: one to look, one to check.")
            .text("I'll get a scout to look around and a reviewer to check its findings.", split=True)
            .tool_call("spawn_member", {"profile": "reviewer", "identity": "reviewer",
                                        "task": "Wait for the scout's findings, then check them."})
            .tool_call("spawn_member", {"profile": "scout", "identity": "scout",
                                        "task": "List the workspace and send what you find to the reviewer."})
            .turn().text("The team is at work; I'll wait for the review.", split=True)
            .turn().text("The review is in.", split=True)
            .tool_call("retire_member", {"identity": "scout"})
            .turn().text("Summary: the scout listed the workspace, the reviewer checked the listing, "
                         "and the scout has been retired. This was the offline demo mob.", split=True)
            .build())
    scout = (ScriptBuilder(delay_ms=delay_ms, description="demo mob: scout")
             .turn().text("Looking around.", split=True).tool_call("ls", {"path": "."})
             .turn().tool_call("send_message", {"to": "reviewer", "text": "I listed the workspace; "
                                                "the files are in my ls result."})
             .turn().text("Sent my findings to the reviewer.", split=True)
             .build())
    reviewer = (ScriptBuilder(delay_ms=delay_ms, description="demo mob: reviewer")
                .turn().text("Waiting for the scout.", split=True)
                .turn().tool_call("send_message", {"to": "lead", "text": "The scout's listing checks out."})
                .turn().text("Reported to the lead.", split=True)
                .build())
    return {"lead": lead, "scout": scout, "reviewer": reviewer}


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content or () if isinstance(b, dict) and b.get("type") == "text")


def _excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _last_request(messages: list[dict[str, Any]]) -> tuple[str, str]:
    """Who asked last and what: ("user", text), (member, text) for a peer message, ("mob", text)."""
    for message in reversed(messages):
        role = message.get("role")
        if role == "user":
            return "user", _text_of(message)
        if role == "custom" and message.get("customType") == PEER_MESSAGE:
            sender = str((message.get("details") or {}).get("sender") or MOB_SENDER)
            body = _text_of(message)
            return sender, body.split("\n", 1)[1] if body.startswith("[") and "\n" in body else body
    return "user", ""


def _improvise(identity: str, profile_name: str, profile: Profile, orchestrator: str,
               messages: list[dict[str, Any]], call_id: str, delay_ms: float) -> Any:
    b = ScriptBuilder(delay_ms=delay_ms, description=f"demo mob: {identity} (improvised)").turn()
    last = messages[-1] if messages else {}
    sender, asked = _last_request(messages)
    what = _excerpt(asked) or "the task"
    # Reports go to whoever asked, if that was the lead or a member; your own requests go to the lead.
    report_to = sender if sender not in ("user", MOB_SENDER) else orchestrator
    if last.get("role") == "toolResult":
        tool, output = last.get("toolName"), _text_of(last)
        if tool == "ls" and not last.get("isError"):
            entries = [line for line in output.splitlines() if line.strip()]
            shown = ", ".join(entries[:5]) + (", …" if len(entries) > 5 else "")
            text = (f"{identity} here: for “{what}” I listed the workspace: {len(entries)} entries"
                    + (f" ({shown})." if entries else " (it is empty)."))
            return b.text("Reporting what I found.", split=True).tool_call(
                "send_message", {"to": report_to, "text": text}, id=call_id).build()
        if tool == "send_message":
            if last.get("isError"):
                return b.text(f"I could not reach {report_to}: {_excerpt(output, 120)}", split=True).build()
            return b.text(f"Reported to {report_to}.", split=True).build()
        return b.text("Done.", split=True).build()
    if identity == orchestrator:
        if sender == "user":
            return b.text("This is the offline demo mob, so I cannot plan for real. Try the mob pane (F8): "
                          "s spawns a member from a profile, m messages the selected member, w wires two "
                          "members, r retires one. Members you spawn work on their task and report back "
                          "to me here.", split=True).build()
        if sender == MOB_SENDER:
            return b.text(f"Noted: {what}", split=True).build()
        return b.text(f"Thanks, {sender}. Noted: “{what}”.", split=True).build()
    if sender not in ("user", orchestrator):
        # A fellow worker's report: acknowledge it in text (replying would start a ping-pong).
        return b.text(f"Thanks, {sender}: noted “{what}”.", split=True).build()
    if "ls" in profile.tools:
        return b.text(f"Looking around the workspace for: {what}", split=True).tool_call(
            "ls", {"path": "."}, id=call_id).build()
    role = profile.peer_description or f"a {profile_name}"
    text = f"{identity} ({role.rstrip('.').lower()}) here: I looked at “{what}” and it checks out."
    return b.text(f"Working on: {what}", split=True).tool_call(
        "send_message", {"to": report_to, "text": text}, id=call_id).build()


class DemoMemberProvider(ReplayProvider):
    """A demo member's model: its script first, then improvised turns (`_improvise`).

    A ReplayProvider (so a resumed mob skips the turns a member already played: see
    recovery.align_replay) whose script may be empty; each improvised turn is a one-turn replay
    script built for the request, so it streams, pauses and reports usage as scripted turns do."""

    def __init__(self, script: ReplayScript | None, *, identity: str, profile_name: str, profile: Profile,
                 orchestrator: str, delay_ms: float = 40.0, model: str = "replay",
                 delay_scale: float = 1.0) -> None:
        super().__init__(script or ScriptBuilder(description=f"demo mob: {identity}").build(),
                         model=model, delay_scale=delay_scale, is_demo=True)
        self.identity, self.profile_name, self.profile = identity, profile_name, profile
        self.orchestrator = orchestrator
        self.delay_ms = delay_ms

    async def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        if not self.exhausted:
            async for event in super().stream(request):
                yield event
            return
        number = self.position
        self.position += 1
        turn = _improvise(self.identity, self.profile_name, self.profile, self.orchestrator, request.messages,
                          f"demo_{self.identity}_{number}", self.delay_ms)
        async for event in ReplayProvider(turn, model=self.model, delay_scale=self.delay_scale).stream(request):
            yield event


def demo_factory(*, delay_scale: float = 1.0, delay_ms: float = 40.0, model: str = "replay") -> ProviderFactory:
    """The demo mob's provider factory: every member, scripted or spawned later, has a model."""
    scripts = demo_scripts(delay_ms)
    orchestrator = demo_definition().orchestrator_profile

    def factory(identity: str, profile_name: str, profile: Profile) -> tuple[Any, str]:
        # Only the members the lead's script spawns (identity = profile) play the scripts.
        script = scripts.get(identity) if profile_name == identity else None
        return DemoMemberProvider(script, identity=identity, profile_name=profile_name, profile=profile,
                                  orchestrator=orchestrator, delay_ms=delay_ms, model=model,
                                  delay_scale=delay_scale), model

    return factory


def demo_environment(cwd: Path, *, delay_scale: float = 1.0, **kw: Any) -> MobEnvironment:
    return MobEnvironment(cwd=Path(cwd), provider_factory=demo_factory(delay_scale=delay_scale), **kw)


async def demo_handle(cwd: Path, *, delay_scale: float = 1.0, **kw: Any) -> Any:
    """A new demo mob, created and ready; `await handle.run(DEMO_TASK)` plays it."""
    from workbench.mob.handle import MobHandle

    return await MobHandle.create(demo_definition(), demo_environment(cwd, delay_scale=delay_scale, **kw),
                                  task=DEMO_TASK, meta={"provider": {"name": "replay", "demo": True}})
