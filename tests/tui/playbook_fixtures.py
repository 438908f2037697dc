"""A journey, turn records and a session holding them, for the playbook screens' tests."""

from __future__ import annotations

from workbench.playbook.model import Journey, JourneyStep, MatchPattern, Transition
from workbench.sessions.entries import EntryFactory
from workbench.sessions.manager import SessionManager

RELEASE = Journey("release", "Release", "Ship a tagged release with notes.", "plan", (
    JourneyStep("plan", "plan the release", transitions=(
        Transition("tests", "the plan is agreed", match=(MatchPattern.compile("agreed"),)),)),
    JourneyStep("tests", "run the tests", "Run pytest -q and read the failures.", transitions=(
        Transition("fix", "the tests fail", priority=2), Transition("tag", "the tests pass"))),
    JourneyStep("fix", "fix failures", transitions=(Transition("tests", "the fix is in"),)),
    JourneyStep("tag", "tag and push", required_context=("version",), transitions=(
        Transition("notes", "the tag is pushed"),)),
    JourneyStep("notes", "write the notes", is_terminal=True),
))

ONBOARD = Journey("onboard", "Onboarding", "Get a new contributor going.", "clone", (
    JourneyStep("clone", "clone the repo", transitions=(Transition("build", "cloned"),)),
    JourneyStep("build", "build it", is_terminal=True),
))


def turn_record(prompt_entry_id: str, **changes) -> dict:
    record = {
        "prompt_entry_id": prompt_entry_id, "agent": "reviewer", "matcher": "patterns-only",
        "matcher_note": "offline demo: no matcher model is reachable",
        "matched": [{"id": "python-style", "score": 1.0, "reason": "pattern 'hello\\.py' matched 'hello.py'",
                     "source": "pattern", "priority": 1}],
        "skipped": [{"id": "release-notes", "reason": "required context missing: version"},
                    {"id": "be-brief", "reason": "no pattern matched and no matcher model to judge it"}],
        "journey_before": {"id": "release", "step": "plan", "path": ["plan"], "status": "active"},
        "journey_after": {"id": "release", "step": "tests", "path": ["plan", "tests"], "status": "active"},
        "transition": {"journey": "release", "from": "plan", "to": "tests", "source": "pattern",
                       "reason": "'agreed' matched"},
        "variables": {"env": "staging"},
        "injected": "## Guidelines for this turn\n- python-style: New functions get type hints.\n\n"
                    "## Journey release · step 2/5: run the tests\nRun pytest -q and read the failures.",
        "metadata": {"total_time_ms": 1234, "llm_time_ms": 1100, "guideline_matching_time_ms": 2,
                     "tool_execution_time_ms": 80, "llm_calls": 2, "tokens_used": 3400},
    }
    record.update(changes)
    return record


def user(text: str) -> dict:
    return {"role": "user", "content": [{"type": "text", "text": text}], "timestamp": 1}


def assistant(text: str) -> dict:
    return {"role": "assistant", "content": [{"type": "text", "text": text}], "api": "replay", "provider": "replay",
            "model": "replay", "usage": {"input": 1, "output": 1, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 2,
                                         "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0,
                                                  "total": 0}},
            "stopReason": "stop", "timestamp": 2}


def session_with_turns(tmp_path) -> tuple[SessionManager, list[str]]:
    """Three turns: the first before the playbook (no record), the second and third with one."""
    counter = iter(range(1, 1000))
    factory = EntryFactory(now=lambda: "2026-12-07T23:00:00.000Z", new_id=lambda _taken: f"e{next(counter):07d}",
                           new_session_id=lambda: "0193a7c2-0000-7000-8000-000000000000")
    m = SessionManager.in_memory(tmp_path, factory=factory)
    ids = []
    ids.append(m.append_message(user("hello")))
    m.append_message(assistant("hi"))
    ids.append(m.append_message(user("the plan is agreed, go on with hello.py")))
    m.append_custom("workbench.playbook.turn", turn_record(ids[-1]))
    m.append_message(assistant("running the tests"))
    ids.append(m.append_message(user("[bold]markup[/] stays text \x1b[31m")))
    m.append_custom("workbench.playbook.turn", turn_record(
        ids[-1], matcher="model", matcher_note=None, transition=None, variables={},
        matched=[{"id": "be-brief", "score": 0.82, "reason": "the user [red]asked[/] for a short answer",
                  "source": "model", "priority": 0}], skipped=[],
        journey_before={"id": "release", "step": "tests", "path": ["plan", "tests"], "status": "active"},
        journey_after={"id": "release", "step": "tests", "path": ["plan", "tests"], "status": "active"}))
    m.append_message(assistant("done"))
    return m, ids
