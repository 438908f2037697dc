"""A playbook in a real AgentSession run: the matcher call before the main request, the block in
that run's system prompt only (never in the user's words), the entries in the session file, the
events, ProcessingMetadata, and the state back after resuming."""

import asyncio

from workbench.playbook.explain import HEADER
from workbench.playbook.loader import load_playbook
from workbench.playbook.matcher import MATCHER_TOOL
from workbench.playbook.runtime import PlaybookRuntime
from workbench.playbook.state import STATE_TYPE, TURN_TYPE
from workbench.providers.replay import ReplayProvider, ScriptBuilder
from workbench.runtime.agent import AgentSession
from workbench.runtime.compaction import CompactionSettings
from workbench.sessions.manager import SessionManager

from tests.playbook.helpers import write_playbook


class RecordingReplay(ReplayProvider):
    def __init__(self, script):
        super().__init__(script, model="replay")
        self.requests = []

    def stream(self, request):
        self.requests.append(request)
        return super().stream(request)


def _session(ws, provider, manager=None):
    pb = load_playbook(ws)
    manager = manager or SessionManager.create(ws, sessions_dir=ws / "sessions")
    return AgentSession(manager, provider, model="replay", mode="yolo", compaction=CompactionSettings(enabled=False),
                        playbook=PlaybookRuntime(pb))


def test_a_run_with_the_matcher_model_and_a_journey(tmp_path):
    write_playbook(tmp_path)
    script = (ScriptBuilder()
              # the matcher: tests-first hit by pattern; tone (1), release (2) to judge
              .turn().tool_call(MATCHER_TOOL, {"scores": [{"n": 1, "score": 0.1, "reason": "calm"},
                                                          {"n": 2, "score": 0.9, "reason": "a release"}]})
              .usage(input=200, output=20)
              .turn().text("Bumping the version.").usage(input=1000, output=10)
              # second run: no matcher answer next: patterns only ("bumped" moves the journey)
              .turn().text("Now the tests.").usage(input=1100, output=10)
              .build())
    provider = RecordingReplay(script)
    session = _session(tmp_path, provider)
    result = asyncio.run(session.run("fix the bug, then put out version 2"))
    assert result.text == "Bumping the version."
    matcher_req, main_req = provider.requests
    assert matcher_req.tools[0].name == MATCHER_TOOL and HEADER not in matcher_req.system_prompt
    assert HEADER in main_req.system_prompt
    assert "[tests-first] When the user asks to change code" in main_req.system_prompt
    assert "[release] When the user wants to cut a release" in main_req.system_prompt
    assert "## Journey: Release — step 1 of 3: bump the version" in main_req.system_prompt
    user = main_req.messages[-1]
    assert user["role"] == "user" and user["content"] == [{"type": "text", "text": "fix the bug, then put out version 2"}]

    entries = list(session.manager.entries)
    kinds = [(e["type"], e.get("customType") or (e.get("message") or {}).get("role")) for e in entries
             if e["type"] in ("message", "custom")]
    assert kinds == [("message", "user"), ("custom", STATE_TYPE), ("message", "assistant"), ("custom", TURN_TYPE)]
    record = entries[-1]["data"]
    assert record["matcher"] == "model" and record["prompt_entry_id"] == entries[[e["type"] for e in entries].index("message")]["id"]
    assert [(m["id"], m["source"]) for m in record["matched"]] == [("tests-first", "pattern"), ("release", "model")]
    assert record["transition"]["to"] == "bump" and record["transition"]["source"] == "guideline"
    meta = record["metadata"]
    assert meta["llm_calls"] == 2 and meta["tokens_used"] == 1230
    assert meta["total_time_ms"] >= meta["guideline_matching_time_ms"] >= 0
    types = [e.type for e in session.events.history()]
    assert types.index("journey_transitioned") < types.index("guidelines_matched") < types.index("turn_started")
    matched = next(e for e in session.events.history() if e.type == "guidelines_matched")
    assert matched.matcher == "model" and matched.session_id == session.id

    result = asyncio.run(session.run("version bumped"))
    assert result.text == "Now the tests."
    last = provider.requests[2].system_prompt
    assert "step 2 of 3: run the tests" in last and last.count(HEADER) == 1  # this run's block only
    record = session.manager.get_entry(session.manager.leaf_id)["data"]
    assert record["matcher"] == "patterns-only" and "no matcher answer" in record["matcher_note"]
    assert record["journey_before"]["step"] == "bump" and record["journey_after"]["step"] == "test"
    assert session.playbook.status_text() == "journey release · 2/3 run the tests"
    assert session.playbook.explanation_for(session.manager.get_branch_ids()[-2]) == record

    # resume: a new session object on the same file has the same state
    path = session.manager.path
    session.manager.close()
    again = _session(tmp_path, RecordingReplay(ScriptBuilder().turn().text("x").build()),
                     manager=SessionManager.open(path))
    assert again.playbook.state.journey.step == "test" and again.playbook.state.journey.path == ("bump", "test")
    again.manager.close()


def test_without_a_playbook_nothing_changes(tmp_path):
    provider = RecordingReplay(ScriptBuilder().turn().text("hi").build())
    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    session = AgentSession(manager, provider, model="replay", mode="yolo")
    asyncio.run(session.run("hello"))
    assert HEADER not in provider.requests[0].system_prompt
    assert not [e for e in manager.entries if e["type"] == "custom"]
    manager.close()


def test_the_matchers_tokens_count_in_the_session_usage_and_budget(tmp_path):
    write_playbook(tmp_path)
    script = (ScriptBuilder()
              .turn().tool_call(MATCHER_TOOL, {"scores": [{"n": 1, "score": 0.0, "reason": "-"},
                                                          {"n": 2, "score": 0.0, "reason": "-"}]})
              .usage(input=400, output=25)
              .turn().text("done").usage(input=1000, output=10).build())
    session = _session(tmp_path, RecordingReplay(script))
    asyncio.run(session.run("fix it"))
    assert session.usage.total_tokens == 1435 and session._budget.tokens == 1435
    session.manager.close()
