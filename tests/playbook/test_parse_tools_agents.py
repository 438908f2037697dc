"""[[tools]] and [[agents]]: what loads, and every broken item named by file, line and key."""

import tomllib
from pathlib import Path

from workbench.playbook.agents import AgentProfile, parse_agents, unknown_agent_message
from workbench.playbook.command_tools import CommandToolSpec, RetryConfig, parse_tools

TOOLS = """\
[[tools]]
name = "weather"
description = "Weather for a city"
command = "cat"
timeout_secs = 5
allow_failure = true
retry = { max_attempts = 3, delay_ms = 20, backoff_multiplier = 2.0 }
[tools.parameters]
type = "object"
required = ["city"]
[tools.parameters.properties.city]
type = "string"

[[tools]]
name = "bad schema"
description = "x"
command = "true"

[[tools]]
name = "broken"
description = "a schema that is not one"
command = ["echo", "hi"]
parameters = { type = "object", properties = { n = { type = "nonsense" } } }

[[tools]]
name = "argv"
description = "runs a program"
command = ["python3", "-c", "print(1)"]
timeout_secs = -1
"""


def parse(text, fn, table):
    path = Path("/p/playbook.toml")
    return fn(tomllib.loads(text).get(table), path, text)


def test_tools_load_with_defaults_and_problems_name_file_line_key():
    specs, problems = parse(TOOLS, parse_tools, "tools")
    assert [s.name for s in specs] == ["weather"]
    weather = specs[0]
    assert isinstance(weather, CommandToolSpec)
    assert weather.command == "cat" and weather.timeout_secs == 5 and weather.allow_failure
    assert weather.retry == RetryConfig(max_attempts=3, delay_ms=20, backoff_multiplier=2.0)
    assert weather.parameters["required"] == ["city"]
    assert weather.line == 1 and weather.source == Path("/p/playbook.toml")
    shown = [str(p) for p in problems]
    assert any(s.startswith("/p/playbook.toml:15: tools[1].name: 'bad schema' is not a valid tool name") for s in shown), shown
    broken = [p for p in problems if p.key == "tools[2].parameters"]
    assert broken and broken[0].line == 23 and "not a valid JSON schema" in broken[0].message
    assert "nonsense" in broken[0].message
    timeout = [p for p in problems if p.key == "tools[3].timeout_secs"]
    assert timeout and timeout[0].line == 29 and "at least" in timeout[0].message


def test_retry_delays_grow_by_the_multiplier():
    retry = RetryConfig(max_attempts=4, delay_ms=100, backoff_multiplier=3.0)
    assert [retry.delay_before(n) for n in (2, 3, 4)] == [100, 300, 900]


def test_tool_problems_missing_fields_builtin_names_duplicates_and_retry_keys():
    text = """\
[[tools]]
name = "bash"
description = "shadows the built-in"
command = "true"

[[tools]]
name = "ok"
command = "true"

[[tools]]
name = "dup"
description = "first"
command = "true"

[[tools]]
name = "dup"
description = "second"
command = "true"

[[tools]]
name = "r"
description = "retry typo"
command = "true"
[tools.retry]
max_attemps = 3
backoff_multiplier = 0.5

[[tools]]
name = "p"
description = "array schema"
command = "true"
parameters = { type = "array" }

[[tools]]
name = "nocmd"
description = "no command"
"""
    specs, problems = parse(text, parse_tools, "tools")
    assert [s.name for s in specs] == ["dup"]
    by_key = {p.key: p for p in problems}
    assert "built-in" in by_key["tools[0].name"].message and by_key["tools[0].name"].line == 2
    assert "'description' is required" in by_key["tools[1]"].message and by_key["tools[1]"].line == 6
    assert "a tool named 'dup' is already defined" in by_key["tools[3].name"].message and by_key["tools[3].name"].line == 16
    assert by_key["tools[4].retry.max_attemps"].line == 25
    assert by_key["tools[4].retry.backoff_multiplier"].line == 26
    assert "type = \"object\"" in by_key["tools[5].parameters"].message
    assert "'command' is required" in by_key["tools[6]"].message


def test_tools_not_an_array_of_tables():
    specs, problems = parse('tools = "x"\n', parse_tools, "tools")
    assert specs == [] and problems[0].line == 1 and "array of tables" in problems[0].message
    specs, problems = parse('tools = [1, {name = "a", description = "d", command = "true"}]\n', parse_tools, "tools")
    assert [s.name for s in specs] == ["a"] and problems[0].key == "tools[0]"
    assert parse_tools(None, Path("x"), "") == ([], [])


AGENTS = """\
[[agents]]
name = "reviewer"
description = "Reviews changes, never edits"
system_prompt = "You review code."
tools = ["read", "grep", "find", "ls", "mcp__*"]
max_turns = 4
model = "claude-sonnet-4-5"
provider = "anthropic"
thinking = "low"
guidelines = ["style"]
journeys = ["release"]

[[agents]]
name = "terse"
system_prompt = "Answer in one line."
replace_prompt = true

[[agents]]
name = "bad"
provider = "gemini"
thinking = "very"
max_turns = 0
tools = "read"

[[agents]]
name = "empty-replace"
replace_prompt = true
colour = "red"
"""


def test_agents_load_and_problems_name_file_line_key():
    agents, problems = parse(AGENTS, parse_agents, "agents")
    assert [a.name for a in agents] == ["reviewer", "terse"]
    reviewer, terse = agents
    assert isinstance(reviewer, AgentProfile)
    assert reviewer.tools == ("read", "grep", "find", "ls", "mcp__*") and reviewer.max_turns == 4
    assert (reviewer.provider, reviewer.model, reviewer.thinking) == ("anthropic", "claude-sonnet-4-5", "low")
    assert reviewer.guidelines == ("style",) and reviewer.journeys == ("release",)
    assert reviewer.allows_tool("grep") and reviewer.allows_tool("mcp__git__log") and not reviewer.allows_tool("bash")
    assert terse.replace_prompt and terse.tools is None and terse.allows_tool("bash")
    by_key = {p.key: p for p in problems}
    assert "unknown provider 'gemini'" in by_key["agents[2].provider"].message and by_key["agents[2].provider"].line == 20
    assert by_key["agents[2].thinking"].line == 21
    assert by_key["agents[2].max_turns"].line == 22
    assert "list of non-empty strings" in by_key["agents[2].tools"].message and by_key["agents[2].tools"].line == 23
    assert "needs a system_prompt" in by_key["agents[3].replace_prompt"].message
    assert by_key["agents[3].colour"].line == 28 and "ignored" in by_key["agents[3].colour"].message


def test_unknown_agent_message_lists_the_known_names():
    agents, _ = parse(AGENTS, parse_agents, "agents")
    assert unknown_agent_message("nope", agents) == "unknown agent 'nope'; known agents: reviewer, terse"
    assert "no agents are defined" in unknown_agent_message("nope", [])


def test_an_agent_naming_an_unknown_guideline_or_journey_is_reported(tmp_path):
    from workbench.playbook.loader import load_playbook

    ws = tmp_path / "ws"
    (ws / ".workbench").mkdir(parents=True)
    (ws / ".workbench" / "playbook.toml").write_text(
        '[[guidelines]]\nid = "style"\ncondition = "always"\naction = "be neat"\n\n'
        '[[agents]]\nname = "a"\nguidelines = ["style", "stlye"]\njourneys = ["release"]\n')
    book = load_playbook(ws)
    assert [a.name for a in book.agents] == ["a"]
    shown = sorted(str(p) for p in book.problems)
    assert shown == [
        f"{ws}/.workbench/playbook.toml:6: agents.a.guidelines: no guideline 'stlye' is defined (defined: style)",
        f"{ws}/.workbench/playbook.toml:6: agents.a.journeys: no journey 'release' is defined (defined: none)"]
