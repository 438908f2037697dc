"""The replay provider: plays a scripted conversation, for tests and the offline demo.

A script is JSON (format in docs/providers.md). Each call to `stream()` plays the next turn, in
order: thinking / text chunks and tool calls, each after its delay, then the usage and stop reason;
a turn may instead (or after some chunks) raise an injected ProviderError, which is how runtime
tests exercise retries. When the script is exhausted the provider says so in plain text and stops.
`ScriptBuilder` builds scripts in Python.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any, AsyncIterator, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench.providers.assembly import AssistantAssembler
from workbench.providers.base import (
    ErrorKind, ProviderError, ProviderRequest, StreamDone, StreamEvent, TextDeltaEvent, ThinkingDeltaEvent,
    ToolCallDeltaEvent, ToolCallStartEvent,
)
from workbench.errors import InvalidParams
from workbench.providers.errors import describe

API = "replay"
ENDED_TEXT = ("The replay script has ended: there are no more scripted answers. "
              "Start a new session, or configure a real model.")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToolCallSpec(_Model):
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    id: str | None = None  # generated when omitted


class Chunk(_Model):
    """Exactly one of text / thinking / tool_call."""

    text: str | None = None
    thinking: str | None = None
    tool_call: ToolCallSpec | None = None
    delay_ms: float | None = None  # overrides the turn's delay before this chunk

    @model_validator(mode="after")
    def _one_kind(self) -> "Chunk":
        kinds = [k for k in ("text", "thinking", "tool_call") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a chunk needs exactly one of text, thinking, tool_call (got {kinds or 'none'})")
        return self


class InjectedError(_Model):
    kind: Literal[get_args(ErrorKind)]  # type: ignore[valid-type]
    message: str | None = None  # default: the message the real classifier would give
    status: int | None = None
    retry_after: float | None = None  # seconds
    after_chunks: int = Field(default=0, ge=0)  # play this many chunks first: a stream dying midway


class Usage(_Model):
    input: int = 0
    output: int = 0
    cacheRead: int = 0
    cacheWrite: int = 0


class Turn(_Model):
    chunks: list[Chunk] = Field(default_factory=list)
    delay_ms: float | None = None  # before each chunk; default: the script's delay_ms
    usage: Usage | None = None  # default: estimated from characters (about 4 per token)
    stop_reason: Literal["stop", "length", "toolUse", "error"] | None = None  # default: toolUse if tool calls
    error: InjectedError | None = None


class ReplayScript(_Model):
    version: Literal[1] = 1
    description: str = ""
    delay_ms: float = 0.0
    ended_text: str = ENDED_TEXT
    turns: list[Turn] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        # a turn may say {"text": ..., "thinking": ..., "tool_calls": [...]} instead of listing chunks
        if isinstance(data, dict) and isinstance(data.get("turns"), list):
            data = {**data, "turns": [_expand_turn(t) for t in data["turns"]]}
        return data

    def to_json(self, **kw: Any) -> str:
        return self.model_dump_json(exclude_none=True, exclude_defaults=True, **kw)


_WORDS = re.compile(r"\S+\s*|\s+")


def split_words(text: str, words_per_chunk: int = 2) -> list[str]:
    """Cut text into small chunks of a few words (whitespace kept), so it streams like a model."""
    words = _WORDS.findall(text)
    return ["".join(words[i:i + words_per_chunk]) for i in range(0, len(words), words_per_chunk)] or [text]


def _expand_turn(turn: Any) -> Any:
    if not isinstance(turn, dict) or not ({"text", "thinking", "tool_calls"} & turn.keys()):
        return turn
    if turn.get("chunks"):
        raise ValueError("a turn uses either chunks or the text/thinking/tool_calls shorthand, not both")
    rest = {k: v for k, v in turn.items() if k not in ("text", "thinking", "tool_calls")}
    chunks: list[dict[str, Any]] = []
    if turn.get("thinking"):
        chunks += [{"thinking": part} for part in split_words(str(turn["thinking"]))]
    if turn.get("text"):
        chunks += [{"text": part} for part in split_words(str(turn["text"]))]
    chunks += [{"tool_call": call} for call in turn.get("tool_calls") or []]
    return {**rest, "chunks": chunks}


class ScriptError(InvalidParams, ValueError):
    """A replay script that cannot be used; the message names the file and the place in it."""


def parse_script(data: Any, *, source: str = "<script>") -> ReplayScript:
    try:
        return ReplayScript.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.get("loc", ())).lstrip(".")
            problems.append(f"{source}: {loc or '(top level)'}: {err.get('msg')}")
        raise ScriptError("\n".join(problems)) from None
    except ValueError as exc:
        raise ScriptError(f"{source}: {exc}") from None


def load_script(path: str | Path) -> ReplayScript:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"{path}: cannot read the replay script: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    return parse_script(data, source=str(path))


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """About 4 characters per token over the text in the messages: a stand-in usage figure."""
    chars = 0
    for msg in messages:
        content = msg.get("content")
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):
            for block in content:
                chars += len(block.get("text") or block.get("thinking") or "")
                if block.get("type") == "toolCall":
                    chars += 20 + 8 * len(block.get("arguments") or ())
        else:
            chars += len(msg.get("output") or msg.get("summary") or "")
    return chars // 4 + len(messages) * 4


class ReplayProvider:
    name = "replay"
    api = API

    def __init__(self, script: ReplayScript, *, model: str = "replay", delay_scale: float = 1.0,
                 is_demo: bool = False):
        self.script = script
        self.model = model
        self.delay_scale = delay_scale  # 0 = no delays at all
        self.is_demo = is_demo
        self.position = 0  # index of the next turn to play
        self._context_reported = 0  # the context the last turn's figures described (input + output)

    @property
    def exhausted(self) -> bool:
        return self.position >= len(self.script.turns)

    async def aclose(self) -> None:
        return None

    async def _pause(self, delay_ms: float) -> None:
        if delay_ms and self.delay_scale:
            await asyncio.sleep(delay_ms * self.delay_scale / 1000.0)

    def _estimated_usage(self, asm: AssistantAssembler, request: ProviderRequest, output: int) -> None:
        """A turn without scripted figures: the input is estimated from the request, but never
        below the context the script's earlier figures described (a follow-up after the demo's
        last scripted turn used to make the context meter drop)."""
        context = max(estimate_tokens(request.messages), self._context_reported)
        asm.set_usage(input=context, output=output)
        self._context_reported = context + output

    async def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        model = request.model or self.model
        asm = AssistantAssembler(api=API, provider=self.name, model=model)
        if self.exhausted:
            asm.add_text(self.script.ended_text)
            yield TextDeltaEvent(self.script.ended_text)
            self._estimated_usage(asm, request, len(self.script.ended_text) // 4)
            yield StreamDone(asm.message(stop_reason="stop"))
            return
        number = self.position
        turn = self.script.turns[number]
        self.position += 1
        delay = turn.delay_ms if turn.delay_ms is not None else self.script.delay_ms
        error = turn.error
        limit = error.after_chunks if error is not None else len(turn.chunks)
        await asyncio.sleep(0)  # one scheduling point per turn, so interrupts land even at zero delay
        has_tools = False
        for index, chunk in enumerate(turn.chunks[:limit]):
            await self._pause(chunk.delay_ms if chunk.delay_ms is not None else delay)
            if chunk.text is not None:
                asm.add_text(chunk.text)
                yield TextDeltaEvent(chunk.text)
            elif chunk.thinking is not None:
                asm.add_thinking(chunk.thinking)
                yield ThinkingDeltaEvent(chunk.thinking)
            elif chunk.tool_call is not None:
                has_tools = True
                call = chunk.tool_call
                call_id = call.id or f"replay_{number}_{index}"
                raw = json.dumps(call.arguments)
                asm.start_tool(call_id, call.name)
                yield ToolCallStartEvent(id=call_id, name=call.name)
                asm.tool_delta(call_id, raw)
                yield ToolCallDeltaEvent(id=call_id, partial_json=raw)
                yield asm.finish_tool(call_id)
        if error is not None:
            message = error.message or describe(error.kind, label="Replay", status=error.status,
                                                retry_after=error.retry_after, detail="injected by the script",
                                                mid_stream=bool(asm.blocks))
            partial = asm.partial(message) if asm.blocks else None
            raise ProviderError(error.kind, message, status=error.status, retry_after=error.retry_after,
                                partial=partial)
        if turn.usage is not None:
            u = turn.usage
            asm.set_usage(input=u.input, output=u.output, cache_read=u.cacheRead, cache_write=u.cacheWrite)
            self._context_reported = u.input + u.output + u.cacheRead + u.cacheWrite
        else:
            produced = sum(len(b.get("text") or b.get("thinking") or "") + (40 if b["type"] == "toolCall" else 0)
                           for b in asm.blocks)
            self._estimated_usage(asm, request, max(1, produced // 4))
        stop = turn.stop_reason or ("toolUse" if has_tools else "stop")
        yield StreamDone(asm.message(stop_reason=stop))


class ScriptBuilder:
    """Build a ReplayScript in Python. Chunk methods add to the current turn; `turn()` starts a new one.

        script = (ScriptBuilder()
                  .turn().thinking("Look first.").text("Reading it.").tool_call("read", {"path": "a.py"})
                  .turn().error("rate_limited", retry_after=0.01)
                  .turn().text("Done.").usage(input=120, output=8)
                  .build())
    """

    def __init__(self, *, delay_ms: float = 0.0, description: str = "", ended_text: str = ENDED_TEXT):
        self._script: dict[str, Any] = {"delay_ms": delay_ms, "description": description,
                                        "ended_text": ended_text, "turns": []}

    def _current(self) -> dict[str, Any]:
        if not self._script["turns"]:
            self.turn()
        return self._script["turns"][-1]

    def turn(self, *, delay_ms: float | None = None) -> "ScriptBuilder":
        self._script["turns"].append({"chunks": [], **({"delay_ms": delay_ms} if delay_ms is not None else {})})
        return self

    def text(self, text: str, *, split: bool = False, delay_ms: float | None = None) -> "ScriptBuilder":
        for part in split_words(text) if split else [text]:
            self._current()["chunks"].append({"text": part, **({"delay_ms": delay_ms} if delay_ms is not None else {})})
        return self

    def thinking(self, text: str, *, split: bool = False, delay_ms: float | None = None) -> "ScriptBuilder":
        for part in split_words(text) if split else [text]:
            self._current()["chunks"].append({"thinking": part, **({"delay_ms": delay_ms} if delay_ms is not None else {})})
        return self

    def tool_call(self, name: str, arguments: dict[str, Any] | None = None, *, id: str | None = None,
                  delay_ms: float | None = None) -> "ScriptBuilder":
        call = {"name": name, "arguments": arguments or {}, **({"id": id} if id else {})}
        self._current()["chunks"].append({"tool_call": call, **({"delay_ms": delay_ms} if delay_ms is not None else {})})
        return self

    def usage(self, *, input: int = 0, output: int = 0, cache_read: int = 0, cache_write: int = 0) -> "ScriptBuilder":
        self._current()["usage"] = {"input": input, "output": output, "cacheRead": cache_read, "cacheWrite": cache_write}
        return self

    def stop_reason(self, reason: str) -> "ScriptBuilder":
        self._current()["stop_reason"] = reason
        return self

    def delay(self, delay_ms: float) -> "ScriptBuilder":
        self._current()["delay_ms"] = delay_ms
        return self

    def error(self, kind: str, message: str | None = None, *, status: int | None = None,
              retry_after: float | None = None, after_chunks: int | None = None) -> "ScriptBuilder":
        """Make the current turn fail. By default after all the chunks added so far (a stream that
        dies midway when there are some, an immediate error when there are none)."""
        turn = self._current()
        err: dict[str, Any] = {"kind": kind, "after_chunks": len(turn["chunks"]) if after_chunks is None else after_chunks}
        for key, value in (("message", message), ("status", status), ("retry_after", retry_after)):
            if value is not None:
                err[key] = value
        turn["error"] = err
        return self

    def build(self) -> ReplayScript:
        return parse_script(self._script, source="ScriptBuilder")
