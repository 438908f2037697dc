"""`workbench sessions files|restore`: a session's file checkpoints from the command line.

Exit codes (workbench.errors): 0 ok, 2 bad arguments or conflicts (restore without --force),
10 no such session or entry, 11 the session is open in another process, 40 git missing or
checkpoints off. Paths are untrusted text: the human output strips control characters, the
JSON output is ASCII-escaped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from workbench.checkpoints import CheckpointError, Timeline, open_repo, unavailable
from workbench.checkpoints.rewind import apply_restore, describe_plan, direct_append, plan_restore
from workbench.errors import EXIT_CODES, InvalidParams, SessionBusy, SessionNotFound, WorkbenchError
from workbench.text import one_line

EXIT_CONFLICTS = EXIT_CODES["INVALID_PARAMS"]


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_files(args) if args.sessions_command == "files" else _restore(args))
    except WorkbenchError as exc:
        sys.stderr.write(f"workbench: {exc.message}\n")
        return exc.exit_code


def _open(args: argparse.Namespace, *, readonly: bool) -> Any:
    from workbench.sessions.errors import SessionLocked
    from workbench.sessions.manager import SessionManager
    from workbench.sessions.store import SessionStore

    cwd = os.path.abspath(args.cwd) if getattr(args, "cwd", None) else os.getcwd()
    path = SessionStore.from_settings(cwd).resolve(args.target, cwd)
    try:
        manager = SessionManager.open(path, readonly=readonly, warm=False)
    except SessionLocked:
        raise SessionBusy(f"{path} is open in another workbench; close it there to restore from here") from None
    if args.entry is not None and not manager.has_entry(args.entry):
        manager.close()
        raise SessionNotFound(f"no entry {args.entry!r} in {path} (entry ids: `workbench sessions show`)")
    return manager


def _repo(manager: Any) -> Any:
    workspace = manager.cwd
    if not workspace or not os.path.isdir(workspace):
        raise InvalidParams(f"the session's workspace {workspace!r} is not a directory here")
    why = unavailable(workspace)
    if why:
        raise WorkbenchError(why, code="CAPABILITY_UNAVAILABLE")
    return open_repo(workspace)


def _leaf_tree(timeline: Timeline, leaf: str | None) -> str | None:
    if leaf is None:
        return None
    state = timeline.state_at(leaf)
    return state.tree if state else None


async def _files(args: argparse.Namespace) -> int:
    manager = _open(args, readonly=True)
    try:
        timeline = Timeline(manager.entries)
        if args.entry is None:
            rows = []
            for cid in timeline.on_path(manager.leaf_id):
                data = timeline.data(cid)
                rows.append({"checkpoint": cid, "kind": data.get("kind"), "tool": data.get("tool"),
                             "agent": data.get("agent"), "tree": data.get("tree"), "count": data.get("count", 0),
                             "files": data.get("files") or [], "skipped": data.get("skipped") or []})
            if args.json:
                _out(json.dumps({"session": manager.session_id, "leaf": manager.leaf_id, "checkpoints": rows}))
            elif not rows:
                _out("no file checkpoints on this session's branch (no tool call changed files)")
            else:
                for row in rows:
                    who = f" [{one_line(str(row['agent']), 30)}]" if row["agent"] else ""
                    what = row["tool"] or row["kind"]
                    _out(f"{row['checkpoint']}  {one_line(str(what), 20)}{who}  {row['count']} file(s)")
                    for f in row["files"]:
                        _out(f"    {f.get('status', '?')} {one_line(str(f.get('path')), 300)}")
            return 0
        at = timeline.files_changed_at(args.entry)
        state = timeline.state_at(args.entry)
        leaf_tree = _leaf_tree(timeline, manager.leaf_id)
        since: list[dict[str, str]] = []
        if state is not None and leaf_tree is not None and state.tree != leaf_tree:
            since = [c.to_json() for c in await _repo(manager).diff(state.tree, leaf_tree)]
        if args.json:
            _out(json.dumps({"session": manager.session_id, "entry": args.entry, "leaf": manager.leaf_id,
                             "tree": state.tree if state else None, "at": at, "since": since}))
            return 0
        _out(f"changed at {args.entry}: " + ("nothing" if not at else f"{len(at)} file(s)"))
        for f in at:
            _out(f"    {f['status']} {one_line(f['path'], 300)}")
        _out(f"changed since {args.entry} (up to the leaf {manager.leaf_id}): "
             + ("nothing" if not since else f"{len(since)} file(s)"))
        for f in since:
            _out(f"    {f['status']} {one_line(f['path'], 300)}")
        return 0
    finally:
        manager.close()


async def _restore(args: argparse.Namespace) -> int:
    manager = _open(args, readonly=args.dry_run)
    try:
        repo = _repo(manager)
        try:
            plan = await plan_restore(repo, Timeline(manager.entries), args.entry)
        except KeyError:
            raise SessionNotFound(f"no entry {args.entry!r} in {manager.path}") from None
        lines = describe_plan(plan, force=args.force)
        conflicts = plan.conflicts
        if args.dry_run:
            if args.json:
                _out(json.dumps({"dryRun": True, **plan.to_json()}))
            else:
                _out(f"would restore {len(plan.to_apply(args.force))} file(s) to their state at {args.entry}:"
                     if plan.files else f"the workspace already has the files of {args.entry}")
                for line in lines:
                    _out("  " + one_line(line, 400))
            return 0
        if conflicts and not args.force:
            sys.stderr.write(f"workbench: {len(conflicts)} file(s) changed outside the agent since its last "
                             f"checkpoint; nothing was restored (--force overwrites them):\n")
            for f in conflicts:
                sys.stderr.write(f"  {one_line(f.path, 400)}\n")
            if args.json:
                _out(json.dumps({"restored": False, **plan.to_json()}))
            return EXIT_CONFLICTS
        result = await apply_restore(repo, plan, manager, direct_append, force=args.force)
        if args.json:
            _out(json.dumps({"restored": True, **plan.to_json(), "checkpoints": result.entry_ids,
                             "before": result.before_tree, "after": result.after_tree}))
        else:
            if not result.written:
                _out(f"the workspace already has the files of {args.entry}")
            else:
                _out(f"restored {len(result.written)} file(s) to their state at {args.entry}:")
                for line in lines:
                    _out("  " + one_line(line, 400))
            _out(f"undo: workbench sessions restore {manager.session_id[:8]} --entry {result.entry_ids[0]}")
        return 0
    except CheckpointError as exc:
        raise WorkbenchError(exc.message, code=exc.code) from None
    finally:
        manager.close()


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
