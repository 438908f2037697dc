"""The agent's recording: every message appended to the session file the moment it is complete
(and to the context), its usage and cost counted, and the events that say so.

A mixin of AgentSession. Events about a message are published only once it is on disk; an
interrupted or failed stream keeps what it produced (an aborted or error assistant message).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from workbench.providers import catalog
from workbench.providers.base import ProviderError
from workbench.runtime import events as ev
from workbench.runtime.compaction import estimate_tokens
from workbench.runtime.messages import now_ms, text_of, usage_of, user_message
from workbench.runtime.persist import DurableAppender

_STOP_MAP = {"stop": "end_turn", "toolUse": "tool_use", "length": "max_tokens",
             "aborted": "aborted", "error": "error"}


class _Partial:
    """What the model streamed so far in this turn: kept when the turn is interrupted."""

    __slots__ = ("blocks",)

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []

    def add(self, kind: str, text: str) -> None:
        if self.blocks and self.blocks[-1]["type"] == kind:
            self.blocks[-1][kind] += text
        else:
            self.blocks.append({"type": kind, kind: text})

    def text(self) -> str:
        return "".join(b["text"] for b in self.blocks if b["type"] == "text")


class Recording:
    """Needs AgentSession's manager, provider, model, counters and `_emit`, `_base`, `_model_info`."""

    manager: Any
    provider: Any
    model: str
    persist_in_thread: bool
    usage: ev.Usage
    cost_usd: float | None
    context_tokens: int
    session_turns: int
    session_tool_calls: int
    pending_steering: list[str]
    _context: list[dict[str, Any]]
    _appender: DurableAppender | None
    _budget: Any
    _stored_spend: tuple[int, str] | None  # (entries at open, model then) until counted

    async def _append(self, message: dict[str, Any]) -> str:
        entry_id = await self.persist(functools.partial(self.manager.append_message, message))
        self._context.append(message)
        role = message.get("role")
        if role == "assistant":
            self.session_turns += 1
        else:
            self.context_tokens += estimate_tokens(message)
            if role == "toolResult":
                self.session_tool_calls += 1
        return entry_id

    async def persist(self, append: Callable[[], str]) -> str:
        """Run `append` (a bound `manager.append_*` call) and return its entry id once the entry
        is on disk. With persist_in_thread the tree is updated here on the event loop and only
        the write + fdatasync happen in a worker thread (see persist.py), so one session's disk
        wait never stalls the UI or the other sessions, and nothing else mutates the tree."""
        if not self.persist_in_thread:
            return append()
        return await self._durable.append(append)

    def _persist_now(self, append: Callable[[], str]) -> str:
        """A synchronous append (set_model, set_thinking), kept in order with writes in flight."""
        return self._durable.append_now(append) if self.persist_in_thread else append()

    @property
    def _durable(self) -> DurableAppender:
        if self._appender is None or self._appender.manager is not self.manager:
            self._appender = DurableAppender(self.manager)
        return self._appender

    async def _append_user(self, text: str, kind: str, images: list[dict[str, Any]] | None = None,
                           context: str = "", *, content: list[dict[str, Any]] | None = None,
                           attachments: list[str] | None = None) -> None:
        message = user_message(text, images)
        if content:  # attachments resolved by workbench/context: the typed text stays first
            message["content"] = [{"type": "text", "text": text}, *content[1:], *(images or ())]
        if context:  # a run_started hook's additional_context rides with the prompt
            message["content"].append({"type": "text", "text": f"[hook context]\n{context}"})
        await self._append(message)
        self._emit(ev.UserMessage(text=text, kind=kind, attachments=attachments or [], **self._base()))  # type: ignore[arg-type]

    async def _deliver_steering(self) -> None:
        while self.pending_steering:
            await self._append_user(self.pending_steering.pop(0), "steer")

    def count_stored_spend(self) -> None:
        """Add what the messages stored when the session was opened spent (every branch) to its
        totals, once. Sums plain numbers (no Usage model per message); the cost adds up in file
        order from 0 as `_account` would, so the totals are the same."""
        if self._stored_spend is None:
            return
        upto, model = self._stored_spend
        self._stored_spend = None
        tokens = [0, 0, 0, 0]
        cost: float | None = 0.0
        turns = 0
        for msg in self.manager.messages("assistant", upto=upto, keep=False):  # read once: not kept parsed
            turns += 1
            u = msg.get("usage") or {}
            tokens[0] += int(u.get("input") or 0)
            tokens[1] += int(u.get("output") or 0)
            tokens[2] += int(u.get("cacheWrite") or 0)
            tokens[3] += int(u.get("cacheRead") or 0)
            if cost is not None:
                one = catalog.cost_usd(self._model_info(model if msg.get("model") is None else msg["model"]), u)
                cost = None if one is None else cost + one
        stored = ev.Usage(input_tokens=tokens[0], output_tokens=tokens[1], cache_creation_tokens=tokens[2],
                          cache_read_tokens=tokens[3])
        self.usage = stored + self.usage
        self.cost_usd = None if cost is None or self.cost_usd is None else cost + self.cost_usd
        self.session_turns += turns
        self._budget.tokens += stored.total_tokens
        self._budget.cost = None if cost is None or self._budget.cost is None else cost + self._budget.cost

    def _account(self, message: dict[str, Any]) -> tuple[ev.Usage, float | None]:
        self.count_stored_spend()  # before adding to the totals (a compaction, a playbook match)
        usage = usage_of(message)
        self.usage = self.usage + usage
        cost = catalog.cost_usd(self._model_info(self.model if message.get("model") is None else message["model"]),
                                message.get("usage") or {})
        if cost is None:
            self.cost_usd = None
        elif self.cost_usd is not None:
            self.cost_usd += cost
        return usage, cost

    async def _record_assistant(self, message: dict[str, Any]) -> dict[str, Any]:
        base = self._base()
        usage_dict = message.get("usage") or {}
        breakdown = catalog.cost_breakdown(self._model_info(self.model), usage_dict)
        if breakdown is not None and usage_dict and not (usage_dict.get("cost") or {}).get("total"):
            usage_dict["cost"] = breakdown
        entry_id = await self._append(message)  # events only once the message is on disk
        text = text_of(message)
        if text:
            self._emit(ev.TextComplete(content=text, **base))
        for block in message.get("content") or ():
            if block.get("type") == "toolCall":
                self._emit(ev.ToolCallRequested(id=block.get("id", ""), name=block.get("name", ""),
                                                args=block.get("arguments"), **base))
        usage, cost = self._account(message)
        self._budget.add_turn(usage.total_tokens, cost)
        # The model's own count of the context it just saw plus what it wrote.
        self.context_tokens = usage.total_tokens or self.context_tokens + estimate_tokens(message)
        self._emit(ev.TurnCompleted(stop_reason=_STOP_MAP.get(message.get("stopReason", "stop"), "end_turn"),
                                    usage=usage, cost_usd=cost, entry_id=entry_id, **base))
        return message

    def _partial_message(self, blocks: list[dict[str, Any]], stop_reason: str, error: str) -> dict[str, Any]:
        # Tool calls of an unfinished turn are dropped: a call without a result would make the
        # next request invalid, and nothing was run for them.
        content = [b for b in blocks if b.get("type") in ("text", "thinking")]
        return {"role": "assistant", "content": content, "api": getattr(self.provider, "api", ""),
                "provider": self.provider.name, "model": self.model,
                "usage": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 0,
                          "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "total": 0}},
                "stopReason": stop_reason, "timestamp": now_ms(), "errorMessage": error}

    async def _record_aborted(self, partial: _Partial, reason: str) -> dict[str, Any]:
        message = self._partial_message(partial.blocks, "aborted", reason)
        entry_id = await self._append(message)
        text = text_of(message)
        if text:
            self._emit(ev.TextComplete(content=text, **self._base()))
        self._budget.add_turn(0, 0.0)
        self._emit(ev.TurnCompleted(stop_reason="aborted", usage=ev.Usage(), cost_usd=None,
                                    entry_id=entry_id, **self._base()))
        return message

    async def _record_failed(self, exc: ProviderError, partial: _Partial) -> None:
        """A stream that died: keep what it produced (stopReason "error") so nothing is lost."""
        source = exc.partial
        if source is not None:
            message = dict(source)
            message["content"] = [b for b in source.get("content") or () if b.get("type") in ("text", "thinking")]
            message["stopReason"] = "error"
            message.setdefault("errorMessage", str(exc))
        elif partial.blocks:
            message = self._partial_message(partial.blocks, "error", str(exc))
        else:
            return
        entry_id = await self._append(message)
        usage, cost = self._account(message)
        self._emit(ev.TurnCompleted(stop_reason="error", usage=usage, cost_usd=cost, entry_id=entry_id,
                                    **self._base()))

