"""How a mob's peer messages are recorded in a member's session, in one place for the writer
(workbench/mob) and the readers (the session tree, the conversation): a `custom_message` entry of
this customType whose content starts with a line telling the model who wrote it. Kept free of
imports so the TUI's first frame can read it without loading the session store."""

from __future__ import annotations

PEER_MESSAGE = "peer_message"  # the customType
MOB_SENDER = "mob"  # the mob itself (budget notices, restarts), not a member


def peer_content(sender: str, text: str) -> str:
    """What the recipient's model reads (custom messages reach the model as user text)."""
    if sender == MOB_SENDER:
        return f"[mob notice]\n{text}"
    return f"[message from {sender}]\n{text}"


def peer_message_body(text: str) -> str:
    """A recorded peer message without the line that tells the model who wrote it: what a person
    reads next to `sender → recipient`."""
    first, newline, rest = text.partition("\n")
    if newline and (first.startswith("[message from ") and first.endswith("]") or first == "[mob notice]"):
        return rest
    return text


def peer_message_id(sender: str, entry_id: str, call_id: str) -> str:
    """The id of a message a member sent with send_message: its sender, the assistant entry that
    holds the call, and the call. Both the sender's result and the recipient's entry carry it, so
    a resumed mob matches the two from the session files alone."""
    return f"{sender}:{entry_id}:{call_id}"
