"""The provider contract: one model turn in, a stream of provider events out.

A provider receives the context as pi AgentMessages (plain dicts, exactly as stored in session
files: roles user / assistant / toolResult / bashExecution / custom / branchSummary /
compactionSummary — see docs/contracts.md) and converts them to its wire format. It yields
`StreamEvent`s while the model answers and ends with exactly one `StreamDone` carrying the finished
assistant message in pi's format. Errors are raised as `ProviderError` with a `kind`, so the
runtime can decide to retry; a provider never retries by itself (the SDKs' own retries are off).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Literal, Protocol, runtime_checkable

ErrorKind = Literal[
    "rate_limited",     # 429: retryable, honour retry_after
    "overloaded",       # 529 / "overloaded_error": retryable
    "server_error",     # 5xx: retryable
    "timeout",          # request or stream timed out: retryable
    "connection",       # connection refused / reset / dropped mid-stream: retryable
    "auth",             # 401/403: not retryable
    "invalid_request",  # 400/404/422: not retryable
    "context_too_long", # prompt exceeds the window: not retryable (compaction may help)
    "unknown",
]

RETRYABLE: frozenset[str] = frozenset({"rate_limited", "overloaded", "server_error", "timeout", "connection"})


class ProviderError(Exception):
    def __init__(self, kind: ErrorKind, message: str, *, status: int | None = None,
                 retry_after: float | None = None, partial: dict[str, Any] | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds, from the server's retry-after header
        # The assistant message streamed so far (pi format, stopReason "error"), when the stream
        # died midway: the runtime records it so nothing streamed is lost.
        self.partial = partial

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema (type: object)


@dataclass
class ProviderRequest:
    model: str
    messages: list[dict[str, Any]]  # pi AgentMessages, oldest first
    system_prompt: str = ""
    tools: list[ToolSpec] = field(default_factory=list)
    thinking_level: str = "off"  # off | minimal | low | medium | high
    max_output_tokens: int | None = None
    session_id: str | None = None  # for providers that key caches by session


# --- what a stream yields --------------------------------------------------------------------

@dataclass(frozen=True)
class TextDeltaEvent:
    text: str
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class ThinkingDeltaEvent:
    text: str
    kind: Literal["thinking"] = "thinking"


@dataclass(frozen=True)
class ToolCallStartEvent:
    id: str
    name: str
    kind: Literal["tool_call_start"] = "tool_call_start"


@dataclass(frozen=True)
class ToolCallDeltaEvent:
    id: str
    partial_json: str
    kind: Literal["tool_call_delta"] = "tool_call_delta"


@dataclass(frozen=True)
class ToolCallEndEvent:
    id: str
    name: str
    arguments: dict[str, Any]  # parsed; a malformed JSON input arrives as {"__invalid_json__": raw}
    kind: Literal["tool_call_end"] = "tool_call_end"


@dataclass(frozen=True)
class StreamDone:
    """The finished assistant message, pi format: role, content blocks (text / thinking / toolCall),
    api, provider, model, usage {input, output, cacheRead, cacheWrite, totalTokens, cost{...}},
    stopReason ("stop" | "length" | "toolUse" | "error" | "aborted"), timestamp (ms)."""

    message: dict[str, Any]
    kind: Literal["done"] = "done"


StreamEvent = (TextDeltaEvent | ThinkingDeltaEvent | ToolCallStartEvent | ToolCallDeltaEvent
               | ToolCallEndEvent | StreamDone)


@runtime_checkable
class Provider(Protocol):
    name: str  # "anthropic" | "openai" | "replay"
    api: str   # written as the assistant message's `api`: "anthropic-messages", "openai-completions", "replay"

    def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        """Stream one model turn. Cancelling the consuming task aborts the HTTP stream."""
        ...

    async def aclose(self) -> None:
        ...
