"""A `workbench rpc` child process for tests: send raw lines or requests, await answers and events."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]


class Rpc:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.messages: list[dict[str, Any]] = []  # everything received, in order
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, *args: str, cwd: Path, env: dict[str, str] | None = None) -> "Rpc":
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKBENCH_REPLAY_DELAY_SCALE": "1", **(env or {})}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "workbench.cli", "rpc", *args, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=cwd, env=full_env,
            limit=64 * 1024 * 1024)
        return cls(proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                break
            self.messages.append(json.loads(line))  # every stdout line must be JSON
            self._changed.set()
        self._changed.set()

    async def write(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        await self.proc.stdin.drain()

    async def send(self, method: str, params: dict[str, Any] | None = None, *, id: Any = None) -> Any:
        rid = next(self._ids) if id is None else id
        await self.write(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method,
                                     "params": params or {}}).encode() + b"\n")
        return rid

    async def notify(self, method: str, params: dict[str, Any]) -> None:
        await self.write(json.dumps({"jsonrpc": "2.0", "method": method, "params": params}).encode() + b"\n")

    async def wait_for(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 20) -> dict[str, Any]:
        async def find() -> dict[str, Any]:
            seen = 0
            while True:
                for msg in self.messages[seen:]:
                    if pred(msg):
                        return msg
                seen = len(self.messages)
                if self._reader.done():
                    raise AssertionError(f"the server closed stdout; stderr: {await self.stderr()}")
                self._changed.clear()
                await self._changed.wait()
        return await asyncio.wait_for(find(), timeout)

    async def answer(self, rid: Any, timeout: float = 20) -> dict[str, Any]:
        return await self.wait_for(lambda m: m.get("id") == rid and ("result" in m or "error" in m), timeout)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole answer (with "result" or "error")."""
        return await self.answer(await self.send(method, params))

    async def result(self, method: str, params: dict[str, Any] | None = None) -> Any:
        reply = await self.call(method, params)
        assert "result" in reply, reply
        return reply["result"]

    async def event(self, type_: str, timeout: float = 20, **match: Any) -> dict[str, Any]:
        msg = await self.wait_for(lambda m: m.get("method") == "session/event" and m["params"]["event"]["type"] == type_
                                  and all(m["params"]["event"].get(k) == v for k, v in match.items()), timeout)
        return msg["params"]["event"]

    def events(self, session_id: str | None = None) -> list[dict[str, Any]]:
        return [m["params"]["event"] for m in self.messages if m.get("method") == "session/event"
                and (session_id is None or m["params"]["session_id"] == session_id)]

    async def stderr(self) -> str:
        if self.proc.stderr is None:
            return ""
        try:
            return (await asyncio.wait_for(self.proc.stderr.read(), 5)).decode()
        except asyncio.TimeoutError:
            return "(stderr still open)"

    async def close(self, timeout: float = 20) -> int:
        """End of input; the exit code."""
        assert self.proc.stdin is not None
        if not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError("the server did not exit after end of input")
        await asyncio.wait_for(self._reader, 5)
        return code

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
