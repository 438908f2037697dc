"""OpenAI chat-completions streaming, faked: builders for the `data: {...}` chunks of one answer
(ending with `data: [DONE]`) and for error replies, on top of FakeHTTPServer.

The OpenAI SDK posts to `<base_url>/chat/completions`: give the provider `srv.url + "/v1"`.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.anthropic_server import split
from tests.fakes.http_server import SSE, FakeHTTPServer, Reply  # noqa: F401  (re-exported)


def _chunk(delta: dict[str, Any] | None, *, finish: str | None = None, usage: dict | None = None,
           model: str = "gpt-4.1") -> tuple[None, str]:
    body: dict[str, Any] = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1,
                            "model": model, "choices": []}
    if delta is not None:
        body["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
    if usage is not None:
        body["usage"] = usage
    return None, json.dumps(body)


def openai_events(*, text: str = "", reasoning: str = "", tool_calls: list[dict[str, Any]] | None = None,
                  finish_reason: str | None = None, prompt_tokens: int = 100, completion_tokens: int = 20,
                  cached_tokens: int | None = None, pieces: int = 3, include_usage: bool = True,
                  model: str = "gpt-4.1", error: dict[str, Any] | None = None,
                  done: bool = True) -> list[tuple[str | None, str]]:
    """tool_calls: [{"id", "name", "arguments": dict | raw str}] — arguments are split across chunks,
    with id and name only in the first chunk of each call (index-based deltas, as the API does).
    `error` puts an `{"error": {...}}` chunk after the content and stops there."""
    events = [_chunk({"role": "assistant", "content": ""}, model=model)]
    for part in split(reasoning, pieces) if reasoning else []:
        events.append(_chunk({"reasoning_content": part}, model=model))
    for part in split(text, pieces) if text else []:
        events.append(_chunk({"content": part}, model=model))
    for index, call in enumerate(tool_calls or []):
        raw = call["arguments"] if isinstance(call["arguments"], str) else json.dumps(call["arguments"])
        parts = split(raw, call.get("pieces", 6))
        events.append(_chunk({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                              "function": {"name": call["name"], "arguments": parts[0]}}]}, model=model))
        for part in parts[1:]:
            events.append(_chunk({"tool_calls": [{"index": index, "function": {"arguments": part}}]}, model=model))
    if error is not None:
        events.append((None, json.dumps({"error": error})))
        return events
    finish = finish_reason or ("tool_calls" if tool_calls else "stop")
    events.append(_chunk({}, finish=finish, model=model))
    if include_usage:
        usage: dict[str, Any] = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                                 "total_tokens": prompt_tokens + completion_tokens}
        if cached_tokens is not None:
            usage["prompt_tokens_details"] = {"cached_tokens": cached_tokens}
        events.append(_chunk(None, usage=usage, model=model))
    if done:
        events.append((None, "[DONE]"))
    return events


def openai_stream(*, delay: float = 0.0, drop_after: int | None = None, **kw: Any) -> SSE:
    return SSE(openai_events(**kw), delay=delay, drop_after=drop_after)


def openai_error(status: int, message: str, *, type: str = "invalid_request_error", code: str | None = None,
                 retry_after: str | None = None) -> Reply:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return Reply(status, {"error": {"message": message, "type": type, "code": code, "param": None}}, headers=headers)
