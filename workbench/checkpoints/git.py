"""Running git as a real program against a shadow repository, never the project's own.

Every call gets an explicit `GIT_DIR` (the shadow repository) and `GIT_WORK_TREE` (the
workspace), so git never discovers the project's `.git`; the user's global and system config are
left out (`core.fsmonitor`, `core.autocrlf`, hooks paths and the like would change what a
snapshot holds) and every other `GIT_*` variable of our environment is dropped (a workbench
started from a git hook must not write to that hook's index).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Mapping, Sequence

from workbench.errors import WorkbenchError

GIT_MISSING = "checkpoints are off: git was not found on PATH (install git to rewind files)"


class CheckpointError(WorkbenchError):
    """A checkpoint or restore that could not be done; the message says what and where."""

    code = "AGENT_ERROR"


class GitMissing(CheckpointError):
    code = "CAPABILITY_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__(GIT_MISSING)


def git_program() -> str | None:
    return shutil.which("git")


def git_env(git_dir: Path, work_tree: Path, index: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({
        "GIT_DIR": str(git_dir),
        "GIT_WORK_TREE": str(work_tree),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    })
    if index is not None:
        env["GIT_INDEX_FILE"] = str(index)
    return env


async def run_git(args: Sequence[str], *, env: Mapping[str, str], cwd: Path, stdin: bytes | None = None,
                  ok_codes: Sequence[int] = (0,)) -> bytes:
    """Run `git ARGS` and return its stdout; a failure raises CheckpointError with git's words."""
    program = git_program()
    if program is None:
        raise GitMissing()
    try:
        proc = await asyncio.create_subprocess_exec(
            program, *args, cwd=str(cwd), env=dict(env),
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    except OSError as exc:
        raise CheckpointError(f"could not run git: {exc}") from None
    try:
        out, err = await proc.communicate(stdin)
    except asyncio.CancelledError:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    if proc.returncode not in ok_codes:
        message = err.decode("utf-8", "replace").strip().splitlines()
        raise CheckpointError(f"git {args[0]} failed in {env.get('GIT_DIR')}: "
                              f"{message[-1] if message else f'exit {proc.returncode}'}")
    return out


def split_z(out: bytes) -> list[str]:
    """NUL-separated git output → paths (surrogateescape keeps non-UTF-8 names round-trippable)."""
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]
