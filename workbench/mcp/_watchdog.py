"""The MCP watchdog (see reaper.py): reads `+PGID` / `-PGID` lines until end-of-file, then ends
every process group still listed — SIGTERM, and SIGKILL a second later to what is left.
Standalone on purpose: run with `python -I -S`, it imports nothing of the workbench."""

import os
import signal
import sys
import time


def alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C meant for the workbench
    groups: set[int] = set()
    for line in sys.stdin:
        line = line.strip()
        if line[1:].isdigit():
            (groups.add if line[0] == "+" else groups.discard)(int(line[1:]))
    for pgid in list(groups):
        try:
            os.killpg(pgid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            groups.discard(pgid)
    deadline = time.monotonic() + 1.0
    while groups and time.monotonic() < deadline:
        groups = {g for g in groups if alive(g)}
        time.sleep(0.02)
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


if __name__ == "__main__":
    main()
