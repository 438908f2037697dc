"""`workbench mob run FILE.toml -p TASK`, `workbench mob resume MOB-ID`, `workbench mob list`.

Headless: nobody can answer an approval, so in `ask` mode what needs asking is denied and the
model is told which flag allows it (as `workbench -p` does). `run` and `resume` end when the mob
is idle (the orchestrator has concluded and nobody is working or has a message waiting); the
mob is then marked completed. Text output prints the orchestrator's final answer; jsonl prints
every event of every member as one JSON line. The provider choice is kept in the mob's log, so
`resume` needs no flags.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from workbench.errors import EXIT_CODES, InvalidParams, WorkbenchError
from workbench.text import sanitize


def _err(stream: TextIO, text: str) -> None:
    stream.write(text.rstrip("\n") + "\n")
    stream.flush()



def run_mob_command(args: Any, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        if args.mob_command == "list":
            return _list(args, out)
        return asyncio.run(_drive(args, out, err))
    except KeyboardInterrupt:
        _err(err, "workbench: interrupted (the mob can be resumed with `workbench mob resume`)")
        return 130
    except WorkbenchError as exc:
        _err(err, f"workbench: {exc.message}")
        return exc.exit_code


def _list(args: Any, out: TextIO) -> int:
    from datetime import datetime, timezone

    from workbench.config import mobs_dir
    from workbench.mob.log import list_mobs
    from workbench.sessions.listing import iso_utc

    mobs = list_mobs(mobs_dir())
    if args.json:  # timestamps as `sessions list --json` gives them (ISO 8601, UTC)
        out.write(json.dumps([{"mob_id": m.mob_id, "definition": m.definition_id, "state": m.state,
                               "members": m.members,
                               "created": iso_utc(datetime.fromtimestamp(m.created, timezone.utc)),
                               "task": m.task, "log": str(m.path)} for m in mobs]) + "\n")
        return 0
    if not mobs:
        out.write("no mobs yet (start one with `workbench mob run FILE.toml -p TASK`)\n")
        return 0
    width = max(len(m.mob_id) for m in mobs)
    out.write(f"{'CREATED':<16}  {'MOB ID':<{width}}  {'STATE':<9}  MEMBERS  TASK\n")
    for m in mobs:  # local time to the minute, as `sessions list` shows it
        when = datetime.fromtimestamp(m.created).astimezone().strftime("%Y-%m-%d %H:%M")
        task = sanitize((m.task or "").replace("\n", " "))[:60]
        out.write(f"{when:<16}  {m.mob_id:<{width}}  {m.state:<9}  {m.members:>7}  {task}\n")
    return 0


async def _drive(args: Any, out: TextIO, err: TextIO) -> int:
    from workbench.mob.definition import MobDefinitionError, load_definition
    from workbench.mob.environment import environment_from_args
    from workbench.mob.log import read_log, resolve_mob
    from workbench.config import mobs_dir

    resuming = args.mob_command == "resume"
    first: dict[str, Any] = {}
    if resuming:
        loaded_log = read_log(resolve_mob(mobs_dir(), args.mob_id))
        first = loaded_log.records[0] if loaded_log.records else {}
        cwd = Path(args.cwd or first.get("cwd") or os.getcwd())
    else:
        cwd = Path(args.cwd or os.getcwd())
    cwd = cwd.expanduser().resolve()
    if not cwd.is_dir():
        raise InvalidParams(f"workspace {cwd} is not a directory")
    if not resuming and not (args.prompt or "").strip():
        raise InvalidParams("the task (-p) is empty")

    trust_project = bool(getattr(args, "trust_project", False))
    from workbench.headless import run_settings

    settings = run_settings(cwd, trust_project, err)
    if settings is None:
        return EXIT_CODES["INVALID_PARAMS"]

    definition = None
    if not resuming:
        try:
            if args.definition == "demo" and not Path("demo").exists():
                from workbench.mob.demo import demo_definition

                definition = demo_definition()  # `workbench mob run demo -p TASK`: the offline demo mob
            else:
                definition = load_definition(args.definition)
        except MobDefinitionError as exc:
            for problem in exc.problems:
                _err(err, f"workbench: {problem}")
            return EXIT_CODES["INVALID_PARAMS"]

    # approvals=None: headless, nobody to ask (what needs asking is denied, saying which flag allows it)
    env, choice = environment_from_args(args, settings, cwd, meta=first.get("meta"), approvals=None,
                                        notices=err, mobs_dir=mobs_dir(), definition=definition)

    from workbench.mcp.runs import start_for_run

    env.mcp_pool = await start_for_run(cwd, trust_override=trust_project, err=err)
    try:
        return await _run_mob(args, env, choice, first, definition, resuming, out, err)
    finally:
        if env.mcp_pool is not None:
            await env.mcp_pool.aclose()


async def _run_mob(args: Any, env: Any, choice: Any, first: dict[str, Any], definition: Any, resuming: bool,
                   out: TextIO, err: TextIO) -> int:
    from workbench.mob.handle import MobHandle
    from workbench.runtime.stream import EventStream

    events = EventStream()
    printer = _Printer(out, err, jsonl=args.output_format == "jsonl")
    events.add_listener(printer)
    if resuming:
        handle = await MobHandle.open(args.mob_id, env, events=events)
        if handle.state == "stopped":  # stopped by a user, a quit or Ctrl-C: `resume` means carry on
            await handle.resume()
    else:
        assert definition is not None
        handle = await MobHandle.create(definition, env, task=args.prompt, events=events,
                                        meta={"provider": choice})
    _err(err, f"workbench: mob {handle.id} ({len(handle.roster())} member(s)); log {handle.log_path}")
    try:
        if args.prompt:
            result = await handle.run(args.prompt)
        else:
            result = await handle.carry_on()
        answer = handle.last_answer()
        await handle.complete()
    finally:
        handle.close()
    text = result.text if result is not None else answer
    if not printer.jsonl:
        out.write(sanitize(text).rstrip("\n") + "\n")
        out.flush()
    if printer.failed_spawns and not handle.definition.mob.allow_failed_spawns:
        _err(err, f"workbench: the mob failed: {len(printer.failed_spawns)} spawn(s) failed "
                  f"({'; '.join(printer.failed_spawns)}). Set allow_failed_spawns = true in [mob] "
                  "if a run may go on without them.")
        return EXIT_CODES["AGENT_ERROR"]
    lead = printer.lead_outcome
    if lead == "budget_exhausted":
        return EXIT_CODES["BUDGET_EXHAUSTED"]
    if lead is not None and lead in EXIT_CODES:
        return EXIT_CODES[lead]
    return EXIT_CODES["OK"]


class _Printer:
    """jsonl: every event as a JSON line, flushed at once. text: notices to stderr."""

    def __init__(self, out: TextIO, err: TextIO, *, jsonl: bool) -> None:
        self.out, self.err, self.jsonl = out, err, jsonl
        self.orchestrator: str | None = None
        self.lead_outcome: str | None = None  # last outcome of the orchestrator's runs
        self.failed_spawns: list[str] = []   # which spawn_member calls failed (the model saw why)

    def __call__(self, event: Any) -> None:
        t = event.type
        if t == "tool_result_received" and event.name == "spawn_member" and event.status == "failed":
            self.failed_spawns.append(f"{event.member or 'a member'}'s call {event.id}")
        if t == "member_spawned" and event.orchestrator:
            self.orchestrator = event.identity
        if event.member is not None and event.member == self.orchestrator:
            if t == "run_completed":
                self.lead_outcome = "budget_exhausted" if event.stop == "budget_exhausted" else None
            elif t == "run_failed":
                self.lead_outcome = event.code
        if self.jsonl:
            self.out.write(json.dumps(event.model_dump(mode="json"), ensure_ascii=False) + "\n")
            self.out.flush()
            return
        who = f"[{event.member}] " if event.member else ""
        if t == "member_spawned":
            _err(self.err, f"workbench: + {event.identity} ({event.profile})")
        elif t == "member_retired":
            _err(self.err, f"workbench: - {event.identity} retired")
        elif t == "peer_message":
            _err(self.err, f"workbench: {event.sender} -> {event.recipient}: {sanitize(event.text)[:200]}")
        elif t == "budget_exhausted":
            _err(self.err, f"workbench: {who}{event.budget_type} budget exhausted ({event.used:g} of {event.limit:g})")
        elif t == "run_failed":
            _err(self.err, f"workbench: {who}failed: {sanitize(event.error)}")
        elif t == "tool_result_received" and event.status == "denied":
            _err(self.err, f"workbench: {who}{event.name} was denied (headless: pass --approve or --allow to allow it)")
