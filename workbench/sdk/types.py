"""Result and info types of the SDK (frozen dataclasses), after the seed's Python SDK."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int | None = 0
    cache_read_tokens: int | None = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens + (self.cache_creation_tokens or 0) + (self.cache_read_tokens or 0)

    @classmethod
    def from_wire(cls, data: Any) -> "Usage":
        if not isinstance(data, dict):
            return cls()
        return cls(input_tokens=int(data.get("input_tokens") or 0), output_tokens=int(data.get("output_tokens") or 0),
                   cache_creation_tokens=data.get("cache_creation_tokens"),
                   cache_read_tokens=data.get("cache_read_tokens"))


@dataclass(frozen=True)
class RunResult:
    session_id: str
    text: str
    turns: int
    tool_calls: int
    usage: Usage
    cost_usd: float | None = None
    session_ref: str | None = None
    structured_output: Any = None
    extraction_error: str | None = None
    stop: str = "end_turn"  # end_turn | interrupted | budget_exhausted

    @classmethod
    def from_wire(cls, data: dict[str, Any], session_ref: str | None = None) -> "RunResult":
        return cls(session_id=data.get("session_id", ""), text=data.get("text", ""), turns=int(data.get("turns", 0)),
                   tool_calls=int(data.get("tool_calls", 0)), usage=Usage.from_wire(data.get("usage")),
                   cost_usd=data.get("cost_usd"), session_ref=data.get("session_ref", session_ref),
                   structured_output=data.get("structured_output"),
                   extraction_error=data.get("extraction_error"), stop=data.get("stop", "end_turn"))


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    session_ref: str | None
    created_at: str | None
    updated_at: str | None
    message_count: int
    total_tokens: int | None
    is_active: bool
    labels: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> "SessionInfo":
        return cls(session_id=data["session_id"], session_ref=data.get("session_ref"),
                   created_at=data.get("created_at"), updated_at=data.get("updated_at"),
                   message_count=int(data.get("message_count") or 0), total_tokens=data.get("total_tokens"),
                   is_active=bool(data.get("is_active")), labels=dict(data.get("labels") or {}), cwd=data.get("cwd"))


@dataclass(frozen=True)
class Capability:
    id: str
    description: str
    status: str

    @property
    def available(self) -> bool:
        return self.status == "Available"
