"""A mob member's agent session: a real `AgentSession` that also knows peer messages.

A peer message travels through the runtime's own queues (as the prompt of a new run, as steering
while the member runs, as a follow-up) wrapped in `PeerText`, a `str` that carries its sender and
id. When the runtime records it, `MemberSession` writes a `custom_message` entry (customType
"peer_message", details {"sender", "messageId"}) instead of a user message, so the context, the
tree and a resumed mob all see who said it. `Continue` starts a run that adds nothing: a member
whose process died mid-run picks up from its context.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable

from workbench.peer_messages import MOB_SENDER, PEER_MESSAGE, peer_content
from workbench.runtime import events as ev
from workbench.runtime.agent import AgentSession, tool_result_message
from workbench.runtime.compaction import estimate_tokens



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


class MemberSession(AgentSession):
    """AgentSession plus peer-message recording; `on_peer_recorded(message_id)` lets the handle
    know a message reached the session file."""

    on_peer_recorded: Callable[[str], None] | None = None

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
        await self.persist(append)  # durable, in order, the tree touched only on the loop thread
        message = {"role": "custom", "customType": PEER_MESSAGE, "content": content, "display": True,
                   "details": details, "timestamp": int(time.time() * 1000)}
        self._context.append(message)
        self.context_tokens += estimate_tokens(message)
        self._emit(ev.UserMessage(text=str(text), kind="peer", sender=text.sender,
                                  recipient=self.agent, **self._base()))
        if self.on_peer_recorded is not None:
            self.on_peer_recorded(text.message_id)

    # --- resume ------------------------------------------------------------------------------

    def recorded_peer_ids(self) -> set[str]:
        """Ids of the peer messages already in the session file (any branch)."""
        out = set()
        for entry in self.manager.entries:
            if entry.get("type") == "custom_message" and entry.get("customType") == PEER_MESSAGE:
                message_id = (entry.get("details") or {}).get("messageId")
                if message_id:
                    out.add(message_id)
        return out

    def needs_continue(self) -> bool:
        """True when the process died mid-run: the context ends with something the model has not
        answered yet (a prompt, a peer message, a tool result)."""
        last = self._context[-1] if self._context else None
        return last is not None and last.get("role") in ("user", "custom", "toolResult")

    def repair_dangling_tool_calls(self) -> int:
        """Tool calls whose result was never written (killed mid-tool) get an error result, so
        the conversation stays valid for the provider. Returns how many were repaired."""
        last = self._context[-1] if self._context else None
        if last is None or last.get("role") != "assistant":
            return 0
        calls = [b for b in last.get("content") or () if b.get("type") == "toolCall"]
        for call in calls:
            message = tool_result_message(
                call.get("id", ""), call.get("name", ""),
                "Interrupted: the process stopped before this call finished; it may or may not have "
                "taken effect. Check before repeating it.", is_error=True)
            self.manager.append_message(message)
            self._context.append(message)
        return len(calls)


def member_usage(session: AgentSession) -> tuple[int, float | None]:
    """Tokens and cost a member spent so far (its whole session)."""
    usage: Any = session.usage
    return usage.total_tokens, session.cost_usd
