"""Builds the pi-format assistant message while a provider streams, so a stream that dies midway
still yields everything received so far (the `partial` of a ProviderError).

The SDK providers share the frame around their wire format: `start_assembly` at the start of a
stream, `AssistantAssembler.failed` for any error, `AssistantAssembler.finish` at the end."""

from __future__ import annotations

import json
import time
from typing import Any

from workbench.providers.base import ProviderError, ProviderRequest, StreamDone, StreamEvent, ToolCallEndEvent
from workbench.providers.catalog import cost_breakdown

INVALID_JSON_KEY = "__invalid_json__"


def now_ms() -> int:
    return int(time.time() * 1000)


def empty_usage() -> dict[str, Any]:
    return {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 0,
            "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "total": 0}}


def parse_tool_arguments(raw: str) -> dict[str, Any]:
    """Streamed tool input → arguments. Malformed or non-object JSON is kept verbatim under
    `__invalid_json__` so the runtime can tell the model exactly what it sent."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {INVALID_JSON_KEY: raw}
    return value if isinstance(value, dict) else {INVALID_JSON_KEY: raw}


class AssistantAssembler:
    """Accumulates content blocks in stream order; `message()` renders the pi assistant dict."""

    def __init__(self, *, api: str, provider: str, model: str):
        self.api = api
        self.provider = provider
        self.model = model
        self.blocks: list[dict[str, Any]] = []
        self.usage: dict[str, Any] = empty_usage()
        self.stop_reason = "stop"
        self._open_tools: dict[str, dict[str, Any]] = {}  # id -> {"name", "json"}
        self.timestamp = now_ms()

    # text and thinking: consecutive deltas of one kind extend the last block
    def add_text(self, text: str) -> None:
        if self.blocks and self.blocks[-1]["type"] == "text" and not self.blocks[-1].get("_closed"):
            self.blocks[-1]["text"] += text
        else:
            self.blocks.append({"type": "text", "text": text})

    def add_thinking(self, text: str) -> None:
        if self.blocks and self.blocks[-1]["type"] == "thinking" and not self.blocks[-1].get("_closed"):
            self.blocks[-1]["thinking"] += text
        else:
            self.blocks.append({"type": "thinking", "thinking": text})

    def set_thinking_signature(self, signature: str) -> None:
        for block in reversed(self.blocks):
            if block["type"] == "thinking":
                block["thinkingSignature"] = block.get("thinkingSignature", "") + signature
                return
        self.blocks.append({"type": "thinking", "thinking": "", "thinkingSignature": signature})

    def close_block(self) -> None:
        """Marks the last block finished, so the next delta of the same kind opens a new one."""
        if self.blocks:
            self.blocks[-1]["_closed"] = True

    def start_tool(self, call_id: str, name: str) -> None:
        block = {"type": "toolCall", "id": call_id, "name": name, "arguments": {}}
        self.blocks.append(block)
        self._open_tools[call_id] = {"block": block, "json": ""}

    def tool_delta(self, call_id: str, partial_json: str) -> None:
        self._open_tools[call_id]["json"] += partial_json

    def tool_name(self, call_id: str) -> str:
        return self._open_tools[call_id]["block"]["name"]

    def has_open_tool(self, call_id: str) -> bool:
        return call_id in self._open_tools

    def finish_tool(self, call_id: str) -> ToolCallEndEvent:
        state = self._open_tools.pop(call_id)
        block = state["block"]
        block["arguments"] = parse_tool_arguments(state["json"])
        block["_closed"] = True
        return ToolCallEndEvent(id=call_id, name=block["name"], arguments=block["arguments"])

    def finish_open_tools(self) -> list[ToolCallEndEvent]:
        return [self.finish_tool(call_id) for call_id in list(self._open_tools)]

    def set_usage(self, *, input: int | None = None, output: int | None = None,
                  cache_read: int | None = None, cache_write: int | None = None) -> None:
        if input is not None:
            self.usage["input"] = input
        if output is not None:
            self.usage["output"] = output
        if cache_read is not None:
            self.usage["cacheRead"] = cache_read
        if cache_write is not None:
            self.usage["cacheWrite"] = cache_write
        u = self.usage
        u["totalTokens"] = u["input"] + u["output"] + u["cacheRead"] + u["cacheWrite"]

    def message(self, *, stop_reason: str | None = None, error_message: str | None = None) -> dict[str, Any]:
        content = []
        for block in self.blocks:
            clean = {k: v for k, v in block.items() if not k.startswith("_")}
            if clean["type"] == "toolCall" and clean["id"] in self._open_tools:
                # a tool call cut off mid-stream: keep what arrived, visibly unparsed
                raw = self._open_tools[clean["id"]]["json"]
                clean["arguments"] = parse_tool_arguments(raw) if raw else {}
            content.append(clean)
        usage = dict(self.usage)
        usage["cost"] = cost_breakdown(self.model, usage) or empty_usage()["cost"]
        msg: dict[str, Any] = {
            "role": "assistant", "content": content, "api": self.api, "provider": self.provider,
            "model": self.model, "usage": usage, "stopReason": stop_reason or self.stop_reason,
            "timestamp": self.timestamp,
        }
        if error_message is not None:
            msg["errorMessage"] = error_message
        return msg

    def partial(self, error_message: str) -> dict[str, Any]:
        return self.message(stop_reason="error", error_message=error_message)

    def failed(self, err: ProviderError) -> ProviderError:
        """The error to raise for a stream that failed: it carries what was streamed before it."""
        if self.blocks and err.partial is None:
            err.partial = self.partial(err.message)
        return err

    def finish(self) -> list[StreamEvent]:
        """A stream's last events: the end of every tool call still open, then the finished message."""
        return [*self.finish_open_tools(), StreamDone(self.message())]


def start_assembly(request: ProviderRequest, *, default_model: str, api: str,
                   provider: str) -> tuple[ProviderRequest, AssistantAssembler]:
    """The set-up of one streamed turn: the request naming the model it runs on (its own, else the
    provider's default) and an assembler for the answer."""
    model = request.model or default_model
    if model != request.model:
        request = ProviderRequest(**{**request.__dict__, "model": model})
    return request, AssistantAssembler(api=api, provider=provider, model=model)
