"""bash: run a shell command in the workspace, in its own process group."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from typing import Any

from workbench.tools.env import scrubbed_env
from workbench.tools.base import Effect, Preview, Tool, ToolContext, ToolResult
from workbench.tools.builtin.common import fail
from workbench.tools.githard import hardened_env
from workbench.tools.limits import MAX_OUTPUT_BYTES, MAX_OUTPUT_LINES, human_size
from workbench.tools.paths import workspace_root
from workbench.tools.process import KILL_GRACE_S, StartCancelled, kill_group, signal_group, start_then_cancel

DEFAULT_TIMEOUT_S = 120.0
SANDBOX_KEY = "sandbox"  # ToolContext.extra: the session's workbench.hooks.sandbox.Sandbox (hooks/setup.py)
# After the shell exits, how long processes it left behind may keep our output pipe open.
DRAIN_GRACE_S = 0.5

# Colour codes and cursor moves (CSI sequences): noise to a model, and they carry no text. Other
# escapes (OSC titles, DCS …) carry text, so they stay: displays show them visibly (␛]0;… \x07,
# workbench.text) and the model reads every byte the command printed (issue 12).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def sandbox_label_for(ctx: ToolContext) -> str | None:
    """How a command of this call is confined (None: no sandbox is configured)."""
    sandbox = ctx.extra.get(SANDBOX_KEY)
    if sandbox is None or not sandbox.enabled:
        return None
    if sandbox.active:
        return "sandboxed"
    return ("UNSANDBOXED (the sandbox is unavailable)" if sandbox.unsandboxed_fallback
            else "refused: the sandbox is unavailable")


class OutputTail:
    """Keeps the last `cap` bytes of a stream and counts what went by."""

    def __init__(self, cap: int = MAX_OUTPUT_BYTES):
        self.eof: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.cap = cap
        self.buf = bytearray()
        self.total_bytes = 0
        self.total_lines = 0
        self.last_byte = b""

    def feed(self, chunk: bytes) -> None:
        self.total_bytes += len(chunk)
        self.total_lines += chunk.count(b"\n")
        if chunk:
            self.last_byte = chunk[-1:]
        self.buf += chunk
        if len(self.buf) > 2 * self.cap:
            del self.buf[: len(self.buf) - self.cap]

    def render(self, max_lines: int = MAX_OUTPUT_LINES) -> tuple[str, str | None]:
        """The kept text and, when something was cut, a note saying what."""
        total_lines = self.total_lines + (1 if self.last_byte not in (b"", b"\n") else 0)
        data = bytes(self.buf[-self.cap:])
        cut_bytes = len(data) < self.total_bytes
        text = data.decode("utf-8", errors="replace")
        lines = text.split("\n")
        if cut_bytes and len(lines) > 1:
            lines = lines[1:]  # the first line is only partly kept
        if lines and lines[-1] == "":
            lines.pop()
        cut_lines = len(lines) > max_lines
        if cut_lines:
            lines = lines[-max_lines:]
        text = _ANSI.sub("", "\n".join(lines))
        if not (cut_bytes or cut_lines):
            return text, None
        note = (f"[Output truncated: showing the last {len(lines)} lines of {total_lines} "
                f"({human_size(self.total_bytes)} in total). Redirect to a file and read it, or "
                "filter with grep/head/tail, to see the rest.]")
        return text, note


class BashTool(Tool):
    name = "bash"
    description = (
        "Run a bash command in the workspace root (bash -c, no terminal, stdin closed). stdout and "
        f"stderr are merged; output is cut to the last {MAX_OUTPUT_LINES} lines / "
        f"{MAX_OUTPUT_BYTES // 1024} KB. timeout is in seconds (default {DEFAULT_TIMEOUT_S:g}); when it "
        "runs out the command and everything it started is killed. A non-zero exit code is an error.")
    parameters = {
        "type": "object",
        "properties": {
            "command": {"type": "string", "minLength": 1, "description": "Bash command to run"},
            "timeout": {"type": "number", "minimum": 0.1, "description": "Timeout in seconds"},
        },
        "required": ["command"],
        "additionalProperties": False,
    }
    effect = Effect.EXEC
    timeout_s = None  # the command's own `timeout` argument bounds it

    def paths(self, args: dict[str, Any]) -> list[str]:
        return []

    def rule_subject(self, args: dict[str, Any]) -> str:
        return str(args.get("command", ""))

    def summary(self, args: dict[str, Any]) -> str:
        command = str(args.get("command", "")).strip()
        first, _, rest = command.partition("\n")
        if len(first) > 80 or rest:
            return first[:79] + "…"
        return first

    def sandbox_label(self, ctx: ToolContext) -> str | None:
        return sandbox_label_for(ctx)

    def preview(self, args: dict[str, Any], ctx: ToolContext) -> Preview | None:
        return Preview(kind="command", text=str(args.get("command", "")), cwd=str(workspace_root(ctx)),
                       sandbox=self.sandbox_label(ctx))

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        command = args["command"]
        timeout = float(args.get("timeout") or DEFAULT_TIMEOUT_S)
        cwd = workspace_root(ctx)
        if not cwd.is_dir():
            return fail(f"bash: the workspace {cwd} is not a directory.")
        sandbox = ctx.extra.get(SANDBOX_KEY)
        # provider keys and other credentials stay out, sandbox or not ([sandbox] pass_env keeps some)
        keep = getattr(getattr(sandbox, "policy", None), "pass_env", ())
        env = {**scrubbed_env(pass_env=keep), "PAGER": "cat", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}
        if ctx.unattended:  # allowed by a rule: no hooks, no fsmonitor from the repository
            env = hardened_env(env)
        argv = ["bash", "-c", command]
        label = None
        if sandbox is not None:
            prepared = sandbox.prepare(argv, env)
            if prepared.refusal is not None:
                return fail(f"bash: {prepared.refusal}")
            argv, env, label = prepared.argv, prepared.env, prepared.label or None
        tail = OutputTail()
        proc = None
        server = sandbox.server() if sandbox is not None and label == "sandboxed" else None
        if server is not None:  # a long-lived sandbox starts it: no namespaces to create per command
            proc = await _in_server(server, prepared.inner, env, str(cwd), tail)
        if proc is None:
            try:
                proc = await _Local.start(argv, cwd, env, tail)
            except OSError as exc:
                return fail(f"bash: could not start bash: {exc}")
        timed_out = False
        try:
            try:
                await asyncio.wait_for(asyncio.shield(proc.exited), timeout)
            except TimeoutError:
                timed_out = True
                await proc.kill()
                await proc.exited
            try:
                await asyncio.wait_for(asyncio.shield(tail.eof), DRAIN_GRACE_S)
            except TimeoutError:
                # Processes the command left running still hold our output pipe: end them.
                await proc.kill()
                with contextlib.suppress(TimeoutError):  # a process that left the group (setsid)
                    await asyncio.wait_for(asyncio.shield(tail.eof), 2.0)
        except asyncio.CancelledError:
            proc.terminate()
            await asyncio.shield(proc.kill())
            raise
        finally:
            proc.close()

        code = proc.returncode
        text, note = tail.render()
        parts = [text or "(no output)"]
        if note:
            parts.append(note)
        if timed_out:
            parts.append(f"Command timed out after {timeout:g} seconds; it and every process it "
                         "started were stopped.")
        elif code is not None and code < 0:
            parts.append(f"Command was killed by signal {_signal_name(-code)}.")
        elif code:
            parts.append(f"Command exited with code {code}")
        details = {"exitCode": None if timed_out else code, "truncated": note is not None,
                   "timedOut": timed_out}
        if label:
            details["sandbox"] = label
        return ToolResult("\n\n".join(parts), is_error=timed_out or bool(code), details=details)


class _Local:
    """A command started here, as the leader of its own process group."""

    def __init__(self, transport: asyncio.SubprocessTransport, exited: asyncio.Future[None]) -> None:
        self.transport = transport
        self.exited = exited
        self.pgid = transport.get_pid()  # start_new_session: the shell leads a group with its pid as id

    @classmethod
    async def start(cls, argv: list[str], cwd: Any, env: dict[str, str], tail: OutputTail) -> "_Local":
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[None] = loop.create_future()
        try:
            transport, _protocol = await start_then_cancel(loop.subprocess_exec(
                lambda: _ShellProtocol(tail, exited), *argv, cwd=cwd, env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT, start_new_session=True))
        except StartCancelled as cancelled:  # interrupted while it started: end it, then stop
            started, _ = cancelled.started  # type: ignore[misc]
            signal_group(started.get_pid(), signal.SIGKILL)
            started.close()
            raise
        return cls(transport, exited)

    @property
    def returncode(self) -> int | None:
        return self.transport.get_returncode()

    def terminate(self) -> None:
        signal_group(self.pgid, signal.SIGTERM)

    async def kill(self) -> None:
        await kill_group(self.pgid)

    def close(self) -> None:
        self.transport.close()


async def _in_server(server: Any, argv: list[str], env: dict[str, str], cwd: str, tail: OutputTail) -> Any:
    """Start the command in the sandbox's supervisor (workbench/hooks/sandbox_server.py); None
    when it is gone (the caller then starts a one-shot bwrap: still sandboxed)."""
    from workbench.hooks.sandbox_server import ServerGone

    try:
        return _Remote(await start_then_cancel(server.spawn(argv, env, cwd, tail.feed, tail.eof)))
    except StartCancelled as cancelled:
        cancelled.started.signal_group(signal.SIGKILL)  # type: ignore[attr-defined]
        raise
    except ServerGone:
        return None


class _Remote:
    """A command the sandbox's supervisor started: signals go through it."""

    def __init__(self, command: Any) -> None:
        self.command = command
        self.exited = command.exited

    @property
    def returncode(self) -> int | None:
        return self.command.returncode

    def terminate(self) -> None:
        self.command.signal_group(signal.SIGTERM)

    async def kill(self) -> None:
        await self.command.kill_group(KILL_GRACE_S)

    def close(self) -> None:
        self.command.close()


class _ShellProtocol(asyncio.SubprocessProtocol):
    """Feeds output to the tail and reports the shell's exit as soon as it happens. (asyncio's
    Process.wait() also waits for every pipe to close, so a background child holding the pipe
    would make it hang.)"""

    def __init__(self, tail: "OutputTail", exited: asyncio.Future[None]):
        self.tail = tail
        self.exited = exited

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.tail.feed(data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if not self.tail.eof.done():
            self.tail.eof.set_result(None)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
