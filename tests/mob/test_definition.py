"""The mob definition: TOML in, a validated model out, and errors that name file, line and key."""

from pathlib import Path

import pytest

from workbench.mob.definition import MobDefinitionError, line_of, load_definition, parse_definition

EXAMPLE = '''\
[mob]
id = "release"
orchestrator = "lead"

[profiles.lead]
model = "claude-sonnet-4-5"
system_prompt = "You coordinate."
peer_description = "Breaks work down and hands it out"
tools = ["read", "grep", "find", "ls"]

[profiles.worker]
model = "claude-haiku-4-5"
tools = ["read", "edit", "write", "bash"]

[wiring]
auto_wire_orchestrator = true
role_wiring = [{ a = "worker", b = "worker" }]

[topology]
mode = "strict"

[limits]
max_cost = 2.00
max_tokens_per_member = 200000
'''


def test_issue_example_parses():
    d = parse_definition(EXAMPLE)
    assert d.id == "release"
    assert d.orchestrator_profile == "lead"
    assert d.profiles["worker"].tools == ["read", "edit", "write", "bash"]
    assert d.profiles["lead"].peer_description.startswith("Breaks")
    assert d.role_pairs() == {frozenset({"worker"})}
    assert d.topology.mode == "strict"
    assert d.limits.max_cost == 2.0 and d.limits.max_tokens_per_member == 200000


def _problems(text: str, tmp_path: Path):
    path = tmp_path / "mob.toml"
    path.write_text(text)
    with pytest.raises(MobDefinitionError) as info:
        load_definition(path)
    return path, info.value.problems


def test_wrong_type_names_file_line_and_key(tmp_path):
    path, problems = _problems(EXAMPLE.replace("mode = \"strict\"", "mode = \"mesh\""), tmp_path)
    assert len(problems) == 1
    p = problems[0]
    assert p.path == path and p.key == "topology.mode" and p.line == 20
    assert str(p).startswith(f"{path}:20: topology.mode:")


def test_unknown_key_is_reported_at_its_line(tmp_path):
    text = EXAMPLE.replace("max_cost = 2.00", "max_cots = 2.00")
    _, problems = _problems(text, tmp_path)
    assert [(p.key, p.line) for p in problems] == [("limits.max_cots", 23)]


def test_orchestrator_must_name_a_profile(tmp_path):
    _, problems = _problems(EXAMPLE.replace('orchestrator = "lead"', 'orchestrator = "boss"'), tmp_path)
    assert [(p.key, p.line) for p in problems] == [("mob.orchestrator", 3)]
    assert "'boss'" in problems[0].message and "lead, worker" in problems[0].message


def test_role_wiring_names_unknown_profile_inline_table(tmp_path):
    _, problems = _problems(EXAMPLE.replace('b = "worker"', 'b = "tester"'), tmp_path)
    assert [(p.key, p.line) for p in problems] == [("wiring.role_wiring.0.b", 17)]


def test_toml_syntax_error_has_line(tmp_path):
    _, problems = _problems(EXAMPLE.replace('id = "release"', 'id = "release'), tmp_path)
    assert problems[0].line == 2 and "invalid TOML" in problems[0].message


def test_missing_sections_and_bad_names(tmp_path):
    _, problems = _problems('[mob]\nid = "has space"\norchestrator = "lead"\n', tmp_path)
    keys = {p.key: p.line for p in problems}
    assert keys["mob.id"] == 2
    assert "profiles" in keys


def test_negative_limit_rejected(tmp_path):
    _, problems = _problems(EXAMPLE.replace("max_cost = 2.00", "max_cost = -1"), tmp_path)
    assert [(p.key, p.line) for p in problems] == [("limits.max_cost", 23)]


def test_unreadable_file(tmp_path):
    with pytest.raises(MobDefinitionError) as info:
        load_definition(tmp_path / "missing.toml")
    assert "cannot read" in str(info.value)


def test_line_of_falls_back_to_enclosing_key():
    assert line_of(EXAMPLE, ("profiles", "worker", "tools", 2)) == 13
    assert line_of(EXAMPLE, ("profiles", "worker")) == 11
    assert line_of(EXAMPLE, ("nothing",)) is None


def test_unknown_tool_names_file_line_and_key(tmp_path):
    # issue 13 item 26: reported with the definition's file and line, before anything starts
    path, problems = _problems(EXAMPLE.replace('tools = ["read", "edit", "write", "bash"]',
                                               'tools = ["read", "edti"]'), tmp_path)
    assert [(p.key, p.line) for p in problems] == [("profiles.worker.tools.1", 13)]
    assert "'edti'" in problems[0].message and str(problems[0]).startswith(f"{path}:13:")


def test_deeply_nested_definition_is_a_problem_not_a_recursion_error(tmp_path):
    # issue 13 item 25
    _, problems = _problems(EXAMPLE + "x = " + "[" * 5000 + "]" * 5000 + "\n", tmp_path)
    assert [p.line for p in problems] == [25] and "nested" in problems[0].message


def test_a_byte_order_mark_is_accepted_and_invalid_utf8_has_a_line(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.encode())
    assert load_definition(path).mob.id == "release"
    bad = tmp_path / "bad.toml"
    bad.write_bytes(EXAMPLE.replace('"You coordinate."', '"You co\xffordinate."').encode("latin-1"))
    with pytest.raises(MobDefinitionError) as info:
        load_definition(bad)
    assert [p.line for p in info.value.problems] == [7] and "UTF-8" in info.value.problems[0].message
