"""What a conversation block shows, as plain data: the Conversation keeps blocks it has not mounted
(scrolled far away, or not yet reached in a long session) as these specs and builds a widget from one
when the user scrolls near it, so a 5,000-message session costs only the widgets on and near screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Union

from workbench.context.display import user_message_display
from workbench.peer_messages import PEER_MESSAGE, peer_message_body
from workbench.tui.backend import message_text
from workbench.tui.sanitize import sanitize
from workbench.tui.widgets.conversation_stream import SegmentSplitter


@dataclass(frozen=True)
class UserSpec:
    text: str
    kind: str = "prompt"  # prompt | steer | follow_up | peer
    sender: str | None = None
    recipient: str | None = None  # peer messages: who received it


@dataclass(frozen=True)
class AnswerSpec:
    markdown: str  # already sanitized
    continued: bool = False  # a later segment of the same answer (no gap above it)


@dataclass(frozen=True)
class ThinkingSpec:
    text: str
    collapsed: bool = True


@dataclass(frozen=True)
class CardSpec:
    call_id: str
    name: str
    args: Any
    agent: str | None = None
    status: str = "requested"
    duration_s: float | None = None
    result: str | None = None
    is_error: bool = False
    checkpoint: str | None = None  # "✎N · entry-id": the file checkpoint its call left (rewind target)
    notes: tuple[str, ...] = ()  # lines under the header: hook verdicts, "sandboxed"


@dataclass(frozen=True)
class NoticeSpec:
    text: str
    kind: str  # retry | budget | compaction | error | info | peer


BlockSpec = Union[UserSpec, AnswerSpec, ThinkingSpec, CardSpec, NoticeSpec]

LIVE_STATUSES = ("requested", "waiting", "running")
HOOK_DENIED_PREFIX = "Denied by hook "


def is_finished(spec: BlockSpec) -> bool:
    """A block no event will change (a tool call still under way is not)."""
    return not (isinstance(spec, CardSpec) and spec.status in LIVE_STATUSES)


def expandable(spec: BlockSpec) -> bool:
    """A block a click opens and closes: thinking, a tool call with a result."""
    return isinstance(spec, ThinkingSpec) or (isinstance(spec, CardSpec) and bool(spec.result))


def opened_at_first(spec: BlockSpec) -> bool:
    """Whether a block is shown open when it is brought in: thinking the user left open."""
    return isinstance(spec, ThinkingSpec) and not spec.collapsed


def answer_specs(text: str) -> list[BlockSpec]:
    """A finished answer, cut into segments where a streamed one would have been cut (a huge one
    shown as its head and tail, with the notice that shows it all: conversation_cut.py)."""
    from workbench.tui.widgets.conversation_cut import cut_answer

    found = cut_answer(text)
    pieces = SegmentSplitter().feed(sanitize(found[0] if found is not None else text))
    specs: list[BlockSpec] = [AnswerSpec(p, continued=i > 0) for i, p in enumerate(pieces) if p]
    return specs + [found[1]] if found is not None else specs


def _peer_spec(msg: dict[str, Any]) -> UserSpec:
    """A recorded peer message, shown as it was when it arrived: sender → recipient, then the text
    (without the "[message from X]" line that tells the model who wrote it)."""
    details = msg.get("details") if isinstance(msg.get("details"), dict) else {}
    content = msg.get("content")
    text = content if isinstance(content, str) else message_text(msg)
    text = peer_message_body(text)
    sender = details.get("sender")
    recipient = details.get("recipient")
    return UserSpec(text, "peer", str(sender) if sender else None, str(recipient) if recipient else None)


def checkpoint_link(details: Any) -> str | None:
    """`✎3 · 1a2b3c4d` from a toolResult's details: the files its call changed and the entry of
    their checkpoint (`/rewind 1a2b3c4d` puts the files back as the call left them)."""
    mark = details.get("checkpoint") if isinstance(details, dict) else None
    if not isinstance(mark, dict) or not isinstance(mark.get("entry"), str):
        return None
    files = mark.get("files")
    return f"✎{files if isinstance(files, int) else '?'} · {sanitize(mark['entry'])[:16]}"


def live_checkpoint_link(manager: Any, call_id: str, *, look_back: int = 64) -> str | None:
    """The link of a call whose result was just written: its toolResult is among the last entries."""
    entries = getattr(manager, "entries", None)
    if entries is None:
        return None
    for entry in reversed(entries[max(0, len(entries) - look_back):]):
        msg = entry.get("message") if entry.get("type") == "message" else None
        if isinstance(msg, dict) and msg.get("role") == "toolResult" and msg.get("toolCallId") == call_id:
            return checkpoint_link(msg.get("details"))
    return None


def bash_execution_spec(msg: dict[str, Any]) -> CardSpec:
    """The user's own `!command` (pi's bashExecution), drawn like the bash tool's card."""
    code = msg.get("exitCode")
    failed = bool(msg.get("cancelled")) or (isinstance(code, int) and code != 0)
    status = "interrupted" if msg.get("cancelled") else "failed" if failed else "done"
    who = "you · not in context" if msg.get("excludeFromContext") else "you"
    output = str(msg.get("output") or "").rstrip("\n") or "(no output)"
    if isinstance(code, int) and code != 0:
        output += f"\n\nCommand exited with code {code}"
    return CardSpec(f"bash-{msg.get('timestamp', '')}", "bash", {"command": str(msg.get("command", ""))}, who,
                    status, None, output, failed)


def history_specs(messages: list[dict[str, Any]]) -> list[BlockSpec]:
    """The blocks that show a session's messages (pi's AgentMessage dicts), oldest first; a huge
    text is shown cut (conversation_cut.py)."""
    from workbench.tui.widgets.conversation_cut import cut_specs

    specs: list[BlockSpec] = []
    cards: dict[str, int] = {}  # tool call id -> index of its card in specs
    for msg in messages:
        role = msg.get("role")
        if role == "user":
            specs.append(UserSpec(user_message_display(msg) or message_text(msg)))
        elif role == "assistant":
            for block in msg.get("content") or []:
                if not isinstance(block, dict):
                    continue
                kind = block.get("type")
                if kind == "thinking" and block.get("thinking"):
                    specs.append(ThinkingSpec(sanitize(str(block["thinking"]))))
                elif kind == "text" and block.get("text"):
                    specs.extend(answer_specs(str(block["text"])))
                elif kind == "toolCall":
                    call_id = str(block.get("id"))
                    cards[call_id] = len(specs)
                    specs.append(CardSpec(call_id, str(block.get("name")), block.get("arguments") or {}))
            if msg.get("stopReason") == "error" and msg.get("errorMessage"):
                specs.append(NoticeSpec(str(msg["errorMessage"]), "error"))
        elif role == "toolResult":
            index = cards.get(str(msg.get("toolCallId")))
            if index is not None:
                card = specs[index]
                assert isinstance(card, CardSpec)
                error = bool(msg.get("isError"))
                text = message_text(msg)
                hook = text.startswith(HOOK_DENIED_PREFIX) and error  # the runtime's words (runtime/hooking.py)
                specs[index] = CardSpec(card.call_id, card.name, card.args, card.agent,
                                        "denied" if hook else "failed" if error else "done", None, text, error,
                                        checkpoint_link(msg.get("details")), ("✗ d" + text[1:],) if hook else ())
        elif role == "bashExecution":
            specs.append(bash_execution_spec(msg))
        elif role in ("compactionSummary", "branchSummary"):  # the model wrote it in Markdown: rendered
            what = "Summary of the branch left" if role == "branchSummary" else "Summary of the earlier conversation"
            specs.append(NoticeSpec(what, "compaction"))
            # pi's summaries list files in <read-files> tags: shown as text, not dropped as HTML
            specs.extend(answer_specs(str(msg.get("summary", "")).replace("<", "\\<")))
        elif role == "custom" and msg.get("customType") == PEER_MESSAGE:
            specs.append(_peer_spec(msg))
        elif role == "custom" and msg.get("display", True):
            content = msg.get("content")
            specs.append(NoticeSpec(content if isinstance(content, str) else json.dumps(content), "info"))
    return [shown for spec in specs for shown in cut_specs(spec)]
