"""One hook process: `sh -c COMMAND` in the workspace, the JSON payload on stdin, output kept
up to a cap. Asyncio subprocesses only (a hook never blocks the event loop); the hook leads its
own process group so a timeout or an interrupt ends it and everything it started."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from workbench.tools.process import StartCancelled, kill_group, signal_group, start_then_cancel

OUTPUT_CAP = 1024 * 1024  # bytes kept per stream; the rest is read and dropped
DRAIN_GRACE_S = 0.3       # after the hook exits, how long its leftovers may hold our pipes
KILL_GRACE_S = 0.5


@dataclass(frozen=True)
class ProcessOutcome:
    exit_code: int | None   # None: timed out or never started
    stdout: str
    stderr: str
    duration_ms: int
    timed_out: bool = False
    start_error: str | None = None
    truncated: bool = False


class _Capped:
    def __init__(self) -> None:
        self.buf = bytearray()
        self.dropped = 0

    async def pump(self, reader: asyncio.StreamReader) -> None:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            room = OUTPUT_CAP - len(self.buf)
            if room > 0:
                self.buf += chunk[:room]
            self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        return self.buf.decode("utf-8", errors="replace")


async def run_hook_process(command: str, payload: bytes, *, cwd: Path, timeout: float,
                           env: Mapping[str, str] | None = None) -> ProcessOutcome:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        proc = await start_then_cancel(asyncio.create_subprocess_exec(
            "sh", "-c", command, cwd=str(cwd), env=dict(env) if env is not None else None,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True))
    except StartCancelled as cancelled:  # interrupted while it started: end it, then stop
        signal_group(cancelled.started.pid, signal.SIGKILL)
        raise
    except OSError as exc:
        return ProcessOutcome(None, "", "", elapsed(), start_error=f"could not start sh: {exc}")
    pgid = proc.pid
    out, err = _Capped(), _Capped()
    assert proc.stdout is not None and proc.stderr is not None and proc.stdin is not None
    readers = asyncio.gather(out.pump(proc.stdout), err.pump(proc.stderr))
    timed_out = False
    try:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            proc.stdin.write(payload)
            await asyncio.wait_for(proc.stdin.drain(), timeout)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), max(0.0, timeout - (time.monotonic() - started)))
        except TimeoutError:
            timed_out = True
            await kill_group(pgid, KILL_GRACE_S)
            await proc.wait()
        try:
            await asyncio.wait_for(asyncio.shield(readers), DRAIN_GRACE_S)
        except TimeoutError:  # something the hook started still holds the pipes
            await kill_group(pgid, KILL_GRACE_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(readers), 1.0)
    except TimeoutError:  # the hook did not even read its stdin in time
        timed_out = True
        await kill_group(pgid, KILL_GRACE_S)
        await proc.wait()
    except asyncio.CancelledError:
        signal_group(pgid, signal.SIGTERM)
        await asyncio.shield(kill_group(pgid, KILL_GRACE_S))
        raise
    finally:
        if not readers.done():
            readers.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await readers
    return ProcessOutcome(None if timed_out else proc.returncode, out.text(), err.text(), elapsed(),
                          timed_out=timed_out, truncated=bool(out.dropped or err.dropped))


def hook_env(point: str, session_id: str | None, workspace: Path) -> dict[str, str]:
    """The user's own environment (hooks are the user's commands) plus where and why it runs."""
    env = dict(os.environ)
    env.update(WORKBENCH_HOOK_POINT=point, WORKBENCH_SESSION_ID=session_id or "",
               WORKBENCH_WORKSPACE=str(workspace))
    return env
