"""`workbench sessions export ID-PREFIX [--format html|md|jsonl] [-o FILE] [--leaf ENTRY-ID|--all]`.

Reads the session file without locking or writing it (read-only open), so exporting a session
that another workbench has open is safe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, TextIO

from workbench.errors import InvalidParams, WorkbenchError


def render(manager: Any, fmt: str, *, leaf: str | None = None, whole_tree: bool = False,
           theme: str | None = None, cwd: Path | None = None) -> str:
    """The export of `manager` in `fmt` (html | md | jsonl): shared by the CLI and the TUI's /export."""
    if leaf is not None and not manager.has_entry(leaf):
        matches = [i for i in manager.entry_ids() if i.startswith(leaf)]
        if len(matches) != 1:
            raise InvalidParams(f"session {manager.session_id} has no entry {leaf!r}"
                                + (" (ambiguous prefix)" if matches else ""))
        leaf = matches[0]
    if fmt == "html":
        from workbench.export.html import export_html
        from workbench.export.theme import configured_theme, theme_colours

        return export_html(manager, leaf=leaf, whole_tree=whole_tree,
                           colours=theme_colours(theme or configured_theme(cwd)))
    if fmt == "jsonl":
        from workbench.export.jsonl import export_jsonl

        return export_jsonl(manager, leaf=leaf, whole_tree=whole_tree)
    if fmt == "md":
        if whole_tree:
            raise InvalidParams("--all needs --format html or jsonl (Markdown shows one branch)")
        from workbench.export.markdown import export_markdown

        messages = list(manager.build_context(leaf).messages) if leaf is not None else list(manager.build_context().messages)
        model = (manager.build_context().model or {}).get("modelId")
        return export_markdown(messages, session_id=manager.session_id, name=manager.name, cwd=manager.cwd, model=model)
    raise InvalidParams(f"unknown export format {fmt!r}: html, md or jsonl")


def run_export(args: Any, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        return _export(args, out, err)
    except WorkbenchError as exc:
        err.write(f"workbench: {exc.message}\n")
        return exc.exit_code


def _export(args: Any, out: TextIO, err: TextIO) -> int:
    from workbench.config import sessions_dir
    from workbench.sessions.manager import SessionManager
    from workbench.sessions.store import SessionStore

    cwd = Path(args.cwd or os.getcwd()).expanduser().resolve()
    path = SessionStore(sessions_dir()).resolve(args.target, cwd)
    try:
        manager = SessionManager.open(path, readonly=True, warm=False)
    except FileNotFoundError:
        raise InvalidParams(f"no session file at {path}") from None
    try:
        text = render(manager, args.format, leaf=args.leaf, whole_tree=args.all, theme=args.theme, cwd=cwd)
    finally:
        manager.close()
    if args.output in (None, "-"):
        out.write(text)
        out.flush()
        return 0
    target = Path(args.output).expanduser()
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidParams(f"cannot write {target}: {exc.strerror or exc}") from None
    err.write(f"workbench: exported {manager.session_id[:8]} to {target}\n")
    return 0
