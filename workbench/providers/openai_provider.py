"""OpenAI-compatible chat completions through the official SDK (AsyncOpenAI), streaming.

Works with OpenAI and with servers that speak its API (Ollama, llama.cpp, vLLM, OpenRouter):
OPENAI_API_KEY and OPENAI_BASE_URL are honoured, and a local server without a key gets a dummy
one. Usage comes from the final chunk (`stream_options.include_usage`); `reasoning_content` /
`reasoning` deltas, which some servers send, become thinking.
"""

from __future__ import annotations

import json
import os
from typing import Any, AsyncIterator

from workbench.providers.assembly import INVALID_JSON_KEY, start_assembly
from workbench.providers.base import (
    ProviderError, ProviderRequest, StreamEvent, TextDeltaEvent, ThinkingDeltaEvent,
    ToolCallDeltaEvent, ToolCallStartEvent, ToolSpec,
)
from workbench.providers.catalog import get_model
from workbench.providers.context import (
    MISSING_RESULT_TEXT, is_same_model, thinking_text, to_llm_messages, user_blocks,
)
from workbench.providers.errors import classify

API = "openai-completions"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
LOCAL_DUMMY_KEY = "not-needed"  # local servers ignore the key, but the SDK insists on one

FINISH_REASONS = {"stop": "stop", "length": "length", "tool_calls": "toolUse", "function_call": "toolUse",
                  "content_filter": "error"}
REASONING_EFFORT = {"minimal": "minimal", "low": "low", "medium": "medium", "high": "high"}


def _text_of(content: Any) -> str:
    return "\n".join(b.get("text", "") for b in user_blocks(content) if b["type"] == "text")


def _user_message(content: Any) -> dict[str, Any] | None:
    blocks = user_blocks(content)
    if not blocks:
        return None
    if all(b["type"] == "text" for b in blocks):
        text = "\n".join(b.get("text", "") for b in blocks)
        return {"role": "user", "content": text} if text.strip() else None
    parts = []
    for b in blocks:
        if b["type"] == "text":
            parts.append({"type": "text", "text": b.get("text", "")})
        else:
            url = f"data:{b.get('mimeType', 'image/png')};base64,{b.get('data', '')}"
            parts.append({"type": "image_url", "image_url": {"url": url}})
    return {"role": "user", "content": parts}


def _arguments_json(arguments: dict[str, Any]) -> str:
    if set(arguments) == {INVALID_JSON_KEY}:
        return str(arguments[INVALID_JSON_KEY])  # send back exactly what the model produced
    return json.dumps(arguments)


def _assistant_texts(msg: dict[str, Any], model: str | None) -> list[str]:
    """The text parts of an assistant message in order. Thinking from another model goes as
    text, as pi sends it; the same model's own thinking is not sent back (Chat Completions has
    no field for it)."""
    same_model = is_same_model(msg, API, model)
    texts = []
    for b in msg.get("content") or []:
        if b.get("type") == "text" and b.get("text"):
            texts.append(b["text"])
        elif b.get("type") == "thinking" and not same_model and (text := thinking_text(b)) is not None:
            texts.append(text)
    return texts


def convert_messages(messages: list[dict[str, Any]], system_prompt: str = "", model: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if system_prompt:
        out.append({"role": "system", "content": system_prompt})
    pending: list[str] = []
    # Chat Completions' tool messages carry text only: images a tool returned (an MCP server's
    # screenshot) follow the turn's tool messages as one user message.
    tool_images: list[dict[str, Any]] = []

    def flush_missing() -> None:
        for call_id in pending:
            out.append({"role": "tool", "tool_call_id": call_id,
                        "content": MISSING_RESULT_TEXT})
        pending.clear()
        if tool_images:
            out.append({"role": "user", "content": [
                {"type": "text", "text": "Images returned by the tool calls above:"}, *tool_images]})
            tool_images.clear()

    for msg in to_llm_messages(messages):
        role = msg["role"]
        if role == "toolResult":
            call_id = msg.get("toolCallId", "")
            if call_id in pending:
                pending.remove(call_id)
            text = _text_of(msg.get("content")) or "(no output)"
            for b in msg.get("content") or ():
                if isinstance(b, dict) and b.get("type") == "image":
                    url = f"data:{b.get('mimeType', 'image/png')};base64,{b.get('data', '')}"
                    tool_images.append({"type": "image_url", "image_url": {"url": url}})
            out.append({"role": "tool", "tool_call_id": call_id, "content": text})
            continue
        flush_missing()
        if role == "user":
            converted = _user_message(msg.get("content"))
            if converted:
                out.append(converted)
        elif role == "assistant":
            if msg.get("stopReason") in ("error", "aborted"):
                continue
            blocks = msg.get("content") or []
            texts = _assistant_texts(msg, model)
            text = "".join(texts)
            calls = [{"id": b.get("id", ""), "type": "function",
                      "function": {"name": b.get("name", ""), "arguments": _arguments_json(b.get("arguments") or {})}}
                     for b in blocks if b.get("type") == "toolCall"]
            if not text.strip() and not calls:
                continue
            content: Any = text or None
            if len(texts) > 1 and any(b.get("type") == "thinking" for b in blocks):
                # pi's shape when thinking became text: one text part per block
                content = [{"type": "text", "text": t} for t in texts if t.strip()]
            entry: dict[str, Any] = {"role": "assistant", "content": content}
            if calls:
                entry["tool_calls"] = calls
                pending.extend(c["id"] for c in calls)
            out.append(entry)
    flush_missing()
    return out


def convert_tools(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": t.name, "description": t.description,
                                              "parameters": t.parameters}} for t in tools]


def build_params(request: ProviderRequest) -> dict[str, Any]:
    params: dict[str, Any] = {
        "model": request.model,
        "messages": convert_messages(request.messages, request.system_prompt, request.model),
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if request.tools:
        params["tools"] = convert_tools(request.tools)
    if request.max_output_tokens:
        params["max_completion_tokens"] = request.max_output_tokens
    info = get_model(request.model)
    effort = REASONING_EFFORT.get(request.thinking_level)
    # only models the catalog knows as reasoning models get the parameter: local servers may reject it
    if effort and info is not None and info.provider == "openai" and info.reasoning:
        params["reasoning_effort"] = effort
    return params


class OpenAIProvider:
    name = "openai"
    api = API

    def __init__(self, *, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout: float | None = None, client: Any = None):
        self.model = model
        self._base_url = base_url or os.environ.get("OPENAI_BASE_URL") or None
        self._api_key = api_key
        self._timeout = timeout
        self._client = client

    @property
    def base_url(self) -> str:
        return (self._base_url or DEFAULT_BASE_URL).rstrip("/")

    @property
    def label(self) -> str:
        return "OpenAI" if self.base_url == DEFAULT_BASE_URL else "OpenAI-compatible API"

    @property
    def client(self) -> Any:
        if self._client is None:
            import openai

            key = self._api_key or os.environ.get("OPENAI_API_KEY")
            if not key:
                if self._base_url is None:
                    raise ProviderError("auth", "No OpenAI API key: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)")
                key = LOCAL_DUMMY_KEY
            kwargs: dict[str, Any] = {"api_key": key, "base_url": self.base_url, "max_retries": 0}
            if self._timeout is not None:
                kwargs["timeout"] = self._timeout
            self._client = openai.AsyncOpenAI(**kwargs)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()

    async def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        request, asm = start_assembly(request, default_model=self.model, api=API, provider=self.name)
        calls: dict[int, str] = {}  # stream index → call id
        finished = False
        try:
            client = self.client
            stream = await client.chat.completions.create(**build_params(request))
            async with stream:
                async for chunk in stream:
                    usage = getattr(chunk, "usage", None)
                    if usage is not None:
                        details = getattr(usage, "prompt_tokens_details", None)
                        cached = (getattr(details, "cached_tokens", None) or 0) if details is not None else 0
                        prompt = usage.prompt_tokens or 0
                        asm.set_usage(input=max(0, prompt - cached), output=usage.completion_tokens or 0,
                                      cache_read=cached, cache_write=0)
                    for choice in chunk.choices or []:
                        delta = choice.delta
                        if delta is not None:
                            extra = delta.model_extra or {}
                            reasoning = extra.get("reasoning_content") or extra.get("reasoning")
                            if isinstance(reasoning, str) and reasoning:
                                asm.add_thinking(reasoning)
                                yield ThinkingDeltaEvent(reasoning)
                            if delta.content:
                                asm.add_text(delta.content)
                                yield TextDeltaEvent(delta.content)
                            for tc in delta.tool_calls or []:
                                index = tc.index if tc.index is not None else len(calls)
                                fn = tc.function
                                if index not in calls:
                                    call_id = tc.id or f"call_{index}_{asm.timestamp}"
                                    calls[index] = call_id
                                    asm.start_tool(call_id, (fn.name if fn else None) or "")
                                    yield ToolCallStartEvent(id=call_id, name=asm.tool_name(call_id))
                                call_id = calls[index]
                                if fn is not None and fn.arguments:
                                    asm.tool_delta(call_id, fn.arguments)
                                    yield ToolCallDeltaEvent(id=call_id, partial_json=fn.arguments)
                        if choice.finish_reason:
                            finished = True
                            asm.stop_reason = FINISH_REASONS.get(choice.finish_reason, "stop")
            if not finished:
                raise ProviderError("connection", f"Connection to {self.base_url} dropped: "
                                    "the stream ended without a finish reason")
        except Exception as exc:
            err = asm.failed(classify(exc, label=self.label, base_url=self.base_url, key_env="OPENAI_API_KEY"))
            raise err from (exc if exc is not err else None)
        if calls and asm.stop_reason == "stop":
            asm.stop_reason = "toolUse"  # some local servers say "stop" after tool calls
        for event in asm.finish():
            yield event
