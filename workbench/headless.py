"""Headless mode: `workbench -p PROMPT` — one run, no terminal UI, an exit code a script can use.

Text output prints the final answer on stdout (warnings, retries and denials go to stderr);
`--output-format jsonl` prints every event as one JSON line and ends with run_completed or
run_failed. Nobody can answer an approval here, so in `ask` mode whatever needs asking is denied
and the model is told which flag would allow it. The run is saved as a normal session.

A config file with problems stops the run before it starts (exit 2, each problem with its file
and line), a TOML syntax error included: the TUI starts with every tool call asking instead
(runtime/rules.py), but here nobody could answer, so fixing the file comes first.
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



def report_trust(cwd: Path, override: bool, err: TextIO) -> None:
    """On stderr: what the project's configuration was not allowed to do (or, trusted with
    --trust-project, what it now does)."""
    from workbench import trust

    if trust.is_trusted(cwd):
        return  # trusted for good (recorded, or listed in the user's config): nothing new to say
    items = trust.describe(cwd)
    for line in trust.notice(cwd, items, trusted=override):
        _err(err, f"workbench: {sanitize(line)}")


def run_settings(cwd: Path, trust_project: bool, err: TextIO) -> Any | None:
    """The settings of a run in `cwd` (-p, `mob run`), after saying on stderr what the project's
    configuration may do; None once every problem of a broken configuration is said (the run
    exits INVALID_PARAMS: it never goes on with settings the user did not write)."""
    from workbench.config import load_settings

    loaded = load_settings(cwd, trust_override=trust_project)
    if loaded.problems:
        for problem in loaded.problems:
            _err(err, f"workbench: config error: {sanitize(str(problem))}")  # may quote the file
        return None
    report_trust(cwd, trust_project, err)
    return loaded.settings


def run_headless(args: Any, *, stdout: TextIO | None = None, stderr: TextIO | None = None,
                 provider: Any = None) -> int:
    """Run one prompt headless; returns the exit code. `provider` overrides provider selection
    (tests pass a scripted provider)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        return asyncio.run(_main(args, out, err, provider))
    except KeyboardInterrupt:
        _err(err, "workbench: interrupted")
        return 130
    except WorkbenchError as exc:
        # the message may quote a file (a replay script's keys, a path): shown, never interpreted
        _err(err, f"workbench: {sanitize(exc.message)}")
        return exc.exit_code


async def _main(args: Any, out: TextIO, err: TextIO, provider: Any) -> int:
    from workbench.runtime.agent import AgentSession
    from workbench.runtime.budget import BudgetLimits
    from workbench.runtime.retry import RetryPolicy
    from workbench.runtime.rules import load_policy

    cwd = Path(args.cwd or os.getcwd()).expanduser().resolve()
    if not cwd.is_dir():
        raise InvalidParams(f"--cwd {cwd} is not a directory")
    prompt = args.prompt
    if not prompt or not prompt.strip():
        raise InvalidParams("the prompt (-p) is empty")

    trust_project = bool(getattr(args, "trust_project", False))
    settings = run_settings(cwd, trust_project, err)
    if settings is None:
        return EXIT_CODES["INVALID_PARAMS"]

    try:
        limits = BudgetLimits.from_settings(
            settings.budget, max_tokens=args.max_tokens, max_cost=args.max_cost, max_turns=args.max_turns,
            max_tool_calls=args.max_tool_calls, max_duration=args.max_duration)
    except ValueError as exc:
        raise InvalidParams(str(exc).replace("budget max_", "--max-").replace("_", "-")) from None
    try:
        retry = RetryPolicy.from_settings(settings.provider, idle_timeout=getattr(args, "idle_timeout", None))
    except ValueError as exc:
        raise InvalidParams(str(exc)) from None

    run_options: dict[str, Any] = {}
    if getattr(args, "output_schema", None):
        from workbench.runtime.structured import load_schema_file

        retries = getattr(args, "structured_output_retries", 2)
        if retries < 0:
            raise InvalidParams(f"--structured-output-retries must not be negative, got {retries}")
        run_options = {"output_schema": load_schema_file(args.output_schema), "structured_output_retries": retries}

    # Rules from the user and project files add up (load_settings would let one replace the other).
    policy = load_policy(cwd, mode=args.approve, allow=args.allow or [], deny=args.deny or [],
                         trust_project=trust_project)

    if provider is None:
        provider, model = _select_provider(args, settings, err)
    else:
        model = args.model or getattr(provider, "model", None)

    from workbench.hooks.setup import session_hooks
    from workbench.mcp.runs import start_for_run
    from workbench.tools.registry import builtin_registry

    hooks = session_hooks(settings, cwd, args)
    for notice in hooks.notices():
        _err(err, f"workbench: {sanitize(notice)}")
    demo = bool(getattr(provider, "is_demo", False))
    manager = _open_manager(args, cwd, demo=demo, err=err)
    try:  # the session's own workspace: a resumed session's, or the demo's scratch one
        project, resolved = _resolve_input(args, settings, Path(manager.cwd or cwd), prompt, err, demo=demo)
        playbook = _playbook(args, Path(manager.cwd or cwd), trust_project, err)  # bad --var/--journey: exit 2
    except BaseException:
        manager.close()
        raise
    tools = builtin_registry()
    from workbench.playbook.equip import add_tools

    for notice in add_tools(tools, playbook.playbook.tools):  # configured [[tools]]
        _err(err, f"workbench: {sanitize(notice)}")
    mcp_pool = None
    try:
        mcp_pool = await start_for_run(cwd, trust_override=trust_project, err=err)  # settled: no later turn
        if mcp_pool is not None:
            mcp_pool.attach(tools)
        session = AgentSession(
            manager, provider, model=model, policy=policy, tools=tools,
            approvals=None,  # nobody to ask: what needs asking is denied with the flag that allows it
            limits=limits, system_prompt=args.system_prompt, retry=retry,
            thinking_level=args.thinking or (settings.provider.thinking if settings.provider.thinking != "off" else None),
            **hooks.agent_kwargs(),
            project=project, playbook=playbook,
        )
        from workbench.runtime.session_settings import restore_from_args

        restore_from_args(session, args, mode=False)  # -c / --session: the limits the session stored
    except BaseException:
        manager.close()
        if mcp_pool is not None:
            await mcp_pool.aclose()
        raise
    if session.checkpoints.problem:  # e.g. git missing: said once, the run goes on without file checkpoints
        _err(err, f"workbench: {session.checkpoints.problem}")
    printer = _JsonlPrinter(out) if args.output_format == "jsonl" else _TextReporter(err, session)
    remove = session.events.add_listener(printer)
    ctrl_c = _CtrlC(session, err)
    try:
        with ctrl_c:
            for note in playbook.apply_start_options():  # --agent/--var/--journey, their events printed
                _err(err, f"workbench: {sanitize(note)}")
            result = await session.run(resolved.text, content=resolved.prepared.content(),
                                       attachments=resolved.prepared.attached, **run_options)
    except WorkbenchError as exc:
        if args.output_format != "jsonl" or not printer.failed:  # refused before the run: no run_failed
            _err(err, f"workbench: {sanitize(exc.message)}")  # may quote a hook's output
        return exc.exit_code
    finally:
        remove()
        await hooks.engine.drain(timeout=60)  # background hooks finish (each has its own timeout)
        await hooks.close()
        manager.close()
        await provider.aclose()
        if mcp_pool is not None:
            await mcp_pool.aclose()
    if ctrl_c.pressed:  # the partial answer is kept in the session (as Esc in the TUI) and printed
        if args.output_format != "jsonl" and result.text:
            out.write(sanitize(result.text).rstrip("\n") + "\n")
            out.flush()
        return 130
    if run_options and result.extraction_error is not None:
        # no JSON that fits the schema: nothing goes to stdout, where a script expects the JSON
        if args.output_format != "jsonl":
            _err(err, f"workbench: no structured output: {result.extraction_error}")
        return EXIT_CODES["AGENT_ERROR"]
    if args.output_format != "jsonl":
        text = json.dumps(result.structured_output, ensure_ascii=False) if run_options else sanitize(result.text)
        out.write(text.rstrip("\n") + "\n")
        out.flush()
    if printer.stop == "budget_exhausted":
        return EXIT_CODES["BUDGET_EXHAUSTED"]
    if printer.stop == "turn_limit":  # the agent's max_turns ran out: the work may not be done
        if args.output_format != "jsonl":
            _err(err, f"workbench: {session._turn_limit_message()}")
        return EXIT_CODES["BUDGET_EXHAUSTED"]
    if printer.last_tool_status == "denied":
        # The agent ended right after being refused something: the job is likely not done.
        return EXIT_CODES["HOOK_DENIED"]
    return EXIT_CODES["OK"]


def _resolve_input(args: Any, settings: Any, cwd: Path, prompt: str, err: TextIO, *,
                   demo: bool = False) -> tuple[Any, Any]:
    """Context files and skills for the system prompt; the prompt with `/skill:`, templates,
    `@mentions` and `--image` files resolved. Problems go to stderr; an unknown skill or a bad
    image stops the run before anything is sent."""
    from workbench.context.project import ProjectContext, context_enabled
    from workbench.context.prompts import resolve_prompt
    from workbench.context.templates import TemplateArgumentError

    project = ProjectContext.load(cwd, files_enabled=context_enabled(settings, args))
    for line in project.summary_lines():
        # problems only (the answer is the output); the demo also shows what it loaded
        if demo or not line.startswith(("context files:", "skills:")):
            _err(err, f"workbench: {sanitize(line)}")
    try:
        resolved = resolve_prompt(prompt, project, cwd, images=[Path(p) for p in getattr(args, "image", None) or []])
    except TemplateArgumentError as exc:
        raise InvalidParams(str(exc)) from None
    for note in resolved.prepared.notes:
        _err(err, f"workbench: {sanitize(note)}")
    return project, resolved


def _select_provider(args: Any, settings: Any, err: TextIO) -> tuple[Any, str | None]:
    from workbench.providers import resolve_provider_settings

    resolved = resolve_provider_settings(settings, args)
    from workbench.sdk_preload import preload

    preload(resolved.name)  # named by the config only: started now (a no-op when already under way)
    if resolved.is_demo:
        # the reason already says it is the demo ("no provider configured: running the offline demo")
        why = resolved.reason if "offline demo" in resolved.reason else f"running the offline demo ({resolved.reason})"
        _err(err, f"workbench: {why}. Set ANTHROPIC_API_KEY or OPENAI_API_KEY, or pass --provider "
                  "and --model, to use a real model.")
    from workbench.providers.credentials import require_setup

    require_setup(resolved.name, resolved.base_url)  # no key: exit 20 before the run, saying what to set
    return resolved.create(), resolved.model


def _playbook(args: Any, workspace: Path, trust_project: bool, err: TextIO) -> Any:
    """The session's PlaybookRuntime (docs/playbooks.md); a broken item is reported and left out."""
    from workbench.playbook.setup import session_playbook

    runtime = session_playbook(workspace, args, trust_project=trust_project)
    for problem in runtime.playbook.problems:
        _err(err, f"workbench: playbook: {sanitize(str(problem))}")
    return runtime


def _open_manager(args: Any, cwd: Path, *, demo: bool = False, err: TextIO | None = None) -> Any:
    from workbench.config import sessions_dir
    from workbench.sessions.manager import SessionManager
    from workbench.sessions.store import SessionStore

    store = SessionStore(sessions_dir())
    if args.session:
        return SessionManager.open(store.resolve(args.session, cwd))
    if args.continue_recent:
        recent = store.continue_recent(cwd)
        if recent is not None:
            return SessionManager.open(recent)
    if demo:  # the offline demo writes files: in a scratch workspace of its own, not here
        from workbench.demo_workspace import where_notice, workspace_for_demo

        workspace = workspace_for_demo(args, cwd)
        if workspace != cwd and err is not None:
            _err(err, f"workbench: {where_notice(workspace)}")
        cwd = workspace
    return SessionManager.create(cwd, sessions_dir=sessions_dir())


class _JsonlPrinter:
    """Every event as one JSON line, flushed at once so a pipe reader sees it live."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.stop: str | None = None
        self.failed = False
        self.last_tool_status: str | None = None

    def __call__(self, event: Any) -> None:
        _track(self, event)
        self.out.write(json.dumps(event.model_dump(mode="json"), ensure_ascii=False) + "\n")
        self.out.flush()


class _TextReporter:
    """Text mode: the answer goes to stdout at the end; what a person should know goes to stderr."""

    def __init__(self, err: TextIO, session: Any) -> None:
        self.err = err
        self.session = session
        self.stop: str | None = None
        self.failed = False
        self.last_tool_status: str | None = None

    def __call__(self, event: Any) -> None:
        _track(self, event)
        t = event.type
        if t == "budget_warning":
            msg = event.message or f"{event.percent:g}% of the {event.budget_type} budget used ({event.used:g} of {event.limit:g})"
            _err(self.err, f"workbench: budget warning: {msg}")
        elif t == "budget_exhausted":
            _err(self.err, f"workbench: {event.budget_type} budget exhausted ({event.used:g} of {event.limit:g})")
        elif t == "retrying":
            _err(self.err, f"workbench: {sanitize(event.error)}; retrying in {event.delay_ms / 1000:g}s "
                           f"(attempt {event.attempt} of {event.max_attempts})")
        elif t == "hook_failed":
            _err(self.err, f"workbench: hook {sanitize(event.hook_id)} failed at {event.point}: {sanitize(event.error)}")
        elif t == "tool_result_received" and event.status == "denied":
            from workbench.runtime.agent import text_of

            _err(self.err, f"workbench: {sanitize(text_of(self.session.last_message or {}))}")


class _CtrlC:
    """During the run, the first Ctrl-C interrupts it the way Esc does in the TUI: the streaming
    answer is kept (stored as aborted) and the run ends; a second Ctrl-C stops at once."""

    def __init__(self, session: Any, err: TextIO) -> None:
        self.session = session
        self.err = err
        self.pressed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None

    def __enter__(self) -> "_CtrlC":
        import signal

        try:
            self._loop = asyncio.get_running_loop()
            self._loop.add_signal_handler(signal.SIGINT, self._first)
        except (RuntimeError, ValueError):  # no signal support on this loop (a RuntimeError), or not the main thread
            self._loop = None
        return self

    def _first(self) -> None:
        import signal

        self.pressed = True
        _err(self.err, "workbench: interrupted; keeping the partial answer (Ctrl-C again to stop at once)")
        self._loop.remove_signal_handler(signal.SIGINT)  # the next Ctrl-C is a KeyboardInterrupt
        self._task = self._loop.create_task(self.session.interrupt())

    def __exit__(self, *exc_info: Any) -> None:
        import signal

        if self._loop is not None and not self.pressed:
            self._loop.remove_signal_handler(signal.SIGINT)


def _track(reporter: Any, event: Any) -> None:
    t = event.type
    if t == "run_completed":
        reporter.stop = event.stop
    elif t == "run_failed":
        reporter.failed = True
    elif t == "tool_result_received":
        reporter.last_tool_status = event.status
