"""One long-lived bubblewrap sandbox per configuration, that starts each command inside it.

Creating the namespaces is what a sandboxed command costs (tens of milliseconds each time on a
busy machine, against a few for `bash -c true`). So the first command starts `bwrap ... python3
SUPERVISOR` once, and every command after is a message to that supervisor: it forks, puts the
child in its own session (process group), gives it our pipe as stdout/stderr (passed over a unix
socket with SCM_RIGHTS) and reports its exit. Signals to a command's group go through it too.
The supervisor lives in the sandbox's namespaces, so the commands get exactly the confinement of
a one-shot `bwrap`; it ends, and the sandbox with it, when our end of the socket closes or our
process dies (`--die-with-parent`). The private /tmp lasts as long as the supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import weakref
from typing import Any, Callable, Sequence

# Runs inside the sandbox as `python3 -I -S -c SUPERVISOR FD`: the standard library only.
# posix_spawn, not fork: a fork of the interpreter costs ~10 ms a command on a busy machine.
SUPERVISOR = r"""
import json, os, select, signal, socket, sys
sock = socket.socket(fileno=int(sys.argv[1]))
ids, pids = {}, {}  # our pid -> the client's id of the command, and back
rfd, wfd = os.pipe()
os.set_blocking(wfd, False)
signal.set_wakeup_fd(wfd)
signal.signal(signal.SIGCHLD, lambda *a: None)
def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        sock.send(json.dumps({"exit": ids.pop(pid, 0), "code": code}).encode())
while True:
    ready, _, _ = select.select([sock, rfd], [], [])
    if rfd in ready:
        os.read(rfd, 512)
        reap()
    if sock not in ready:
        continue
    msg, fds, _flags, _addr = socket.recv_fds(sock, 1 << 20, 1)
    if not msg:
        break
    req = json.loads(msg)
    if req["op"] == "kill":
        try:
            if req["id"] in pids:
                os.killpg(pids[req["id"]], req["sig"])
        except OSError:
            pass
        for fd in fds:
            os.close(fd)
        continue
    try:
        os.chdir(req["cwd"])
        pid = os.posix_spawnp(req["argv"][0], req["argv"], req["env"], setsid=True, file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, fds[0], 1), (os.POSIX_SPAWN_DUP2, fds[0], 2)])
        ids[pid], pids[req["id"]] = req["id"], pid
    except OSError as exc:
        os.write(fds[0], ("sandbox: could not start %s: %s\n" % (req["argv"][0], exc)).encode())
        sock.send(json.dumps({"exit": req["id"], "code": 127}).encode())
    for fd in fds:
        os.close(fd)
    reap()
"""


class ServerGone(Exception):
    """The supervisor is not running (it could not start, or it died)."""


class Command:
    """A command started by the supervisor, known to both sides by our id (its process group
    inside the sandbox is the supervisor's business): we do not wait for a reply to start it."""

    def __init__(self, server: "SandboxServer", id: int) -> None:
        self.server = server
        self.id = id
        self.returncode: int | None = None
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pipe: asyncio.BaseTransport | None = None  # our end of its output pipe

    def close(self) -> None:
        if self.pipe is not None:
            self.pipe.close()

    def signal_group(self, sig: int) -> None:
        self.server.signal(self.id, sig)

    async def kill_group(self, grace: float) -> None:
        """SIGTERM the group, SIGKILL it after `grace` (also after the leader has exited: what
        it left running may still hold the output pipe)."""
        self.signal_group(signal.SIGTERM)
        if not self.exited.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.exited), grace)
        self.signal_group(signal.SIGKILL)


class _Pipe(asyncio.Protocol):
    def __init__(self, feed: Callable[[bytes], None], eof: asyncio.Future[None]) -> None:
        self.feed = feed
        self.eof = eof

    def data_received(self, data: bytes) -> None:
        self.feed(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.eof.done():
            self.eof.set_result(None)


class SandboxServer:
    def __init__(self, bwrap_argv: Sequence[str]) -> None:
        self.bwrap_argv = list(bwrap_argv)  # bwrap and its flags, without "--" and a command
        self._sock: socket.socket | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._commands: dict[int, Command] = {}  # by id, until the supervisor reports their exit
        self._next_id = 0
        self._failed: str | None = None

    @property
    def alive(self) -> bool:
        return self._failed is None and self._proc is not None and self._proc.returncode is None

    async def _ensure(self) -> None:
        if self._failed is not None:
            raise ServerGone(self._failed)
        if self._proc is not None:
            return
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.bwrap_argv, "--", sys.executable, "-I", "-S", "-c", SUPERVISOR, str(theirs.fileno()),
                pass_fds=(theirs.fileno(),), stdin=asyncio.subprocess.DEVNULL, env={"PATH": os.defpath},
                start_new_session=True)
        except OSError as exc:
            ours.close()
            self._failed = f"could not start the sandbox: {exc}"
            raise ServerGone(self._failed) from None
        finally:
            theirs.close()
        ours.setblocking(False)
        self._sock = ours
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._sock is not None
        try:
            while True:
                data = await loop.sock_recv(self._sock, 65536)
                if not data:
                    break
                msg = json.loads(data)
                self._finished(int(msg["exit"]), int(msg["code"]))
        except (OSError, ValueError, KeyError) as exc:
            self._failed = f"the sandbox supervisor broke: {exc}"
        finally:
            self._failed = self._failed or "the sandbox supervisor exited"
            for id in list(self._commands):
                self._finished(id, -signal.SIGKILL)

    def _finished(self, id: int, code: int) -> None:
        cmd = self._commands.pop(id, None)
        if cmd is None:
            return
        cmd.returncode = code
        if not cmd.exited.done():
            cmd.exited.set_result(None)

    def signal(self, id: int, sig: int) -> None:
        if self._sock is None or self._failed is not None:
            return
        with contextlib.suppress(OSError):
            self._sock.send(json.dumps({"op": "kill", "id": id, "sig": int(sig)}).encode())

    async def spawn(self, argv: Sequence[str], env: dict[str, str], cwd: str, feed: Callable[[bytes], None],
                    eof: asyncio.Future[None]) -> Command:
        """Start `argv` inside the sandbox; its stdout and stderr go to `feed`, `eof` is set
        when every holder of the pipe has closed it."""
        await self._ensure()
        assert self._sock is not None
        loop = asyncio.get_running_loop()
        r, w = os.pipe()
        self._next_id += 1
        cmd = Command(self, self._next_id)
        self._commands[cmd.id] = cmd
        try:
            socket.send_fds(self._sock, [json.dumps({"op": "run", "id": cmd.id, "argv": list(argv), "env": env,
                                                     "cwd": cwd}).encode()], [w])
        except OSError as exc:
            self._commands.pop(cmd.id, None)
            os.close(r)
            self._failed = f"the sandbox supervisor is gone: {exc}"
            raise ServerGone(self._failed) from None
        finally:
            os.close(w)
        cmd.pipe, _ = await loop.connect_read_pipe(lambda: _Pipe(feed, eof), os.fdopen(r, "rb", buffering=0))
        return cmd

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        if self._proc is not None and self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()


# One server per sandbox configuration and event loop (a test suite runs many loops).
_SERVERS: dict[tuple[Any, ...], tuple["weakref.ref[asyncio.AbstractEventLoop]", SandboxServer]] = {}


def server_for(key: tuple[Any, ...], bwrap_argv: Sequence[str]) -> SandboxServer:
    loop = asyncio.get_running_loop()
    for k, (ref, srv) in list(_SERVERS.items()):  # servers of closed loops: end them
        dead = ref()
        if dead is None or dead.is_closed():
            srv.close()
            del _SERVERS[k]
    full = (*key, id(loop))
    found = _SERVERS.get(full)
    if found is not None and found[1]._failed is None:
        return found[1]
    srv = SandboxServer(bwrap_argv)
    _SERVERS[full] = (weakref.ref(loop), srv)
    return srv


async def close_servers() -> None:
    """End the sandboxes of the running loop and wait for them (before the loop closes, so no
    process outlives the loop that watches it)."""
    loop = asyncio.get_running_loop()
    for key, (ref, srv) in list(_SERVERS.items()):
        if ref() is loop:
            del _SERVERS[key]
            srv.close()
            if srv._proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    await srv._proc.wait()
            if srv._reader is not None:
                srv._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await srv._reader
