"""The real `workbench` command in a real pseudo-terminal: what a newcomer types first.

Pilot tests drive the App object; these start the installed entry point the way a user does, so
anything between the command line and the first frame (startup wiring, settings, the offline demo)
is covered too.
"""

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

WORKBENCH = Path(sys.executable).parent / "workbench"


def _spawn(args, cwd, env, cols=160, rows=48):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen([str(WORKBENCH), *args], cwd=cwd, env=env, stdin=slave, stdout=slave,
                            stderr=slave, start_new_session=True, close_fds=True)
    os.close(slave)
    return proc, master


def _read_until(master, proc, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if needle in seen:
                return seen
        elif proc.poll() is not None:
            break
    raise AssertionError(f"{needle!r} never appeared (exit {proc.poll()}); last output: {seen[-2000:]!r}")


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
    env.update(WORKBENCH_HOME=str(home), TERM="xterm-256color", COLUMNS="160", LINES="48")
    return env


def _quit(proc, master, timeout: float = 20) -> int:
    """ctrl+q, then keep reading: an app whose output nobody reads blocks on a full terminal."""
    os.write(master, b"\x11")
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:  # the terminal closed: the app is on its way out
                    return proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        return proc.wait(timeout=1)
    finally:
        os.close(master)


@pytest.mark.parametrize("extra", [[], ["--mob", "demo"]])
def test_workbench_starts_the_offline_demo_and_quits_cleanly(tmp_path, extra):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc, master = _spawn(extra, empty, _env(tmp_path / "home"))
    try:
        _read_until(master, proc, b"OFFLINE DEMO" if not extra else b"Mob", timeout=60)
        # give it a moment to run, then quit; a crash or traceback would end it early
        time.sleep(1.0)
        assert proc.poll() is None, "the app ended by itself"
        assert _quit(proc, master) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_broken_config_opens_with_a_message_not_a_traceback(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("[budget]\nmax_turns = 0\n")
    proc, master = _spawn([], tmp_path, _env(home))
    try:
        out = _read_until(master, proc, b"max_turns", timeout=60)
        assert b"Traceback" not in out
        assert proc.poll() is None
        _quit(proc, master)
    finally:
        if proc.poll() is None:
            proc.kill()
