"""Process-group control for shell commands: a command runs as the leader of its own group
(start_new_session=True), so a timeout or an interrupt can end it and everything it started."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Awaitable, TypeVar

T = TypeVar("T")

KILL_GRACE_S = 1.0  # between SIGTERM and SIGKILL


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in the group. Zombies are ignored: an orphan whose reaper is
    slow still answers kill(pid, 0) although it is already dead."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members: list[int] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces or parens, so split after the last ')'
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) >= 3 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


async def start_then_cancel(start: Awaitable[T]) -> T:
    """Await a process start that a cancellation must not cut short: asyncio, cancelled while a
    subprocess starts, waits for that process to *exit* (a `sleep 20` holds an interrupt for 20 s).
    So the start completes; the caller's cancellation is re-raised with the started process
    attached (`StartCancelled.started`), for the caller to kill."""
    task = asyncio.ensure_future(start)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        started = await task
        raise StartCancelled(started) from None


class StartCancelled(asyncio.CancelledError):
    def __init__(self, started: object) -> None:
        super().__init__()
        self.started = started


async def kill_group(pgid: int, grace: float = KILL_GRACE_S) -> None:
    """SIGTERM the whole group, then SIGKILL whatever is still alive after `grace` seconds."""
    signal_group(pgid, signal.SIGTERM)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while loop.time() < deadline:
        if not group_members(pgid):
            return
        await asyncio.sleep(0.02)
    signal_group(pgid, signal.SIGKILL)
