"""A provider for runtime tests with exact control over each turn: text, thinking, tool calls,
errors (with or without partial output), delays and gates (asyncio.Events the test opens), and a
record of every request it received."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, AsyncIterator

from workbench.providers.base import (ProviderError, ProviderRequest, StreamDone, TextDeltaEvent,
                                      ThinkingDeltaEvent, ToolCallEndEvent, ToolCallStartEvent)

_ids = itertools.count(1)


@dataclass
class Turn:
    steps: list[tuple] = field(default_factory=list)
    usage: tuple[int, int] = (10, 5)  # input, output

    def text(self, s: str) -> "Turn":
        self.steps.append(("text", s))
        return self

    def thinking(self, s: str) -> "Turn":
        self.steps.append(("thinking", s))
        return self

    def tool(self, name: str, args: dict[str, Any], call_id: str | None = None) -> "Turn":
        self.steps.append(("tool", call_id or f"call_{next(_ids)}", name, args))
        return self

    def delay(self, seconds: float) -> "Turn":
        self.steps.append(("delay", seconds))
        return self

    def gate(self, event: asyncio.Event) -> "Turn":
        """Stop streaming here until the test sets `event`."""
        self.steps.append(("gate", event))
        return self

    def error(self, kind: str, message: str = "boom", *, retry_after: float | None = None,
              status: int | None = None, with_partial: bool = False) -> "Turn":
        self.steps.append(("error", kind, message, retry_after, status, with_partial))
        return self


class ScriptedProvider:
    name = "replay"
    api = "replay"

    def __init__(self, turns: list[Turn], model: str = "scripted-model") -> None:
        self.turns = list(turns)
        self.model = model
        self.requests: list[ProviderRequest] = []

    async def aclose(self) -> None:
        return None

    def stream(self, request: ProviderRequest) -> AsyncIterator[Any]:
        self.requests.append(request)
        if not self.turns:
            raise AssertionError("ScriptedProvider: no scripted turn left")
        return self._play(self.turns.pop(0), request)

    async def _play(self, turn: Turn, request: ProviderRequest) -> AsyncIterator[Any]:
        blocks: list[dict[str, Any]] = []
        for step in turn.steps:
            kind = step[0]
            if kind == "text":
                yield TextDeltaEvent(step[1])
                if blocks and blocks[-1]["type"] == "text":
                    blocks[-1]["text"] += step[1]
                else:
                    blocks.append({"type": "text", "text": step[1]})
            elif kind == "thinking":
                yield ThinkingDeltaEvent(step[1])
                blocks.append({"type": "thinking", "thinking": step[1]})
            elif kind == "tool":
                _, call_id, name, args = step
                yield ToolCallStartEvent(call_id, name)
                yield ToolCallEndEvent(call_id, name, args)
                blocks.append({"type": "toolCall", "id": call_id, "name": name, "arguments": args})
            elif kind == "delay":
                await asyncio.sleep(step[1])
            elif kind == "gate":
                await step[1].wait()
            elif kind == "error":
                _, ekind, message, retry_after, status, with_partial = step
                partial = None
                if with_partial:
                    partial = self._message(blocks, turn, request, "error")
                    partial["errorMessage"] = message
                raise ProviderError(ekind, message, retry_after=retry_after, status=status, partial=partial)
        has_tools = any(b["type"] == "toolCall" for b in blocks)
        yield StreamDone(self._message(blocks, turn, request, "toolUse" if has_tools else "stop"))

    def _message(self, blocks: list[dict[str, Any]], turn: Turn, request: ProviderRequest,
                 stop: str) -> dict[str, Any]:
        n_in, n_out = turn.usage
        return {"role": "assistant", "content": [dict(b) for b in blocks], "api": self.api,
                "provider": self.name, "model": request.model,
                "usage": {"input": n_in, "output": n_out, "cacheRead": 0, "cacheWrite": 0,
                          "totalTokens": n_in + n_out,
                          "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "total": 0}},
                "stopReason": stop, "timestamp": int(time.time() * 1000)}
