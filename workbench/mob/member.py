"""A mob member's agent session: a real `AgentSession` that also knows peer messages.

A peer message travels through the runtime's own queues (as the prompt of a new run, as steering
while the member runs, as a follow-up) wrapped in `PeerText`, a `str` that carries its sender and
id. When the runtime records it, `MemberSession` writes a `custom_message` entry (customType
"peer_message", details {"sender", "recipient", "messageId"}) instead of a user message, so the
context, the tree and a resumed mob all see who said it. `Continue` starts a run that adds
nothing: a member whose process died mid-run picks up from its context.

A message a member sends with `send_message` is recorded once on each side and nowhere else: by
its sender (the call, in the assistant entry written before the tool runs, and its result,
details {"to", "messageId"}) and by its recipient. It reaches the recipient only once the
sender's result is on disk (`on_sent`), so the recipient's copy need not wait for a write of its
own (it goes out with the recipient's next entry). Its id is made from the sender, that assistant
entry and the call (`peer_message_id`), so a resumed mob finds, from the session files alone, what
was sent and what arrived (`sent_peer_messages`, `recorded_peer_ids`) and delivers each message
exactly once.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from workbench.peer_messages import PEER_MESSAGE, peer_content, peer_message_id
from workbench.runtime import events as ev
from workbench.runtime.agent import AgentSession, tool_result_message
from workbench.runtime.compaction import estimate_tokens

SEND_MESSAGE = "send_message"  # the tool whose calls carry a member's peer messages


def delivered_text(recipient: str, warning: str | None = None) -> str:
    """What a send_message call answers once the message is on its way (also when a resumed mob
    finishes a call the process died in, and the message had arrived)."""
    text = f"message delivered to {recipient}"
    return f"{text}\n{warning}" if warning else text


class PeerText(str):
    """A peer message on its way through the runtime's queues."""

    sender: str
    message_id: str

    def __new__(cls, text: str, *, sender: str, message_id: str) -> "PeerText":
        obj = super().__new__(cls, text)
        obj.sender = sender
        obj.message_id = message_id
        return obj


class Continue(str):
    """A run that adds no message: the model carries on from the context as it stands."""

    def __new__(cls) -> "Continue":
        return super().__new__(cls, "")


@dataclass(frozen=True)
class SentMessage:
    """A message a member's session file says it sent (a send_message result saying delivered)."""

    message_id: str
    recipient: str
    text: str
    at: float  # when it was sent (seconds since the epoch): redelivered in that order


class MemberSession(AgentSession):
    """AgentSession plus peer-message recording."""

    _turn_entry: str | None = None  # the entry id of the assistant message whose calls run now
    on_sent: Callable[[str], None] | None = None  # a send_message result is on disk (its message id)

    async def _append(self, message: dict[str, Any]) -> str:
        entry_id = await super()._append(message)
        role = message.get("role")
        if role == "assistant":
            self._turn_entry = entry_id
        elif role == "toolResult" and message.get("toolName") == SEND_MESSAGE and not message.get("isError"):
            message_id = (message.get("details") or {}).get("messageId")
            if message_id and self.on_sent is not None:
                self.on_sent(message_id)
        return entry_id

    async def run(self, prompt: str, **options: Any) -> ev.RunResult:
        try:
            return await super().run(prompt, **options)
        finally:
            # A peer message no entry followed (the run stopped before the model answered) is
            # synced here, so a run never ends with an entry that is not durable.
            if self.persist_in_thread and self._durable.pending:
                await self._durable.sync()

    def peer_message_id(self, call_id: str) -> str:
        """The id of the message the send_message call `call_id` of the current turn sends."""
        return peer_message_id(self.agent or "", self._turn_entry or "", call_id)

    # (the profile's own prompt, the mob's instructions): a playbook agent's prompt applies to the
    # first part only (mob/playbook.py); None: no agent, the prompt is used as built
    prompt_parts: tuple[str, str] | None = None

    def _with_profile_prompt(self, base: str) -> str:
        if self.agent_profile is None or self.prompt_parts is None:
            return super()._with_profile_prompt(base)
        from workbench.playbook.agents import profile_prompt

        own, mob = self.prompt_parts
        own = profile_prompt(self.agent_profile, own).strip()
        return f"{own}\n\n{mob}" if own else mob

    async def _append_user(self, text: str, kind: str, *more: Any, **options: Any) -> None:
        # The runtime's hook for every message it adds to the context (prompt, steer, follow-up).
        if isinstance(text, Continue):
            return
        if not isinstance(text, PeerText):
            await super()._append_user(text, kind, *more, **options)  # images, attachments
            return
        content = peer_content(text.sender, str(text))
        details = {"sender": text.sender, "recipient": self.agent, "messageId": text.message_id}
        append = functools.partial(self.manager.append_custom_message, PEER_MESSAGE, content,
                                   display=True, details=details)
        # The message is durable at its source already (the sender's session, or the mob log), so
        # this copy does not wait for a write of its own: it goes out with the entry that follows
        # it (the model's answer), in one write + fdatasync. Nothing the model does with the
        # message can reach the disk before it (file order); a crash first: resume delivers it again.
        if self.persist_in_thread:
            self._durable.stage(append)
        else:
            append()
        message = {"role": "custom", "customType": PEER_MESSAGE, "content": content, "display": True,
                   "details": details, "timestamp": int(time.time() * 1000)}
        self._context.append(message)
        self.context_tokens += estimate_tokens(message)
        self._emit(ev.UserMessage(text=str(text), kind="peer", sender=text.sender,
                                  recipient=self.agent, **self._base()))

    # --- resume ------------------------------------------------------------------------------

    def recorded_peer_ids(self) -> set[str]:
        """Ids of the peer messages already in the session file (any branch)."""
        return recorded_peer_ids(self.manager.entries)

    def sent_peer_messages(self) -> list["SentMessage"]:
        return sent_peer_messages(self.agent or "", self.manager.entries)

    def needs_continue(self) -> bool:
        """True when the process died mid-run: the context ends with something the model has not
        answered yet (a prompt, a peer message, a tool result)."""
        last = self._context[-1] if self._context else None
        return last is not None and last.get("role") in ("user", "custom", "toolResult")

    def repair_dangling_tool_calls(self, delivered: Iterable[str] = ()) -> int:
        """Tool calls whose result was never written (killed mid-tool) get a result, so the
        conversation stays valid for the provider: an error saying it may or may not have taken
        effect; for send_message, whether the message arrived (its id is in `delivered`) or not
        (then it never will: the model may send it again). Returns how many were repaired."""
        last = self._context[-1] if self._context else None
        if last is None or last.get("role") != "assistant":
            return 0
        arrived = set(delivered)
        entry_id = self._last_assistant_entry()
        calls = [b for b in last.get("content") or () if b.get("type") == "toolCall"]
        for call in calls:
            call_id, name = call.get("id", ""), call.get("name", "")
            args = call.get("arguments") if isinstance(call.get("arguments"), dict) else {}
            message_id = peer_message_id(self.agent or "", entry_id, call_id)
            if name == SEND_MESSAGE and message_id in arrived:
                message = tool_result_message(call_id, name, delivered_text(str(args.get("to", ""))),
                                              is_error=False, details={"to": args.get("to"), "messageId": message_id})
            elif name == SEND_MESSAGE:
                message = tool_result_message(
                    call_id, name, f"Not delivered: the process stopped before the message reached "
                    f"{args.get('to', 'its recipient')}. Send it again if it is still needed.", is_error=True)
            else:
                message = tool_result_message(
                    call_id, name,
                    "Interrupted: the process stopped before this call finished; it may or may not have "
                    "taken effect. Check before repeating it.", is_error=True)
            self.manager.append_message(message)
            self._context.append(message)
        return len(calls)

    def _last_assistant_entry(self) -> str:
        for entry in reversed(self.manager.get_branch()):
            if entry.get("type") == "message" and (entry.get("message") or {}).get("role") == "assistant":
                return entry.get("id") or ""
        return ""


def recorded_peer_ids(entries: Iterable[dict[str, Any]]) -> set[str]:
    """Ids of the peer messages a member's session file holds (any branch)."""
    out = set()
    for entry in entries:
        if entry.get("type") == "custom_message" and entry.get("customType") == PEER_MESSAGE:
            message_id = (entry.get("details") or {}).get("messageId")
            if message_id:
                out.add(message_id)
    return out


def sent_peer_messages(identity: str, entries: Iterable[dict[str, Any]]) -> list[SentMessage]:
    """Every message a member's session file says it sent: each send_message call (any branch)
    whose result says delivered, in the order of the results. Refused calls sent nothing; a call
    the process died in has no result yet (`repair_dangling_tool_calls` settles it)."""
    calls: dict[str, dict[str, Any]] = {}  # message id -> the call's arguments
    answered: list[tuple[str, float]] = []
    for entry in entries:
        if entry.get("type") != "message":
            continue
        message = entry.get("message") or {}
        role = message.get("role")
        if role == "assistant":
            for block in _send_calls(message):
                args = block.get("arguments")
                calls[peer_message_id(identity, entry.get("id") or "", str(block.get("id") or ""))] = \
                    args if isinstance(args, dict) else {}
        elif role == "toolResult" and message.get("toolName") == SEND_MESSAGE and not message.get("isError"):
            message_id = (message.get("details") or {}).get("messageId")
            stamp = message.get("timestamp")
            if isinstance(message_id, str):
                answered.append((message_id, stamp / 1000 if isinstance(stamp, (int, float)) else 0.0))
    return [SentMessage(i, str(calls[i].get("to", "")), str(calls[i].get("text", "")), at)
            for i, at in answered if i in calls]


def _send_calls(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message.get("content") or () if isinstance(b, dict) and b.get("type") == "toolCall"
            and b.get("name") == SEND_MESSAGE]


def member_usage(session: AgentSession) -> tuple[int, float | None]:
    """Tokens and cost a member spent so far (its whole session)."""
    usage: Any = session.usage
    return usage.total_tokens, session.cost_usd
