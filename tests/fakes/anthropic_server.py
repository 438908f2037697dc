"""Anthropic Messages API streaming, faked: builders for the SSE events of one answer and for error
replies, on top of FakeHTTPServer.

    with FakeHTTPServer([anthropic_stream([text("Hello"), tool_use("toolu_1", "read", {"path": "a"})],
                                          stop_reason="tool_use")]) as srv:
        provider = make_provider("anthropic", model="claude-sonnet-4-5", base_url=srv.url, api_key="k")

The SDK posts to `<base_url>/v1/messages`; `srv.requests[i].json` is the request body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http_server import SSE, FakeHTTPServer, Reply  # noqa: F401  (re-exported)


def split(text: str, pieces: int) -> list[str]:
    """Cut text into `pieces` roughly equal parts (at least 1 char each)."""
    pieces = max(1, min(pieces, len(text))) if text else 1
    size = -(-len(text) // pieces) if text else 0
    return [text[i:i + size] for i in range(0, len(text), size)] if text else [""]


@dataclass
class Block:
    kind: str  # text | thinking | tool_use | redacted_thinking
    text: str = ""
    signature: str | None = None
    id: str = ""
    name: str = ""
    input_json: str = ""
    pieces: int = 3
    extra: dict[str, Any] = field(default_factory=dict)


def text(value: str, pieces: int = 3) -> Block:
    return Block("text", text=value, pieces=pieces)


def thinking(value: str, signature: str | None = "sig-1", pieces: int = 3) -> Block:
    return Block("thinking", text=value, signature=signature, pieces=pieces)


def tool_use(id: str, name: str, input: dict[str, Any] | str, pieces: int = 8) -> Block:
    """`input` as a dict is serialised; a str is sent verbatim (to test malformed JSON)."""
    raw = input if isinstance(input, str) else json.dumps(input)
    return Block("tool_use", id=id, name=name, input_json=raw, pieces=pieces)


def _ev(name: str, data: dict[str, Any]) -> tuple[str, str]:
    return name, json.dumps({"type": name, **data})


def anthropic_events(blocks: list[Block], *, stop_reason: str = "end_turn", model: str = "claude-sonnet-4-5",
                     input_tokens: int = 100, output_tokens: int = 50, cache_read: int = 0,
                     cache_write: int = 0, message_id: str = "msg_fake_1", ping: bool = True,
                     error: tuple[str, str] | None = None) -> list[tuple[str | None, str]]:
    """The SSE events of one streamed answer. `error=(type, message)` replaces the tail (after the
    blocks' content) with an `error` event, as the API does when it fails mid-stream."""
    events = [_ev("message_start", {"message": {
        "id": message_id, "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": 1, "cache_read_input_tokens": cache_read,
                  "cache_creation_input_tokens": cache_write}}})]
    if ping:
        events.append(_ev("ping", {}))
    for index, block in enumerate(blocks):
        if block.kind == "text":
            events.append(_ev("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}}))
            for part in split(block.text, block.pieces):
                events.append(_ev("content_block_delta", {"index": index, "delta": {"type": "text_delta", "text": part}}))
        elif block.kind == "thinking":
            events.append(_ev("content_block_start", {"index": index, "content_block": {
                "type": "thinking", "thinking": "", "signature": ""}}))
            for part in split(block.text, block.pieces):
                events.append(_ev("content_block_delta", {"index": index, "delta": {"type": "thinking_delta", "thinking": part}}))
            if block.signature:
                events.append(_ev("content_block_delta", {"index": index, "delta": {
                    "type": "signature_delta", "signature": block.signature}}))
        elif block.kind == "tool_use":
            events.append(_ev("content_block_start", {"index": index, "content_block": {
                "type": "tool_use", "id": block.id, "name": block.name, "input": {}}}))
            for part in split(block.input_json, block.pieces):
                events.append(_ev("content_block_delta", {"index": index, "delta": {
                    "type": "input_json_delta", "partial_json": part}}))
        events.append(_ev("content_block_stop", {"index": index}))
    if error is not None:
        events.append(_ev("error", {"error": {"type": error[0], "message": error[1]}}))
        return events
    events.append(_ev("message_delta", {"delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                        "usage": {"output_tokens": output_tokens}}))
    events.append(_ev("message_stop", {}))
    return events


def anthropic_stream(blocks: list[Block], *, delay: float = 0.0, drop_after: int | None = None, **kw: Any) -> SSE:
    return SSE(anthropic_events(blocks, **kw), delay=delay, drop_after=drop_after,
               headers={"request-id": "req_fake"})


def anthropic_error(status: int, error_type: str, message: str, *, retry_after: str | None = None,
                    retry_after_ms: str | None = None) -> Reply:
    headers = {}
    if retry_after is not None:
        headers["retry-after"] = retry_after
    if retry_after_ms is not None:
        headers["retry-after-ms"] = retry_after_ms
    return Reply(status, {"type": "error", "error": {"type": error_type, "message": message}}, headers=headers)
