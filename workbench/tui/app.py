"""The workbench app: one screen with the Session, Conversation, Approvals, Mob and Budget panes.

The app owns no agent logic: it renders the runtime's events (through a `Backend`), and posts
what the user decides back. Blocking or slow work runs in workers; handlers own the state.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from workbench.config import DEFAULT_THEME, FirstFrameSettings
from workbench.tui.app_approvals import ApprovalActions
from workbench.tui.app_events import RuntimeEvents
from workbench.tui.app_prompt import PromptActions
from workbench.tui.app_sessions import SessionActions
from workbench.tui.app_themes import ThemeActions
from workbench.tui.backend import Backend
from workbench.tui.clock import Clock
from workbench.tui.gc_pacer import GcPacer
from workbench.tui.mcp_servers import McpServers
from workbench.tui.playbook_ui import PlaybookCommands, PlaybookUi
from workbench.tui.project_ui import ProjectUi
from workbench.tui.palette import WorkbenchCommands
from workbench.tui.pane_sizer import PaneSizer
from workbench.tui.screens import dialogs_module
from workbench.tui.slash_commands import SlashCommands
from workbench.tui.themes import ThemeProblem, theme_dirs
from workbench.tui.widgets.approvals import ApprovalsPane
from workbench.tui.widgets.conversation import Conversation
from workbench.tui.widgets.key_footer import KeyFooter
from workbench.tui.widgets.meters import BudgetPane, StatusLine
from workbench.tui.widgets.panes import MOB_EMPTY_DEMO, MobPane, SessionPane
from workbench.tui.widgets.prompt import PendingBar, PromptInput, SlashHints

if TYPE_CHECKING:
    from workbench.config import LoadedSettings
    from workbench.tui.screens.grants import Grant
    from workbench.tui.tree import SessionTree

NARROW_WIDTH = 140  # below this the side panes fold away
TINY_WIDTH = 90
SHORT_HEIGHT = 36  # below this an empty Mob pane folds away and a waiting approval gets the room


class SessionFactory(Protocol):
    """How /new, /resume and /fork get another session (the runtime's SessionService in the app)."""

    def new(self) -> Backend: ...
    def open(self, target: str) -> Backend: ...
    def fork(self, backend: Backend) -> Backend: ...
    def list_sessions(self) -> list[tuple[str, str, str]]: ...  # (id, modified, first message / name)


class GrantSource(Protocol):
    def list(self) -> list[Grant]: ...
    def remove(self, grant: Grant) -> None: ...
    def where(self) -> str: ...


class WorkbenchApp(PlaybookCommands, PromptActions, SlashCommands, ApprovalActions, SessionActions, RuntimeEvents, ThemeActions,
                   App[int]):
    """The app; its groups of handlers are mixins: app_prompt, slash_commands, app_approvals,
    app_sessions, app_events, app_themes (tui/)."""


    CSS_PATH = "workbench.tcss"
    ALLOW_IN_MAXIMIZED_VIEW = "KeyFooter"  # a zoomed pane keeps the key hints (Textual's default: Footer)
    TITLE = "workbench"
    COMMANDS = App.COMMANDS | {WorkbenchCommands}
    # The pane keys are priority bindings: the prompt (a TextArea) has the focus almost always and
    # binds f6 "select line" / f7 "select all" itself. `check_action` hands them to a screen pushed
    # on top (help, resume picker…). Escape stays an ordinary binding: the tree and the mob view
    # use it for themselves when focused.
    BINDINGS = [
        Binding("f1", "help", "Help", priority=True, id="app.help"),
        Binding("f2", "toggle_pane('session')", "Session", priority=True, id="app.toggle_session"),
        Binding("f3", "toggle_pane('side')", "Side panes", priority=True, id="app.toggle_side"),
        Binding("f4", "focus_approvals", "Approvals", priority=True, id="app.focus_approvals"),
        Binding("f5", "focus_prompt", "Focus prompt", show=False, priority=True, id="app.focus_prompt"),
        Binding("f6", "focus_conversation", "Focus conversation", show=False, priority=True, id="app.focus_conversation"),
        Binding("f7", "grants", "Saved approval rules", show=False, priority=True, id="app.grants"),
        Binding("f8", "focus_mob", "Focus mob", show=False, priority=True, id="app.focus_mob"),
        Binding("ctrl+r", "resume", "Resume picker", show=False, priority=True, id="app.resume"),
        Binding("alt+left", "move_edge(-1)", "Move the pane's edge left", show=False, priority=True,
                id="app.pane_edge_left"),
        Binding("alt+right", "move_edge(1)", "Move the pane's edge right", show=False, priority=True,
                id="app.pane_edge_right"),
        Binding("escape", "interrupt", "Interrupt", id="app.interrupt"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
    ]
    # Actions of the main screen's pane keys: off while another screen is on top.
    MAIN_SCREEN_ACTIONS = frozenset({"help", "toggle_pane", "focus_approvals", "focus_prompt",
                                     "focus_conversation", "grants", "focus_mob", "resume", "move_edge"})

    def __init__(
        self,
        backend: Backend | None,
        *,
        settings: LoadedSettings | None = None,
        first_frame: FirstFrameSettings | None = None,
        clock: Clock | None = None,
        themes_from: list[Path] | None = None,
        watch_themes: bool = True,
        grants: GrantSource | None = None,
        sessions: SessionFactory | None = None,
        cwd: Path | None = None,
        startup_error: str | None = None,
        initial_prompt: str | None = None,
        mob: Any = None,
        open_picker: bool = False,
        starter: Callable[[], dict[str, Any]] | None = None,
        notice: str | None = None,
    ) -> None:
        self._constructing = True  # Textual's own theme's variables are not wanted: see get_css_variables
        super().__init__()
        self._constructing = False
        self.backend = backend
        # `starter` builds the rest (backend, sessions, grants...; startup.build) in a thread after
        # the first frame; until it returns the status line says "starting" and prompts wait.
        self._starter = starter
        self.starting = starter is not None
        self._start_future: concurrent.futures.Future[dict[str, Any]] | None = None
        self._held_prompts: list[str] = []  # sent before the agent was ready, in order
        # Validated settings; with only `first_frame` (theme and keys read without pydantic, which
        # costs the first frame ~0.1 s) they come with the starter's parts, or on first use.
        self._loaded = settings if settings is not None or first_frame is not None else _default_settings()
        shown = first_frame or FirstFrameSettings(self._loaded.settings.ui.theme, self._loaded.settings.keys)
        self.clock = clock or Clock()
        self.grant_source = grants
        self.sessions = sessions
        self.cwd = cwd or Path.cwd()
        self.startup_error = startup_error
        self.initial_prompt = initial_prompt
        self.open_picker = open_picker  # `workbench -r`: the resume picker first
        self.notice = notice  # said once the agent is ready (e.g. where the offline demo works)
        self.session_tree: SessionTree | None = None  # the Session pane's tree, once a session is shown
        self._checkpoint_notice = False  # why file checkpoints are off, told once
        self.mob_starter = mob  # async (app) -> None: opens a mob (workbench.tui.mob.controller)
        self.mob: Any = None    # the MobController once a mob is open
        self._watch = watch_themes
        # A new approval takes the focus only after the prompt was quiet this long, and its keys
        # are armed only after this delay, so a key meant for the prompt never answers a request.
        self.approval_focus_quiet = 0.8
        self.approval_arm_delay = 0.3
        self._last_typed = 0.0
        self._echoed_prompts: list[str] = []
        self._stats_dirty = True
        self._path_dirty = True
        self._pump_task: asyncio.Task | None = None
        self._history_shown = asyncio.Event()  # the session's messages are in the Conversation
        self._watched_broker: Any = None
        self._unwatch_broker: Callable[[], Any] | None = None
        self._theme_dirs = themes_from if themes_from is not None else theme_dirs()
        self._theme_files: dict[Path, str] = {}
        self.bundled_or_user_themes: set[str] = set()
        self.theme_problems: list[ThemeProblem] = []
        self.key_problems: list[str] = []
        self._load_all_themes()
        self._shown_settings = shown
        self._apply_keymap(shown.keys)
        self._apply_theme_setting(shown.theme)
        # widgets
        self.session_pane = SessionPane(id="session")
        self.conversation = Conversation(clock=self.clock, id="conversation")
        self.prompt = PromptInput(id="prompt")
        self.hints = SlashHints(id="hints")
        self.pending_bar = PendingBar(id="pending")
        self.banner = Static(id="banner")
        self.approvals = ApprovalsPane(id="approvals")
        self.mob_pane = MobPane(id="mob", demo=bool(getattr(backend, "demo", False)))
        self.budget = BudgetPane(id="budget")
        self.status = StatusLine(id="status")
        self.mcp = McpServers(self)
        self.project_ui = ProjectUi(self)  # context files, skills, templates, @files, !command
        self.playbook_ui = PlaybookUi(self)  # /agent, /var, /journey, the why view (tui/playbook_ui.py)
        self.prompt_box = Vertical(id="prompt-box")
        self.sizer = PaneSizer(self, shown.pane_widths)

    @property
    def loaded(self) -> LoadedSettings:
        """The validated settings and their problems (loaded here if the starter has not yet)."""
        if self._loaded is None:
            from workbench.config import load_settings

            self._loaded = load_settings(self.cwd)
        return self._loaded

    @property
    def settings(self) -> Any:
        return self.loaded.settings

    def _apply_theme_setting(self, wanted: str) -> None:
        self.theme_problems = [p for p in self.theme_problems if p.path != Path("[ui] theme")]
        name = wanted
        if wanted not in self.available_themes:
            name = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
            self.theme_problems.append(ThemeProblem(Path("[ui] theme"), None, f"no theme named '{wanted}'"))
        self._theme_from_settings = name  # not the user's choice: never saved back
        if self.is_running:
            self.theme = name
        else:
            self._set_initial_theme(name)

    def get_css_variables(self) -> dict[str, str]:
        # App.__init__ builds its stylesheet from Textual's default theme, parsing nothing yet;
        # `_set_initial_theme` replaces the variables with ours before the first parse, so the
        # default theme's colour system (~2.5 ms of the first frame) need not be computed.
        if getattr(self, "_constructing", False):
            return {}
        return super().get_css_variables()

    def _set_initial_theme(self, name: str) -> None:
        """The theme before the app runs, without Textual's theme watcher: that re-parses every
        stylesheet once the app starts (~35 ms of the first frame), while the first parse reads the
        theme's variables anyway. What else the watcher does is done here."""
        self.set_reactive(WorkbenchApp.theme, name)
        dark = self.current_theme.dark
        for cls in [c for c in self.classes if c.startswith("-theme-")]:
            self.remove_class(cls, update=False)
        self.add_class(f"-theme-{name}", update=False)
        self.set_class(dark, "-dark-mode", update=False)
        self.set_class(not dark, "-light-mode", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())  # nothing is parsed yet: cheap

    def _adopt_settings(self, loaded: LoadedSettings) -> None:
        """The validated settings arrived: where they differ from what the first frame used (a
        file with problems is ignored as a whole), they win."""
        self._loaded = loaded
        s = loaded.settings
        if s.keys != self._shown_settings.keys:
            self.key_problems = []
            self.set_keymap({})
            self._apply_keymap(s.keys)
        if s.ui.theme != self._shown_settings.theme:
            self._apply_theme_setting(s.ui.theme)
        self._shown_settings = FirstFrameSettings(s.ui.theme, dict(s.keys))

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.session_pane
            with Vertical(id="center"):
                yield self.banner
                yield self.conversation
                yield self.pending_bar
                yield self.hints
                with self.prompt_box as box:
                    box.border_title = "Prompt"
                    box.border_subtitle = "Enter send · ctrl+j newline · F1 help"
                    yield self.prompt
            with Vertical(id="side"):
                yield self.approvals
                yield self.mob_pane
                yield self.budget
        yield self.status
        yield KeyFooter()

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._apply_size(self.size.width, self.size.height)
        self.prompt.focus()
        self.set_interval(0.1, self._redraw)
        self.gc_pacer = GcPacer(last_input=lambda: self._last_typed).install()  # full GCs while nobody types
        self.set_interval(0.5, self.gc_pacer.tick)
        if self._watch:  # watchfiles loads after the first frame
            self.call_after_refresh(self.watch_theme_files)
        if self.starting:  # a project whose own config waits for trust asks first (screens/trust.py)
            self.call_after_refresh(self._ask_trust_then_start)
        else:
            self._agent_ready()

    def _agent_ready(self) -> None:
        """The backend (or the mob, or the reason none could start) is known: connect it."""
        if self.notice:  # e.g. where the offline demo works
            self.notify(self.notice, timeout=12)
        if self.backend is not None:
            self._start_pump()
            self.mcp.begin()  # MCP servers start in the background from here (tui/mcp_servers.py)
        self._report_startup_problems()
        if self.initial_prompt and self.backend is not None:
            self._send(self.initial_prompt)
        if self.mob_starter is not None:
            self.run_worker(self.mob_starter(self), group="mob")
        if self.backend is not None:
            self.run_worker(self._show_tree, group="tree")
        if self.open_picker:
            self.call_after_refresh(self.action_resume)

    # --- deferred start-up -----------------------------------------------------------------
    def _ask_trust_then_start(self) -> None:
        from workbench.tui.screens.trust import ask_trust

        ask_trust(self, self.cwd, self._begin_start,
                  override=bool(getattr(getattr(self, "cli_args", None), "trust_project", False)))

    def _begin_start(self) -> None:
        """After the first frame: run the starter in its own thread (it imports the runtime and
        opens the session file; the event loop keeps handling keys meanwhile)."""
        starter = self._starter
        assert starter is not None
        future: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()
        self._start_future = future

        def target() -> None:
            try:
                future.set_result(starter())
            except BaseException as exc:  # reported in the app, never lost in the thread
                future.set_exception(exc)

        threading.Thread(target=target, name="workbench-start", daemon=True).start()
        # the coroutine is made when the worker runs: one never started (the app closed first)
        # must not be left un-awaited, warning at exit while the set-up thread may hold the import lock
        self.run_worker(functools.partial(self._finish_start, future), group="start")

    async def _finish_start(self, future: concurrent.futures.Future[dict[str, Any]]) -> None:
        try:
            # shielded: an app closing meanwhile must not cancel what `unused_start_parts` hands on
            parts = await asyncio.shield(asyncio.wrap_future(future))
        except Exception as exc:  # a bug in the set-up: said on screen, the app stays usable
            self.log.error(f"start-up failed: {exc!r}")
            parts = {"backend": None, "startup_error": f"{type(exc).__name__}: {exc}"}
        self._start_future = None
        self._adopt(parts)

    def _adopt(self, parts: dict[str, Any]) -> None:
        if parts.get("settings") is not None:
            self._adopt_settings(parts["settings"])
        self.backend = parts.get("backend")
        self.sessions = parts.get("sessions", self.sessions)
        self.grant_source = parts.get("grants", self.grant_source)
        self.startup_error = parts.get("startup_error")
        self.initial_prompt = parts.get("initial_prompt")
        self.open_picker = bool(parts.get("open_picker", False))
        self.mob_starter = parts.get("mob")
        self.starting = False
        if getattr(self.backend, "demo", False):  # the empty Mob pane offers the demo mob
            for hint in self.mob_pane.query(".mob-empty").results(Static):
                hint.update(Text(MOB_EMPTY_DEMO, style="dim"))
        held, self._held_prompts = self._held_prompts, []
        self.notice = parts.get("notice")
        self._agent_ready()
        if self.backend is None:  # nothing to send them to: back in the prompt, never lost
            if held:
                self.prompt.put_back("\n".join(held))
        else:
            for text in held:  # the first starts a run (unless the demo's did), the rest follow up
                self._send(text, follow_up=True)
        self.refresh_now()

    def unused_start_parts(self) -> dict[str, Any]:
        """What a set-up still running when the app closed built (to be closed by the caller)."""
        future = self._start_future
        if future is None:
            return {}
        try:
            return future.result(timeout=30)
        except Exception:  # it failed: it holds nothing open
            return {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A priority binding refused here falls through to the bindings of the screen on top
        # (F1 closes the help screen, ctrl+r renames in the resume picker).
        if action in self.MAIN_SCREEN_ACTIONS and len(self.screen_stack) > 1:
            return False
        return True

    def on_unmount(self) -> None:
        pacer = getattr(self, "gc_pacer", None)
        if pacer is not None:
            pacer.uninstall()

    def on_resize(self, event: Any) -> None:
        self._apply_size(event.size.width, event.size.height)

    def get_default_screen(self) -> Screen:
        # The size classes are on the screen before its widgets are first styled: set after
        # mounting, they would restyle the whole layout once more before the first frame.
        screen = super().get_default_screen()
        screen.update_classes(size_classes(self.size.width, self.size.height), update=False)
        return screen

    def _apply_size(self, width: int, height: int) -> None:
        screen = self.screen_stack[0] if self.screen_stack else self.screen
        # one batch: each changed class restyles the whole screen
        screen.update_classes(size_classes(width, height))
        self.sizer.apply()

    def pane_visible(self, which: str) -> bool:
        target = self.session_pane if which == "session" else self.query_one("#side")
        return target.display and target.styles.display != "none" and target.region.width > 0

    def action_toggle_pane(self, which: str) -> None:
        screen = self.screen if self.screen.id == "_default" else self.screen_stack[0]
        narrow = screen.has_class("-narrow")
        cls = f"-show-{which}" if narrow else f"-hide-{which}"
        screen.toggle_class(cls)
        if narrow and which == "session":  # one overlay at a time on a small screen
            screen.remove_class("-show-side")
        elif narrow:
            screen.remove_class("-show-session")
        self.sizer.apply()
        self.call_after_refresh(self._focus_into, which)

    def _focus_into(self, which: str) -> None:
        if not self.pane_visible(which):
            self.prompt.focus()
        elif which == "side" and self.approvals.queue:
            self.approvals.focus()

    def action_focus_approvals(self) -> None:
        if not self.pane_visible("side"):
            self.action_toggle_pane("side")
        self.approvals.remove_class("-attention")
        self.approvals.arm(0)  # asked for: its keys answer at once
        self.call_after_refresh(self.approvals.focus)

    def action_move_edge(self, direction: int) -> None:
        self.sizer.move_edge(direction)

    def action_focus_prompt(self) -> None:
        self.prompt.focus()

    def action_focus_mob(self) -> None:
        if self.mob is None:
            self.notify("No mob is open — /mob demo starts the offline demo mob", timeout=4)
        else:
            self.mob.focus()

    def action_focus_conversation(self) -> None:
        self.conversation.focus()

    def action_help(self) -> None:
        from workbench.tui.screens.help import HelpScreen, binding_rows

        self.push_screen(HelpScreen(binding_rows(self, self.binding_owners())))

    @staticmethod
    def binding_owners() -> list[tuple[str, type]]:
        from workbench.tui.screens.dialogs import AnswerKeys, DiffScreen as _D
        from workbench.tui.screens.grants import GrantsScreen

        return [("anywhere", WorkbenchApp), ("prompt", PromptInput), ("conversation", Conversation),
                ("approvals", ApprovalsPane), ("request full screen (z)", AnswerKeys),
                ("diff full screen", _D), ("grants", GrantsScreen)] + _mob_owners() + _tree_owners() + _playbook_owners()

    # --- keys ------------------------------------------------------------------------------
    def _apply_keymap(self, keys: dict[str, str]) -> None:
        if not keys:  # nothing to check: don't import every screen just to list their bindings
            return
        known = {b.id for _, cls in self.binding_owners() for b in cls.BINDINGS
                 if isinstance(b, Binding) and b.id}
        keymap = {}
        for binding_id, value in keys.items():
            if binding_id not in known:
                self.key_problems.append(f"[keys] {binding_id}: no binding has this id (see F1 for the list)")
            elif not value.strip():
                self.key_problems.append(f"[keys] {binding_id}: empty key")
            else:
                keymap[binding_id] = value
        if keymap:
            self.set_keymap(keymap)

    # --- startup problems ------------------------------------------------------------------
    def _report_startup_problems(self) -> None:
        messages = [str(p) for p in self.loaded.problems] + self.key_problems
        sections: list[tuple[str, list[str]]] = []
        footer = []
        if self.startup_error:
            sections.append(("The agent could not start:", [self.startup_error]))
            footer.append("Fix the settings or flags and start again; the workbench stays open.")
        if messages:
            sections.append(("Your settings have problems — the broken parts were ignored and defaults are in use:",
                             messages))
            footer.append("Nothing was changed in these files.")
        if sections:  # one dialog, never two stacked
            self.push_screen(dialogs_module().ProblemsScreen(sections, " ".join(footer)))
        for p in self.theme_problems:
            self.notify(str(p), title="Theme problem", severity="error", timeout=10)

    # --- runtime events --------------------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        # Plain text by default: notices carry paths, commands, rule and theme names, errors.
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    async def action_quit(self) -> None:
        await self._shut_down()
        self.exit(0)

    async def _shut_down(self) -> None:
        """Stop what runs while the event loop still does: a run in progress is interrupted (its
        partial answer recorded), a mob's members are stopped and its files released."""
        if self.backend is not None and self.backend.is_running:
            await self.backend.interrupt()
        await self.mcp.aclose()
        if self.mob is not None:
            self.mob.close()
            self.mob.handle.close()
            await asyncio.sleep(0)  # let the cancelled member tasks unwind


def _default_settings() -> LoadedSettings:
    from workbench.config import LoadedSettings, Settings

    return LoadedSettings(Settings())


def size_classes(width: int, height: int) -> dict[str, bool]:
    """The main screen's classes for a terminal size (workbench.tcss folds the panes with them)."""
    return {"-narrow": width < NARROW_WIDTH, "-tiny": width < TINY_WIDTH, "-short": height < SHORT_HEIGHT}


def _playbook_owners() -> list[tuple[str, type]]:
    from workbench.tui.journey_graph import JourneyGraph
    from workbench.tui.screens.journey import JourneyScreen
    from workbench.tui.screens.why import WhyScreen

    return [("why view", WhyScreen), ("journey", JourneyScreen), ("journey graph", JourneyGraph)]


def _tree_owners() -> list[tuple[str, type]]:
    from workbench.tui.screens.resume import ResumeScreen as _R
    from workbench.tui.tree.widget import TreeLines

    return [("session tree", TreeLines), ("resume picker", _R)]


def _mob_owners() -> list[tuple[str, type]]:
    from workbench.tui.mob.graph import MobGraph
    from workbench.tui.mob.view import MobView

    return [("mob", MobView), ("mob graph", MobGraph)]


def run_app(args: Any) -> int:
    from workbench.tui.startup import run

    return run(args)
