"""One run of a configured tool's command: arguments on stdin, stdout and stderr kept apart.

Like bash (tools/builtin/bash.py) the command leads its own process group, so a timeout or an
interrupt ends it and everything it started; the environment has no provider keys
(tools/env.py); a configured sandbox wraps it (hooks/sandbox.py, a one-shot bwrap: the long-lived
sandbox server has no stdin to give it). Unlike bash, stdout is the *result*: its head is kept
(a JSON document cut at the tail would still be unreadable, but its start says what it is).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from workbench.tools.limits import MAX_OUTPUT_BYTES
from workbench.tools.process import StartCancelled, kill_group, signal_group, start_then_cancel

DRAIN_GRACE_S = 0.5  # after the command exits, how long what it left behind may hold our pipes
STDERR_BYTES = 8 * 1024  # the tail of stderr kept to explain a failure


@dataclass
class Outcome:
    stdout: str = ""
    stderr: str = ""
    exit_code: int | None = None
    timed_out: bool = False
    stdout_cut: int = 0          # bytes of stdout left out (kept: the first MAX_OUTPUT_BYTES)
    start_error: str | None = None  # the command could not be started
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.start_error is None and not self.timed_out and self.exit_code == 0

    def failure(self, timeout_s: float) -> str:
        """Why this attempt failed, in a sentence (for the model, the card and retry events)."""
        if self.start_error is not None:
            return self.start_error
        if self.timed_out:
            return f"timed out after {timeout_s:g} s (the command and everything it started were stopped)"
        if self.exit_code is not None and self.exit_code < 0:
            return f"killed by signal {_signal_name(-self.exit_code)}"
        return f"exited with code {self.exit_code}"


class _Pipes(asyncio.SubprocessProtocol):
    """stdout's head, stderr's tail, and the exit as soon as it happens (Process.wait() would also
    wait for pipes a background child still holds)."""

    def __init__(self, exited: asyncio.Future[None], closed: asyncio.Future[None]):
        self.exited, self.closed = exited, closed
        self.out = bytearray()
        self.out_total = 0
        self.err = bytearray()
        self.open_pipes = 2

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        if fd == 1:
            self.out_total += len(data)
            room = MAX_OUTPUT_BYTES - len(self.out)
            if room > 0:
                self.out += data[:room]
        else:
            self.err += data
            if len(self.err) > 2 * STDERR_BYTES:
                del self.err[: len(self.err) - STDERR_BYTES]

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd in (1, 2):
            self.open_pipes -= 1
            if self.open_pipes <= 0 and not self.closed.done():
                self.closed.set_result(None)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)


async def run_once(argv: list[str], *, stdin: bytes, cwd: Path, env: dict[str, str], timeout_s: float) -> Outcome:
    """Run `argv` once; never raises for a failure of the command (cancellation propagates, after
    the process group is gone)."""
    loop = asyncio.get_running_loop()
    exited: asyncio.Future[None] = loop.create_future()
    closed: asyncio.Future[None] = loop.create_future()
    pipes = _Pipes(exited, closed)
    started = time.monotonic()
    try:
        transport, _ = await start_then_cancel(loop.subprocess_exec(
            lambda: pipes, *argv, cwd=str(cwd), env=env, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True))
    except StartCancelled as cancelled:
        begun, _ = cancelled.started  # type: ignore[misc]
        signal_group(begun.get_pid(), signal.SIGKILL)
        begun.close()
        raise
    except OSError as exc:
        return Outcome(start_error=f"could not start {argv[0]!r}: {exc.strerror or exc}")
    pgid = transport.get_pid()
    timed_out = False
    try:
        _feed(transport, stdin)
        try:
            await asyncio.wait_for(asyncio.shield(exited), timeout_s)
        except TimeoutError:
            timed_out = True
            await kill_group(pgid)
            await exited
        try:
            await asyncio.wait_for(asyncio.shield(closed), DRAIN_GRACE_S)
        except TimeoutError:  # processes it left running still hold stdout/stderr: end them
            await kill_group(pgid)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(closed), 2.0)
    except asyncio.CancelledError:
        signal_group(pgid, signal.SIGTERM)
        await asyncio.shield(kill_group(pgid))
        raise
    finally:
        code = transport.get_returncode()
        transport.close()
    return Outcome(stdout=bytes(pipes.out).decode("utf-8", errors="replace"),
                   stderr=bytes(pipes.err[-STDERR_BYTES:]).decode("utf-8", errors="replace"),
                   exit_code=None if timed_out else code, timed_out=timed_out,
                   stdout_cut=max(0, pipes.out_total - len(pipes.out)),
                   duration_ms=int((time.monotonic() - started) * 1000))


def _feed(transport: asyncio.SubprocessTransport, data: bytes) -> None:
    """Write the arguments and close stdin; a command that never reads them is fine (a broken
    pipe is not its failure)."""
    pipe = transport.get_pipe_transport(0)
    if pipe is None:
        return
    with contextlib.suppress(BrokenPipeError, ConnectionResetError, RuntimeError):
        pipe.write(data)  # type: ignore[attr-defined]
        pipe.close()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
