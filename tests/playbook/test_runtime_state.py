"""PlaybookRuntime without a model: variables, journeys by hand and by pattern, terminal steps,
the state stored as custom entries and restored on branch and resume, the turn records."""

import asyncio

import pytest

from workbench.errors import InvalidParams
from workbench.playbook.runtime import PlaybookRuntime
from workbench.playbook.state import STATE_TYPE, TURN_TYPE, state_at
from workbench.sessions.manager import SessionManager

from tests.playbook.helpers import release_playbook


def _user(manager, text):
    return manager.append_message({"role": "user", "content": [{"type": "text", "text": text}], "timestamp": 0})


def _turn(rt, manager, text):
    """What AgentSession does around a run: match, append the prompt, end the turn."""
    outcome = asyncio.run(rt.begin_turn(text))
    entry = _user(manager, text)
    rt.prompt_appended()
    manager.append_message({"role": "assistant", "content": [{"type": "text", "text": "ok"}], "timestamp": 0})
    record = rt.end_turn()
    return outcome, entry, record


class Event:
    def __init__(self, kind, fields):
        self.type = kind
        self.__dict__.update(fields)


@pytest.fixture
def setup(tmp_path):
    pb = release_playbook(tmp_path)
    manager = SessionManager.in_memory(tmp_path)
    events = []
    rt = PlaybookRuntime(pb)
    rt.bind(manager, emit=lambda kind, fields: events.append(Event(kind, fields)))
    return rt, manager, events


def test_patterns_only_matching_and_the_turn_record(setup):
    rt, manager, events = setup
    outcome, entry, record = _turn(rt, manager, "please fix the login bug")
    assert [m.id for m in outcome.matched] == ["tests-first"]
    assert outcome.matcher == "patterns-only" and outcome.matcher_note == "no matcher model"
    skipped = {s["id"]: s["reason"] for s in outcome.skipped}
    assert skipped["ticket"] == "required context missing: ticket"
    assert skipped["changelog"] == "applies only during journey release"
    assert skipped["tone"] == "no pattern matched (no match patterns)"
    assert outcome.tools == ("bash",)
    assert "[tests-first] When the user asks to change code: Write or update a test first." in record["injected"]
    assert record["prompt_entry_id"] == entry and record["matched"][0]["source"] == "pattern"
    assert set(record["metadata"]) == {"total_time_ms", "llm_time_ms", "guideline_matching_time_ms",
                                       "tool_execution_time_ms", "llm_calls", "tokens_used"}
    assert [e.type for e in events] == ["guidelines_matched"]
    stored = [e for e in manager.entries if e.get("customType") == TURN_TYPE]
    assert len(stored) == 1 and stored[0]["data"] == record
    assert rt.explanation_for(entry) == record
    assistant = manager.leaf_id
    assert manager.entry_type(assistant) == "custom"  # the record is the last entry of the run


def test_required_context_once_set_lets_the_guideline_match(setup):
    rt, manager, _ = setup
    rt.set_var("ticket", "WB-12")
    outcome, _, record = _turn(rt, manager, "about the ticket")
    assert "ticket" in [m.id for m in outcome.matched]
    assert record["variables"] == {"ticket": "WB-12"} and "Context variables: ticket = WB-12" in record["injected"]
    rt.unset_var("ticket")
    assert rt.state.variables == {}
    with pytest.raises(InvalidParams, match="no variable 'ticket'"):
        rt.unset_var("ticket")
    with pytest.raises(InvalidParams, match="invalid variable name"):
        rt.set_var("bad name", "x")


def test_a_guideline_starts_its_journey_and_patterns_move_it_to_the_terminal_step(setup):
    rt, manager, events = setup
    outcome, *_ = _turn(rt, manager, "let's ship it")
    assert outcome.transition == {"journey": "release", "from": None, "to": "bump", "source": "guideline",
                                  "reason": "guideline release matched", "status": "active"}
    assert rt.status_text() == "journey release · 1/3 bump the version"
    # the step's guideline is now a candidate: it has no pattern, so without a model it is skipped
    outcome, *_ = _turn(rt, manager, "version bumped")
    assert outcome.transition["to"] == "test" and outcome.transition["source"] == "pattern"
    assert "tests-first" in [m.id for m in outcome.matched if m.source == "journey"]
    assert rt.status_text() == "journey release · 2/3 run the tests"
    # the test step needs `version` before it may move on
    outcome, *_ = _turn(rt, manager, "tests pass")
    assert outcome.transition is None and rt.state.journey.step == "test"
    assert any(s["id"] == "step:test" and "required context missing: version" in s["reason"] for s in outcome.skipped)
    rt.set_var("version", "1.2.0")
    outcome, _, record = _turn(rt, manager, "all green")
    assert outcome.transition["to"] == "publish" and outcome.transition["status"] == "completed"
    assert rt.state.journey.status == "completed" and rt.state.journey.path == ("bump", "test", "publish")
    assert rt.status_text() == ""
    assert record["journey_before"]["step"] == "test" and record["journey_after"]["status"] == "completed"
    assert "Tag and publish." in record["injected"]
    kinds = [(e.type, getattr(e, "to_step", None)) for e in events if e.type == "journey_transitioned"]
    assert kinds == [("journey_transitioned", "bump"), ("journey_transitioned", "test"),
                     ("journey_transitioned", "publish")]
    journey, js = rt.journey_view()
    assert journey.id == "release" and js.status == "completed"


def test_start_complete_and_stop_by_hand(setup):
    rt, manager, events = setup
    with pytest.raises(InvalidParams, match="unknown journey 'nope'"):
        rt.start_journey("nope")
    rt.start_journey("release")
    with pytest.raises(InvalidParams, match="journey release is active"):
        rt.start_journey("release")
    rt.stop_journey()
    assert rt.state.journey.status == "stopped" and rt.status_text() == ""
    with pytest.raises(InvalidParams, match="no journey is active"):
        rt.complete_journey()
    rt.start_journey("release")
    rt.complete_journey()
    ev = [e for e in events if e.type == "journey_transitioned"]
    assert [(e.from_step, e.to_step, e.status) for e in ev] == [
        (None, "bump", "active"), ("bump", None, "stopped"), (None, "bump", "active"), ("bump", "bump", "completed")]


def test_state_is_restored_at_any_entry_on_branch_and_resume(tmp_path):
    pb = release_playbook(tmp_path)
    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    rt = PlaybookRuntime(pb)
    rt.bind(manager)
    rt.set_var("ticket", "WB-1")
    _, first, _ = _turn(rt, manager, "ship it")          # journey starts at bump
    at_bump = manager.leaf_id
    _, second, _ = _turn(rt, manager, "version bumped")  # moves to test
    rt.set_var("ticket", "WB-2")
    assert rt.state.journey.step == "test"
    # branch back to before the second prompt: the journey is at bump again, ticket WB-1
    manager.branch(at_bump)
    rt.restore()
    assert rt.state.journey.step == "bump" and rt.state.variables == {"ticket": "WB-1"}
    # the first prompt started the journey; before it (its parent) there was none
    assert state_at(manager, first).journey is None
    after_first = manager.get_branch_ids(at_bump)
    assert state_at(manager, after_first[after_first.index(first) + 1]).journey.step == "bump"
    parent_of_first = manager.get_entry(first)["parentId"]
    assert rt.restore(entry_id=parent_of_first).journey is None
    assert rt.restore(entry_id=second).journey.step == "bump"  # the move to test comes after it
    # go on along the bump branch, then resume the file in a new process: the leaf's state, exactly
    rt.restore()
    rt.set_var("owner", "ana")
    leaf = manager.leaf_id
    path = manager.path
    manager.close()
    reopened = SessionManager.open(path)
    rt2 = PlaybookRuntime(pb)
    rt2.bind(reopened)
    assert reopened.leaf_id == leaf
    assert rt2.state.journey.step == "bump" and rt2.state.variables == {"ticket": "WB-1", "owner": "ana"}
    reopened.branch(second)
    assert rt2.restore().journey.step == "bump" and rt2.state.variables == {"ticket": "WB-1"}
    reopened.close()


def test_a_corrupt_state_entry_reads_as_the_one_before(tmp_path):
    pb = release_playbook(tmp_path)
    manager = SessionManager.in_memory(tmp_path)
    rt = PlaybookRuntime(pb)
    rt.bind(manager)
    rt.set_var("a", "1")
    manager.append_custom(STATE_TYPE, {"variables": "not a table", "journey": {"id": 3}})
    rt.restore()
    assert rt.state.variables == {} and rt.state.journey is None  # readable parts only, never a crash
    manager.append_custom(STATE_TYPE, ["garbage"])
    assert rt.restore().variables == {}


def test_an_empty_playbook_does_nothing(tmp_path):
    from workbench.playbook.model import Playbook

    rt = PlaybookRuntime(Playbook())
    rt.bind(SessionManager.in_memory(tmp_path))
    assert asyncio.run(rt.begin_turn("hello")) is None and rt.request_block() == "" and rt.end_turn() is None


def test_start_options_apply_once_on_top_of_the_resumed_state(tmp_path):
    from workbench.playbook.setup import session_playbook

    release_playbook(tmp_path)

    class Args:
        agent = None
        var = ["ticket=WB-3"]
        journey = "release"
        trust_project = False

    manager = SessionManager.in_memory(tmp_path)
    rt = session_playbook(tmp_path, Args())
    rt.bind(manager)
    assert rt.apply_start_options() == [] and rt.state.journey.step == "bump"
    assert rt.apply_start_options() == []  # once only
    again = session_playbook(tmp_path, Args())
    again.bind(manager)  # "resumed": the journey is already active
    notes = again.apply_start_options()
    assert notes == ["journey release goes on at step bump (it was active in this session)"]
    assert len([e for e in manager.entries if e.get("customType") == STATE_TYPE]) == 2  # var + journey, once


def test_a_pattern_reason_shows_the_pattern_as_written_on_one_line():
    from workbench.playbook.model import MatchPattern, first_hit, hit_reason

    patterns = (MatchPattern.compile(r"hello\.py"), MatchPattern.compile(r"a\s+b"))
    assert hit_reason(first_hit(patterns, "check hello.py")) == r"pattern 'hello\.py' matched 'hello.py'"
    reason = hit_reason(first_hit(patterns, "a\n b"))
    assert reason == r"pattern 'a\s+b' matched 'a\n b'" and "\n" not in reason
