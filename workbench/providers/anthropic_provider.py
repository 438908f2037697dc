"""Anthropic Messages API through the official SDK (AsyncAnthropic), streaming.

SDK retries are off (max_retries=0): the runtime owns retries. The SDK reads ANTHROPIC_API_KEY and
ANTHROPIC_BASE_URL; explicit api_key / base_url win. The stable prefix (system prompt, tools, and
the conversation up to the last user message) is marked with cache_control, as pi and Claude Code do.
"""

from __future__ import annotations

import re
from typing import Any, AsyncIterator

from workbench.providers.assembly import start_assembly
from workbench.providers.base import (
    ProviderError, ProviderRequest, StreamEvent, TextDeltaEvent, ThinkingDeltaEvent,
    ToolCallDeltaEvent, ToolCallStartEvent, ToolSpec,
)
from workbench.providers.catalog import lookup_model
from workbench.providers.context import (
    MISSING_RESULT_TEXT, is_same_model, thinking_text, to_llm_messages, user_blocks,
)
from workbench.providers.errors import classify

API = "anthropic-messages"

# thinking level → budget tokens (Anthropic's minimum budget is 1024)
THINKING_BUDGETS: dict[str, int] = {"off": 0, "minimal": 1024, "low": 4096, "medium": 10240, "high": 32768}
DEFAULT_MAX_TOKENS = 16384  # output budget when the request names none (capped by the model's max)

STOP_REASONS = {"end_turn": "stop", "stop_sequence": "stop", "pause_turn": "stop", "max_tokens": "length",
                "model_context_window_exceeded": "length", "tool_use": "toolUse", "refusal": "error"}

_EPHEMERAL = {"type": "ephemeral"}
_BAD_ID_CHARS = re.compile(r"[^a-zA-Z0-9_-]")


def tool_id(raw: str) -> str:
    """Anthropic accepts tool ids matching ^[a-zA-Z0-9_-]{1,64}$; ids from other providers may not."""
    return _BAD_ID_CHARS.sub("_", raw)[:64] or "tool"


def _image(block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": block.get("mimeType", "image/png"),
                                        "data": block.get("data", "")}}


def _user_content(content: Any) -> list[dict[str, Any]]:
    out = []
    for block in user_blocks(content):
        if block["type"] == "text":
            if block.get("text", "").strip():
                out.append({"type": "text", "text": block["text"]})
        else:
            out.append(_image(block))
    return out


def _assistant_content(msg: dict[str, Any], model: str | None = None) -> list[dict[str, Any]]:
    same_model = is_same_model(msg, API, model)
    out: list[dict[str, Any]] = []
    for block in msg.get("content") or []:
        kind = block.get("type")
        if kind == "text" and block.get("text", "").strip():
            out.append({"type": "text", "text": block["text"]})
        elif kind == "thinking":
            # a signature is only valid for the model that made it; as pi does, thinking without a
            # usable one (unsigned, or another provider's) goes as a plain text block
            signature = block.get("thinkingSignature")
            if same_model and isinstance(signature, str) and signature.strip():
                if block.get("redacted"):
                    out.append({"type": "redacted_thinking", "data": signature})
                else:
                    out.append({"type": "thinking", "thinking": block.get("thinking", ""), "signature": signature})
            elif (text := thinking_text(block)) is not None:
                out.append({"type": "text", "text": text})
        elif kind == "toolCall":
            out.append({"type": "tool_use", "id": tool_id(block.get("id", "")), "name": block.get("name", ""),
                        "input": block.get("arguments") or {}})
    return out


def _tool_result(msg: dict[str, Any]) -> dict[str, Any]:
    parts = []
    for block in msg.get("content") or []:
        if block.get("type") == "text":
            parts.append({"type": "text", "text": block.get("text", "")})
        elif block.get("type") == "image":
            parts.append(_image(block))
    if not any(p["type"] == "text" and p["text"] for p in parts):
        parts.insert(0, {"type": "text", "text": "(no output)"})
    return {"type": "tool_result", "tool_use_id": tool_id(msg.get("toolCallId", "")), "content": parts,
            "is_error": bool(msg.get("isError"))}


def convert_messages(messages: list[dict[str, Any]], model: str | None = None) -> list[dict[str, Any]]:
    """pi AgentMessages → Anthropic `messages`. Consecutive tool results merge into one user
    message; errored/aborted assistant turns are left out (as pi does); a tool call that never got
    a result gets a synthetic error result so the API accepts the history."""
    out: list[dict[str, Any]] = []
    pending_calls: list[str] = []  # tool_use ids of the last assistant message still without result

    def flush_missing() -> None:
        if not pending_calls:
            return
        missing = [{"type": "tool_result", "tool_use_id": cid, "is_error": True,
                    "content": [{"type": "text", "text": MISSING_RESULT_TEXT}]}
                   for cid in pending_calls]
        _append_user(out, missing, tool_results=True)
        pending_calls.clear()

    for msg in to_llm_messages(messages):
        role = msg["role"]
        if role == "toolResult":
            block = _tool_result(msg)
            if block["tool_use_id"] in pending_calls:
                pending_calls.remove(block["tool_use_id"])
            _append_user(out, [block], tool_results=True)
            continue
        flush_missing()
        if role == "user":
            content = _user_content(msg.get("content"))
            if content:
                out.append({"role": "user", "content": content})
        elif role == "assistant":
            if msg.get("stopReason") in ("error", "aborted"):
                continue
            content = _assistant_content(msg, model)
            if content:
                out.append({"role": "assistant", "content": content})
                pending_calls.extend(b["id"] for b in content if b["type"] == "tool_use")
    flush_missing()
    return out


def _append_user(out: list[dict[str, Any]], blocks: list[dict[str, Any]], *, tool_results: bool) -> None:
    last = out[-1] if out else None
    if (tool_results and last is not None and last["role"] == "user"
            and all(b.get("type") == "tool_result" for b in last["content"])):
        last["content"].extend(blocks)
    else:
        out.append({"role": "user", "content": list(blocks)})


def add_cache_breakpoints(messages: list[dict[str, Any]]) -> None:
    """cache_control on the last block of the last user message: everything before it is reused."""
    for msg in reversed(messages):
        if msg["role"] == "user" and msg["content"]:
            last = msg["content"][-1]
            msg["content"][-1] = {**last, "cache_control": _EPHEMERAL}
            return


def convert_tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    out = [{"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools]
    if out:
        out[-1]["cache_control"] = _EPHEMERAL
    return out


def build_params(request: ProviderRequest) -> dict[str, Any]:
    """The keyword arguments of `messages.create` for one turn (also used by tests)."""
    info = lookup_model(request.model, "anthropic")
    max_tokens = min(request.max_output_tokens or DEFAULT_MAX_TOKENS, info.max_output)
    messages = convert_messages(request.messages, request.model)
    add_cache_breakpoints(messages)
    params: dict[str, Any] = {"model": request.model, "messages": messages, "max_tokens": max_tokens}
    if request.system_prompt:
        params["system"] = [{"type": "text", "text": request.system_prompt, "cache_control": _EPHEMERAL}]
    if request.tools:
        params["tools"] = convert_tools(request.tools)
    budget = THINKING_BUDGETS.get(request.thinking_level, 0)
    if budget and (info.reasoning or not info.known):
        # thinking tokens count against max_tokens: grow it by the budget, within the model's max
        max_tokens = min(max_tokens + budget, info.max_output)
        if max_tokens - budget < 1024:
            budget = max_tokens - 1024
        if budget >= 1024:
            params["max_tokens"] = max_tokens
            params["thinking"] = {"type": "enabled", "budget_tokens": budget}
    return params


class AnthropicProvider:
    name = "anthropic"
    api = API

    def __init__(self, *, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout: float | None = None, client: Any = None):
        self.model = model
        self._base_url = base_url
        self._api_key = api_key
        self._timeout = timeout
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            # not `anthropic.AsyncAnthropic`: under workbench/sdk_lazy.py that would load the whole
            # package (Bedrock, Vertex, ... clients); without it, this is the same class
            from anthropic._client import AsyncAnthropic

            kwargs: dict[str, Any] = {"max_retries": 0}
            if self._api_key:
                kwargs["api_key"] = self._api_key
            else:  # the SDK would fail later, mid-request, with a raw TypeError
                from workbench.providers.credentials import setup_problem

                problem = setup_problem("anthropic")
                if problem is not None:
                    raise ProviderError("auth", problem[:1].upper() + problem[1:])
            if self._base_url:
                kwargs["base_url"] = self._base_url
            if self._timeout is not None:
                kwargs["timeout"] = self._timeout
            try:
                self._client = AsyncAnthropic(**kwargs)
            except Exception as exc:  # e.g. no credentials found anywhere
                raise ProviderError("auth", f"Cannot set up the Anthropic client: {exc}. Set ANTHROPIC_API_KEY.") from exc
        return self._client

    @property
    def base_url(self) -> str:
        return str(self._client.base_url if self._client is not None else self._base_url or "https://api.anthropic.com").rstrip("/")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        request, asm = start_assembly(request, default_model=self.model, api=API, provider=self.name)
        params = build_params(request)
        tools_by_index: dict[int, str] = {}
        finished = False
        try:
            client = self.client
            stream = await client.messages.create(**params, stream=True)
            async with stream:
                async for event in stream:
                    etype = event.type
                    if etype == "message_start":
                        u = event.message.usage
                        asm.set_usage(input=u.input_tokens or 0, output=u.output_tokens or 0,
                                      cache_read=getattr(u, "cache_read_input_tokens", None) or 0,
                                      cache_write=getattr(u, "cache_creation_input_tokens", None) or 0)
                    elif etype == "content_block_start":
                        block = event.content_block
                        if block.type == "tool_use":
                            tools_by_index[event.index] = block.id
                            asm.start_tool(block.id, block.name)
                            yield ToolCallStartEvent(id=block.id, name=block.name)
                        elif block.type == "redacted_thinking":
                            asm.blocks.append({"type": "thinking", "thinking": "", "thinkingSignature": block.data,
                                               "redacted": True, "_closed": True})
                        elif block.type == "text" and block.text:
                            asm.add_text(block.text)
                            yield TextDeltaEvent(block.text)
                    elif etype == "content_block_delta":
                        delta = event.delta
                        if delta.type == "text_delta":
                            asm.add_text(delta.text)
                            yield TextDeltaEvent(delta.text)
                        elif delta.type == "thinking_delta":
                            asm.add_thinking(delta.thinking)
                            yield ThinkingDeltaEvent(delta.thinking)
                        elif delta.type == "signature_delta":
                            asm.set_thinking_signature(delta.signature)
                        elif delta.type == "input_json_delta":
                            call_id = tools_by_index.get(event.index)
                            if call_id is not None:
                                asm.tool_delta(call_id, delta.partial_json)
                                yield ToolCallDeltaEvent(id=call_id, partial_json=delta.partial_json)
                    elif etype == "content_block_stop":
                        call_id = tools_by_index.pop(event.index, None)
                        if call_id is not None:
                            yield asm.finish_tool(call_id)
                        else:
                            asm.close_block()
                    elif etype == "message_delta":
                        if event.delta.stop_reason:
                            asm.stop_reason = STOP_REASONS.get(event.delta.stop_reason, "stop")
                        u = event.usage
                        asm.set_usage(output=u.output_tokens,
                                      input=getattr(u, "input_tokens", None),
                                      cache_read=getattr(u, "cache_read_input_tokens", None),
                                      cache_write=getattr(u, "cache_creation_input_tokens", None))
                    elif etype == "message_stop":
                        finished = True
            if not finished:
                raise ProviderError("connection", f"Connection to {self.base_url} dropped: "
                                    "the stream ended before message_stop")
        except Exception as exc:
            err = asm.failed(classify(exc, label="Anthropic", base_url=self.base_url, key_env="ANTHROPIC_API_KEY"))
            raise err from (exc if exc is not err else None)
        for event in asm.finish():
            yield event
