"""`!command` and `!!command`: the user's own shell command, run in the workspace without approval
(the user typed it), recorded as pi's `bashExecution` message.

`!!` runs it without adding it to the model's context (pi's `excludeFromContext`). The command
runs in its own process group, so stopping it (Esc) ends everything it started. Provider keys
are removed from its environment. Every spawn goes through `spawn_shell`, the one place a
sandbox wraps.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from workbench.tools.builtin.bash import DRAIN_GRACE_S, OutputTail, _ShellProtocol
from workbench.tools.env import scrubbed_env
from workbench.tools.process import kill_group, signal_group

FULL_OUTPUT_CAP = 20 * 1024 * 1024  # what the full-output file keeps of a very chatty command


@dataclass(frozen=True)
class ShellEscape:
    command: str
    exclude_from_context: bool


def parse_shell_escape(text: str) -> ShellEscape | None:
    """`!cmd` / `!!cmd` (leading spaces allowed); None for anything else or a bare `!`."""
    stripped = text.strip()
    if not stripped.startswith("!"):
        return None
    exclude = stripped.startswith("!!")
    command = stripped[2:] if exclude else stripped[1:]
    command = command.strip()
    return ShellEscape(command, exclude) if command else None


class ShellRefused(Exception):
    """The sandbox is on but cannot run the command (and may not fall back)."""


async def spawn_shell(command: str, cwd: Path, protocol_factory: Callable[[], asyncio.SubprocessProtocol],
                      sandbox: Any = None) -> asyncio.SubprocessTransport:
    """Start `bash -c command` in `cwd` as the leader of a new process group, stdin closed,
    stdout and stderr merged, provider keys out of its environment; under the session's
    bubblewrap sandbox (workbench/hooks/sandbox.py) when one is given and on."""
    keep = getattr(getattr(sandbox, "policy", None), "pass_env", ())  # what the user listed stays
    env = {**scrubbed_env(pass_env=keep), "PAGER": "cat", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}
    argv = ["bash", "-c", command]
    if sandbox is not None:
        prepared = sandbox.prepare(argv, env)
        if prepared.refusal is not None:
            raise ShellRefused(prepared.refusal)
        argv, env = prepared.argv, prepared.env
    loop = asyncio.get_running_loop()
    transport, _ = await loop.subprocess_exec(
        protocol_factory, *argv, cwd=str(cwd), env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, start_new_session=True)
    return transport


class _Streaming(_ShellProtocol):
    def __init__(self, tail: OutputTail, exited: asyncio.Future[None], on_output: Callable[[str], None] | None,
                 full: Any) -> None:
        super().__init__(tail, exited)
        self.on_output = on_output
        self.full = full
        self.full_bytes = 0

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        super().pipe_data_received(fd, data)
        if self.full is not None and self.full_bytes < FULL_OUTPUT_CAP:
            self.full.write(data[: FULL_OUTPUT_CAP - self.full_bytes])
            self.full_bytes += len(data)
        if self.on_output is not None:
            self.on_output(data.decode("utf-8", errors="replace"))


def now_ms() -> int:
    return int(time.time() * 1000)


def bash_execution_message(command: str, output: str, exit_code: int | None, *, cancelled: bool,
                           truncated: bool, full_output_path: str | None = None,
                           exclude_from_context: bool = False, timestamp: int | None = None) -> dict[str, Any]:
    """pi's BashExecutionMessage, keys in pi's order."""
    # pi leaves undefined fields out: no exitCode for a cancelled command, no fullOutputPath
    # when nothing was cut
    msg: dict[str, Any] = {"role": "bashExecution", "command": command, "output": output}
    if exit_code is not None:
        msg["exitCode"] = exit_code
    msg["cancelled"] = cancelled
    msg["truncated"] = truncated
    if full_output_path is not None:
        msg["fullOutputPath"] = full_output_path
    msg["timestamp"] = timestamp if timestamp is not None else now_ms()
    if exclude_from_context:
        msg["excludeFromContext"] = True
    return msg


async def run_shell_escape(escape: ShellEscape, cwd: Path, *, on_output: Callable[[str], None] | None = None,
                           sandbox: Any = None) -> dict[str, Any]:
    """Run the command to its end (or until this task is cancelled: Esc) and return its
    bashExecution message. Output over the bash tool's limits keeps its tail; the whole output
    then goes to a temporary file named in `fullOutputPath`, as pi does."""
    loop = asyncio.get_running_loop()
    tail = OutputTail()
    exited: asyncio.Future[None] = loop.create_future()
    full = tempfile.NamedTemporaryFile(prefix="workbench-bash-", suffix=".log", delete=False)
    protocol = _Streaming(tail, exited, on_output, full)
    cancelled = False
    try:
        transport = await spawn_shell(escape.command, cwd, lambda: protocol, sandbox)
    except (OSError, ShellRefused) as exc:
        full.close()
        os.unlink(full.name)
        why = str(exc) if isinstance(exc, ShellRefused) else f"could not start bash: {exc}"
        return bash_execution_message(escape.command, why + "\n", None, cancelled=False,
                                      truncated=False, exclude_from_context=escape.exclude_from_context)
    pgid = transport.get_pid()
    try:
        try:
            await asyncio.shield(exited)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(tail.eof), DRAIN_GRACE_S)
        except asyncio.CancelledError:
            cancelled = True
            signal_group(pgid, signal.SIGTERM)
            await asyncio.shield(kill_group(pgid))
    finally:
        if not tail.eof.done():  # something it started still holds the pipe
            await kill_group(pgid)
        transport.close()
        full.close()
    code = transport.get_returncode()
    text, note = tail.render()
    truncated = note is not None
    full_path: str | None = full.name
    if not truncated:
        os.unlink(full.name)
        full_path = None
    return bash_execution_message(escape.command, text + ("\n" if text and tail.last_byte == b"\n" else ""), None if cancelled else code,
                                  cancelled=cancelled, truncated=truncated, full_output_path=full_path,
                                  exclude_from_context=escape.exclude_from_context)
