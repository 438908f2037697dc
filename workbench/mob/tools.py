"""Agent-side mob tools: what a member can do to the mob from inside its conversation.

Every member gets `send_message` and `list_peers`; the orchestrator also gets `spawn_member`,
`retire_member`, `wire` and `unwire`. The tools find the mob handle in `ToolContext.extra["mob"]`
and the caller's identity in `ToolContext.agent`. A refused operation (strict topology, unknown
member, wrong state) comes back to the model as an error result it can read and act on.

They are `Effect.READ`: they change the mob, never the workspace or the machine, so approval
modes that guard files and commands do not apply to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.errors import WorkbenchError
from workbench.mob.member import delivered_text
from workbench.tools.base import Effect, Tool, ToolContext, ToolResult

if TYPE_CHECKING:
    from workbench.mob.handle import MobHandle

MOB_KEY = "mob"


def _handle(ctx: ToolContext) -> "MobHandle":
    handle = ctx.extra.get(MOB_KEY)
    if handle is None or not ctx.agent:
        raise WorkbenchError("mob tools only work inside a mob member's session")
    return handle


class _MobTool(Tool):
    effect = Effect.READ
    timeout_s = 60.0

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            handle = _handle(ctx)
            return await self.act(handle, ctx.agent or "", args)
        except WorkbenchError as exc:
            return ToolResult(exc.message, is_error=True)

    async def act(self, handle: "MobHandle", caller: str, args: dict[str, Any]) -> ToolResult:
        raise WorkbenchError(f"{self.name} has no action")  # every subclass overrides act


class SendMessageTool(_MobTool):
    name = "send_message"
    description = ("Send a message to another member of your mob (a peer). It reaches them at once if "
                   "they are working, or starts their next turn if they are idle. Use list_peers to see "
                   "who you can reach.")
    parameters = {
        "type": "object",
        "properties": {
            "to": {"type": "string", "description": "the recipient's identity"},
            "text": {"type": "string", "description": "the message"},
        },
        "required": ["to", "text"],
    }

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        try:
            handle = _handle(ctx)
            # Named after this call, so the sender's result and the recipient's entry match on
            # resume (workbench/mob/member.py); a call made outside a turn has no id: logged.
            message_id = handle.session(ctx.agent or "").peer_message_id(ctx.call_id) if ctx.call_id else None
            warning = await handle.send_peer(ctx.agent or "", args["to"], args["text"], message_id=message_id)
        except WorkbenchError as exc:
            return ToolResult(exc.message, is_error=True)
        details: dict[str, Any] = {"to": args["to"]}
        if message_id is not None:
            details["messageId"] = message_id
        if warning:
            details["warning"] = warning
        return ToolResult(delivered_text(args["to"], warning), details=details)

    def summary(self, args: dict[str, Any]) -> str:
        return f"→ {args.get('to', '?')}: {str(args.get('text', ''))[:80]}"


class ListPeersTool(_MobTool):
    name = "list_peers"
    description = "List the members of your mob you are wired to: identity, role, status and what they do."
    parameters = {"type": "object", "properties": {}}

    async def act(self, handle: "MobHandle", caller: str, args: dict[str, Any]) -> ToolResult:
        return ToolResult(handle.describe_peers(caller))

    def summary(self, args: dict[str, Any]) -> str:
        return ""


class SpawnMemberTool(_MobTool):
    name = "spawn_member"
    description = ("Add a member to the mob from one of the definition's profiles and give it its first "
                   "task. It is wired according to the mob's wiring rules.")
    parameters = {
        "type": "object",
        "properties": {
            "profile": {"type": "string", "description": "profile name from the mob definition"},
            "identity": {"type": "string", "description": "a unique name for the new member, e.g. worker-1"},
            "task": {"type": "string", "description": "its first message"},
        },
        "required": ["profile", "identity", "task"],
    }

    async def act(self, handle: "MobHandle", caller: str, args: dict[str, Any]) -> ToolResult:
        info = await handle.spawn(args["profile"], args["identity"], args.get("task") or None)
        peers = ", ".join(info.peers) or "nobody yet"
        return ToolResult(f"spawned {info.identity} (profile {info.profile}); wired to: {peers}",
                          details={"identity": info.identity, "session_id": info.session_id})

    def summary(self, args: dict[str, Any]) -> str:
        return f"{args.get('identity', '?')} ({args.get('profile', '?')})"


class RetireMemberTool(_MobTool):
    name = "retire_member"
    description = "Retire a member: it stops what it is doing, is unwired, and leaves the mob."
    parameters = {
        "type": "object",
        "properties": {"identity": {"type": "string"}},
        "required": ["identity"],
    }

    async def act(self, handle: "MobHandle", caller: str, args: dict[str, Any]) -> ToolResult:
        if args["identity"] == caller:
            return ToolResult("the orchestrator cannot retire itself", is_error=True)
        await handle.retire(args["identity"])
        return ToolResult(f"retired {args['identity']}")

    def summary(self, args: dict[str, Any]) -> str:
        return str(args.get("identity", "?"))


class WireTool(_MobTool):
    name = "wire"
    description = "Wire two members so they can message each other."
    parameters = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "required": ["a", "b"],
    }

    async def act(self, handle: "MobHandle", caller: str, args: dict[str, Any]) -> ToolResult:
        changed = await handle.wire(args["a"], args["b"])
        return ToolResult(f"wired {args['a']} <-> {args['b']}" if changed
                          else f"{args['a']} and {args['b']} were already wired")

    def summary(self, args: dict[str, Any]) -> str:
        return f"{args.get('a', '?')} <-> {args.get('b', '?')}"


class UnwireTool(_MobTool):
    name = "unwire"
    description = "Remove the wire between two members."
    parameters = WireTool.parameters

    async def act(self, handle: "MobHandle", caller: str, args: dict[str, Any]) -> ToolResult:
        changed = await handle.unwire(args["a"], args["b"])
        return ToolResult(f"unwired {args['a']} <-> {args['b']}" if changed
                          else f"{args['a']} and {args['b']} were not wired")

    def summary(self, args: dict[str, Any]) -> str:
        return f"{args.get('a', '?')} x {args.get('b', '?')}"


MEMBER_TOOLS: tuple[type[Tool], ...] = (SendMessageTool, ListPeersTool)
ORCHESTRATOR_TOOLS: tuple[type[Tool], ...] = (SpawnMemberTool, RetireMemberTool, WireTool, UnwireTool)


def mob_tools(orchestrator: bool) -> list[Tool]:
    """Fresh instances of the mob tools for one member."""
    classes = MEMBER_TOOLS + (ORCHESTRATOR_TOOLS if orchestrator else ())
    return [cls() for cls in classes]
