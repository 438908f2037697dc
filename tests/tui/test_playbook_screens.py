"""The playbook's screens: the journey graph, the why view, the status line's parts, a configured
tool's retries on its card (snapshots looked at as PNGs before they were accepted)."""

from __future__ import annotations

from workbench.runtime import events as ev
from workbench.tui.backend import Limits, Stats
from workbench.tui.journey_graph import JourneyPosition, plain_drawing
from workbench.tui.screens.journey import JourneyScreen, journey_side
from workbench.tui.screens.why import WhyScreen, turn_for_entry, turns_on_path, why_content
from workbench.tui.widgets.meters import status_content

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from tests.tui.playbook_fixtures import ONBOARD, RELEASE, session_with_turns, turn_record
from tests.tui.test_snapshots import STATS, build, feed, run

AT_TESTS = JourneyPosition.of({"id": "release", "step": "tests", "path": ["plan", "tests", "fix"], "status": "active"})


# --- the journey graph -------------------------------------------------------------------------------------

def test_position_ends_its_path_with_the_current_step():
    assert AT_TESTS.path == ("plan", "tests", "fix", "tests")
    assert AT_TESTS.taken() == {("plan", "tests"), ("fix", "tests")}
    assert JourneyPosition.of(None) is None and JourneyPosition.of({"id": None}) is None


def test_drawing_marks_the_current_step_the_path_and_the_directions():
    text = plain_drawing(RELEASE, AT_TESTS, 80)
    assert "● current step" in text and "╔" in text  # the current step, double-lined
    assert text.count("✓ passed") == 2                # plan, fix
    assert "· not reached" in text                     # tag
    assert "◎ end of the journey" in text              # notes: terminal, not reached
    lines = text.splitlines()
    tests_top = next(i for i, line in enumerate(lines) if "2 run the tests" in line) - 1
    assert "▼" in lines[tests_top]                     # plan → tests enters from above
    assert "▲" in lines[tests_top + 4]                 # fix → tests comes back up into it
    assert plain_drawing(RELEASE, None, 80).count("· not reached") == 4


def test_journey_side_says_the_path_and_every_transition():
    side = journey_side(RELEASE, AT_TESTS).plain
    assert "active · step 2/5 run the tests" in side
    assert "plan → tests → fix → tests" in side
    assert "→ fix failures\n      when the tests fail\n      priority 2" in side
    assert "when the plan is agreed\n      match agreed" in side and "needs version" in side
    assert "not started" in journey_side(RELEASE, None).plain


def test_journey_screen_snapshot(snap_compare):
    app = build()

    async def before(pilot):
        app.push_screen(JourneyScreen([RELEASE, ONBOARD], AT_TESTS))
        await pilot.pause()
    run(snap_compare, app, before)


async def test_journey_screen_keys_cycle_start_and_finish():
    results = []
    app = make_app(FakeBackend())
    async with app.run_test(size=(160, 48)) as pilot:
        app.push_screen(JourneyScreen([RELEASE, ONBOARD], AT_TESTS), results.append)
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter")                     # release is active: not started again
        assert results == [] and screen.is_current
        await pilot.press("]")
        assert screen.journey is ONBOARD and screen.position() is None
        await pilot.press("c")                         # onboard is not active: nothing to complete
        assert results == []
        await pilot.press("[", "x")
        assert results == [("stop", "release")]
        app.push_screen(JourneyScreen([RELEASE, ONBOARD], None), results.append)
        await pilot.pause()
        await pilot.press("]", "enter")
        assert results[-1] == ("start", "onboard")


# --- the why view -------------------------------------------------------------------------------------------

def test_turns_on_path_pair_each_user_message_with_its_record(tmp_path):
    manager, ids = session_with_turns(tmp_path)
    turns = turns_on_path(manager)
    assert [t.entry_id for t in turns] == ids
    assert turns[0].record is None and turns[1].record["matcher"] == "patterns-only"
    assert turns[2].record["matcher"] == "model"
    answer = manager.get_branch()[-1]["id"]
    assert turn_for_entry(turns, manager, answer) == 2      # an answer belongs to the prompt before it
    assert turn_for_entry(turns, manager, ids[1]) == 1
    assert turn_for_entry(turns, manager, None) == 2


def test_why_content_names_everything_the_record_holds(tmp_path):
    manager, _ = session_with_turns(tmp_path)
    turns = turns_on_path(manager)
    text = why_content(turns[1], 1, 3).plain
    for expected in ("turn 2 of 3", "patterns only", "offline demo: no matcher model is reachable",
                     "python-style  score 1.00  pattern  priority 1", "pattern 'hello\\.py' matched 'hello.py'",
                     "release-notes  required context missing: version",
                     "before  release at plan (active) · path plan",
                     "after   release at tests (active) · path plan → tests",
                     "release: plan → tests  by pattern  'agreed' matched", "env = staging",
                     "│ ## Journey release · step 2/5: run the tests", "total               1,234 ms",
                     "LLM calls           2", "tokens used         3,400"):
        assert expected in text, expected
    model_turn = why_content(turns[2], 2, 3).plain
    assert "patterns only" not in model_turn and "one matcher-model call" in model_turn
    assert "be-brief  score 0.82  model" in model_turn and "no transition this turn" in model_turn
    assert "No playbook ran for this turn" in why_content(turns[0], 0, 3).plain
    assert "This turn is still running" in why_content(turns[0], 0, 3, running=True).plain
    assert "still running" not in why_content(turns[1], 1, 3, running=True).plain  # a record is a record


def test_why_content_of_a_broken_record_says_what_it_has():
    from workbench.tui.screens.why import WhyTurn

    broken = WhyTurn("e1", "hi", {"prompt_entry_id": "e1", "matched": ["nonsense", {"score": "high"}],
                                  "skipped": None, "variables": [1], "metadata": "fast", "transition": 3})
    text = why_content(broken, 0, 1).plain
    assert "Matched guidelines (1)" in text and "?  score —" in text
    assert "Skipped (0)" in text and "total               —" in text


def test_why_screen_snapshot(snap_compare, tmp_path):
    manager, _ = session_with_turns(tmp_path)
    turns = turns_on_path(manager)
    app = build()

    async def before(pilot):
        app.push_screen(WhyScreen(turns, 1))
        await pilot.pause()
    run(snap_compare, app, before)


async def test_why_screen_steps_through_turns_and_shows_text_as_text(tmp_path):
    manager, _ = session_with_turns(tmp_path)
    app = make_app(FakeBackend())
    async with app.run_test(size=(160, 48)) as pilot:
        app.push_screen(WhyScreen(turns_on_path(manager), 1))
        await pilot.pause()
        body = app.screen.query_one("#why-body")
        assert "turn 2 of 3" in body.content.plain
        await pilot.press("right")
        shown = body.content.plain
        assert "turn 3 of 3" in shown
        assert "[bold]markup[/] stays text" in shown and "\x1b" not in shown   # never markup, never escapes
        assert "the user [red]asked[/] for a short answer" in shown
        await pilot.press("right")                         # no later turn: stays
        assert "turn 3 of 3" in body.content.plain
        await pilot.press("left", "left")
        assert "No playbook ran for this turn" in body.content.plain
        await pilot.press("escape")
        assert not isinstance(app.screen, WhyScreen)


# --- the status line and the tool card ------------------------------------------------------------------------

def test_status_line_shows_the_agent_and_the_journey():
    line = status_content(Stats(model="claude-sonnet-4-5", agent="reviewer",
                                journey="journey release · 2/5 run the tests")).plain
    assert "mode ask  agent reviewer  journey release · 2/5 run the tests" in line
    assert "agent" not in status_content(Stats(model="m")).plain


def test_status_line_snapshot(snap_compare):
    from dataclasses import replace

    app = build(stats=replace(STATS, agent="reviewer", journey="journey release · 2/5 run the tests",
                              limits=Limits(turns=100)))
    run(snap_compare, app, size=(160, 12))


def test_tool_card_shows_configured_tool_retries(snap_compare):
    app = build()

    async def before(pilot):
        await feed(app, pilot, ev.UserMessage(text="Deploy to staging"),
                   ev.ToolCallRequested(id="c1", name="deploy", args={"env": "staging"}),
                   ev.ToolExecutionStarted(id="c1", name="deploy"),
                   ev.ToolRetrying(call_id="c1", tool_name="deploy", attempt=2, max_attempts=3, delay_ms=400,
                                   error="exit 1: connection refused"))
        card = app.conversation.cards["c1"]
        assert "retry 2/3 in 400 ms" in card.status_text()
        assert "↻ attempt 1/3 failed: exit 1: connection refused" in card.notes
    run(snap_compare, app, before, size=(120, 20))


def test_a_record_without_journey_or_variables_reads_plainly():
    from workbench.tui.screens.why import WhyTurn

    text = why_content(WhyTurn("e", "q", turn_record("e", journey_before=None, journey_after=None,
                                                     transition=None, variables={}, injected="")), 0, 1).plain
    assert "before  none" in text and "none  (/var KEY VALUE sets one)" in text
    assert "nothing (no guideline matched" in text
