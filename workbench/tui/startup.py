"""`workbench` with no subcommand: settings, then the app; provider, session and agent after it.

The first frame needs only the settings (theme, keys): `run` opens the app at once and `build`
(session file, provider, grants, agent) runs in a thread after the first frame, so the layout is
on screen while the runtime's modules load (the status line says "starting"). With no provider
configured the offline demo then starts by itself and plays the whole flow. A problem that stops
the agent from starting (a bad flag, a locked session) still leaves the app open, with the
message on screen instead of a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.config import LoadedSettings, first_frame_settings, load_settings, sessions_dir
from workbench.errors import WorkbenchError
from workbench.tui.backend import Backend, ReadOnlyBackend, RuntimeBackend

if TYPE_CHECKING:
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens.grants import Grant

DEMO_PROMPT = "Show me around the workbench."


class RuntimeSessions:
    """/new, /resume and /fork over SessionManager + AgentSession, sharing one approval broker."""

    def __init__(self, args: Any, loaded: LoadedSettings, cwd: Path, broker: Any, grants: Any) -> None:
        from workbench.providers import resolve_provider_settings

        self.args = args
        self.settings = loaded.settings
        self.cwd = cwd
        self.broker = broker
        self.grants = grants
        self.resolved = resolve_provider_settings(self.settings, args)
        from workbench.runtime.retry import RetryPolicy

        self.retry = RetryPolicy.from_settings(self.settings.provider, idle_timeout=getattr(args, "idle_timeout", None))
        self.strict_files: list[tuple[Path, str]] = []  # config files whose approval rules are unknown
        self.hooks: Any = None  # the last session's workbench.hooks.setup.SessionHooks (/hooks, status line)
        self._start_options_used = False  # --agent/--var/--journey: applied to the first session only

    def _agent(self, manager: Any) -> Backend:
        from workbench.runtime.agent import AgentSession
        from workbench.runtime.budget import BudgetLimits
        from workbench.runtime.rules import load_policy, strict_notice

        if manager.readonly:
            return ReadOnlyBackend(manager, demo=self.resolved.is_demo)
        a, s = self.args, self.settings
        limits = BudgetLimits.from_settings(
            s.budget, max_tokens=getattr(a, "max_tokens", None), max_cost=getattr(a, "max_cost", None),
            max_turns=getattr(a, "max_turns", None), max_tool_calls=getattr(a, "max_tool_calls", None),
            max_duration=getattr(a, "max_duration", None))
        # User and project rules add up (a project list never hides the user's); a rule that does
        # not parse makes that file's rules unknown (every call asks) and is reported.
        policy = load_policy(manager.cwd or self.cwd, mode=getattr(a, "approve", None),
                             allow=getattr(a, "allow", None) or [], deny=getattr(a, "deny", None) or [],
                             trust_project=bool(getattr(a, "trust_project", False)), lenient=True)
        # a config file that doesn't parse: the agent starts, but every tool call asks
        self.strict_files = strict_notice(policy)
        from workbench.hooks.setup import session_hooks

        self.hooks = session_hooks(s, Path(manager.cwd or self.cwd), a)
        agent = AgentSession(
            manager, self.resolved.create(), model=self.resolved.model, policy=policy,
            approvals=self.broker, grants=self.grants, limits=limits, retry=self.retry,
            system_prompt=getattr(a, "system_prompt", None),
            thinking_level=getattr(a, "thinking", None) or (s.provider.thinking if s.provider.thinking != "off" else None),
            **self.hooks.agent_kwargs(),
            project=project_context(Path(manager.cwd or self.cwd), s, a),
            playbook=self._playbook(Path(manager.cwd or self.cwd)),
            spend_later=True,  # counted once the conversation is painted (app_sessions.py)
        )
        from workbench.runtime.session_settings import restore_from_args

        restore_from_args(agent, a)  # the mode and limits the session stored (/mode, /budget)
        from workbench.playbook.equip import equip_session

        self.playbook_notices = equip_session(agent)  # the playbook's [[tools]] (19-agents-tools' hook)
        return RuntimeBackend(agent, self.broker, demo=self.resolved.is_demo)

    def _playbook(self, workspace: Path) -> Any:
        """The session's PlaybookRuntime (workbench/playbook/setup.py). --agent, --var and --journey
        go with the first session only; /new, /resume and /fork get the files' playbook alone."""
        from workbench.playbook.setup import session_playbook

        args, self._start_options_used = (None if self._start_options_used else self.args), True
        return session_playbook(workspace, args, trust_project=bool(getattr(self.args, "trust_project", False)))

    def _store(self) -> Any:
        from workbench.sessions.store import SessionStore

        return SessionStore.from_settings(self.cwd)  # also lists pi's sessions when configured

    store = _store

    def first(self) -> Backend:
        a = self.args
        store = self._store()
        if getattr(a, "resume", None):
            return self.open_path(store.resolve(a.resume, self.cwd))
        if getattr(a, "continue_recent", False):
            recent = store.continue_recent(self.cwd)
            if recent is not None:
                return self.open_path(recent)
        return self.new()

    def open_path(self, path: Any, *, readonly: bool = False) -> Backend:
        """Open a session file: its leaf, model, thinking level and spend so far come with it; one
        locked by another process opens read-only."""
        from workbench.sessions.errors import SessionLocked
        from workbench.sessions.manager import SessionManager

        # Not warmed (every entry parsed in the background and kept): on a 100 MB session that
        # held ~250 MB more and took seconds of CPU after the session was shown. The tree reads
        # what it shows; a context at another leaf parses the unread part of its path then.
        try:
            manager = SessionManager.open(path, readonly=readonly, warm=False)
        except SessionLocked:
            manager = SessionManager.open(path, readonly=True, warm=False)
        return self._agent(manager)

    def adopt(self, manager: Any) -> Backend:
        """A backend for a session the app already opened (a fork made in the tree)."""
        return self._agent(manager)

    def fork_path(self, path: Any) -> Backend:
        """Copy a session (root → its leaf) into a new file and open that (e.g. a locked one)."""
        from workbench.sessions.manager import SessionManager

        source = SessionManager.open(path, readonly=True)
        try:
            if source.leaf_id is None:
                raise WorkbenchError(f"{path}: nothing to fork, the session is empty")
            return self._agent(source.fork(source.leaf_id, sessions_dir=sessions_dir()))
        finally:
            source.close()

    def new(self) -> Backend:
        from workbench.sessions.manager import SessionManager

        return self._agent(SessionManager.create(self.new_session_cwd(), sessions_dir=sessions_dir()))

    def new_session_cwd(self) -> Path:
        """Where a new session works: the offline demo gets a scratch workspace of its own."""
        if self.resolved.is_demo:
            from workbench.demo_workspace import workspace_for_demo

            return workspace_for_demo(self.args, self.cwd)
        return self.cwd

    def open(self, target: str) -> Backend:
        return self.open_path(self._store().resolve(target, self.cwd))

    def fork(self, backend: Backend) -> Backend:
        manager = backend.agent.manager  # type: ignore[attr-defined]
        # a new session holds no message until it is on disk (only its model choice, say)
        if manager.leaf_id is None or (manager.path is not None and not manager.on_disk):
            raise WorkbenchError("nothing to fork yet: the session is empty")
        return self._agent(manager.fork(manager.leaf_id, sessions_dir=sessions_dir()))

    def list_sessions(self) -> list[tuple[str, str, str]]:
        return [(i.id, i.modified.strftime("%Y-%m-%d %H:%M"), i.name or i.first_message)
                for i in self._store().list(self.cwd)[:50]]


class GrantsAdapter:
    """The tools layer's GrantStore as the grants screen wants it."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def list(self) -> list[Grant]:
        from workbench.tui.screens.grants import Grant

        out = []
        for kind in ("allow", "ask", "deny"):
            for g in self.store.list(kind):
                out.append(Grant(str(g.scope), kind, g.rule, str(g.path)))
        return out

    def remove(self, grant: Grant) -> None:
        self.store.remove(grant.rule, grant.scope, grant.kind)

    def where(self) -> str:
        return str(self.store.file_for("project"))


def build(args: Any, cwd: Path, loaded: LoadedSettings | None = None) -> dict[str, Any]:
    """Everything the app needs (the validated settings first, when not given); an error that
    stops the agent becomes `startup_error`."""
    if loaded is None:
        loaded = load_settings(cwd, trust_override=bool(getattr(args, "trust_project", False)))
    from workbench.runtime.approvals import ApprovalBroker
    from workbench.tools.grants import GrantStore

    broker = ApprovalBroker()
    grants = GrantStore(cwd)
    out: dict[str, Any] = {"grants": GrantsAdapter(grants), "cwd": cwd, "settings": loaded}
    mob = _mob_starter(args, cwd, loaded)
    if mob is not None:  # the conversation pane will show the mob's orchestrator
        out.update(backend=None, mob=mob)
        return out
    try:
        sessions = RuntimeSessions(args, loaded, cwd, broker, grants)
        backend = sessions.first()
    except (WorkbenchError, ValueError, OSError) as exc:
        out.update(backend=None, startup_error=getattr(exc, "message", None) or str(exc))
        return out
    out.update(backend=backend, sessions=sessions)
    _explain_strict_approvals(loaded, sessions.strict_files)
    manager = getattr(getattr(backend, "agent", None), "manager", None)
    resumed = manager is not None and manager.on_disk  # the demo never plays inside a resumed session
    if getattr(args, "resume", None) == "":
        out["open_picker"] = True  # `workbench -r`: the picker first, over a new session
    elif (sessions.resolved.is_demo and not resumed and not backend.history()
          and not getattr(backend, "readonly", False)):
        out["initial_prompt"] = DEMO_PROMPT
    if sessions.resolved.is_demo and manager is not None and Path(manager.cwd) != cwd:
        from workbench.demo_workspace import where_notice

        out["notice"] = where_notice(Path(manager.cwd))
    return out


def _explain_strict_approvals(loaded: LoadedSettings, files: list[tuple[Path, str]]) -> None:
    """The settings problems dialog says what an unparsable file means for approvals (its other
    settings fall back to defaults; its rules are unknown, so every call asks)."""
    from workbench.config import ConfigProblem

    for path, meaning in files:
        loaded.problems.append(ConfigProblem(path, None, None, meaning))


def check_resume_target(args: Any, cwd: Path) -> tuple[int, str] | None:
    """`workbench -r PREFIX`: an unknown or ambiguous prefix ends before the TUI starts, with the
    message on stderr and the exit code of the error table (10: session not found)."""
    target = getattr(args, "resume", None)
    if not target:
        return None
    from workbench.sessions.store import SessionStore

    try:
        SessionStore.from_settings(cwd).resolve(target, cwd)
    except WorkbenchError as exc:
        return exc.exit_code, f"workbench: {exc.message}"
    return None


def _mob_starter(args: Any, cwd: Path, loaded: LoadedSettings) -> Any:
    """`--mob FILE.toml|demo` or `workbench mob resume ID`: how the app opens the mob."""
    resume = getattr(args, "command", None) == "mob" and getattr(args, "mob_command", None) == "resume"
    target = getattr(args, "mob", None)
    if not resume and not target:
        return None  # the mob modules are not even imported
    from workbench.tui.mob import controller

    if resume:
        return controller.resume_starter(args, loaded.settings, cwd, args.mob_id)
    if target == "demo" and not Path(target).exists():
        return controller.demo_starter(cwd)
    return controller.definition_starter(args, loaded.settings, cwd, target)


def make_app(args: Any, cwd: Path) -> WorkbenchApp:
    """The app, ready to run: the theme and keys now (read without validating: the first frame
    needs only them), the settings validated and the rest of `build` in a thread once the first
    frame is on screen."""
    from workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(None, first_frame=first_frame_settings(cwd), cwd=cwd, starter=lambda: build(args, cwd))
    app.cli_args = args  # /mob FILE.toml uses the same provider flags
    return app


def run(args: Any) -> int:
    cwd = Path(getattr(args, "cwd", None) or os.getcwd()).expanduser().resolve()
    problem = check_resume_target(args, cwd)
    if problem is not None:
        print(problem[1], file=sys.stderr)
        return problem[0]
    if not (sys.stdin.isatty() and sys.stdout.isatty()):  # the TUI would spin on a pipe or /dev/null
        print("workbench: no terminal: the full-screen workbench needs stdin and stdout to be a terminal. "
              'To run without one, use headless mode: workbench -p "your prompt"', file=sys.stderr)
        return 2
    app = make_app(args, cwd)
    code = app.run()
    if app.mob is not None:
        app.mob.close()
        app.mob.handle.close()
    backend = app.backend
    if backend is None:  # quit before the set-up finished: release the session it opened
        backend = app.unused_start_parts().get("backend")
    manager = getattr(getattr(backend, "agent", None), "manager", None) or getattr(backend, "manager", None)
    hint = resume_hint(app, manager)
    if manager is not None:
        manager.close()
    if hint:
        print(hint)
    if code is None:  # no result: a plain quit (0), or a crash Textual has printed (1)
        code = app.return_code
    return code or 0


def resume_hint(app: Any, manager: Any) -> str | None:
    """How to come back, printed on exit (as pi and Claude Code do): the mob, else the session
    (one with something on disk), by the shortest id prefix that names it alone (8 characters
    at least)."""
    if app.mob is not None:
        return f"Resume with: workbench mob resume {app.mob.handle.id}"
    if manager is None or not getattr(manager, "on_disk", False) or not manager.session_id:
        return None
    sid = manager.session_id
    try:
        from workbench.sessions.store import SessionStore

        others = [i.id for i in SessionStore.from_settings(Path(manager.cwd or ".")).list(all_dirs=True) if i.id != sid]
    except Exception:  # a listing problem never hides the hint: the whole id always works
        return f"Resume with: workbench -r {sid}"
    size = 8
    while size < len(sid) and any(o.startswith(sid[:size]) for o in others):
        size += 1
    return f"Resume with: workbench -r {sid[:size]}"


def project_context(cwd: Path, settings: Any, args: Any) -> Any:
    """Context files, skills and prompt templates of the session's workspace (read when a
    session starts or resumes; /reload reads them again)."""
    from workbench.context.project import ProjectContext, context_enabled
    from workbench.tui.commands import COMMANDS

    return ProjectContext.load(cwd, files_enabled=context_enabled(settings, args),
                               builtin_commands=[c.name for c in COMMANDS])
