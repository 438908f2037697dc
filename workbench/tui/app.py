"""The workbench app: one screen with the Session, Conversation, Approvals, Mob and Budget panes.

The app owns no agent logic: it renders the runtime's events (through a `Backend`), and posts
what the user decides back. Blocking or slow work runs in workers; handlers own the state.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import difflib
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.content import Content
from textual.widgets import Input, Static, TextArea

from workbench.config import DEFAULT_THEME, FirstFrameSettings
from workbench.tui import commands
from workbench.tui import format as fmt
from workbench.tui.backend import Backend, Limits, PathEntry, current_entry_id, message_text
from workbench.tui.clock import Clock
from workbench.tui.commands import SlashCommand
from workbench.tui.export import export_markdown
from workbench.tui.gc_pacer import GcPacer
from workbench.tui.mcp_servers import McpServers
from workbench.tui.project_ui import ProjectUi
from workbench.tui.palette import WorkbenchCommands, needs_argument
from workbench.tui.pane_sizer import PaneSizer
from workbench.tui.sanitize import one_line, safe_text
from workbench.tui.themes import ThemeProblem, load_theme_file, load_themes, theme_dirs
from workbench.tui.widgets.approvals import ApprovalsPane, PendingApproval
from workbench.tui.widgets.conversation import Conversation
from workbench.tui.widgets.key_footer import KeyFooter
from workbench.tui.widgets.meters import BudgetPane, StatusLine, no_agent_content
from workbench.tui.widgets.panes import MOB_EMPTY_DEMO, MobPane, SessionPane
from workbench.tui.widgets.prompt import PendingBar, PromptInput, SlashHints

if TYPE_CHECKING:
    from workbench.config import LoadedSettings
    from workbench.tui.screens.grants import Grant
    from workbench.tui.screens.resume import ResumeChoice
    from workbench.tui.tree import SessionTree

NARROW_WIDTH = 140  # below this the side panes fold away
TINY_WIDTH = 90
SHORT_HEIGHT = 36  # below this an empty Mob pane folds away and a waiting approval gets the room
MODES = ("ask", "edits", "plan", "yolo")
STARTING_COMMANDS = frozenset({"help", "theme", "quit"})  # what works before the agent is set up


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


class WorkbenchApp(App[int]):
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
        super().__init__()
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

    def _slash_mob(self, arg: str) -> Any:
        from workbench.tui.mob.controller import slash_mob

        return slash_mob(self, arg)

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
                ("diff full screen", _D), ("grants", GrantsScreen)] + _mob_owners() + _tree_owners()

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

    # --- themes ----------------------------------------------------------------------------
    def _load_all_themes(self) -> None:
        themes, files, problems = load_themes(self._theme_dirs)
        for theme in themes.values():
            self.register_theme(theme)
        self._theme_files = files
        self.bundled_or_user_themes = set(themes)
        self.theme_problems.extend(problems)

    @work(exclusive=True, group="theme-watch")
    async def watch_theme_files(self) -> None:
        from watchfiles import awatch

        dirs = [str(d.resolve()) for d in self._theme_dirs if d.is_dir()]
        if not dirs:
            return
        async for changes in awatch(*dirs, debounce=200, step=50):
            for _change, raw in changes:
                path = Path(raw)
                if path.suffix == ".toml" and path.exists():
                    self.reload_theme_file(path)

    def _theme_changed(self, theme: Any) -> None:
        """A theme the user chose (/theme, the palette's picker) is kept in the user's config,
        written safely (config_write); one the settings applied is not written back."""
        if theme.name == self._theme_from_settings:
            return
        self._theme_from_settings = theme.name
        name = theme.name

        def save() -> None:
            from workbench.config_write import ConfigWriteError, set_user_setting

            try:
                set_user_setting("ui", "theme", name)
            except ConfigWriteError as exc:
                self.call_from_thread(self.notify, f"Theme {name} not saved: {exc}", severity="warning",
                                      timeout=8)

        self.run_worker(save, thread=True, exclusive=True, group="save-theme")

    def reload_theme_file(self, path: Path) -> bool:
        """Re-read one theme file; a broken file is reported and the current theme stays."""
        theme, problems = load_theme_file(path)
        if theme is None:
            for p in problems:
                self.notify(f"Theme not reloaded — {p}", title="Broken theme file", severity="error", timeout=8,
                            markup=False)  # the problem quotes the file's text
            return False
        self.register_theme(theme)
        self._theme_files[path.resolve()] = theme.name
        self.bundled_or_user_themes.add(theme.name)
        if theme.name == self.theme:
            self._watch_theme(self.theme)  # re-apply the edited colours
        self.notify(f"Theme {theme.name} reloaded", timeout=2)
        return True

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
            self.push_screen(_dialogs().ProblemsScreen(sections, " ".join(footer)))
        for p in self.theme_problems:
            self.notify(str(p), title="Theme problem", severity="error", timeout=10)

    # --- runtime events --------------------------------------------------------------------
    def _start_pump(self) -> None:
        assert self.backend is not None
        self._pump_task = asyncio.create_task(self._pump(self.backend))
        self._watch_withdrawals(getattr(self.backend, "broker", None))
        self.project_ui.begin()
        self._load_history(self.backend)

    @work(group="history")
    async def _load_history(self, backend: Backend) -> None:
        messages = backend.history()
        if messages:
            await self.conversation.load_history(messages)
            for m in messages:
                if m.get("role") == "user":
                    text = message_text(m).strip()
                    if text and (not self.prompt.sent or self.prompt.sent[-1] != text):
                        self.prompt.sent.append(text)
        if backend is self.backend:
            await self.project_ui.notice()

    async def _pump(self, backend: Backend) -> None:
        async for event in backend.subscribe():
            if backend is not self.backend:
                return
            try:
                await self.on_runtime_event(event)
            except Exception as exc:  # one bad event never kills the UI
                self.log.error(f"event {getattr(event, 'type', event)!r} failed: {exc!r}")
                self.notify(f"Could not show event {getattr(event, 'type', '?')}: {exc}", severity="error")

    async def on_runtime_event(self, event: Any) -> None:
        from workbench.runtime import events as ev

        note = getattr(self.backend, "note_event", None)
        if note is not None:
            note(event)
        if isinstance(event, ev.UserMessage) and event.kind == "prompt" and event.text in self._echoed_prompts:
            self._echoed_prompts.remove(event.text)  # already shown when it was sent
        elif getattr(self.backend, "in_conversation", lambda e: True)(event):  # a mob shows one member
            await self.conversation.handle(event)
        if isinstance(event, ev.ToolResultReceived) and event.id in self.conversation.cards:
            from workbench.tui.widgets.conversation_specs import live_checkpoint_link

            self.conversation.cards[event.id].set_checkpoint(
                live_checkpoint_link(getattr(self.backend, "manager", None), event.id))  # its ✎N link
        if isinstance(event, ev.ToolApprovalRequested):
            if self._still_pending(event.request_id):
                self._approval_arrived(PendingApproval.from_event(event))
        elif isinstance(event, ev.ToolApprovalResolved):
            self.approvals.remove(event.request_id)
            if event.saved_rule:
                self.notify(f"Saved rule {event.saved_rule}", timeout=4)
        elif isinstance(event, ev.BudgetWarning):
            self.notify(event.message or f"{event.budget_type} at {event.percent:.0f}% of the limit", title="Budget",
                        severity="warning", timeout=6)
        elif isinstance(event, ev.BudgetExhausted):
            how = "an orderly stop: the current step finished" if event.orderly else "a hard stop (failure)"
            text = f"Budget exhausted: {event.budget_type} reached its limit — {how}. /budget raises limits."
            self.banner.update(Text(text))
            self.banner.add_class("-shown")
            self.budget.set_banner(f"STOPPED: {event.budget_type} limit — {'orderly' if event.orderly else 'failure'}")
            self.notify(text, severity="error", timeout=10)
        elif isinstance(event, ev.RunStarted):
            self.banner.remove_class("-shown")
            self.budget.set_banner(None)
        elif isinstance(event, ev.ToolsPending):
            self.notify(event.message, title="MCP", severity="warning", timeout=6)
        elif isinstance(event, ev.RunFailed):
            self.notify(one_line(event.error, 200), title=f"Run failed ({event.code})", severity="error", timeout=10)
        if isinstance(event, (ev.UserMessage, ev.TurnCompleted, ev.RunCompleted, ev.RunFailed,
                              ev.CompactionCompleted, ev.ToolResultReceived)):
            self._path_dirty = True
        self._stats_dirty = True

    def _watch_withdrawals(self, broker: Any) -> None:
        """A request whose run ended (Esc, a stop, a failure, a time limit) leaves the pane at once:
        it can no longer be answered. One watch per broker (sessions and mob members share one)."""
        if broker is None or broker is self._watched_broker:
            return
        if self._unwatch_broker is not None:
            self._unwatch_broker()
        self._watched_broker = broker
        self._unwatch_broker = broker.on_withdrawn(self._withdrawn)

    def _withdrawn(self, request_id: str) -> None:
        self.approvals.remove(request_id)
        if not self.approvals.queue and self.focused is self.approvals:
            self.prompt.focus()

    def _still_pending(self, request_id: str) -> bool:
        """False for a request its run already withdrew (its event can arrive after that)."""
        broker = self._watched_broker
        return broker is None or any(r.request_id == request_id for r in broker.pending())

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        # Plain text by default: notices carry paths, commands, rule and theme names, errors.
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def _approval_arrived(self, req: PendingApproval) -> None:
        self.approvals.add(req)
        typing = bool(self.prompt.text.strip())
        quiet = time.monotonic() - self._last_typed >= self.approval_focus_quiet
        visible = self.pane_visible("side")
        focused = self.focused
        if not typing and quiet and visible and (focused is None or focused is self.prompt):
            self.approvals.arm(self.approval_arm_delay)
            self.approvals.focus()  # nothing typed: nothing to lose
            return
        self.approvals.add_class("-attention")
        self.notify(approval_notice(req), title="Approval needed", severity="warning", timeout=6)

    def _redraw(self) -> None:
        """Redraw status, budget, pending queue and session path at most ten times a second."""
        self.sizer.apply()
        if self.backend is None:
            if self._stats_dirty:  # say why nothing runs, instead of a blank line
                self._stats_dirty = False
                self.status.update(starting_content() if self.starting else no_agent_content(self.startup_error))
                self.pending_bar.show([("follow_up", text) for text in self._held_prompts])
            return
        if self._stats_dirty or (self.backend.is_running and not self.clock.frozen):
            self._stats_dirty = False
            stats = self.backend.stats()
            self.status.show(stats, mcp=self.mcp.counts(), mcp_failed=self.mcp.failed())
            self.budget.show(stats)
            self.prompt_box.set_class(stats.running, "-running")  # held: a query fails while the app closes
            self.pending_bar.show(self.backend.pending())
        if self._path_dirty:
            self._path_dirty = False
            if self.session_tree is not None and self.session_tree.is_mounted:
                self.session_tree.sync()  # new entries at once (the tree also polls the file's manager)
            else:
                self.session_pane.show_path(self.backend.path_entries())

    def refresh_now(self) -> None:
        self._stats_dirty = self._path_dirty = True
        self._redraw()

    # --- prompt ----------------------------------------------------------------------------
    @on(PromptInput.Submitted)
    def _on_submit(self, message: PromptInput.Submitted) -> None:
        from workbench.context.shell import parse_shell_escape

        escape = parse_shell_escape(message.text)
        if escape is not None:  # the user's own command: runs now, no approval
            self.project_ui.run_shell(escape)
            return
        if self.project_ui.handles(message.text):  # /skill:NAME, a prompt template
            self._send(message.text, follow_up=message.follow_up)
            return
        parsed = commands.parse(message.text)
        if parsed is not None and parsed[0] in commands.BY_NAME:
            self.run_slash(*parsed)
            return
        if parsed is not None and "\n" not in message.text:
            self.notify(f"No command /{parsed[0]} — F1 lists them", severity="warning")
            self.prompt.put_back(message.text)
            return
        self._send(message.text, follow_up=message.follow_up)

    def _send(self, text: str, *, follow_up: bool = False) -> None:
        backend = self.backend
        if backend is None and self.starting:  # sent as soon as the agent is ready
            self._held_prompts.append(text)
            self.notify("The agent is starting: your message is sent as soon as it is ready — alt+up to edit",
                        timeout=3)
            self._stats_dirty = True
            self._redraw()
            return
        if backend is None:
            self.notify("No agent is running: " + (self.startup_error or "see the message at startup"),
                        severity="error")
            self.prompt.put_back(text)
            return
        resolved = self.project_ui.resolve(text)
        if resolved is None:
            return
        if backend.is_running:
            if resolved.prepared.blocks:
                self.notify("Attachments go with a new message, not a steering one: only the text was sent",
                            severity="warning")
            text = resolved.text
            if follow_up:
                backend.follow_up(text)
                self.notify("Queued as a follow-up (after this run) — alt+up to edit", timeout=3)
            else:
                backend.steer(text)
                self.notify("Steering: delivered after the current step — alt+up to edit", timeout=3)
            self._stats_dirty = True
            self._redraw()
            return
        from workbench.runtime import events as ev

        typed, text = text, resolved.text
        options = ({"content": resolved.prepared.content(), "attachments": resolved.prepared.attached}
                   if resolved.prepared.blocks else {})
        self._echoed_prompts.append(text)
        self.run_worker(self.conversation.handle(ev.UserMessage(text=text, attachments=resolved.prepared.attached)),
                        group="echo")
        try:
            backend.start(text, **options)
        except Exception as exc:
            self._echoed_prompts.remove(text)
            message = getattr(exc, "message", None) or str(exc)
            self.notify(message, title="Could not start", severity="error")
            self.prompt.put_back(typed)
            return
        self.conversation.anchor()
        self._stats_dirty = True

    def on_key(self, event: Any) -> None:
        """A printable key that no widget and no binding used goes to the prompt, whatever has the
        focus (the Approvals pane, the conversation, the mob…): typing is never lost."""
        if len(self.screen_stack) > 1 or not event.is_printable or not event.character:
            return
        focused = self.focused
        prompt = self.prompt
        if focused is prompt or prompt.disabled or isinstance(focused, (Input, TextArea)):
            return
        bound = self.screen.active_bindings.get(event.key)
        if bound is not None and bound.enabled:
            return
        if self.type_into_prompt(event.character):
            event.stop()

    def type_into_prompt(self, character: str) -> bool:
        """Put a typed character in the prompt and focus it (False: the prompt is off)."""
        if self.prompt.disabled:
            return False
        self.prompt.focus()
        self.prompt.insert(character)
        return True

    @on(PromptInput.RecallRequested)
    def _on_recall(self) -> None:
        if self.backend is None:
            if self._held_prompts:  # still starting: the waiting messages come back to be edited
                self.prompt.put_back("\n".join(self._held_prompts))
                self._held_prompts.clear()
                self._stats_dirty = True
                self._redraw()
            return
        taken = self.backend.take_pending()
        if taken:
            self.prompt.put_back("\n".join(text for _, text in taken))
            self._stats_dirty = True
            self._redraw()

    @on(PromptInput.Changed)
    def _on_prompt_changed(self) -> None:
        if self.prompt.text:
            self._last_typed = time.monotonic()
        self.hints.show_for(self.prompt.text, self.project_ui.dynamic_commands(),
                            self.project_ui.mention_hints(self.prompt.text, self.prompt.cursor_location))

    async def action_interrupt(self) -> None:
        """Escape: stop the run. Never touches what is typed in the prompt."""
        if self.project_ui.interrupt():  # a `!command` first: its whole process group
            self.notify("Command stopped", timeout=2)
            return
        if self.backend is not None and self.backend.is_running:
            await self.backend.interrupt()
            # Steering and follow-ups that never got delivered come back to be edited (as pi does).
            queued = bool(self.backend.pending())
            self._on_recall()
            self.notify("Interrupted — your queued messages are back in the prompt" if queued
                        else "Interrupted — what you typed is still in the prompt", timeout=3)
            self._stats_dirty = True
        elif self.focused is not self.prompt:
            self.prompt.focus()

    # --- approvals -------------------------------------------------------------------------
    def _resolve(self, req: PendingApproval, kind: str, feedback: str | None = None) -> None:
        if self.backend is None:
            return
        try:
            self.backend.resolve_approval(req.request_id, kind, feedback)  # type: ignore[arg-type]
        except Exception as exc:  # e.g. the run was interrupted and the request withdrawn
            self.notify(f"Could not answer: {exc}", severity="error")
        else:  # a key answered: say so, never silently
            said = {"once": "Allowed once", "session": "Allowed for this session", "deny": "Denied"}.get(kind)
            if said:
                what = fmt.arg_summary(req.tool, req.args, 50) if req.args else ""
                self.notify(f"{said}: {req.tool} {what}".rstrip(), timeout=3)
        self.approvals.remove(req.request_id)
        if not self.approvals.queue and self.focused is self.approvals:
            self.prompt.focus()

    @on(ApprovalsPane.Decided)
    def _on_decided(self, message: ApprovalsPane.Decided) -> None:
        self._resolve(message.request, message.kind, message.feedback)

    @on(ApprovalsPane.SideBySideWanted)
    def _on_side_by_side(self, message: ApprovalsPane.SideBySideWanted) -> None:
        """`d`: the side column widens to show the diff side by side (and narrows back after)."""
        if message.on and not self.sizer.side_by_side_fits():
            self.notify("Too narrow for side-by-side here (it needs a terminal about 160 columns wide): "
                        "z opens the diff full screen.", timeout=4)
            return
        self.approvals.side = message.on
        self.sizer.apply()
        self.approvals.render_queue()

    @on(ApprovalsPane.AlwaysWanted)
    def _on_always(self, message: ApprovalsPane.AlwaysWanted) -> None:
        req = message.request
        where = self.grant_source.where() if self.grant_source is not None else "the project's .workbench/config.toml"

        def done(yes: bool | None) -> None:
            if yes:
                self._resolve(req, "always")

        self.push_screen(_dialogs().ConfirmRuleScreen(req.rule(), where), done)

    @on(ApprovalsPane.FeedbackWanted)
    def _on_feedback(self, message: ApprovalsPane.FeedbackWanted) -> None:
        req = message.request

        def done(text: str | None) -> None:
            if text is not None:
                self._resolve(req, "deny", text or None)

        self.push_screen(_dialogs().FeedbackScreen(req.tool), done)

    @on(ApprovalsPane.FullscreenWanted)
    def _on_fullscreen(self, message: ApprovalsPane.FullscreenWanted) -> None:
        """The request full screen; its answer keys answer it there and close the view."""
        req = message.request

        def answered(kind: str | None) -> None:
            if kind is None or not any(r.request_id == req.request_id for r in self.approvals.queue):
                return  # closed, or the request went away meanwhile
            if kind == "always":
                self.post_message(ApprovalsPane.AlwaysWanted(req))
            elif kind == "feedback":
                self.post_message(ApprovalsPane.FeedbackWanted(req))
            else:
                self._resolve(req, kind)

        if req.diff:
            self.push_screen(_dialogs().DiffScreen(f"{req.tool} {req.preview.get('path') or ''}".strip(), req.diff,
                                        side=self.size.width >= 120, answers=True), answered)
        elif req.command:
            body = Text("$ ", style="bold") + safe_text(req.command)
            body.append_text(Text(f"\nin {one_line(req.cwd or '.', 200)}", style="dim"))
            self.push_screen(_dialogs().TextScreen(req.tool, body, answers=True), answered)
        else:
            from workbench.tui.widgets.approvals import describe  # its arguments as the pane shows them, never a raw dict

            self.push_screen(_dialogs().TextScreen(req.tool, describe(req), answers=True), answered)

    def action_grants(self) -> None:
        if self.grant_source is None:
            self.notify("Saved rules are not available " + ("yet: the agent is starting" if self.starting
                                                             else "in this session"), severity="warning")
            return
        from workbench.tui.screens.grants import GrantsScreen

        self.push_screen(GrantsScreen(self.grant_source.list, self.grant_source.remove))

    # --- slash commands --------------------------------------------------------------------
    def command_available(self, cmd: SlashCommand) -> bool:
        if self.starting and cmd.name not in STARTING_COMMANDS:
            return False  # the session and the agent are not there yet (and /mob would race them)
        running = self.backend is not None and self.backend.is_running
        if cmd.needs_idle and running:
            return False
        if cmd.name in ("new", "resume", "fork") and self.sessions is None:
            return False
        if cmd.name == "grants" and self.grant_source is None:
            return False
        if cmd.needs_session and self.backend is None:
            return False
        if cmd.name in ("model", "mode", "compact", "budget", "export", "label", "name", "tree") and self.backend is None:
            return False
        return True

    def palette_command(self, cmd: SlashCommand) -> None:
        if needs_argument(cmd) and cmd.name != "theme":
            self.prompt.text = f"/{cmd.name} "
            self.prompt.move_cursor(self.prompt.document.end)
            self.prompt.focus()
        else:
            self.run_slash(cmd.name, "")

    def run_slash(self, name: str, arg: str) -> None:
        cmd = commands.BY_NAME[name]
        if not self.command_available(cmd):
            why = ("while the agent runs" if cmd.needs_idle and self.backend and self.backend.is_running
                   else "yet: the agent is starting" if self.starting else "here")
            self.notify(f"/{name} is not available {why}", severity="warning")
            return
        handler: Callable[[str], Any] = getattr(self, f"_slash_{name}")
        try:
            result = handler(arg)
            if asyncio.iscoroutine(result):
                self.run_worker(result, group="slash")
        except ValueError as exc:
            self.notify(f"/{name}: {exc}", severity="error")

    def _slash_context(self, arg: str) -> None:
        self.project_ui.show_context()

    def _slash_reload(self, arg: str) -> Any:
        return self.project_ui.reload()

    def dynamic_commands(self) -> list[SlashCommand]:
        return self.project_ui.dynamic_commands()

    def complete_mention(self, text: str, cursor: tuple[int, int]) -> tuple[str, tuple[int, int]] | None:
        return self.project_ui.complete_mention(text, cursor)

    def _slash_mcp(self, arg: str) -> Any:
        return self.mcp.command(arg)

    def _slash_help(self, arg: str) -> None:
        self.action_help()

    async def _slash_quit(self, arg: str) -> None:
        await self.action_quit()

    def _slash_grants(self, arg: str) -> None:
        self.action_grants()

    def _slash_hooks(self, arg: str) -> None:
        from workbench.tui.screens.hooks import open_hooks

        open_hooks(self)

    def theme_names(self) -> list[str]:
        """The one list of themes that /theme, its completion, its error, the palette and the
        picker offer: the bundled and user theme files first, then Textual's built-ins."""
        ours = sorted(self.bundled_or_user_themes)
        return ours + sorted(set(self.available_themes) - set(ours))

    def argument_choices(self, command: str) -> list[str]:
        """What Tab completes after `/command `."""
        if command == "theme":
            return self.theme_names()
        if command == "mode":
            return list(MODES)
        if command == "mcp":
            return self.mcp.choices()
        return []

    def _slash_theme(self, arg: str) -> None:
        if not arg:
            self.action_change_theme()
            return
        if arg not in self.available_themes:
            names = self.theme_names()
            close = difflib.get_close_matches(arg, names, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ValueError(f"no theme '{arg}'; {hint}themes: {', '.join(names)}")
        self.theme = arg
        self.notify(f"Theme {arg}", timeout=2)

    def _slash_mode(self, arg: str) -> None:
        if arg not in MODES:
            raise ValueError(f"expected one of {', '.join(MODES)}")
        assert self.backend is not None
        self.backend.set_mode(arg)
        self.notify(f"Approval mode {arg}" + (" — tools run WITHOUT asking" if arg == "yolo" else ""),
                    severity="warning" if arg == "yolo" else "information")
        self.refresh_now()

    def _slash_model(self, arg: str) -> None:
        if not arg:
            raise ValueError("give a model name, e.g. /model claude-sonnet-4-5")
        assert self.backend is not None
        before = self.backend.stats().provider
        self.backend.set_model(arg)  # ValueError: refused, with what to do (shown by run_slash)
        after = self.backend.stats()
        moved = f" — now on {after.provider}" if after.provider and after.provider != before else ""
        self.notify(f"Model {after.model or arg}{moved}", timeout=3)
        self.refresh_now()

    def _slash_budget(self, arg: str) -> None:
        assert self.backend is not None
        current = self.backend.stats().limits
        changes = commands.parse_budget(arg)
        values = {f: getattr(current, f) for f in ("tokens", "cost", "turns", "tool_calls", "duration")}
        for key, value in changes.items():
            values[key] = None if value is None else (value if key in ("cost", "duration") else int(value))
        self.backend.set_limits(Limits(**values))
        self.notify("Limits for this session: " + ", ".join(fmt.limit(k, v) for k, v in changes.items()),
                    timeout=4)
        self.refresh_now()

    async def _slash_compact(self, arg: str) -> None:
        assert self.backend is not None
        check = getattr(self.backend, "can_compact", None)  # the runtime says if there is anything to do
        if check is not None:
            possible, what = check()
            if not possible:
                self.notify(what[:1].upper() + what[1:], title="Nothing to compact", timeout=6)
                return
            self.notify(what[:1].upper() + what[1:], title="Compacting", timeout=4)
        try:
            await self.backend.compact(arg or None)
        except Exception as exc:
            self.notify(f"Compaction failed: {exc}", severity="error")
        self.refresh_now()

    def _slash_name(self, arg: str) -> None:
        if not arg:
            raise ValueError("give a name, e.g. /name refactor auth")
        assert self.backend is not None
        self.backend.set_name(arg)
        self.notify(f"Session named {arg}", timeout=2)
        self.refresh_now()

    def _slash_label(self, arg: str) -> None:
        assert self.backend is not None
        if self.session_tree is not None and not arg:  # the tree's label dialog, on the current entry
            self.action_focus_tree()
            self.session_tree.label_at(current_entry_id(self.session_tree.manager))
            return
        entry = self.backend.set_label(arg or None)
        if entry is None:
            raise ValueError("the session has no entries to label yet")
        self.notify(f"Label {'cleared' if not arg else repr(arg)} on {entry[:8]}", timeout=3)
        self.refresh_now()

    def _slash_rewind(self, arg: str) -> None:
        tree = self.session_tree
        if tree is None:
            raise ValueError("the Session pane is not ready yet")
        self.action_focus_tree()
        tree.rewind_at(arg.strip() or tree.view.selected_id)

    def _slash_tree(self, arg: str) -> None:
        assert self.backend is not None
        if self.session_tree is not None:
            self.action_focus_tree()
            return
        rows: list[PathEntry] = self.backend.path_entries()
        text = Text()
        for r in rows:
            text.append(f"{r.entry_id[:8]} ", style="dim")
            text.append(f"{r.role:<11} ", style="bold")
            if r.label:
                text.append(f"[{one_line(r.label, 20)}] ", style="italic")
            text.append(one_line(r.summary, 120) + "\n")
        self.push_screen(_dialogs().TextScreen("Active path", text if rows else Text("Empty session.")))

    def _slash_export(self, arg: str) -> None:
        assert self.backend is not None
        stats = self.backend.stats()
        fmt, _, rest = arg.partition(" ")
        if fmt not in ("html", "md"):  # `/export [file]`: the format from the file name, Markdown by default
            fmt, rest = ("html" if arg.lower().endswith((".html", ".htm")) else "md"), arg
        rest = rest.strip()
        default = f"session-{(stats.session_id or 'export')[:8]}.{fmt}"
        target = Path(rest).expanduser() if rest else self.cwd / default
        if not target.is_absolute():
            target = self.cwd / target
        if target.exists():
            raise ValueError(f"{target} exists; give another file name")
        if fmt == "html":
            from workbench.export.html import export_html
            from workbench.export.theme import theme_colours

            text = export_html(self.backend.manager, colours=theme_colours(self.theme))
        else:
            model = f"{stats.provider}/{stats.model}" if stats.provider and stats.model else stats.model or None
            text = export_markdown(self.backend.history(), session_id=stats.session_id, name=stats.session_name,
                                   cwd=str(self.cwd), model=model)
        try:
            with target.open("x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
                out.write(text)
        except OSError as exc:
            raise ValueError(f"could not write {target}: {exc.strerror or exc}") from None
        self.notify(f"Exported to {target}", timeout=4)

    def _slash_new(self, arg: str) -> None:
        assert self.sessions is not None
        mode = self.backend.stats().mode if self.backend is not None else None
        backend = self.sessions.new()
        if mode and backend.stats().mode != mode:  # the approval mode chosen here carries over
            backend.set_mode(mode)
        self.switch_backend(backend)

    def _slash_fork(self, arg: str) -> None:
        assert self.sessions is not None and self.backend is not None
        if self.session_tree is not None:  # at the current entry: the prompt's /fork, not a stale tree cursor
            self.session_tree.fork_at(current_entry_id(self.session_tree.manager))
            return
        self.switch_backend(self.sessions.fork(self.backend))
        self.notify("Forked: you are now in the new session", timeout=3)

    def _slash_resume(self, arg: str) -> None:
        assert self.sessions is not None
        if not arg and hasattr(self.sessions, "store"):
            self.action_resume()
            return
        if arg:
            try:
                self.switch_backend(self.sessions.open(arg))
            except Exception as exc:
                raise ValueError(str(exc)) from None
            return
        rows = self.sessions.list_sessions()
        text = Text()
        for sid, modified, first in rows:
            text.append(f"{sid[:8]} ", style="bold")
            text.append(f"{modified}  ", style="dim")
            text.append(one_line(first, 100) + "\n")
        if not rows:
            text = Text("No sessions in this directory yet.")
        else:
            text.append("\n/resume <id-prefix> opens one", style="dim")
        self.push_screen(_dialogs().TextScreen("Sessions", text))

    def switch_backend(self, backend: Backend) -> None:
        """Drop the current session's view and show another session (the old one is closed:
        its lock is released)."""
        if self._pump_task is not None:
            self._pump_task.cancel()
        old = getattr(self.backend, "manager", None) if self.backend is not None else None
        # A mob member's session belongs to the mob, which keeps writing to it: never close it here.
        shared = bool(getattr(self.backend, "shared_session", False))
        self.backend = backend
        self.mcp.attach(backend)
        self.approvals.queue.clear()
        self.approvals.render_queue()
        if old is not None and old is not getattr(backend, "manager", None) and not shared:
            old.close()

        async def swap() -> None:
            await self.conversation.clear()
            self._start_pump()
            await self._show_tree()
            self.refresh_now()

        self.run_worker(swap(), group="swap")

    # --- session tree and resume picker ---------------------------------------------------
    async def _show_tree(self) -> None:
        """Mount the session tree in the Session pane (or point it at the current session) and
        apply the read-only state. A backend without a session file keeps the path list."""
        manager = getattr(self.backend, "manager", None)
        if manager is None:
            return
        if self.session_tree is None:
            from workbench.tui.tree import SessionTree  # with the session modules: after the first frame

            self.session_tree = SessionTree(manager, summariser=self._summarise_branch,
                                    branch_summary=self.settings.ui.branch_summary, id="session-tree")
            await self.session_pane.set_body(self.session_tree)
        else:
            self.session_tree.set_manager(manager)
        readonly = bool(getattr(self.backend, "readonly", False))
        self.prompt.disabled = readonly
        box = self.prompt_box
        box.set_class(readonly, "-readonly")
        box.border_subtitle = ("READ-ONLY: locked by another process — ctrl+f in the Session pane forks it"
                               if readonly else "Enter send · ctrl+j newline · F1 help")
        if readonly:
            self.action_focus_tree()
        elif self.focused is None:
            self.prompt.focus()
        checkpoints = getattr(getattr(self.backend, "agent", None), "checkpoints", None)
        if getattr(checkpoints, "problem", None) and not self._checkpoint_notice:  # git missing: said once
            self._checkpoint_notice = True
            self.notify(checkpoints.problem, severity="warning", timeout=8)

    async def _summarise_branch(self, entries: list[Any], instructions: str | None) -> str:
        summarise = getattr(self.backend, "summarise_branch", None)
        if summarise is None:
            raise RuntimeError("this session has no model to summarise with")
        return await summarise(entries, instructions)

    def action_focus_tree(self) -> None:
        if self.session_tree is None:
            return
        if not self.pane_visible("session"):
            self.action_toggle_pane("session")
        self.call_after_refresh(self.session_tree.focus)

    def _tree_move_refused(self) -> bool:
        if self.backend is not None and self.backend.is_running:
            self.notify("The agent is running: move in the tree after the run (Escape interrupts it).",
                        severity="warning")
            return True
        return False

    # The session tree's messages (handler names instead of @on: the tree module loads later).
    async def on_session_tree_navigated(self, message: SessionTree.Navigated) -> None:
        """The leaf moved: the agent continues from it and the conversation shows its path."""
        if self.backend is None:
            return
        reload = getattr(self.backend, "reload_context", None)
        if reload is not None and not getattr(self.backend, "readonly", False):
            try:
                reload()
            except Exception as exc:
                self.notify(f"The agent could not follow the move: {exc}", severity="error")
        await self.conversation.clear()
        await self.conversation.load_history(self.backend.history())
        if message.prompt_text is not None:
            self.prompt.text = message.prompt_text
            self.prompt.move_cursor(self.prompt.document.end)
            self.prompt.focus()
            self.notify("Edit the message and press Enter: it starts a new branch", timeout=4)
        self.refresh_now()

    def on_session_tree_forked(self, message: SessionTree.Forked) -> None:
        if self.sessions is None or not hasattr(self.sessions, "adopt"):
            message.manager.close()
            self.notify(f"Forked to {message.path}", timeout=4)
            return
        self.switch_backend(self.sessions.adopt(message.manager))
        self.notify("Forked: you are now in the new session", timeout=3)

    def on_session_tree_copy_to_prompt(self, message: SessionTree.CopyToPrompt) -> None:
        if self.prompt.disabled:
            self.notify("The prompt is off: this session is read-only", severity="warning")
            return
        self.prompt.insert(message.text)
        self.prompt.focus()

    def on_session_tree_labelled(self, message: SessionTree.Labelled) -> None:
        self.notify(f"Label {'cleared' if not message.label else repr(message.label)} on {message.entry_id[:8]}",
                    timeout=3)

    def action_resume(self) -> None:
        """The resume picker: open the chosen session, read-only if locked, or fork it."""
        store = getattr(self.sessions, "store", None)
        if store is None:
            self.notify("Sessions on disk are not available " + ("yet: the agent is starting" if self.starting
                                                                 else "here"), severity="warning")
            return
        if self.backend is not None and self.backend.is_running:
            self.notify("/resume is not available while the agent runs", severity="warning")
            return
        current = getattr(getattr(self.backend, "manager", None), "path", None)

        def chosen(choice: ResumeChoice | None) -> None:
            if choice is None or self.sessions is None:
                return
            try:
                if choice.fork:
                    backend = self.sessions.fork_path(choice.path)  # type: ignore[attr-defined]
                elif current is not None and Path(choice.path).absolute() == Path(current).absolute():
                    return  # already open
                else:
                    backend = self.sessions.open_path(choice.path, readonly=choice.readonly)  # type: ignore[attr-defined]
            except Exception as exc:
                self.notify(f"Could not open {choice.path}: {exc}", severity="error")
                return
            self.switch_backend(backend)
            if getattr(backend, "readonly", False):
                self.notify("Opened READ-ONLY: another process has this session open. ctrl+f in the "
                            "Session pane forks it to continue.", severity="warning", timeout=8)

        from workbench.tui.screens.resume import ResumeScreen  # off the first-frame path

        self.push_screen(ResumeScreen(store(), self.cwd, current_path=current), chosen)

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


def _dialogs() -> Any:
    """The dialogs module, imported when the first dialog opens (not on the first frame)."""
    from workbench.tui.screens import dialogs

    return dialogs


def _default_settings() -> LoadedSettings:
    from workbench.config import LoadedSettings, Settings

    return LoadedSettings(Settings())


def size_classes(width: int, height: int) -> dict[str, bool]:
    """The main screen's classes for a terminal size (workbench.tcss folds the panes with them)."""
    return {"-narrow": width < NARROW_WIDTH, "-tiny": width < TINY_WIDTH, "-short": height < SHORT_HEIGHT}


def starting_content() -> Content:
    """The status line until the runtime is set up (a fraction of a second, after the first frame)."""
    return Content.assemble((" STARTING… ", "bold reverse $accent"), " ",
                            ("opening the session and the model — a prompt sent now waits for it", "$foreground 70%"),
                            ("  · F1 help · ctrl+q quit", "$foreground 60%"))


def approval_notice(req: PendingApproval) -> str:
    """`lead asks: write hello.py — F4 to review`: who, the tool and what it touches."""
    who = f"{one_line(req.agent, 30)} asks: " if req.agent else ""
    what = fmt.arg_summary(req.tool, req.args, 60) if req.args else ""
    return f"{who}{req.tool} {what} — F4 to review" if what else f"{who}{req.tool} — F4 to review"


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
