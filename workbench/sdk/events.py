"""Typed events: frozen dataclasses, one per `type` of the server's session/event notifications
(the same snake_case types and fields as `workbench -p --output-format jsonl`).

Use them with `match`:

    match event:
        case TextDelta(delta=chunk): ...
        case ToolApprovalRequested(request_id=rid, name=name): ...

A type this SDK does not know becomes `UnknownEvent(type, data)`, never an exception, and fields
it does not know are ignored, so a newer server works with an older SDK.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from workbench.sdk.types import Usage

_frozen = dataclass(frozen=True, kw_only=True)


@_frozen
class Event:
    type: str = ""
    session_id: str | None = None
    member: str | None = None  # a mob member's identity, when the event comes from one
    ts: float | None = None


@_frozen
class UnknownEvent(Event):
    data: dict[str, Any] = field(default_factory=dict)


@_frozen
class RunStarted(Event):
    prompt: str = ""


@_frozen
class RunCompleted(Event):
    result: str = ""
    text: str = ""
    turns: int = 0
    tool_calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None
    stop: str = "end_turn"
    structured_output: Any = None
    extraction_error: str | None = None


@_frozen
class RunFailed(Event):
    error: str = ""
    code: str = "AGENT_ERROR"
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None


@_frozen
class UserMessage(Event):
    text: str = ""
    kind: str = "prompt"
    sender: str | None = None
    recipient: str | None = None
    attachments: list[str] = field(default_factory=list)  # one line per attached file or image


@_frozen
class TurnStarted(Event):
    turn_number: int = 0


@_frozen
class TextDelta(Event):
    delta: str = ""


@_frozen
class TextComplete(Event):
    content: str = ""


@_frozen
class ThinkingDelta(Event):
    delta: str = ""


@_frozen
class TurnCompleted(Event):
    stop_reason: str = ""
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None
    entry_id: str | None = None


@_frozen
class ToolCallRequested(Event):
    id: str = ""
    name: str = ""
    args: Any = None


@_frozen
class ToolApprovalRequested(Event):
    request_id: str = ""
    id: str = ""
    name: str = ""
    args: Any = None
    preview: dict[str, Any] | None = None
    agent: str | None = None
    scope: str | None = None
    reason: str | None = None  # why it asks (a protected path, the mode, a rule)


@_frozen
class ToolApprovalResolved(Event):
    request_id: str = ""
    id: str = ""
    name: str = ""
    decision: str = ""
    feedback: str | None = None
    saved_rule: str | None = None


@_frozen
class ToolExecutionStarted(Event):
    id: str = ""
    name: str = ""
    sandbox: str | None = None


@_frozen
class ToolExecutionCompleted(Event):
    id: str = ""
    name: str = ""
    result: str = ""
    is_error: bool = False
    duration_ms: int = 0


@_frozen
class ToolExecutionTimedOut(Event):
    id: str = ""
    name: str = ""
    timeout_ms: int = 0


@_frozen
class ToolResultReceived(Event):
    id: str = ""
    name: str = ""
    is_error: bool = False
    status: str = "done"


@_frozen
class ToolProgress(Event):
    id: str = ""
    name: str = ""
    progress: float = 0
    total: float | None = None
    message: str | None = None


@_frozen
class ToolRetrying(Event):
    call_id: str = ""
    tool_name: str = ""
    attempt: int = 0
    max_attempts: int = 0
    delay_ms: int = 0
    error: str = ""


@_frozen
class GuidelinesMatched(Event):
    matched: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    matcher: str = "patterns-only"
    matcher_note: str | None = None
    guideline_matching_time_ms: int = 0


@_frozen
class JourneyTransitioned(Event):
    journey_id: str = ""
    from_step: str | None = None
    to_step: str | None = None
    source: str = ""
    reason: str = ""
    status: str = "active"


@_frozen
class ToolsPending(Event):
    sources: list[str] = field(default_factory=list)
    message: str = ""


@_frozen
class SkillsResolved(Event):
    skills: list[str] = field(default_factory=list)
    injection_bytes: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    context_files: list[str] = field(default_factory=list)


@_frozen
class HookStarted(Event):
    hook_id: str = ""
    point: str = ""
    call_id: str | None = None


@_frozen
class HookCompleted(Event):
    hook_id: str = ""
    point: str = ""
    duration_ms: int = 0
    call_id: str | None = None


@_frozen
class HookFailed(Event):
    hook_id: str = ""
    point: str = ""
    error: str = ""
    duration_ms: int | None = None
    call_id: str | None = None


@_frozen
class HookDenied(Event):
    hook_id: str = ""
    point: str = ""
    reason_code: str = ""
    message: str = ""
    payload: Any = None
    call_id: str | None = None


@_frozen
class BudgetWarning(Event):
    budget_type: str = ""
    used: float = 0
    limit: float = 0
    percent: float = 0
    message: str | None = None


@_frozen
class BudgetExhausted(Event):
    budget_type: str = ""
    used: float = 0
    limit: float = 0
    orderly: bool = True


@_frozen
class Retrying(Event):
    attempt: int = 0
    max_attempts: int = 0
    error: str = ""
    delay_ms: int = 0
    kind: str | None = None


@_frozen
class CompactionStarted(Event):
    input_tokens: int = 0
    estimated_history_tokens: int = 0
    message_count: int = 0


@_frozen
class CompactionCompleted(Event):
    summary_tokens: int = 0
    messages_before: int = 0
    messages_after: int = 0
    entry_id: str | None = None


@_frozen
class CompactionFailed(Event):
    error: str = ""


@_frozen
class MemberSpawned(Event):
    mob_id: str = ""
    identity: str = ""
    profile: str = ""
    model: str | None = None
    orchestrator: bool = False
    member_session_id: str | None = None


@_frozen
class MemberRetired(Event):
    mob_id: str = ""
    identity: str = ""


@_frozen
class MembersWired(Event):
    mob_id: str = ""
    a: str = ""
    b: str = ""


@_frozen
class MembersUnwired(Event):
    mob_id: str = ""
    a: str = ""
    b: str = ""


@_frozen
class MemberStatusChanged(Event):
    mob_id: str = ""
    identity: str = ""
    status: str = ""
    activity: str | None = None
    error: str | None = None
    tokens: int = 0
    cost_usd: float | None = None


@_frozen
class PeerMessage(Event):
    mob_id: str = ""
    sender: str = ""
    recipient: str = ""
    text: str = ""


EVENT_CLASSES: dict[str, type[Event]] = {
    "run_started": RunStarted, "run_completed": RunCompleted, "run_failed": RunFailed,
    "user_message": UserMessage, "turn_started": TurnStarted, "text_delta": TextDelta,
    "text_complete": TextComplete, "thinking_delta": ThinkingDelta, "turn_completed": TurnCompleted,
    "tool_call_requested": ToolCallRequested, "tool_approval_requested": ToolApprovalRequested,
    "tool_approval_resolved": ToolApprovalResolved, "tool_execution_started": ToolExecutionStarted,
    "tool_execution_completed": ToolExecutionCompleted, "tool_execution_timed_out": ToolExecutionTimedOut,
    "tool_result_received": ToolResultReceived, "budget_warning": BudgetWarning,
    "budget_exhausted": BudgetExhausted, "retrying": Retrying, "compaction_started": CompactionStarted,
    "compaction_completed": CompactionCompleted, "compaction_failed": CompactionFailed,
    "member_spawned": MemberSpawned, "member_retired": MemberRetired, "members_wired": MembersWired,
    "members_unwired": MembersUnwired, "member_status_changed": MemberStatusChanged,
    "peer_message": PeerMessage, "tool_progress": ToolProgress, "tool_retrying": ToolRetrying, "tools_pending": ToolsPending,
    "hook_started": HookStarted, "hook_completed": HookCompleted, "hook_failed": HookFailed,
    "hook_denied": HookDenied, "skills_resolved": SkillsResolved,
    "guidelines_matched": GuidelinesMatched, "journey_transitioned": JourneyTransitioned,
}

_FIELDS: dict[type[Event], frozenset[str]] = {
    cls: frozenset(f.name for f in dataclasses.fields(cls)) for cls in EVENT_CLASSES.values()
}


def parse_event(data: Any) -> Event:
    """A wire event (dict) as its typed dataclass; anything unrecognised as UnknownEvent."""
    if not isinstance(data, dict):
        return UnknownEvent(type="", data={"value": data})
    kind = data.get("type")
    cls = EVENT_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        return UnknownEvent(type=str(kind or ""), session_id=data.get("session_id"), data=dict(data))
    known = _FIELDS[cls]
    values = {k: v for k, v in data.items() if k in known}
    if "usage" in values:
        values["usage"] = Usage.from_wire(values["usage"])
    try:
        return cls(**values)
    except TypeError:
        return UnknownEvent(type=kind, session_id=data.get("session_id"), data=dict(data))
