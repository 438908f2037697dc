"""The agent's tool-call path: arguments checked, hooks and the approval gate asked, the tool run,
its result recorded (and a file checkpoint taken around it).

A mixin of AgentSession: the agent loop calls `_run_tools` with a turn's tool calls. Each approval
wait and tool run is its own phase (phases.py), so Esc or a time limit stops it and the call still
gets a result in the session file.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable

from workbench.runtime import events as ev
from workbench.runtime.approvals import ApprovalDecision, ApprovalRequest
from workbench.runtime.gate import Gate
from workbench.runtime.hooking import denial_text as hook_denial_text
from workbench.runtime.messages import tool_result_message
from workbench.runtime.phases import _Interrupted, _TimeUp
from workbench.tools.base import Tool, ToolContext, ToolResult
from workbench.tools.permissions import read_denier

SKIPPED_STEER = "Skipped: the user sent a new message"
SKIPPED_BUDGET = "Skipped: the tool call budget of this run is exhausted"


def _timeout_ms(tool: Tool, args: dict[str, Any]) -> int:
    """The limit that stopped a call: the registry's per-tool timeout, else the call's own
    `timeout` argument (bash bounds itself), else bash's default."""
    if tool.timeout_s is not None:
        return int(tool.timeout_s * 1000)
    own = args.get("timeout") if isinstance(args, dict) else None
    if isinstance(own, (int, float)) and own > 0:
        return int(own * 1000)
    from workbench.tools.builtin.bash import DEFAULT_TIMEOUT_S

    return int(DEFAULT_TIMEOUT_S * 1000)


class ToolCalls:
    """Needs AgentSession's state (tools, gate, budget, checkpoints, hooks, project) and its
    `_emit`, `_base`, `_append`, `_phase_run` and `_hook_*` methods."""

    tools: Any
    hooks: Any
    project: Any
    checkpoints: Any
    cwd: Path
    agent: str | None
    tool_extra: dict[str, Any]
    approved_paths: set[Path]
    pending_steering: list[str]
    tool_calls: int
    _interrupt: bool
    _gate: Gate
    _budget: Any

    async def _run_tools(self, calls: list[dict[str, Any]]) -> str:
        """Run a turn's tool calls in order. Returns "ok", "interrupted" or "budget"."""
        outcome = "ok"
        for i, call in enumerate(calls):
            if outcome != "ok":
                text = SKIPPED_BUDGET if outcome == "budget" else "Skipped: the run was interrupted"
                await self._record_tool(call, text, is_error=True, status="skipped")
                continue
            if self.pending_steering and i > 0:
                await self._record_tool(call, SKIPPED_STEER, is_error=True, status="skipped")
                continue
            if self._interrupt:
                outcome = "interrupted"
                await self._record_tool(call, "Skipped: the run was interrupted", is_error=True, status="skipped")
                continue
            exhausted = self._budget.exhausted(next_tool_call=True)
            if exhausted is not None:
                self._emit(exhausted.model_copy(update=self._base()))
                outcome = "budget"
                await self._record_tool(call, SKIPPED_BUDGET, is_error=True, status="skipped")
                continue
            status = await self._one_tool(call)
            if status == "interrupted":
                outcome = "interrupted"
        return outcome

    def _count_denied_call(self) -> None:
        """A denied call counts as a tool call, in this run as in the session's total (its result is
        in the file) and against the tool-calls limit: a model that keeps asking stops there."""
        self._budget.add_tool_call()
        self.tool_calls += 1

    async def _record_tool(self, call: dict[str, Any], text: str, *, is_error: bool, status: str,
                     details: dict[str, Any] | None = None, images: list[dict[str, Any]] | None = None) -> None:
        call_id, name = call.get("id", ""), call.get("name", "")
        mark = await self.checkpoints.after(self, call_id, name)  # the files it changed, before its result
        if mark is not None:  # the tool card's link to its checkpoint (details never reach the model)
            details = {**(details or {}), "checkpoint": mark}
        await self._append(tool_result_message(call_id, name, text, is_error=is_error, details=details,
                                               images=images))
        self._emit(ev.ToolResultReceived(id=call_id, name=name, is_error=is_error, status=status,  # type: ignore[arg-type]
                                         **self._base()))

    def _tool_context(self, extra_paths: Iterable[Path] = (), call_id: str | None = None) -> ToolContext:
        return ToolContext(workspace=self.cwd, approved_paths=set(self.approved_paths) | set(extra_paths),
                           session_id=self.id, agent=self.agent, call_id=call_id, extra=self.tool_extra)

    async def _one_tool(self, call: dict[str, Any]) -> str:
        base = self._base()
        call_id, name = call.get("id", ""), call.get("name", "")
        args = call.get("arguments")
        problem = Gate.check_arguments(self.tools, name, args)
        if problem is not None:
            await self._record_tool(call, problem, is_error=True, status="failed")
            return "failed"
        tool: Tool = self.tools.get(name)
        if self.hooks is not None:
            try:
                verdict = await self._phase_run(self._hook_pre_tool(call_id, name, args))
            except _Interrupted:
                await self._record_tool(call, "Interrupted: the user stopped the run while a hook checked this call",
                                        is_error=True, status="interrupted")
                return "interrupted"
            if verdict.denied:
                self._count_denied_call()
                await self._record_tool(call, hook_denial_text(verdict), is_error=True, status="denied")
                return "denied"
        # reading inside a skill's folder is always allowed (read-only tools only)
        skill_paths = self.project.skill_read_paths(tool, args, self.cwd) if self.project is not None else []
        ctx = self._tool_context(skill_paths, call_id)

        def on_request(req: ApprovalRequest) -> None:
            self._emit(ev.ToolApprovalRequested(request_id=req.request_id, id=call_id, name=name, args=args,
                                                preview=req.preview, agent=req.agent, scope=req.scope,
                                                reason=req.reason, **base))

        def on_resolved(req: ApprovalRequest, decision: ApprovalDecision, saved: str | None) -> None:
            self._emit(ev.ToolApprovalResolved(request_id=req.request_id, id=call_id, name=name,
                                               decision=decision.kind, feedback=decision.feedback,
                                               saved_rule=saved, **base))

        try:
            gate = await self._phase_run(self._gate.decide(
                tool, args, ctx, call_id=call_id, session_id=self.id, agent=self.agent,
                on_request=on_request, on_resolved=on_resolved))
        except _Interrupted:
            await self._record_tool(call, "Interrupted: the user stopped the run while this call waited for approval",
                              is_error=True, status="interrupted")
            return "interrupted"
        except _TimeUp:
            await self._record_tool(call, "Interrupted: the run's time limit was reached", is_error=True,
                              status="interrupted")
            raise
        if gate.verdict != "run":
            if gate.verdict == "denied":
                self._count_denied_call()
            await self._record_tool(call, gate.message, is_error=True,
                              status="denied" if gate.verdict == "denied" else "failed")
            return gate.verdict
        if gate.approved_paths:
            if gate.decision is not None and gate.decision.kind in ("session", "always"):
                self.approved_paths.update(gate.approved_paths)
            ctx = self._tool_context([*gate.approved_paths, *skill_paths], call_id)
        ctx.unattended = gate.decision is None  # nobody saw this call (a rule or the mode allowed it)

        self._budget.add_tool_call()
        self.tool_calls += 1
        for warning in self._budget.warnings():
            self._emit(warning.model_copy(update=base))
        await self.checkpoints.before(self, call_id, tool)
        self._emit(ev.ToolExecutionStarted(id=call_id, name=name, sandbox=tool.sandbox_label(ctx), **base))
        started = time.monotonic()

        def on_progress(value: float, total: float | None, message: str | None) -> None:
            self._emit(ev.ToolProgress(id=call_id, name=name, progress=value, total=total, message=message, **base))

        ctx.progress = on_progress
        ctx.retrying = self._retry_reporter(call_id, name)  # configured tools: tool_retrying events
        ctx.read_denied = read_denier(self._gate.policy, tool, ctx)  # grep/find/ls skip what deny rules hide
        try:
            result, timed_out = await self._phase_run(self._execute(tool, args, ctx))
        except _Interrupted:
            self._emit(ev.ToolExecutionCompleted(id=call_id, name=name, result="interrupted", is_error=True,
                                                 duration_ms=int((time.monotonic() - started) * 1000), **base))
            await self._record_tool(call, "Interrupted: the user stopped this tool call", is_error=True,
                              status="interrupted")
            return "interrupted"
        except _TimeUp:
            await self._record_tool(call, "Interrupted: the run's time limit was reached", is_error=True,
                              status="interrupted")
            raise
        duration_ms = int((time.monotonic() - started) * 1000)
        if timed_out:
            limit = (result.details or {}).get("timeoutMs") or _timeout_ms(tool, args)  # a tool's own limit first
            self._emit(ev.ToolExecutionTimedOut(id=call_id, name=name, timeout_ms=limit, **base))
            await self._record_tool(call, result.content, is_error=True, status="timed_out", details=result.details)
            return "timed_out"
        self._emit(ev.ToolExecutionCompleted(id=call_id, name=name, result=result.content,
                                             is_error=result.is_error, duration_ms=duration_ms, **base))
        content = result.content
        if self.hooks is not None:
            try:
                content = await self._phase_run(self._hook_post_tool(call_id, name, args, content, result.is_error,
                                                                     duration_ms))
            except _Interrupted:
                pass  # the result stands; the loop sees the interrupt next
        await self._record_tool(call, content, is_error=result.is_error,
                          status="failed" if result.is_error else "done", details=result.details,
                          images=result.images)
        return "failed" if result.is_error else "done"

    async def _execute(self, tool: Tool, args: dict[str, Any], ctx: ToolContext) -> tuple[ToolResult, bool]:
        """The registry runs it (tool timeout, tool retries, exceptions → error results)."""
        result = await self.tools.execute(tool.name, args, ctx)
        return result, bool(result.details and result.details.get("timedOut"))

