"""The matcher model: one structured call per turn through the session's Provider, scores and
reasons, relevance_threshold, max_matches, journey transitions by model, and every way of falling
back to patterns only. The model side runs through the replay provider and the local Anthropic
wire server (tests/fakes)."""

import asyncio

from workbench.playbook.matcher import MATCHER_TOOL, ProviderJudge, judge_for, request_text
from workbench.playbook.matching import match_turn
from workbench.playbook.model import PlaybookSettings
from workbench.playbook.state import JourneyState, PlaybookState
from workbench.providers import make_provider
from workbench.providers.replay import ReplayProvider, ScriptBuilder

from tests.fakes.anthropic_server import FakeHTTPServer, anthropic_error, anthropic_stream, tool_use
from tests.fakes.openai_server import openai_stream
from tests.playbook.helpers import release_playbook


def _replay(*answers):
    b = ScriptBuilder()
    for scores in answers:
        b.turn().tool_call(MATCHER_TOOL, {"scores": scores}).usage(input=300, output=40)
    b.turn().text("the main answer")
    return ReplayProvider(b.build(), model="replay")


async def _closing(provider, coro):
    try:
        return await coro
    finally:
        await provider.aclose()


def _match(pb, state, message, provider, **kw):
    judge = ProviderJudge(provider, "matcher-1")
    return asyncio.run(match_turn(pb, state, message, judge, **kw))


def test_one_call_scores_the_guidelines_no_pattern_caught(tmp_path):
    pb = release_playbook(tmp_path)
    # candidates without a pattern hit, in file order: tone (1); tests-first hit by pattern, ticket
    # needs context, release did not hit, changelog is journey-only: tone=1, release=2
    provider = _replay([{"n": 1, "score": 0.9, "reason": "user is annoyed"},
                        {"n": 2, "score": 0.2, "reason": "no release talk"}])
    outcome = _match(pb, PlaybookState(), "ugh, fix this bug already", provider)
    assert provider.position == 1  # exactly one call; the main answer is still next
    assert outcome.matcher == "model" and outcome.matcher_note is None and outcome.llm_calls == 1
    assert outcome.tokens == 340
    assert [(m.id, m.source) for m in outcome.matched] == [("tests-first", "pattern"), ("tone", "model")]
    tone = next(m for m in outcome.matched if m.id == "tone")
    assert tone.score == 0.9 and tone.reason == "user is annoyed"
    skipped = {s["id"]: s["reason"] for s in outcome.skipped}
    assert skipped["release"] == "score 0.20 below relevance_threshold 0.5: no release talk"


def test_the_threshold_and_max_matches_decide(tmp_path):
    pb = release_playbook(tmp_path)
    pb = type(pb)(**{**pb.__dict__, "settings": PlaybookSettings(relevance_threshold=0.1, max_matches=1)})
    provider = _replay([{"n": 1, "score": 0.15, "reason": "a bit"}, {"n": 2, "score": 0.05, "reason": "no"}])
    outcome = _match(pb, PlaybookState(), "fix it", provider)
    # tests-first (priority 5, pattern) and tone (priority 1, 0.15 ≥ 0.1); max_matches 1 keeps the first
    assert [m.id for m in outcome.matched] == ["tests-first"]
    skipped = {s["id"]: s["reason"] for s in outcome.skipped}
    assert skipped["tone"] == "over max_matches (1); score 0.15"
    assert skipped["release"].startswith("score 0.05 below relevance_threshold 0.1")


def test_a_model_match_starts_a_journey(tmp_path):
    pb = release_playbook(tmp_path)
    # no pattern hit: tests-first (1), tone (2), release (3) all go to the model
    provider = _replay([{"n": 1, "score": 0.1, "reason": "no code"}, {"n": 2, "score": 0.0, "reason": "calm"},
                        {"n": 3, "score": 0.8, "reason": "wants a release"}])
    outcome = _match(pb, PlaybookState(), "time to put out version 2", provider)
    assert [m.id for m in outcome.matched] == ["release"]
    assert outcome.transition["source"] == "guideline" and outcome.journey_after.step == "bump"


def test_a_journey_moves_by_model_highest_priority_wins(tmp_path):
    pb = release_playbook(tmp_path)
    state = PlaybookState(variables={"version": "2.0"}, journey=JourneyState("release", "test", ("bump", "test")))
    # candidates: tone (1), release (2); then the step's transitions: publish (3), bump (4)
    provider = _replay([{"n": 1, "score": 0.0, "reason": "-"}, {"n": 2, "score": 0.0, "reason": "-"},
                        {"n": 3, "score": 0.7, "reason": "tests are fine"}, {"n": 4, "score": 0.9, "reason": "also"}])
    outcome = _match(pb, state, "everything works", provider)
    assert outcome.transition == {"journey": "release", "from": "test", "to": "publish", "source": "model",
                                  "reason": "score 0.70: tests are fine", "status": "completed"}
    assert outcome.journey_after.status == "completed"  # publish is terminal


def test_only_patterns_without_a_matcher_answer(tmp_path):
    pb = release_playbook(tmp_path)
    script = ScriptBuilder().turn().text("no matcher answer here").build()
    provider = ReplayProvider(script)
    outcome = _match(pb, PlaybookState(), "fix it", provider)
    assert provider.position == 0  # the main answer was not consumed
    assert outcome.matcher == "patterns-only" and "no matcher answer" in outcome.matcher_note
    assert [m.id for m in outcome.matched] == ["tests-first"]
    demo = make_provider("replay", model="replay")
    outcome = _match(pb, PlaybookState(), "fix it", demo)
    assert outcome.matcher_note.startswith("offline demo")
    judge = judge_for(PlaybookSettings(matcher_model="off"), _replay([]), "m")
    assert asyncio.run(match_turn(pb, PlaybookState(), "fix", judge)).matcher_note.startswith('matcher_model = "off"')


def test_an_unreadable_answer_falls_back_to_patterns(tmp_path):
    pb = release_playbook(tmp_path)
    script = ScriptBuilder().turn().tool_call(MATCHER_TOOL, {"scores": "lots"}).build()
    outcome = _match(pb, PlaybookState(), "fix it", ReplayProvider(script))
    assert outcome.matcher == "patterns-only" and "did not call report_relevance" in outcome.matcher_note
    assert outcome.llm_calls == 1


def test_over_the_anthropic_wire(tmp_path):
    pb = release_playbook(tmp_path)
    answer = anthropic_stream([tool_use("toolu_1", MATCHER_TOOL, {"scores": [
        {"n": 1, "score": 0.95, "reason": "frustrated"}, {"n": 2, "score": 0.1, "reason": "no"}]})],
        stop_reason="tool_use", input_tokens=500, output_tokens=30)
    with FakeHTTPServer([answer]) as srv:
        provider = make_provider("anthropic", model="claude-sonnet-4-5", base_url=srv.url, api_key="k")
        judge = judge_for(PlaybookSettings(matcher_model="claude-haiku-4-5"), provider, "claude-sonnet-4-5")
        outcome = asyncio.run(_closing(provider, match_turn(pb, PlaybookState(), "this is broken again, fix it", judge)))
        (request,) = srv.requests
    body = request.json
    assert body["model"] == "claude-haiku-4-5"
    assert [t["name"] for t in body["tools"]] == [MATCHER_TOOL]
    assert "1. the user sounds frustrated" in body["messages"][0]["content"][0]["text"]
    assert [m.id for m in outcome.matched] == ["tests-first", "tone"] and outcome.tokens == 530


def test_a_provider_error_is_a_note_not_a_failure(tmp_path):
    pb = release_playbook(tmp_path)
    with FakeHTTPServer([anthropic_error(401, "authentication_error", "bad key")]) as srv:
        provider = make_provider("anthropic", model="claude-sonnet-4-5", base_url=srv.url, api_key="k")
        outcome = asyncio.run(_closing(provider, match_turn(pb, PlaybookState(), "fix it",
                                                            ProviderJudge(provider, "claude-sonnet-4-5"))))
    assert outcome.matcher == "patterns-only" and outcome.matcher_note.startswith("the matcher model failed")
    assert [m.id for m in outcome.matched] == ["tests-first"]


def test_the_request_names_conditions_by_number_and_gives_context():
    from workbench.playbook.matching import Question

    text_ = request_text("hi", [Question("a", "cond A"), Question("step:publish", "tests pass")],
                         {"variables": {"v": "1"}, "journey": "Release at step test", "last_reply": "done?"})
    assert "1. cond A" in text_ and "2. (journey) move on to step 'publish': tests pass" in text_
    assert "Context variables: v = 1" in text_ and "<assistant_previous_reply>\ndone?" in text_


def test_over_the_openai_wire(tmp_path):
    pb = release_playbook(tmp_path)
    answer = openai_stream(tool_calls=[{"id": "call_1", "name": MATCHER_TOOL, "arguments": {"scores": [
        {"n": 1, "score": 0.2, "reason": "calm"}, {"n": 2, "score": 0.75, "reason": "release talk"}]}}],
        prompt_tokens=400, completion_tokens=20)
    with FakeHTTPServer([answer]) as srv:
        provider = make_provider("openai", model="gpt-4.1", base_url=srv.url + "/v1", api_key="k")
        judge = judge_for(PlaybookSettings(), provider, "gpt-4.1")  # no matcher_model: the session's
        outcome = asyncio.run(_closing(provider, match_turn(pb, PlaybookState(), "fix it, then we publish", judge)))
        (request,) = srv.requests
    body = request.json
    assert body["model"] == "gpt-4.1" and [t["function"]["name"] for t in body["tools"]] == [MATCHER_TOOL]
    assert [(m.id, m.source) for m in outcome.matched] == [("tests-first", "pattern"), ("release", "model")]
    assert outcome.tokens == 420 and outcome.llm_calls == 1
