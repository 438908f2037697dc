"""Where the offline demo works: a scratch workspace of its own, never the user's directory.

The demo (no provider configured) writes `hello.py`, edits and runs it. Run from a clone or a
project, that used to leave files behind in it; now a new demo session lives in
`<data home>/demo-workspace` (WORKBENCH_HOME relocates it), made on first use. Passing `--cwd DIR`
asks for the demo to work in DIR instead. The UI and headless mode say where it works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.config import data_home


def demo_workspace() -> Path:
    return data_home() / "demo-workspace"


def prepare_demo_workspace() -> Path:
    """The demo's workspace, created when missing (owner-only: it lives beside the sessions)."""
    path = demo_workspace()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def workspace_for_demo(args: Any, cwd: Path) -> Path:
    """The directory a new demo session works in: the scratch workspace unless `--cwd` chose one."""
    if getattr(args, "cwd", None):
        return cwd
    return prepare_demo_workspace()


def where_notice(workspace: Path) -> str:
    return (f"Offline demo: it works in its own scratch workspace, {workspace} — your directory is "
            "left alone (--cwd DIR runs it there instead).")
