"""Loading playbook.toml: what loads, each broken item reported (file, line, key) and left out
alone, the project extending the user's playbook, and trust."""

import json
import os
from pathlib import Path

from workbench import config, trust
from workbench.cli import main
from workbench.playbook import load_playbook
from workbench.playbook.model import MatchPattern

from tests.playbook.helpers import RELEASE

# the shared release playbook, choosing its matcher model
GOOD = RELEASE.replace("[playbook]\n", '[playbook]\nmatcher_model = "claude-haiku-4-5"\n', 1)


def _write(ws: Path, text: str) -> Path:
    path = ws / ".workbench" / "playbook.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_playbook_loads_whole(tmp_path):
    path = _write(tmp_path, GOOD)
    pb = load_playbook(tmp_path, trust_override=True)  # a project's matcher_model waits for trust
    assert pb.problems == () and pb.ignored == () and pb.files == (path,)
    assert pb.settings.matcher_model == "claude-haiku-4-5"
    assert (pb.settings.relevance_threshold, pb.settings.max_matches) == (0.5, 3)
    g = pb.guideline("tests-first")
    assert g.priority == 5 and g.tools == ("bash",) and pb.guideline("ticket").required_context == ("ticket",)
    assert g.line == 7 and g.source == path
    assert [m.text for m in g.match] == ["fix", "bug"]
    assert pb.guideline("release").starts_journey == "release"
    assert (pb.guideline("changelog").journey, pb.guideline("changelog").step) == ("release", "bump")
    j = pb.journey("release")
    assert j.initial_step == "bump" and [s.id for s in j.steps] == ["bump", "test", "publish"]
    assert [t.priority for t in j.step("test").transitions] == [0, -1] and j.step("publish").is_terminal
    assert j.step("test").required_context == ("version",) and j.step("test").guidelines == ("tests-first",)
    assert j.step("bump").transitions[0].match[0].text == "bumped"
    assert j.index_of("test") == 2


def test_keywords_match_whole_words_and_regexes_search():
    kw = MatchPattern.compile("fix")
    assert kw.keyword and kw.search("please FIX this") and not kw.search("prefix the name")
    phrase = MatchPattern.compile("ship it")
    assert phrase.search("ok, ship   it!") and not phrase.search("shipit")
    rx = MatchPattern.compile(r"bug\s+#?\d+")
    assert not rx.keyword and rx.search("see Bug #12") and not rx.search("bugs")


BROKEN = '''
[playbook]
max_matches = "three"
relevance_threshold = 0.4

[[guidelines]]
id = "ok"
condition = "c"
action = "a"

[[guidelines]]
id = "no-action"
condition = "c"

[[guidelines]]
id = "bad-regex"
condition = "c"
action = "a"
match = ["refactor("]

[[guidelines]]
id = "ok"
condition = "again"
action = "a"

[[guidelines]]
id = "lost"
condition = "c"
action = "a"
journey = "nowhere"

[[journeys]]
id = "j"
[[journeys.steps]]
id = "a"
transitions = [{ to = "zzz", condition = "c" }]

[[journeys]]
id = "k"
[[journeys.steps]]
id = "one"
guidelines = ["ok", "missing"]

[frobnicate]
x = 1
'''


def test_each_broken_item_is_reported_with_file_line_and_key_and_the_rest_loads(tmp_path):
    path = _write(tmp_path, BROKEN)
    pb = load_playbook(tmp_path)
    found = {(p.line, p.key): p.message for p in pb.problems}
    assert all(p.path == path for p in pb.problems)
    assert found[(3, "playbook.max_matches")] == "Input should be a valid integer"
    assert "Field required" in found[(11, "guidelines[1].action")]
    assert "not a valid regular expression" in found[(19, "guidelines[2].match")]
    assert "used twice" in found[(22, "guidelines[3].id")]
    assert "no journey 'nowhere'" in found[(30, "guidelines.lost.journey")]
    assert "'zzz', which is not one of its steps (a); journey 'j' is not loaded" in \
        found[(36, "journeys[0].steps[0].transitions[0].to")]
    assert "no guideline 'missing'" in found[(42, "journeys.k.steps.one.guidelines")]
    assert "unknown section" in found[(44, "frobnicate")]
    assert len(pb.problems) == 8
    # the rest loads: the good guideline, the valid setting, the journey without the bad name
    assert [g.id for g in pb.guidelines] == ["ok"] and pb.guideline("ok").condition == "c"
    assert pb.settings.relevance_threshold == 0.4 and pb.settings.max_matches == 5
    assert [j.id for j in pb.journeys] == ["k"] and pb.journey("k").step("one").guidelines == ("ok",)


def test_a_file_that_does_not_parse_is_one_problem_and_the_user_file_still_loads(tmp_path):
    user = config.config_home() / "playbook.toml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text('[[guidelines]]\nid = "mine"\ncondition = "c"\naction = "a"\n')
    path = _write(tmp_path, '[[guidelines]]\nid = "x"\ncondition = "unterminated\n')
    pb = load_playbook(tmp_path)
    assert [g.id for g in pb.guidelines] == ["mine"]
    (problem,) = pb.problems
    assert problem.path == path and problem.line == 3 and "invalid TOML" in problem.message


def test_the_project_extends_the_user_playbook_and_wins_on_the_same_id(tmp_path):
    user = config.config_home() / "playbook.toml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text('[playbook]\nmax_matches = 2\nrelevance_threshold = 0.9\n\n'
                    '[[guidelines]]\nid = "style"\ncondition = "user"\naction = "u"\n\n'
                    '[[guidelines]]\nid = "mine"\ncondition = "c"\naction = "a"\n')
    path = _write(tmp_path, '[playbook]\nrelevance_threshold = 0.3\n\n'
                            '[[guidelines]]\nid = "style"\ncondition = "project"\naction = "p"\n')
    pb = load_playbook(tmp_path)
    assert pb.problems == ()
    assert pb.guideline("style").condition == "project" and pb.guideline("mine") is not None
    assert (pb.settings.max_matches, pb.settings.relevance_threshold) == (2, 0.3)
    (notice,) = pb.notices
    assert notice.path == path and notice.line == 4 and f"replaces the one in {user}:5" in notice.message


def test_an_untrusted_project_cannot_choose_the_matcher_model(tmp_path):
    _write(tmp_path, '[playbook]\nmatcher_model = "claude-opus-4-1"\nmax_matches = 2\n')
    pb = load_playbook(tmp_path)
    assert pb.settings.matcher_model is None and pb.settings.max_matches == 2
    assert any("matcher_model" in line for line in pb.ignored)
    assert [i.kind for i in trust.describe(tmp_path) if i.source.name == "playbook.toml"] == ["setting"]
    assert load_playbook(tmp_path, trust_override=True).settings.matcher_model == "claude-opus-4-1"
    trust.trust(tmp_path)
    assert load_playbook(tmp_path).settings.matcher_model == "claude-opus-4-1"


def test_no_playbook_is_an_empty_one(tmp_path):
    pb = load_playbook(tmp_path)
    assert pb.empty and pb.files == () and pb.problems == ()


def test_playbook_check_prints_what_loaded_and_exits_0(tmp_path, capsys):
    _write(tmp_path, GOOD)
    assert main(["playbook", "check", "--cwd", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "tests-first (priority 5): when the user asks to change code" in out
    assert "release: Release (3 steps, starts at bump)" in out and "2. test: run the tests → publish, bump" in out
    assert out.rstrip().endswith("ok")


def test_playbook_check_json_lists_problems_and_exits_2(tmp_path, capsys):
    path = _write(tmp_path, BROKEN)
    assert main(["playbook", "check", "--json", "--cwd", str(tmp_path)]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["files"] == [str(path)]
    assert {"path": str(path), "line": 3, "key": "playbook.max_matches",
            "message": "Input should be a valid integer"} in data["problems"]
    assert [g["id"] for g in data["guidelines"]] == ["ok"]


def test_playbook_check_output_is_sanitised(tmp_path, capsys):
    _write(tmp_path, '[[guidelines]]\nid = "x"\ncondition = "\\u001b[31mred\\u0007"\naction = "a"\n')
    assert main(["playbook", "check", "--cwd", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "red" in out


def test_agents_and_tools_load_and_an_untrusted_project_keeps_its_tools_waiting(tmp_path):
    _write(tmp_path, '[[agents]]\nname = "reviewer"\nprovider = "openai"\nsystem_prompt = "Review."\n\n'
                     '[[tools]]\nname = "deploy"\ndescription = "Deploy"\ncommand = "./deploy.sh"\n')
    pb = load_playbook(tmp_path)
    assert pb.tools == () and pb.agent("reviewer").provider is None
    assert any("tool deploy runs `./deploy.sh`" in line for line in pb.ignored)
    assert any("agent reviewer provider = 'openai'" in line for line in pb.ignored)
    kinds = sorted(i.kind for i in trust.describe(tmp_path) if i.source.name == "playbook.toml")
    assert kinds == ["playbook_tool", "setting"]
    trusted = load_playbook(tmp_path, trust_override=True)
    assert [t.name for t in trusted.tools] == ["deploy"] and trusted.agent("reviewer").provider == "openai"
    assert trusted.ignored == ()


def test_a_broken_journey_names_each_wrong_place(tmp_path):
    path = _write(tmp_path, '[[journeys]]\nid = "j"\ninitial_step = "zero"\n'
                            '[[journeys.steps]]\nid = "a"\n'
                            '[[journeys.steps]]\nid = "a"\n'
                            '[[journeys.steps.transitions]]\nto = "b"\ncondition = "c"\n')
    pb = load_playbook(tmp_path)
    assert pb.journeys == ()
    found = {(p.line, p.key): p.message for p in pb.problems}
    assert all(p.path == path for p in pb.problems) and len(found) == 3
    assert found[(7, "journeys[0].steps[1].id")] == "step id 'a' is used twice in this journey; journey 'j' is not loaded"
    assert found[(3, "journeys[0].initial_step")].startswith("'zero' is not one of its steps (a)")
    assert found[(9, "journeys[0].steps[1].transitions[0].to")].startswith("step 'a' has a transition to 'b'")
