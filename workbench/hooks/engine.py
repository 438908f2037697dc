"""HookEngine: runs the hooks of a point in priority order and says what they decided.

Foreground hooks run one after the other (higher `priority` first, then config order) and the
first guardrail that denies stops the rest. Background hooks start and are not waited for: their
answer can never deny. Every step is reported through `notify` as a `HookNotice` (the runtime
turns them into hook_started / hook_completed / hook_failed / hook_denied events) and kept in a
short history for the `/hooks` view.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from workbench.hooks.config import HookEntry, HookRunOverrides, active
from workbench.hooks.points import DENY_POINTS, TOOL_POINTS
from workbench.hooks.process import hook_env, run_hook_process
from workbench.hooks.protocol import Answer, interpret

HISTORY = 200  # runs kept for /hooks


@dataclass(frozen=True)
class HookNotice:
    kind: str  # "started" | "completed" | "failed" | "denied"
    hook_id: str
    point: str
    duration_ms: int | None = None
    error: str | None = None
    reason_code: str | None = None
    message: str | None = None
    payload: Any = None
    call_id: str | None = None  # the tool call, at tool points


@dataclass
class HookRun:
    hook_id: str
    point: str
    started: float            # time.time()
    outcome: str = "running"  # running | allow | deny | failed | ignored
    duration_ms: int | None = None
    detail: str = ""          # reason, error or additional context (untrusted text)
    call_id: str | None = None


@dataclass
class HookVerdict:
    denied_by: HookEntry | None = None
    reason: str = ""
    reason_code: str = ""
    additional_context: list[str] = field(default_factory=list)

    @property
    def denied(self) -> bool:
        return self.denied_by is not None

    @property
    def context(self) -> str:
        return "\n\n".join(c for c in self.additional_context if c)


Notify = Callable[[HookNotice], None]


def matches(tool_name: str, pattern: str) -> bool:
    """`match`: a tool-name glob, or several separated by | ("edit|write", "mcp__*")."""
    return any(fnmatch.fnmatchcase(tool_name, p.strip()) for p in pattern.split("|") if p.strip())


def _sort_key(indexed: tuple[int, HookEntry]) -> tuple[int, int]:
    index, entry = indexed
    return (-entry.priority, index)


class HookEngine:
    def __init__(self, entries: Iterable[HookEntry], workspace: Path, *,
                 overrides: HookRunOverrides = HookRunOverrides()) -> None:
        self.entries = list(entries)             # every configured hook (for /hooks)
        self.workspace = Path(workspace)
        self.overrides = overrides
        self.history: deque[HookRun] = deque(maxlen=HISTORY)
        self._background: set[asyncio.Task[None]] = set()
        self._by_point: dict[str, list[HookEntry]] = {}
        for _, e in sorted(enumerate(active(self.entries, overrides)), key=_sort_key):
            self._by_point.setdefault(e.point, []).append(e)

    def enabled(self, entry: HookEntry) -> bool:
        return entry in self._by_point.get(entry.point, ())

    def has(self, point: str) -> bool:
        return point in self._by_point

    def hooks_for(self, point: str, tool_name: str | None = None) -> list[HookEntry]:
        hooks = self._by_point.get(point, [])
        if point in TOOL_POINTS and tool_name is not None:
            return [h for h in hooks if h.match is None or matches(tool_name, h.match)]
        return list(hooks)

    def last_runs(self, hook_id: str, n: int = 5) -> list[HookRun]:
        return [r for r in reversed(self.history) if r.hook_id == hook_id][:n]

    async def fire(self, point: str, payload: dict[str, Any], *, session_id: str | None, notify: Notify,
                   tool_name: str | None = None, call_id: str | None = None) -> HookVerdict:
        verdict = HookVerdict()
        hooks = self.hooks_for(point, tool_name)
        if not hooks:
            return verdict
        body = {"point": point, "session_id": session_id, "workspace": str(self.workspace), **payload}
        for entry in hooks:
            data = json.dumps({**body, "hook_id": entry.id}, ensure_ascii=False, default=str).encode() + b"\n"
            if entry.mode == "background":
                task = asyncio.ensure_future(self._run_one(entry, point, data, session_id, notify, call_id))
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                continue
            answer = await self._run_one(entry, point, data, session_id, notify, call_id)
            if answer.additional_context:
                verdict.additional_context.append(answer.additional_context)
            if answer.kind == "deny":
                verdict.denied_by, verdict.reason, verdict.reason_code = entry, answer.reason, answer.reason_code
                break
        return verdict

    async def _run_one(self, entry: HookEntry, point: str, data: bytes, session_id: str | None,
                       notify: Notify, call_id: str | None) -> Answer:
        run = HookRun(entry.id, point, time.time(), call_id=call_id)
        self.history.append(run)
        notify(HookNotice("started", entry.id, point, call_id=call_id))
        outcome = await run_hook_process(entry.command, data, cwd=self.workspace, timeout=entry.timeout,
                                         env=hook_env(point, session_id, self.workspace))
        answer = interpret(outcome, entry.timeout)
        run.duration_ms = outcome.duration_ms
        can_deny = entry.capability == "guardrail" and point in DENY_POINTS and entry.mode == "foreground"
        if answer.kind == "failed":
            run.outcome, run.detail = "failed", answer.error
            notify(HookNotice("failed", entry.id, point, duration_ms=outcome.duration_ms, error=answer.error,
                              call_id=call_id))
            if entry.failure == "fail_closed" and can_deny:
                reason = f"the hook failed ({answer.error}) and its failure policy is fail_closed"
                return self._deny(entry, point, run, notify, Answer("deny", reason=reason, reason_code="hook_failed"),
                                  call_id)
            return answer
        if answer.kind == "deny":
            if can_deny:
                return self._deny(entry, point, run, notify, answer, call_id)
            why = ("only guardrail hooks can deny (this one is capability = \"observe\")"
                   if entry.capability != "guardrail" else
                   "a background hook cannot deny" if entry.mode == "background" else
                   f"nothing can be denied at {point} (only at pre_* points and run_started)")
            run.outcome, run.detail = "ignored", f"answered deny ({answer.reason}), ignored: {why}"
            notify(HookNotice("failed", entry.id, point, duration_ms=outcome.duration_ms,
                              error=f"answered deny, which was ignored: {why}", call_id=call_id))
            return Answer("allow", additional_context=answer.additional_context)
        run.outcome, run.detail = "allow", answer.additional_context
        notify(HookNotice("completed", entry.id, point, duration_ms=outcome.duration_ms, call_id=call_id))
        return answer

    def _deny(self, entry: HookEntry, point: str, run: HookRun, notify: Notify, answer: Answer,
              call_id: str | None) -> Answer:
        run.outcome, run.detail = "deny", answer.reason
        notify(HookNotice("denied", entry.id, point, duration_ms=run.duration_ms, reason_code=answer.reason_code,
                          message=answer.reason, payload=answer.additional_context or None, call_id=call_id))
        return answer

    @property
    def background_running(self) -> int:
        return len(self._background)

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for background hooks (each is bounded by its own timeout); cancel what is left."""
        if not self._background:
            return
        tasks = list(self._background)
        _done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
