"""`/agent`, `/var`, `/journey`, `/why` and `w` in the app, against a real PlaybookRuntime bound to
a session: each command changes the state the session file keeps, and the status line follows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workbench.playbook.agents import AgentProfile
from workbench.playbook.model import Playbook
from workbench.playbook.runtime import PlaybookRuntime
from workbench.playbook.state import state_at
from workbench.runtime import events as ev
from workbench.tui.backend import _playbook_stats
from workbench.tui.screens.dialogs import TextScreen
from workbench.tui.screens.journey import JourneyScreen
from workbench.tui.screens.why import WhyScreen
from workbench.tui.widgets.meters import status_content

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from tests.tui.playbook_fixtures import ONBOARD, RELEASE, session_with_turns

AGENTS = (AgentProfile("reviewer", "Reviews diffs; never edits.", model="claude-sonnet-4-5"),
          AgentProfile("fixer", "Fixes what the reviewer found."))


class PlaybookBackend(FakeBackend):
    """The fake backend with a session file and a PlaybookRuntime, as RuntimeBackend has them."""

    def __init__(self, manager, runtime):
        super().__init__()
        self.manager = manager
        self.agent = SimpleNamespace(playbook=runtime)

    def stats(self):
        from dataclasses import replace

        return replace(super().stats(), **_playbook_stats(self.agent.playbook))


@pytest.fixture
def setup(tmp_path):
    manager, ids = session_with_turns(tmp_path)
    runtime = PlaybookRuntime(Playbook(agents=AGENTS, journeys=(RELEASE, ONBOARD)))
    runtime.bind(manager)
    app = make_app(PlaybookBackend(manager, runtime))
    return app, runtime, manager, ids


async def slash(app, pilot, text):
    app.prompt.focus()
    app.prompt.text = text
    await pilot.press("enter")
    await pilot.pause()


def status(app) -> str:
    return status_content(app.backend.stats()).plain


async def test_agent_lists_switches_and_clears(setup):
    app, runtime, manager, _ = setup
    async with app.run_test(size=(160, 48)) as pilot:
        await slash(app, pilot, "/agent")
        assert isinstance(app.screen, TextScreen)
        listing = app.screen.text.plain
        assert "reviewer  claude-sonnet-4-5  Reviews diffs; never edits." in listing and "fixer" in listing
        await pilot.press("escape")
        await slash(app, pilot, "/agent reviewer")
        assert runtime.state.agent == "reviewer" and state_at(manager).agent == "reviewer"  # in the session
        assert "agent reviewer" in status(app)
        await slash(app, pilot, "/agent")
        assert "● reviewer" in app.screen.text.plain
        await pilot.press("escape")
        await slash(app, pilot, "/agent nobody")
        assert runtime.state.agent == "reviewer"  # refused: unchanged, said in a notice
        assert any("no agent 'nobody'" in n.message for n in app._notifications)
        await slash(app, pilot, "/agent -")
        assert runtime.state.agent is None and "agent" not in status(app)


async def test_var_sets_shows_lists_and_unsets(setup):
    app, runtime, manager, _ = setup
    async with app.run_test(size=(160, 48)) as pilot:
        await slash(app, pilot, "/var env staging")
        await slash(app, pilot, "/var version=1.4.0")
        assert runtime.state.variables == {"env": "staging", "version": "1.4.0"}
        assert state_at(manager).variables == {"env": "staging", "version": "1.4.0"}
        await slash(app, pilot, "/var")
        assert isinstance(app.screen, TextScreen)
        assert "env = staging" in app.screen.text.plain and "version = 1.4.0" in app.screen.text.plain
        await pilot.press("escape")
        await slash(app, pilot, "/var -env")
        assert runtime.state.variables == {"version": "1.4.0"}
        await slash(app, pilot, "/var -env")  # not set: said, nothing written
        assert any("no variable 'env' is set" in n.message for n in app._notifications)
        await slash(app, pilot, "/var b@d 1")
        assert "b@d" not in runtime.state.variables
        await slash(app, pilot, "/var note two words")  # the value is the rest of the line
        assert runtime.state.variables["note"] == "two words"
        assert any("invalid variable name" in n.message for n in app._notifications)


async def test_journey_start_complete_stop_and_the_status_line(setup):
    app, runtime, manager, _ = setup
    async with app.run_test(size=(160, 48)) as pilot:
        await slash(app, pilot, "/journey start nope")
        assert runtime.state.journey is None
        await slash(app, pilot, "/journey start release")
        assert runtime.state.journey.step == "plan"
        assert "journey release · 1/5 plan the release" in status(app)
        await slash(app, pilot, "/journey start onboard")  # one at a time
        assert runtime.state.journey.journey_id == "release"
        assert any("is active" in n.message for n in app._notifications)
        await slash(app, pilot, "/journey complete")
        assert runtime.state.journey.status == "completed" and state_at(manager).journey.status == "completed"
        assert "journey release · completed" in status(app)  # named until another starts
        await slash(app, pilot, "/journey stop")
        assert any("no journey is active" in n.message for n in app._notifications)
        await slash(app, pilot, "/journey start onboard")
        await slash(app, pilot, "/journey stop")
        assert runtime.state.journey.status == "stopped" and "journey onboard · stopped" in status(app)


async def test_journey_screen_opens_on_the_active_journey_and_acts(setup):
    app, runtime, _, _ = setup
    async with app.run_test(size=(160, 48)) as pilot:
        await slash(app, pilot, "/journey")
        assert isinstance(app.screen, JourneyScreen) and app.screen.journey.id == "release"
        await pilot.press("enter")  # nothing active: starts the one shown
        await pilot.pause()
        assert runtime.state.journey.journey_id == "release"
        await slash(app, pilot, "/journey")
        assert app.screen.position().step == "plan"
        await pilot.press("x")
        await pilot.pause()
        assert runtime.state.journey.status == "stopped"


async def test_commands_say_so_without_a_playbook():
    app = make_app(FakeBackend())
    async with app.run_test(size=(160, 48)) as pilot:
        for command in ("/agent", "/var x 1", "/journey"):
            await slash(app, pilot, command)
        assert sum("has no playbook" in n.message for n in app._notifications) == 3


async def test_w_in_the_conversation_opens_the_why_view_of_the_turn_in_view(setup):
    app, runtime, manager, ids = setup
    async with app.run_test(size=(160, 48)) as pilot:
        await app.conversation.load_history(manager.build_context().messages)
        await pilot.pause()
        app.conversation.focus()
        await pilot.press("w")
        assert isinstance(app.screen, WhyScreen)
        assert app.screen.index == 2  # following the bottom: the newest turn
        await pilot.press("escape")
        await slash(app, pilot, "/why")
        assert isinstance(app.screen, WhyScreen) and app.screen.turns[app.screen.index].entry_id == ids[2]


def demo_backend(tmp_path, playbook_text=None):
    """A demo backend whose session has the demo workspace's playbook (or another one)."""
    from workbench.playbook.loader import load_playbook
    from workbench.providers.demo_tour import DEMO_PLAYBOOK
    from workbench.sessions.manager import SessionManager

    (tmp_path / ".workbench").mkdir(exist_ok=True)
    (tmp_path / ".workbench" / "playbook.toml").write_text(playbook_text or DEMO_PLAYBOOK)
    manager = SessionManager.in_memory(tmp_path)
    runtime = PlaybookRuntime(load_playbook(tmp_path))
    runtime.bind(manager)
    backend = PlaybookBackend(manager, runtime)
    backend.demo = True
    return backend


async def test_the_demo_tour_sends_its_prompts_as_each_run_ends(tmp_path):
    from workbench.providers.demo_tour import TOUR_PROMPTS
    from workbench.tui.startup import DEMO_PROMPT

    backend = demo_backend(tmp_path)
    app = make_app(backend)
    done = ev.RunCompleted(result="", text="", turns=1, tool_calls=0, usage=ev.Usage(), cost_usd=0.0)
    async with app.run_test(size=(160, 48)) as pilot:
        app._send(DEMO_PROMPT)
        await pilot.pause()
        backend.running = False
        await backend.publish(done)
        await pilot.pause(0.05)
        assert backend.calls[-1] == ("start", TOUR_PROMPTS[0])
        backend.running = False
        await backend.publish(done)
        await pilot.pause(0.05)
        assert backend.calls[-1] == ("start", TOUR_PROMPTS[1])
        backend.running = False
        await backend.publish(done)
        await pilot.pause(0.05)
        assert len(backend.calls) == 3  # the tour is over
        app._send("something else")
        await pilot.pause()
        backend.running = False
        await backend.publish(done)
        await pilot.pause(0.05)
        assert backend.calls[-1] == ("start", "something else")  # nothing follows a prompt of the user's


async def test_an_interrupted_demo_run_ends_the_tour(tmp_path):
    from workbench.tui.startup import DEMO_PROMPT

    backend = demo_backend(tmp_path)
    app = make_app(backend)
    async with app.run_test(size=(160, 48)) as pilot:
        app._send(DEMO_PROMPT)
        await pilot.pause()
        backend.running = False
        await backend.publish(ev.RunCompleted(result="", text="", turns=1, tool_calls=0, usage=ev.Usage(),
                                              cost_usd=0.0, stop="interrupted"))
        await pilot.pause(0.05)
        assert backend.calls == [("start", DEMO_PROMPT)]


async def test_ctrl_w_in_the_session_tree_explains_the_selected_entry_even_on_another_branch(setup):
    app, runtime, manager, ids = setup
    answer_of_turn_2 = manager.get_branch(ids[2])[-2]["id"]  # the answer before the third prompt
    manager.branch(answer_of_turn_2)
    other = manager.append_message({"role": "user", "content": [{"type": "text", "text": "another way"}],
                                    "timestamp": 3})
    manager.branch(manager.get_children(ids[2])[0]["id"])  # back on the first branch's end
    async with app.run_test(size=(160, 48)) as pilot:
        while app.session_tree is None:
            await pilot.pause()
        tree = app.session_tree
        await pilot.pause()
        tree.focus()
        assert tree.view.select_entry(ids[1])  # a prompt: its record comes after it in the file
        await pilot.press("ctrl+w")
        await pilot.pause()
        assert isinstance(app.screen, WhyScreen) and app.screen.turns[app.screen.index].entry_id == ids[1]
        assert app.screen.turns[app.screen.index].record["matched"][0]["id"] == "python-style"
        await pilot.press("escape")
        tree.focus()
        assert tree.view.select_entry(other)  # off the active path
        await pilot.press("ctrl+w")
        await pilot.pause()
        turns = app.screen.turns
        assert [t.entry_id for t in turns] == [ids[0], ids[1], other] and app.screen.index == 2
        assert turns[2].record is None


async def test_w_picks_the_turn_in_the_middle_of_the_view_when_scrolled_up(tmp_path):
    from tests.tui.playbook_fixtures import assistant, user
    from workbench.sessions.manager import SessionManager

    manager = SessionManager.in_memory(tmp_path)
    prompts = []
    for i in range(40):
        prompts.append(manager.append_message(user(f"question {i}")))
        manager.append_message(assistant("\n\n".join(f"answer {i} paragraph {p}" for p in range(6))))
    runtime = PlaybookRuntime(Playbook())
    runtime.bind(manager)
    app = make_app(PlaybookBackend(manager, runtime))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.conversation.load_history(manager.build_context().messages)
        await pilot.pause()
        await app.conversation.show_head()
        await pilot.pause()
        app.conversation.focus()
        await pilot.press("w")
        assert isinstance(app.screen, WhyScreen)
        shown = app.screen.turns[app.screen.index]
        assert shown.entry_id in prompts[:2]  # the top of the conversation: its first turns
        assert "No playbook ran for this turn" in app.screen.query_one("#why-body").content.plain
        await pilot.press("escape")
        await app.conversation.show_tail()
        await pilot.pause()
        await pilot.press("w")
        assert app.screen.turns[app.screen.index].entry_id == prompts[-1]


async def test_no_tour_in_a_workspace_whose_playbook_is_not_the_demos(tmp_path):
    from workbench.tui.startup import DEMO_PROMPT

    backend = demo_backend(tmp_path, '[[guidelines]]\nid = "g"\ncondition = "c"\naction = "a"\n')
    app = make_app(backend)
    async with app.run_test(size=(160, 48)) as pilot:
        app._send(DEMO_PROMPT)
        await pilot.pause()
        backend.running = False
        await backend.publish(ev.RunCompleted(result="", text="", turns=1, tool_calls=0, usage=ev.Usage(),
                                              cost_usd=0.0))
        await pilot.pause(0.05)
        assert backend.calls == [("start", DEMO_PROMPT)]


async def test_agent_and_journey_changes_wait_for_the_run_but_variables_do_not(setup):
    app, runtime, _, _ = setup
    async with app.run_test(size=(160, 48)) as pilot:
        app.backend.running = True
        await slash(app, pilot, "/agent reviewer")
        await slash(app, pilot, "/journey start release")
        await slash(app, pilot, "/var env staging")
        assert runtime.state.agent is None and runtime.state.journey is None
        assert runtime.state.variables == {"env": "staging"}
        assert sum("while the agent runs" in n.message for n in app._notifications) == 2
        await slash(app, pilot, "/journey")  # looking is fine
        assert isinstance(app.screen, JourneyScreen)
