"""No orphans: every MCP server process (and what it started) ends with the workbench — on a
normal close, on Ctrl-C, and when the workbench is killed outright (the watchdog's job)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.mcp.conftest import TOOLBOX

HOST = r'''
import asyncio, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.mcp.conftest import pool_of, stdio_server

async def main():
    pool = pool_of(stdio_server("a", "--pid-file", sys.argv[2], "--spawn-child"),
                   stdio_server("b", "--pid-file", sys.argv[2], "--hang-start"), workspace=Path.cwd())
    pool.start()
    try:
        if sys.argv[3] == "ready":
            await pool.wait_ready(timeout=60)
        while not all(c.pgid for c in pool.connections.values()):  # both spawned and watched
            await asyncio.sleep(0.02)
        print("READY", pool.status()[0].state, flush=True)
        await asyncio.sleep(3600)
    finally:
        await pool.aclose()

try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
'''


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("how, wait", [(signal.SIGKILL, "ready"), (signal.SIGINT, "starting")])
def test_servers_and_their_children_end_with_the_workbench(tmp_path, how, wait):
    pids_file = tmp_path / "pids"
    root = str(Path(__file__).resolve().parents[2])
    host = subprocess.Popen([sys.executable, "-c", HOST, root, str(pids_file), wait], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = host.stdout.readline()
        assert line.split() == ["READY", wait], line
        deadline = time.monotonic() + 30
        while not pids_file.exists() or len(pids_file.read_text().split()) < 3:  # a, its child, b
            assert time.monotonic() < deadline, "the servers did not record their pids"
            time.sleep(0.05)
        pids = [int(p) for p in pids_file.read_text().split()]
        assert all(alive(p) for p in pids)
        host.send_signal(how)
        host.wait(15)
        deadline = time.monotonic() + 8
        while any(alive(p) for p in pids):
            assert time.monotonic() < deadline, f"orphans left: {[p for p in pids if alive(p)]}"
            time.sleep(0.05)
    finally:
        if host.poll() is None:
            host.kill()
        for p in (int(x) for x in pids_file.read_text().split()) if pids_file.exists() else ():
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
