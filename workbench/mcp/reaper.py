"""No orphans: a watchdog process that ends every MCP server's process group if the workbench dies.

The SDK starts each stdio server in a new session (its own process group) and, on a normal
close, stops the whole group. That needs the workbench alive: killed with SIGKILL, or crashing
hard, it would leave servers (and whatever they started) running. So the pool starts one small
watchdog per session, in its own session too (a Ctrl-C in the terminal does not reach it), and
tells it on its stdin each group it must watch (`+PGID`) or may forget (`-PGID`). When its stdin
reaches end-of-file — the workbench exited, however it exited — it sends SIGTERM to every group
still listed, and SIGKILL a moment later to what is left.
"""

from __future__ import annotations

import os
import subprocess
import sys

# Runs as `python -I -S -c SOURCE`: no site-packages, nothing of the workbench imported (fast).
SOURCE = r"""
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
groups = set()
for line in sys.stdin:
    line = line.strip()
    if line[1:].isdigit():
        (groups.add if line[0] == '+' else groups.discard)(int(line[1:]))
def alive(pg):
    try:
        os.killpg(pg, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
for pg in list(groups):
    try:
        os.killpg(pg, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        groups.discard(pg)
deadline = time.monotonic() + 1.0
while groups and time.monotonic() < deadline:
    groups = {pg for pg in groups if alive(pg)}
    time.sleep(0.02)
for pg in groups:
    try:
        os.killpg(pg, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
"""


class Reaper:
    """The workbench's end of the watchdog; started on first use, one per pool."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None

    def _ensure(self) -> subprocess.Popen[bytes] | None:
        if self._proc is None and sys.platform != "win32":
            try:
                self._proc = subprocess.Popen(
                    [sys.executable, "-I", "-S", "-c", SOURCE], stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                    close_fds=True)
            except OSError:
                self._proc = None
        return self._proc

    def _send(self, line: str) -> None:
        proc = self._ensure()
        if proc is None or proc.stdin is None:
            return
        try:
            proc.stdin.write(line.encode() + b"\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def watch(self, pgid: int) -> None:
        self._send(f"+{pgid}")

    def forget(self, pgid: int) -> None:
        if self._proc is not None:
            self._send(f"-{pgid}")

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def close(self) -> None:
        """Normal end: the groups were already stopped by the SDK; whatever is still listed is
        ended by the watchdog as it exits."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()


def pid_marker() -> str:
    return "@@workbench-mcp-pid "


def wrap_command(command: str, args: list[str]) -> tuple[str, list[str]]:
    """Run the server through /bin/sh, which prints its pid (the pid and process group of the
    server it then becomes with exec) on stderr first: how the pool learns which group to watch,
    without reaching into the SDK's process handling."""
    script = f'echo "{pid_marker()}$$" >&2; exec "$@"'
    return "/bin/sh", ["-c", script, "sh", command, *args]


def shell_available() -> bool:
    return os.path.exists("/bin/sh") and sys.platform != "win32"
