"""Parameters of the RPC methods, validated with pydantic (a bad field is INVALID_PARAMS naming it).

Prompts are a string or a list of content blocks, as in the seed's SDK: {"type": "text", "text"}
and {"type": "image", "media_type": "image/png", "data": "<base64>"}.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextBlock(_Params):
    type: Literal["text"]
    text: str


class ImageBlock(_Params):
    type: Literal["image"]
    media_type: Literal["image/png", "image/jpeg", "image/gif", "image/webp"]
    data: str

    @field_validator("data")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("image data must be base64") from None
        return value


Block = Union[TextBlock, ImageBlock]
Prompt = Union[str, list[Block]]


def split_prompt(prompt: Prompt) -> tuple[str, list[dict[str, Any]]]:
    """(text, pi image blocks) of a prompt; the text of several text blocks joined by blank lines."""
    if isinstance(prompt, str):
        return prompt, []
    texts = [b.text for b in prompt if isinstance(b, TextBlock)]
    images = [{"type": "image", "data": b.data, "mimeType": b.media_type} for b in prompt if isinstance(b, ImageBlock)]
    return "\n\n".join(texts), images


class Budget(_Params):
    max_tokens: int | None = Field(default=None, gt=0)
    max_cost: float | None = Field(default=None, gt=0)
    max_turns: int | None = Field(default=None, gt=0)
    max_tool_calls: int | None = Field(default=None, gt=0)
    max_duration: float | None = Field(default=None, gt=0)


class StructuredParams(_Params):
    output_schema: dict[str, Any] | None = None
    structured_output_retries: int = Field(default=2, ge=0, le=10)


class Initialize(_Params):
    model_config = ConfigDict(extra="allow")  # clients may send more about themselves
    contract_version: str | None = None
    client: str | None = None


class SessionCreate(StructuredParams):
    prompt: Prompt | None = None
    deferred: bool = False  # allocate the session now, run the prompt (if any) with turn/start later
    model: str | None = None
    provider: Literal["anthropic", "openai", "replay"] | None = None
    system_prompt: str | None = None
    cwd: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    approval_mode: Literal["ask", "edits", "plan", "yolo"] | None = None
    allow: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)
    thinking: Literal["off", "minimal", "low", "medium", "high"] | None = None
    budget: Budget | None = None
    agent: str | None = None  # a playbook agent ([[agents]]) the session runs as
    variables: dict[str, str] = Field(default_factory=dict)  # playbook context variables
    journey: str | None = None  # a playbook journey to start


class SessionRef(_Params):
    session_id: str = Field(min_length=1)


class SessionList(_Params):
    limit: int = Field(default=50, ge=0)
    offset: int = Field(default=0, ge=0)
    labels: dict[str, str] | None = None
    include_stored: bool = False  # also the sessions on disk that this server has not opened


class SessionHistory(SessionRef):
    leaf: str | None = None  # entry id: the branch ending there (default: the active branch)


class TurnStart(StructuredParams):
    session_id: str = Field(min_length=1)
    prompt: Prompt
    variables: dict[str, str] = Field(default_factory=dict)  # set before the turn (the seed's context_variables)


class ApprovalList(_Params):
    session_id: str | None = None


class ApprovalRespond(_Params):
    request_id: str
    decision: Literal["once", "session", "always", "deny"]
    feedback: str | None = None


class CancelRequest(_Params):
    id: int | str


# --- mobs --------------------------------------------------------------------------------------

class MobCreate(_Params):
    definition: str = Field(min_length=1)  # a TOML file path, or "demo" for the built-in demo mob
    task: str | None = None  # sent to the orchestrator right away when given


class MobRef(_Params):
    mob_id: str = Field(min_length=1)


class MobSpawn(MobRef):
    profile: str
    identity: str
    initial_message: str | None = None


class MobMember(MobRef):
    identity: str


class MobWire(MobRef):
    a: str
    b: str


class MobMemberSend(MobRef):
    identity: str
    text: str = Field(min_length=1)


class MobEvents(MobRef):
    after: int = Field(default=0, ge=0)  # sequence number: events from here on
    limit: int = Field(default=500, gt=0, le=10_000)
