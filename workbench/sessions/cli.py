"""`workbench sessions list|show`: the session store from the command line (headless, no Textual).

Exit codes (workbench.errors): 0 ok, 2 bad arguments or an ambiguous id prefix, 10 no such session
or entry, 1 a session file that cannot be read. Errors go to stderr as one clear message.
Text from session files (names, messages, tool output) is untrusted: the human output strips
terminal control characters, and the JSON output is ASCII-escaped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Iterable

from workbench.errors import InvalidParams, SessionNotFound, WorkbenchError
from workbench.sessions.jsonl import LoadProblem
from workbench.sessions.listing import SessionInfo
from workbench.sessions.store import SessionStore
from workbench.sessions.tree_view import TreeIndex, summary_text
from workbench.text import one_line as _one_line

_SUMMARY_WIDTH = 100


def run_sessions_command(args: argparse.Namespace) -> int:
    try:
        if args.sessions_command == "list":
            return _list(args)
        if args.sessions_command == "show":
            return _show(args)
        raise InvalidParams(f"unknown sessions action {args.sessions_command!r}")
    except WorkbenchError as exc:
        _err(exc.message)
        return exc.exit_code
    except BrokenPipeError:
        # `workbench sessions show … | head`: the reader left; nothing more to say.
        _silence_stdout()
        return 0


# ---------------------------------------------------------------------- list

def _list(args: argparse.Namespace) -> int:
    cwd = os.path.abspath(args.cwd) if getattr(args, "cwd", None) else os.getcwd()
    store = SessionStore.from_settings(cwd)
    sessions = store.list(all_dirs=True) if args.all else store.list(cwd)
    for problem in store.problems:
        _err(f"warning: {problem}")
    if args.json:
        _out(json.dumps({"sessions": [s.to_json() for s in sessions], "problems": store.problems}))
        return 0
    if not sessions:
        where = "any directory" if args.all else cwd
        _out(f"no sessions for {one_line(where)} (in {store.sessions_dir}"
             + (f" and {store.pi_sessions_dir}" if store.pi_sessions_dir else "") + ")")
        return 0
    _out("\n".join(_list_rows(sessions, show_cwd=args.all)))
    return 0


def _list_rows(sessions: list[SessionInfo], *, show_cwd: bool) -> Iterable[str]:
    yield "MODIFIED          ID        MSGS  " + ("CWD  " if show_cwd else "") + "NAME / FIRST MESSAGE"
    for s in sessions:
        when = s.modified.astimezone().strftime("%Y-%m-%d %H:%M")
        title = s.name if s.name else s.first_message
        tags = " [pi]" if s.source == "pi" else ""
        cwd = f"{one_line(s.cwd)}  " if show_cwd else ""
        yield f"{when}  {one_line(s.id[:8]):<8}  {s.message_count:>4}  {cwd}{one_line(title, 70)}{tags}"


# ---------------------------------------------------------------------- show

def _show(args: argparse.Namespace) -> int:
    from workbench.sessions.manager import SessionManager  # the tree and context need the full loader

    cwd = os.path.abspath(args.cwd) if getattr(args, "cwd", None) else os.getcwd()
    path = SessionStore.from_settings(cwd).resolve(args.target, cwd)
    manager = SessionManager.open(path, readonly=True, warm=False)  # one context, then exit
    try:
        leaf = _leaf(manager, args.leaf)
        context = manager.build_context(leaf)
        if args.json:
            _out(json.dumps(show_json(manager, leaf, context)))
        else:
            _out("\n".join(show_lines(manager, leaf, context)))
    finally:
        manager.close()
    return 0


def _leaf(manager: Any, requested: str | None) -> str | None:
    if requested is None:
        return manager.leaf_id
    if requested == "root":
        return None
    if not manager.has_entry(requested):
        raise SessionNotFound(f"no entry {requested!r} in {manager.path} (use an entry id from `sessions show`, or 'root')",
                              details={"entry_id": requested, "path": str(manager.path)})
    return requested


def flat_tree(manager: Any) -> list[dict[str, Any]]:
    """The tree in display order (depth first, roots in file order, children by timestamp); iterative."""
    out: list[dict[str, Any]] = []
    roots = manager.get_tree()
    root_ids = {node.id for node in roots}
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        # a root's parent is null, as the contract says, whatever its line claims (see root_problems)
        parent_id = None if node.id in root_ids else node.parent_id
        row: dict[str, Any] = {"id": node.id, "type": node.type, "parent_id": parent_id}
        if node.label is not None:
            row["label"] = node.label
        out.append(row)
        stack.extend(reversed(node.children))
    return out


def root_problems(manager: Any) -> list[LoadProblem]:
    """Entries shown as roots although their line names a parent: an orphan (the parent is not in
    the file), a self-parented entry, or the first entry of a parent cycle."""
    out = []
    for node in manager.get_tree():
        parent = node.parent_id
        if parent is None:
            continue
        if parent == node.id:
            kind, why = "self-parent", "is its own parent"
        elif manager.has_entry(parent):
            kind, why = "cycle", f"has parent {parent}, which descends from it (a parent cycle)"
        else:
            kind, why = "orphan", f"has parent {parent}, which is not in the file"
        out.append(LoadProblem(node.record.line, kind, f"entry {node.id} {why}; shown as a root"))
    return out


def all_problems(manager: Any) -> list[LoadProblem]:
    return sorted([*manager.problems, *root_problems(manager)], key=lambda p: p.line)


def show_json(manager: Any, leaf: str | None, context: Any) -> dict[str, Any]:
    model = context.model
    return {
        "path": str(manager.path),
        "header": manager.header,
        "leaf_id": leaf,
        "name": manager.name,
        "labels": dict(manager.labels),
        "tree": flat_tree(manager),
        "context": {
            "thinking_level": context.thinking_level,
            "model": {"provider": model.get("provider"), "model_id": model.get("modelId")} if model else None,
            "messages": context.messages,
        },
        "problems": [p.to_json() for p in all_problems(manager)],  # line, kind, message
    }


def show_lines(manager: Any, leaf: str | None, context: Any) -> Iterable[str]:
    header = manager.header
    yield f"session {one_line(str(header.get('id', '')))}  {manager.path}"
    if manager.name:
        yield f"name    {one_line(manager.name)}"
    yield f"cwd     {one_line(str(header.get('cwd', '')))}"
    if header.get("parentSession"):
        yield f"forked  from {one_line(str(header['parentSession']))}"
    yield ""
    active = set(manager.get_branch_ids(leaf)) if leaf is not None else set()
    index = TreeIndex(manager.entries)  # the same one-line summaries as the TUI's tree
    # Indent only where the tree branches: a linear run stays in one column however long it is.
    stack = [(node, 0) for node in reversed(manager.get_tree())]
    while stack:
        node, indent = stack.pop()
        mark = "*" if node.id in active else " "
        label = f" [{one_line(node.label)}]" if node.label is not None else ""
        leaf_mark = "  <- leaf" if node.id == leaf else ""
        yield f"{mark} {'  ' * indent}{node.id} {summary_text(index, index.pos[node.id])}{label}{leaf_mark}"
        step = 1 if len(node.children) > 1 else 0
        stack.extend((child, indent + step) for child in reversed(node.children))
    yield ""
    model = context.model
    model_text = f"{model.get('provider')}/{model.get('modelId')}" if model else "none"
    at = leaf if leaf is not None else "root (empty)"
    yield (f"context at {at}: {len(context.messages)} messages, model {one_line(model_text)}, "
           f"thinking {one_line(str(context.thinking_level))}")
    for p in all_problems(manager):
        yield f"problem: line {p.line}: {one_line(p.message, 200)}"


def one_line(text: str, width: int = _SUMMARY_WIDTH) -> str:
    """Untrusted text made safe for a terminal line: escapes removed, whitespace collapsed, clipped."""
    return _one_line(str(text), width)


# ---------------------------------------------------------------------- output

def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(f"workbench: {text}\n")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


__all__ = ["run_sessions_command", "flat_tree", "show_json", "show_lines", "one_line"]
