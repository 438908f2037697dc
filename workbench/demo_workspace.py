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


DEMO_AGENTS_MD = """# Demo workspace

This is the workbench's offline-demo scratch workspace. This file is its AGENTS.md: the workbench
adds it to the agent's system prompt (the start of the session says so; /context shows the prompt).

- Python 3; give new functions type hints and a one-line docstring.
- Check a script by running it: `python3 FILE`.
- Files here are scratch: nothing in this folder matters outside the demo.
"""


def prepare_demo_workspace() -> Path:
    """The demo's workspace, created when missing (owner-only: it lives beside the sessions),
    with an AGENTS.md so the demo shows context files being loaded and a playbook so it shows
    guidelines and a journey (a user's edit of either is kept)."""
    path = demo_workspace()
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:  # a read-only home: say so, and how to run the demo elsewhere
        from workbench.errors import WorkbenchError

        raise WorkbenchError(f"cannot create the demo's scratch workspace {path} ({exc.strerror}); "
                             "pass --cwd DIR to run the demo in DIR, or set WORKBENCH_HOME to a writable "
                             "directory") from None
    from workbench.providers.demo_tour import DEMO_PLAYBOOK

    # the demo's playbook (a guideline and a three-step journey) shows playbooks off without a key
    for name, text in (("AGENTS.md", DEMO_AGENTS_MD), (".workbench/playbook.toml", DEMO_PLAYBOOK)):
        target = path / name
        if not target.exists():
            try:
                target.parent.mkdir(exist_ok=True, mode=0o700)
                target.write_text(text, encoding="utf-8")
            except OSError:  # a read-only data dir: the demo still runs, without the file
                pass
    return path


def workspace_for_demo(args: Any, cwd: Path) -> Path:
    """The directory a new demo session works in: the scratch workspace unless `--cwd` chose one."""
    if getattr(args, "cwd", None):
        return cwd
    return prepare_demo_workspace()


def where_notice(workspace: Path) -> str:
    return (f"Offline demo: it works in its own scratch workspace, {workspace} — your directory is "
            "left alone (--cwd DIR runs it there instead).")
