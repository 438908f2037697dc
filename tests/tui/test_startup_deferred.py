"""The runtime is set up after the first frame: the layout shows at once with a "starting" status,
typing works meanwhile, and a prompt sent before the agent is ready waits for it (never lost)."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from tests.tui.test_flows import type_text, wait_for
from workbench import trust
from workbench.config import ConfigProblem, LoadedSettings, Settings
from workbench.tui.screens.dialogs import ProblemsScreen
from workbench.tui.widgets.panes import MOB_EMPTY, MOB_EMPTY_DEMO

SIZE = (160, 48)
REPO = Path(__file__).resolve().parents[2]


class GatedStarter:
    """A starter that blocks its thread until the test lets it finish."""

    def __init__(self, parts=None, error: Exception | None = None):
        self.parts = parts if parts is not None else {}
        self.error = error
        self.gate = threading.Event()
        self.thread: str | None = None

    def __call__(self):
        self.thread = threading.current_thread().name
        if not self.gate.wait(10):
            raise TimeoutError("the test never opened the gate")
        if self.error is not None:
            raise self.error
        return self.parts


def status_text(app) -> str:
    return str(app.status.render())


async def test_layout_first_then_the_agent_and_a_prompt_sent_meanwhile_waits_for_it():
    backend = FakeBackend()
    starter = GatedStarter({"backend": backend})
    app = make_app(None, starter=starter)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: starter.thread is not None)
        assert starter.thread != threading.main_thread().name  # set up off the event loop
        await pilot.pause(0.15)
        assert app.starting and app.backend is None
        assert "STARTING" in status_text(app)
        assert app.query_one("#conversation") and app.focused is app.prompt
        await type_text(pilot, "hello")
        assert app.prompt.text == "hello"  # typing works while the set-up runs
        await pilot.press("enter")
        assert app.prompt.text == "" and backend.calls == []
        assert app.pending_bar.display and "hello" in str(app.pending_bar.render())
        await type_text(pilot, "more")
        await pilot.press("enter")
        starter.gate.set()
        await wait_for(pilot, lambda: backend.calls)
        await wait_for(pilot, lambda: len(backend.calls) == 2)
        # in order: the first starts the run, the second follows up
        assert backend.calls == [("start", "hello"), ("follow_up", "more")]
        assert not app.starting and app.backend is backend
        await wait_for(pilot, lambda: "STARTING" not in status_text(app))


async def test_the_demo_prompt_goes_first_and_a_held_prompt_follows_it():
    backend = FakeBackend()
    backend.demo = True
    starter = GatedStarter({"backend": backend, "initial_prompt": "Show me around."})
    app = make_app(None, starter=starter)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: starter.thread is not None)
        assert MOB_EMPTY in str(app.mob_pane.query_one(".mob-empty").render())
        await type_text(pilot, "mine")
        await pilot.press("enter")
        starter.gate.set()
        await wait_for(pilot, lambda: len(backend.calls) == 2)
        assert backend.calls == [("start", "Show me around."), ("follow_up", "mine")]
        # the empty Mob pane now offers the offline demo mob
        assert MOB_EMPTY_DEMO in str(app.mob_pane.query_one(".mob-empty").render())


async def test_held_prompts_are_recallable_while_starting():
    starter = GatedStarter({"backend": FakeBackend()})
    app = make_app(None, starter=starter)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "first")
        await pilot.press("enter")
        await type_text(pilot, "draft")
        await pilot.press("alt+up")
        assert app.prompt.text == "first\ndraft"  # in front of what is typed, nothing lost
        assert not app.pending_bar.display
        starter.gate.set()
        await wait_for(pilot, lambda: not app.starting)
        assert app.backend.calls == []


async def test_a_start_up_error_shows_one_dialog_and_hands_held_prompts_back():
    problems = [ConfigProblem(Path("/x/config.toml"), 3, "ui.theme", "expected a string")]
    starter = GatedStarter({"backend": None, "startup_error": "session is locked"})
    app = make_app(None, starter=starter, settings=LoadedSettings(Settings(), problems))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "lost?")
        await pilot.press("enter")
        assert not isinstance(app.screen, ProblemsScreen)  # the dialog waits for the set-up
        starter.gate.set()
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        shown = "\n".join(app.screen.problems)
        assert "session is locked" in shown and "config.toml:3" in shown
        assert len(app.screen_stack) == 2  # one dialog, never two stacked
        assert app.prompt.text == "lost?"
        await pilot.press("escape")
        await wait_for(pilot, lambda: "NO AGENT" in status_text(app))


async def test_a_crashing_set_up_is_reported_and_the_app_stays_open():
    starter = GatedStarter(error=RuntimeError("boom in set-up"))
    app = make_app(None, starter=starter)
    async with app.run_test(size=SIZE) as pilot:
        starter.gate.set()
        await wait_for(pilot, lambda: not app.starting)
        assert app.backend is None and "boom in set-up" in app.startup_error
        assert isinstance(app.screen, ProblemsScreen)


async def test_commands_that_need_the_agent_wait_for_it():
    starter = GatedStarter({"backend": FakeBackend()})
    app = make_app(None, starter=starter)
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        app.notify = lambda message, **kw: seen.append(message)  # type: ignore[method-assign]
        app.run_slash("model", "x")
        app.run_slash("mob", "demo")  # would race the set-up for app.backend
        assert [m for m in seen if "is not available yet: the agent is starting" in m] == [
            "/model is not available yet: the agent is starting", "/mob is not available yet: the agent is starting"]
        assert app.backend is None and app.mob is None
        app.run_slash("theme", "workbench-light")  # what needs no agent works at once
        assert app.theme == "workbench-light"
        starter.gate.set()
        await wait_for(pilot, lambda: not app.starting)
        app.run_slash("model", "other-model")
        assert ("set_model", "other-model") in app.backend.calls


async def test_quitting_before_the_set_up_finished_leaves_its_parts_to_close():
    backend = FakeBackend()
    starter = GatedStarter({"backend": backend})
    app = make_app(None, starter=starter)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: starter.thread is not None)
        await pilot.press("ctrl+q")
    assert app.backend is None
    starter.gate.set()
    assert app.unused_start_parts() == {"backend": backend}  # startup.run closes its session


def test_the_first_frame_loads_no_runtime_provider_or_session_modules(tmp_path):
    """What `workbench` has imported when its first frame is on screen (a fresh process)."""
    code = """
import json, os, sys
from pathlib import Path
from workbench.cli import build_parser
from workbench.tui import startup
app = startup.make_app(build_parser().parse_args([]), Path(os.getcwd()))
def first_frame():
    print(json.dumps(sorted(sys.modules)))
    app.exit()
app.call_after_refresh(first_frame)
app.run(headless=True)
app.unused_start_parts()  # as startup.run does: the set-up thread finishes before the interpreter exits
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
    env.update(WORKBENCH_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "workbench.tui.app" in loaded and "textual.app" in loaded
    deferred = ["anthropic", "openai", "httpx", "grandalf", "watchfiles", "workbench.providers",
                "workbench.runtime.agent", "workbench.sessions.manager", "workbench.sessions.store",
                "workbench.tools.grants", "workbench.tui.tree", "workbench.tui.mob",
                "workbench.tui.screens.grants", "workbench.tui.screens.help", "workbench.tui.screens.resume",
                # the conversation's blocks: no answer, thinking, tool card or history on the first frame
                "workbench.tui.widgets.conversation_live", "workbench.tui.widgets.conversation_history",
                "textual.widgets._markdown", "textual.widgets._collapsible", "markdown_it",
                # pydantic: settings are validated (and runtime events built) after the first frame
                "pydantic", "workbench.config_schema", "workbench.runtime.events", "workbench.tui.theme_schema",
                "rich.syntax",  # Pygments: when a diff or a code block is first shown
                "workbench.tui.screens.dialogs",
                # /export's Markdown and an edit's diff: only when asked for or shown
                "workbench.tui.export", "workbench.export.markdown", "workbench.tui.diffview"]
    assert [m for m in deferred if m in loaded] == []



async def test_the_first_frame_uses_the_files_theme_and_keys_and_validation_later_keeps_them(tmp_path):
    from workbench.config import first_frame_settings, load_settings

    (tmp_path / ".workbench").mkdir()
    (tmp_path / ".workbench" / "config.toml").write_text('[ui]\ntheme = "nord"\n[keys]\n"app.help" = "f9"\n')
    trust.trust(tmp_path)  # key bindings from a project need trust (tests/security/test_trust.py)
    starter = GatedStarter({"backend": FakeBackend(), "settings": load_settings(tmp_path)})
    app = make_app(None, starter=starter, first_frame=first_frame_settings(tmp_path), cwd=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: starter.thread is not None)
        assert app.starting and app.theme == "nord"  # before any validation
        assert app._keymap == {"app.help": "f9"}
        starter.gate.set()
        await wait_for(pilot, lambda: not app.starting)
        assert app.theme == "nord" and app._keymap == {"app.help": "f9"}
        assert app.settings.ui.theme == "nord" and not isinstance(app.screen, ProblemsScreen)


async def test_a_broken_setting_falls_back_alone_once_validated(tmp_path):
    """The first frame read its theme and keys unvalidated; the validated settings leave out only
    the broken setting (issue 13: each broken part falls back alone), so the theme and keys stay
    and the dialog names the problem."""
    from workbench.config import first_frame_settings, load_settings

    (tmp_path / ".workbench").mkdir()
    (tmp_path / ".workbench" / "config.toml").write_text(
        '[ui]\ntheme = "nord"\n[keys]\n"app.help" = "f9"\n[budget]\nmax_turns = -1\n')
    trust.trust(tmp_path)
    starter = GatedStarter({"backend": FakeBackend(), "settings": load_settings(tmp_path)})
    app = make_app(None, starter=starter, first_frame=first_frame_settings(tmp_path), cwd=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: starter.thread is not None)
        assert app.theme == "nord"
        starter.gate.set()
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        assert app.theme == "nord" and app._keymap == {"app.help": "f9"}
        assert app.loaded.settings.budget.max_turns == 100  # the default, for the broken value only
        assert "budget.max_turns" in str(app.loaded.problems[0])


def test_first_frame_settings_skip_values_of_the_wrong_type(tmp_path):
    from workbench.config import DEFAULT_THEME, first_frame_settings

    (tmp_path / ".workbench").mkdir()
    (tmp_path / ".workbench" / "config.toml").write_text('[ui]\ntheme = 3\n[keys]\n"app.help" = 5\n"app.quit" = "f10"\n')
    trust.trust(tmp_path)
    got = first_frame_settings(tmp_path)
    assert got.theme == DEFAULT_THEME and got.keys == {"app.quit": "f10"}
    (tmp_path / ".workbench" / "config.toml").write_text("[ui\n")  # not TOML: nothing from it
    assert first_frame_settings(tmp_path).theme == DEFAULT_THEME


def test_building_the_argument_parser_loads_no_engine(tmp_path):
    """Every headless start and `workbench --help` build the parser: it must not load the checkpoint
    engine (git.py/shadow.py pull in asyncio, ~0.2 s) or any other capability's machinery."""
    code = ("import sys, json; from workbench.cli import build_parser; build_parser(); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('workbench.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out)
    assert [m for m in loaded if m.startswith(("workbench.checkpoints.", "workbench.runtime", "workbench.mcp",
                                                "workbench.hooks", "workbench.sessions."))
            and m != "workbench.checkpoints.arguments"] == []
    assert "asyncio" not in subprocess.run([sys.executable, "-c", code.replace(
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('workbench.'))))",
        "print(' '.join(sys.modules))")], capture_output=True, text=True, check=True).stdout.split()


async def test_the_theme_colours_are_computed_once_before_the_first_frame_and_are_the_chosen_themes(monkeypatch):
    """Textual's App.__init__ would compute its default theme's colour system only for the app to
    replace it at once with the configured theme's: one computation, and it is the configured one."""
    from textual.app import App
    from textual.design import ColorSystem

    from workbench.config import FirstFrameSettings

    generated = []
    real = ColorSystem.generate
    monkeypatch.setattr(ColorSystem, "generate", lambda self: generated.append(self) or real(self))
    app = make_app(None, first_frame=FirstFrameSettings("workbench-light", {}))
    assert len(generated) == 1
    assert app.theme == "workbench-light"
    ours = App.get_css_variables(app)  # what Textual computes for the app's theme, unfiltered
    assert app.stylesheet._variables == ours
    assert ours["background"] == app.get_theme("workbench-light").background
    async with app.run_test(size=SIZE):  # the first parse used them: the screen has the theme's background
        assert app.screen.styles.background.hex.lower() == ours["background"].lower()
