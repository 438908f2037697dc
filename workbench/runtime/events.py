"""The typed events the runtime emits: the only way the UI and headless mode learn what happens.

Names and fields follow shared/seeds/meerkat-python-sdk-types.md ("Typed events"), with the
workbench's additions (approvals, thinking, budget exhaustion, mob events). Every event carries
`session_id` and, inside a mob, `member` (the member's identity) so one stream can serve a team.
Serialised with `event.model_dump(mode="json")`; parsed back with `parse_event(dict)`.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

# defer_build: each model builds its validator and serializer on first use, not at import, so a
# headless run's start (which creates only a few kinds of event before its first request) does
# not pay for all ~40 (docs/performance.md).
_CONFIG = ConfigDict(frozen=True, defer_build=True)


class Usage(BaseModel):
    model_config = _CONFIG

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + self.cache_creation_tokens + self.cache_read_tokens

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_creation_tokens=self.cache_creation_tokens + other.cache_creation_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
        )


class RunResult(BaseModel):
    model_config = _CONFIG

    session_id: str
    text: str
    turns: int
    tool_calls: int
    usage: Usage
    cost_usd: float | None  # None when the model is unpriced: never reported as $0
    # With an output schema (runtime/structured.py): the parsed answer, or why it did not fit.
    structured_output: Any = None
    extraction_error: str | None = None


class _Event(BaseModel):
    model_config = _CONFIG

    session_id: str | None = None
    member: str | None = None  # mob member identity, when the event comes from a mob member
    ts: float = Field(default_factory=time.time)


# --- run lifecycle ---------------------------------------------------------------------------

class RunStarted(_Event):
    type: Literal["run_started"] = "run_started"
    prompt: str


class RunCompleted(_Event):
    """Carries the RunResult flat; `result` is the final text, as in the seed's RunCompleted."""

    type: Literal["run_completed"] = "run_completed"
    result: str
    text: str
    turns: int
    tool_calls: int
    usage: Usage
    cost_usd: float | None
    stop: str = "end_turn"  # end_turn | interrupted | budget_exhausted | turn_limit
    structured_output: Any = None
    extraction_error: str | None = None

    def run_result(self) -> RunResult:
        return RunResult(session_id=self.session_id or "", text=self.text, turns=self.turns,
                         tool_calls=self.tool_calls, usage=self.usage, cost_usd=self.cost_usd,
                         structured_output=self.structured_output, extraction_error=self.extraction_error)


class RunFailed(_Event):
    type: Literal["run_failed"] = "run_failed"
    error: str
    code: str = "AGENT_ERROR"  # stable error code (SESSION_BUSY, PROVIDER_ERROR, ...)
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = None


class UserMessage(_Event):
    """A user message entered the context: the prompt, a steering or follow-up message, or a peer message."""

    type: Literal["user_message"] = "user_message"
    text: str
    kind: Literal["prompt", "steer", "follow_up", "peer"] = "prompt"
    sender: str | None = None  # for peer messages
    recipient: str | None = None  # for peer messages: the member whose context it entered
    attachments: list[str] = Field(default_factory=list)  # one line per attached file or image


# --- model turns -----------------------------------------------------------------------------

class TurnStarted(_Event):
    type: Literal["turn_started"] = "turn_started"
    turn_number: int


class TextDelta(_Event):
    type: Literal["text_delta"] = "text_delta"
    delta: str


class TextComplete(_Event):
    type: Literal["text_complete"] = "text_complete"
    content: str


class ThinkingDelta(_Event):
    type: Literal["thinking_delta"] = "thinking_delta"
    delta: str


class TurnCompleted(_Event):
    type: Literal["turn_completed"] = "turn_completed"
    stop_reason: str  # provider-neutral: end_turn | tool_use | max_tokens | aborted | error
    usage: Usage
    cost_usd: float | None = None
    entry_id: str | None = None  # the session entry holding the assistant message


# --- tools -----------------------------------------------------------------------------------

class ToolCallRequested(_Event):
    type: Literal["tool_call_requested"] = "tool_call_requested"
    id: str
    name: str
    args: Any


class ToolApprovalRequested(_Event):
    type: Literal["tool_approval_requested"] = "tool_approval_requested"
    request_id: str
    id: str  # tool call id
    name: str
    args: Any
    preview: dict[str, Any] | None = None  # {"kind": "diff", "diff": ...} | {"kind": "command", ...}
    agent: str | None = None  # who asks (member identity or session label)
    scope: str | None = None  # the rule an "always" answer would save, e.g. "bash(git status*)"
    reason: str | None = None  # why it asks (a protected path, the mode, a rule …), shown with it


class ToolApprovalResolved(_Event):
    type: Literal["tool_approval_resolved"] = "tool_approval_resolved"
    request_id: str
    id: str
    name: str
    decision: Literal["once", "session", "always", "deny"]
    feedback: str | None = None
    saved_rule: str | None = None


class ToolExecutionStarted(_Event):
    type: Literal["tool_execution_started"] = "tool_execution_started"
    id: str
    name: str
    sandbox: str | None = None  # "sandboxed" / "UNSANDBOXED (...)" when bash's sandbox is configured


class ToolExecutionCompleted(_Event):
    type: Literal["tool_execution_completed"] = "tool_execution_completed"
    id: str
    name: str
    result: str
    is_error: bool
    duration_ms: int


class ToolExecutionTimedOut(_Event):
    type: Literal["tool_execution_timed_out"] = "tool_execution_timed_out"
    id: str
    name: str
    timeout_ms: int


class ToolResultReceived(_Event):
    type: Literal["tool_result_received"] = "tool_result_received"
    id: str
    name: str
    is_error: bool
    status: Literal["done", "failed", "denied", "timed_out", "skipped", "interrupted"] = "done"


class ToolProgress(_Event):
    """A long tool call reports how far it got (MCP progress notifications): the card updates."""

    type: Literal["tool_progress"] = "tool_progress"
    id: str
    name: str
    progress: float
    total: float | None = None
    message: str | None = None


class ToolRetrying(_Event):
    """A configured command tool (playbook [[tools]]) failed an attempt and runs again after
    `delay_ms`: the tool card shows "retry 2/3 in 400 ms" and why."""

    type: Literal["tool_retrying"] = "tool_retrying"
    call_id: str
    tool_name: str
    attempt: int       # the attempt about to run (2, 3, ...)
    max_attempts: int
    delay_ms: int
    error: str         # why the previous attempt failed


class ToolsPending(_Event):
    """A run starts while some tool sources (MCP servers) are still starting: it runs without
    their tools, and says so."""

    type: Literal["tools_pending"] = "tools_pending"
    sources: list[str]
    message: str


# --- budgets, retries, compaction ------------------------------------------------------------

class BudgetWarning(_Event):
    type: Literal["budget_warning"] = "budget_warning"
    budget_type: str  # tokens | cost | turns | tool_calls | duration | turn_duration
    used: float
    limit: float
    percent: float
    message: str | None = None  # e.g. why a limit cannot be enforced (cost limit, unpriced model)


class BudgetExhausted(_Event):
    type: Literal["budget_exhausted"] = "budget_exhausted"
    budget_type: str
    used: float
    limit: float
    orderly: bool = True  # False for the time limits: a hard failure


class Retrying(_Event):
    type: Literal["retrying"] = "retrying"
    attempt: int
    max_attempts: int
    error: str
    delay_ms: int
    kind: str | None = None  # rate_limited | overloaded | server_error | timeout | connection


class CompactionStarted(_Event):
    type: Literal["compaction_started"] = "compaction_started"
    input_tokens: int
    estimated_history_tokens: int
    message_count: int


class CompactionCompleted(_Event):
    type: Literal["compaction_completed"] = "compaction_completed"
    summary_tokens: int
    messages_before: int
    messages_after: int
    entry_id: str | None = None


class CompactionFailed(_Event):
    type: Literal["compaction_failed"] = "compaction_failed"
    error: str


# --- hooks (seed: HookStarted, HookCompleted, HookFailed, HookDenied) ------------------------

class HookStarted(_Event):
    type: Literal["hook_started"] = "hook_started"
    hook_id: str
    point: str
    call_id: str | None = None  # the tool call, at pre/post_tool_execution


class HookCompleted(_Event):
    type: Literal["hook_completed"] = "hook_completed"
    hook_id: str
    point: str
    duration_ms: int
    call_id: str | None = None


class HookFailed(_Event):
    type: Literal["hook_failed"] = "hook_failed"
    hook_id: str
    point: str
    error: str  # untrusted: shown as text
    duration_ms: int | None = None
    call_id: str | None = None


class HookDenied(_Event):
    type: Literal["hook_denied"] = "hook_denied"
    hook_id: str
    point: str
    reason_code: str
    message: str  # untrusted: shown as text
    payload: Any = None  # the hook's additional_context, if it gave one
    call_id: str | None = None


# --- mob -------------------------------------------------------------------------------------

class MemberSpawned(_Event):
    type: Literal["member_spawned"] = "member_spawned"
    mob_id: str
    identity: str
    profile: str
    model: str | None = None
    orchestrator: bool = False
    member_session_id: str | None = None


class MemberRetired(_Event):
    type: Literal["member_retired"] = "member_retired"
    mob_id: str
    identity: str


class MembersWired(_Event):
    type: Literal["members_wired"] = "members_wired"
    mob_id: str
    a: str
    b: str


class MembersUnwired(_Event):
    type: Literal["members_unwired"] = "members_unwired"
    mob_id: str
    a: str
    b: str


class MemberStatusChanged(_Event):
    type: Literal["member_status_changed"] = "member_status_changed"
    mob_id: str
    identity: str
    status: Literal["idle", "running", "waiting_for_approval", "retiring", "retired", "broken", "completed"]
    activity: str | None = None  # current tool name or "thinking"
    error: str | None = None
    tokens: int = 0
    cost_usd: float | None = None


class PeerMessage(_Event):
    type: Literal["peer_message"] = "peer_message"
    mob_id: str
    sender: str
    recipient: str
    text: str


# --- skills ----------------------------------------------------------------------------------

class SkillsResolved(_Event):
    """At run start: the skills listed in the system prompt, and the ones rejected (kind, path,
    message: the seed's SkillError kinds)."""

    type: Literal["skills_resolved"] = "skills_resolved"
    skills: list[str]
    injection_bytes: int  # bytes of skill listing and context files added to the system prompt
    rejected: list[dict[str, Any]] = Field(default_factory=list)
    context_files: list[str] = Field(default_factory=list)


# --- playbooks (workbench/playbook/) -----------------------------------------------------------

class GuidelinesMatched(_Event):
    """Before a run's first request: the guidelines injected for it (id, score, reason, source
    "pattern" | "model" | "journey", priority) and those left out, each with why."""

    type: Literal["guidelines_matched"] = "guidelines_matched"
    matched: list[dict[str, Any]] = Field(default_factory=list)
    skipped: list[dict[str, Any]] = Field(default_factory=list)
    matcher: Literal["model", "patterns-only"] = "patterns-only"
    matcher_note: str | None = None  # why only patterns matched (offline demo, no answer, an error)
    guideline_matching_time_ms: int = 0


class JourneyTransitioned(_Event):
    """A journey started (from_step None), moved, completed (status "completed") or stopped
    (to_step None). source: "pattern" | "model" | "guideline" | "user"."""

    type: Literal["journey_transitioned"] = "journey_transitioned"
    journey_id: str
    from_step: str | None = None
    to_step: str | None = None
    source: str = "user"
    reason: str = ""
    status: Literal["active", "completed", "stopped"] = "active"


Event = Annotated[
    Union[
        RunStarted, RunCompleted, RunFailed, UserMessage,
        TurnStarted, TextDelta, TextComplete, ThinkingDelta, TurnCompleted,
        ToolCallRequested, ToolApprovalRequested, ToolApprovalResolved,
        ToolExecutionStarted, ToolExecutionCompleted, ToolExecutionTimedOut, ToolResultReceived,
        ToolProgress, ToolRetrying, ToolsPending,
        BudgetWarning, BudgetExhausted, Retrying,
        CompactionStarted, CompactionCompleted, CompactionFailed,
        HookStarted, HookCompleted, HookFailed, HookDenied,
        MemberSpawned, MemberRetired, MembersWired, MembersUnwired, MemberStatusChanged, PeerMessage,
        SkillsResolved, GuidelinesMatched, JourneyTransitioned,
    ],
    Field(discriminator="type"),
]

_adapter: TypeAdapter[Event] | None = None  # built on the first parse (see _CONFIG)

EVENT_TYPES: frozenset[str] = frozenset(
    cls.model_fields["type"].default for cls in _Event.__subclasses__()
)


def parse_event(data: dict[str, Any]) -> Event:
    global _adapter
    if _adapter is None:
        _adapter = TypeAdapter(Event)
    return _adapter.validate_python(data)


def event_to_json(event: _Event) -> dict[str, Any]:
    return event.model_dump(mode="json")
