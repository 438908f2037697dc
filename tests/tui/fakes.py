"""A Backend with the runtime's surface, driven by hand: tests publish events and read calls."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, AsyncIterator, Awaitable, Callable

from workbench.runtime import events as ev
from workbench.tui.backend import Limits, PathEntry, Stats

Script = Callable[["FakeBackend", str], Awaitable[None]]


class FakeBackend:
    def __init__(self, *, script: Script | None = None, stats: Stats | None = None,
                 entries: list[PathEntry] | None = None, history: list[dict[str, Any]] | None = None):
        self.script = script
        self._stats = stats or Stats(provider="replay", model="demo-model", context_window=200_000)
        self.entries = entries or []
        self._history = history or []
        self.calls: list[tuple[str, Any]] = []
        self.decisions: dict[str, tuple[str, str | None]] = {}
        self._decided: dict[str, asyncio.Future] = {}
        self.steering: list[str] = []
        self.follow_ups: list[str] = []
        self.running = False
        self.task: asyncio.Task | None = None
        self._queues: list[asyncio.Queue] = []
        self.name: str | None = None
        self.labels: dict[str, str] = {}

    # events
    async def subscribe(self) -> AsyncIterator[Any]:
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.append(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._queues.remove(queue)

    async def publish(self, *events: Any) -> None:
        for e in events:
            for q in list(self._queues):
                q.put_nowait(e)
            await asyncio.sleep(0)

    def stats(self) -> Stats:
        return replace(self._stats, running=self.running, session_name=self.name or self._stats.session_name)

    def set_stats(self, **changes: Any) -> None:
        self._stats = replace(self._stats, **changes)

    def path_entries(self) -> list[PathEntry]:
        return list(self.entries)

    def history(self) -> list[dict[str, Any]]:
        return list(self._history)

    # actions
    @property
    def is_running(self) -> bool:
        return self.running

    def start(self, prompt: str) -> None:
        self.calls.append(("start", prompt))
        self.running = True
        self.task = asyncio.get_running_loop().create_task(self._run(prompt))

    async def _run(self, prompt: str) -> None:
        try:
            await self.publish(ev.RunStarted(prompt=prompt), ev.UserMessage(text=prompt))
            if self.script is not None:
                await self.script(self, prompt)
        except asyncio.CancelledError:
            await self.publish(ev.RunCompleted(result="", text="", turns=0, tool_calls=0, usage=ev.Usage(),
                                               cost_usd=0.0, stop="interrupted"))
        finally:
            self.running = False

    def steer(self, text: str) -> None:
        self.calls.append(("steer", text))
        self.steering.append(text)

    def follow_up(self, text: str) -> None:
        self.calls.append(("follow_up", text))
        self.follow_ups.append(text)

    def pending(self) -> list[tuple[str, str]]:
        return [("steer", t) for t in self.steering] + [("follow_up", t) for t in self.follow_ups]

    def take_pending(self) -> list[tuple[str, str]]:
        out = self.pending()
        self.steering.clear()
        self.follow_ups.clear()
        return out

    async def interrupt(self) -> None:
        self.calls.append(("interrupt", None))
        if self.task is not None and not self.task.done():
            self.task.cancel()
            try:
                await self.task
            except asyncio.CancelledError:
                pass

    def resolve_approval(self, request_id: str, kind: str, feedback: str | None = None) -> None:
        self.calls.append(("resolve", (request_id, kind, feedback)))
        self.decisions[request_id] = (kind, feedback)
        fut = self._decided.get(request_id)
        if fut is not None and not fut.done():
            fut.set_result((kind, feedback))

    async def wait_decision(self, request_id: str) -> tuple[str, str | None]:
        fut = self._decided.setdefault(request_id, asyncio.get_running_loop().create_future())
        return await fut

    def set_model(self, model: str) -> None:
        self.calls.append(("set_model", model))
        self.set_stats(model=model)

    def set_mode(self, mode: str) -> None:
        self.calls.append(("set_mode", mode))
        self.set_stats(mode=mode)

    def set_limits(self, limits: Limits) -> None:
        self.calls.append(("set_limits", limits))
        self.set_stats(limits=limits)

    async def compact(self, instructions: str | None = None) -> None:
        self.calls.append(("compact", instructions))

    def set_name(self, name: str) -> None:
        self.calls.append(("set_name", name))
        self.name = name

    def set_label(self, label: str | None) -> str | None:
        self.calls.append(("set_label", label))
        if not self.entries:
            return None
        self.labels[self.entries[-1].entry_id] = label or ""
        return self.entries[-1].entry_id
