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
from pathlib import Path

# The watchdog's own program: a standalone script run as `python -I -S _watchdog.py` (no
# site-packages, nothing of the workbench imported: it starts in a few milliseconds).
WATCHDOG = Path(__file__).with_name("_watchdog.py")


class Reaper:
    """The workbench's end of the watchdog; started on first use, one per pool."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None

    def _ensure(self) -> subprocess.Popen[bytes] | None:
        if self._proc is None and sys.platform != "win32":
            try:
                self._proc = subprocess.Popen(
                    [sys.executable, "-I", "-S", str(WATCHDOG)], stdin=subprocess.PIPE,
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
