"""The agent's side of hooks: each hook point's payload, and the engine's notices as events.

A mixin of AgentSession (agent.py calls `_hook_*` at each point in one line), so the agent loop
stays readable and the hook engine (workbench/hooks/) never imports the runtime.
"""

from __future__ import annotations

from typing import Any

from workbench.errors import HookDeniedError
from workbench.hooks.engine import HookNotice, HookVerdict
from workbench.runtime import events as ev

NO_VERDICT = HookVerdict()


def denial_text(verdict: HookVerdict) -> str:
    """What the model reads when a hook refused its tool call."""
    entry = verdict.denied_by
    assert entry is not None
    return f"Denied by hook {entry.id}: {verdict.reason or 'no reason given'}"


def _usage(usage: ev.Usage) -> dict[str, int]:
    return usage.model_dump()


class HookPoints:
    """Needs `hooks` (a HookEngine or None), `id`, `model`, `_emit`, `_base` from AgentSession."""

    hooks: Any
    id: str
    model: str

    def _emit(self, event: Any) -> None: ...  # pragma: no cover - AgentSession's
    def _base(self) -> dict[str, Any]: ...  # pragma: no cover - AgentSession's

    def _hook_notice(self, n: HookNotice) -> None:
        base = self._base()
        if n.kind == "started":
            self._emit(ev.HookStarted(hook_id=n.hook_id, point=n.point, call_id=n.call_id, **base))
        elif n.kind == "completed":
            self._emit(ev.HookCompleted(hook_id=n.hook_id, point=n.point, duration_ms=n.duration_ms or 0,
                                        call_id=n.call_id, **base))
        elif n.kind == "failed":
            self._emit(ev.HookFailed(hook_id=n.hook_id, point=n.point, error=n.error or "failed",
                                     duration_ms=n.duration_ms, call_id=n.call_id, **base))
        else:
            self._emit(ev.HookDenied(hook_id=n.hook_id, point=n.point, reason_code=n.reason_code or "denied",
                                     message=n.message or "", payload=n.payload, call_id=n.call_id, **base))

    async def _hook(self, point: str, payload: dict[str, Any], *, tool_name: str | None = None,
                    call_id: str | None = None) -> HookVerdict:
        if self.hooks is None or not self.hooks.has(point):
            return NO_VERDICT
        return await self.hooks.fire(point, payload, session_id=self.id, notify=self._hook_notice,
                                     tool_name=tool_name, call_id=call_id)

    async def _hook_or_end(self, point: str, payload: dict[str, Any]) -> HookVerdict:
        """run_started / pre_llm_request: a denial ends the run with HOOK_DENIED."""
        verdict = await self._hook(point, payload)
        if verdict.denied:
            entry = verdict.denied_by
            assert entry is not None
            raise HookDeniedError(f"denied by hook {entry.id} at {point}: {verdict.reason or 'no reason given'}",
                                  details={"hook_id": entry.id, "point": point, "reason_code": verdict.reason_code})
        return verdict

    # --- the points ------------------------------------------------------------------------

    async def _hook_run_started(self, prompt: str) -> str:
        return (await self._hook_or_end("run_started", {"prompt": prompt})).context

    async def _hook_run_completed(self, result: ev.RunResult, stop: str) -> None:
        await self._hook("run_completed", {"result": result.text, "stop": stop, "turns": result.turns,
                                           "tool_calls": result.tool_calls, "usage": _usage(result.usage),
                                           "cost_usd": result.cost_usd})

    async def _hook_run_failed(self, error: str, code: str, usage: ev.Usage, cost: float | None) -> None:
        await self._hook("run_failed", {"error": error, "code": code, "usage": _usage(usage), "cost_usd": cost})

    async def _hook_pre_llm_request(self, turn: int, messages: int) -> None:
        await self._hook_or_end("pre_llm_request", {"model": self.model, "message_count": messages,
                                                    "turn_number": turn})

    async def _hook_post_llm_response(self, turn: int, message: dict[str, Any], usage: ev.Usage,
                                      cost: float | None, text: str) -> None:
        calls = [b.get("name", "") for b in message.get("content") or () if b.get("type") == "toolCall"]
        await self._hook("post_llm_response", {"model": self.model, "turn_number": turn, "text": text,
                                               "stop_reason": message.get("stopReason"), "tool_calls": calls,
                                               "usage": _usage(usage), "cost_usd": cost})

    async def _hook_turn_boundary(self, turn: int, usage: ev.Usage, cost: float | None) -> None:
        await self._hook("turn_boundary", {"turn_number": turn, "usage": _usage(usage), "cost_usd": cost})

    async def _hook_pre_tool(self, call_id: str, name: str, args: Any) -> HookVerdict:
        return await self._hook("pre_tool_execution", {"tool_name": name, "arguments": args, "call_id": call_id},
                                tool_name=name, call_id=call_id)

    async def _hook_post_tool(self, call_id: str, name: str, args: Any, result: str, is_error: bool,
                              duration_ms: int) -> str:
        """The tool result as the model will read it: with the hooks' additional_context appended."""
        verdict = await self._hook("post_tool_execution", {
            "tool_name": name, "arguments": args, "call_id": call_id, "result": result, "is_error": is_error,
            "duration_ms": duration_ms}, tool_name=name, call_id=call_id)
        context = verdict.context
        return f"{result}\n\n[hook context]\n{context}" if context else result
