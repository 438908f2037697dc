"""--agent and configured tools on every surface: headless (real CLI), TUI start, RPC's
SessionService, and mob members (`agent = "NAME"` in a profile)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mob.conftest import replay_env
from tests.runtime.test_headless import cli, env  # noqa: F401 (env: a fixture)
from workbench.errors import InvalidParams
from workbench.mob.definition import parse_definition
from workbench.mob.handle import MobHandle, SpawnSpec
from workbench.providers.replay import ScriptBuilder

PLAYBOOK = """\
[[agents]]
name = "reviewer"
description = "Reads, never writes"
system_prompt = "You are the reviewer."
tools = ["read", "ls", "grep", "word_count"]
max_turns = 2

[[agents]]
name = "terse"
system_prompt = "One line answers."
replace_prompt = true

[[tools]]
name = "word_count"
description = "Counts the words of a text"
command = "python3 -c 'import json,sys; print(json.dumps({\\"words\\": len(json.load(sys.stdin)[\\"text\\"].split())}))'"
parameters = { type = "object", properties = { text = { type = "string" } }, required = ["text"] }
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / ".workbench").mkdir(parents=True)
    (ws / ".workbench" / "playbook.toml").write_text(PLAYBOOK)
    (ws / "hello.txt").write_text("hello world\n")
    return ws


def script(tmp_path: Path, builder: ScriptBuilder) -> str:
    path = tmp_path / "script.json"
    path.write_text(builder.build().to_json())
    return str(path)


def test_headless_agent_runs_with_the_trusted_project_tool_and_stops_at_max_turns(tmp_path, env, ws):
    s = script(tmp_path, ScriptBuilder().turn().tool_call("word_count", {"text": "a b c"})
               .turn().tool_call("bash", {"command": "touch ran"}).turn().text("never reached"))
    p = cli(["-p", "count", "--agent", "reviewer", "--trust-project", "--output-format", "jsonl",
             "--allow", "word_count", "--provider", "replay", "--replay-script", s], env, ws)
    events = [json.loads(line) for line in p.stdout.splitlines()]
    results = [e for e in events if e["type"] == "tool_execution_completed"]
    assert results[0]["result"] == '{"words": 3}'
    refused = [e for e in events if e["type"] == "tool_result_received"][1]
    assert refused["name"] == "bash" and refused["is_error"] and not (ws / "ran").exists()
    assert events[-1]["type"] == "run_completed" and events[-1]["stop"] == "turn_limit" and events[-1]["turns"] == 2
    assert p.returncode == 21, p.stderr


def test_headless_asks_for_a_configured_tool_so_it_is_denied_without_a_rule(tmp_path, env, ws):
    s = script(tmp_path, ScriptBuilder().turn().tool_call("word_count", {"text": "a"}).turn().text("ok"))
    p = cli(["-p", "count", "--trust-project", "--output-format", "jsonl", "--provider", "replay",
             "--replay-script", s], env, ws)
    events = [json.loads(line) for line in p.stdout.splitlines()]
    assert [e["status"] for e in events if e["type"] == "tool_result_received"] == ["denied"]
    assert not [e for e in events if e["type"] == "tool_execution_started"]


def test_headless_untrusted_project_tools_are_not_offered(tmp_path, env, ws):
    s = script(tmp_path, ScriptBuilder().turn().tool_call("word_count", {"text": "a"}).turn().text("ok"))
    p = cli(["-p", "count", "--output-format", "jsonl", "--provider", "replay", "--replay-script", s], env, ws)
    assert p.returncode == 0, p.stderr
    events = [json.loads(line) for line in p.stdout.splitlines()]
    failed = [e for e in events if e["type"] == "tool_result_received"][0]
    assert failed["name"] == "word_count" and failed["status"] == "failed"
    assert "tool word_count" in p.stderr  # the trust notice names what waits for trust


def test_headless_turn_limit_says_why_in_text_mode(tmp_path, env, ws):
    s = script(tmp_path, ScriptBuilder().turn().tool_call("read", {"path": "hello.txt"})
               .turn().tool_call("read", {"path": "hello.txt"}).turn().text("never"))
    p = cli(["-p", "read", "--agent", "reviewer", "--provider", "replay", "--replay-script", s], env, ws)
    assert p.returncode == 21
    assert "workbench: stopped after 2 model turns: agent 'reviewer' allows no more per run (max_turns = 2)" in p.stderr


@pytest.mark.parametrize("extra", [["-p", "hi"], []], ids=["headless", "tui"])
def test_unknown_agent_exits_2_listing_the_known_names(tmp_path, env, ws, extra):
    s = script(tmp_path, ScriptBuilder().turn().text("never"))
    p = cli([*extra, "--agent", "writer", "--provider", "replay", "--replay-script", s], env, ws)
    assert p.returncode == 2
    assert "unknown agent 'writer'; known agents: reviewer, terse" in p.stderr
    assert not list((tmp_path / "home").rglob("*.jsonl"))  # no session file was made


async def test_rpc_service_session_with_agent_and_tools(tmp_path, ws):
    from workbench.runtime.service import CreateSessionRequest, SessionService

    def factory(name, model):
        from workbench.providers.replay import ReplayProvider

        return ReplayProvider(ScriptBuilder().turn().text("hi").build(), model="m", delay_scale=0)

    service = SessionService(tmp_path / "sessions", cwd=ws, provider_factory=factory, trust_project=True)
    try:
        session = await service.create_session(CreateSessionRequest(agent="terse", prompt="x", run_now=False))
        assert session.agent_profile.name == "terse" and session.system_prompt.startswith("One line answers.")
        assert "word_count" in session.tools.names()
        with pytest.raises(InvalidParams, match="known agents: reviewer, terse"):
            await service.create_session(CreateSessionRequest(agent="nope", run_now=False))
        untrusted = SessionService(tmp_path / "sessions2", cwd=ws, provider_factory=factory)
        plain = await untrusted.create_session(CreateSessionRequest(run_now=False))
        assert "word_count" not in plain.tools.names()
    finally:
        await service.close()


MOB = '''
[mob]
id = "m"
orchestrator = "lead"
[profiles.lead]
[profiles.checker]
agent = "reviewer"
tools = ["read", "bash"]
system_prompt = "You check things."
'''


async def test_mob_member_runs_as_its_profiles_agent(tmp_path, ws, monkeypatch):
    script_ = ScriptBuilder().turn().text("ok").build()
    env = replay_env(tmp_path, ws, {"lead": script_, "c": script_}, trust_project=True)
    handle = await MobHandle.create(parse_definition(MOB), env)
    try:
        await handle.spawn_many([SpawnSpec("checker", "c")])
        lead, checker = handle.session("lead"), handle.session("c")
        assert checker.agent_profile.name == "reviewer" and lead.agent_profile is None
        prompt = checker.system_prompt
        assert "You check things.\n\n# Agent: reviewer\n\nYou are the reviewer." in prompt
        assert prompt.count("You are the reviewer.") == 1 and "member of the mob" in prompt
        offered = [s.name for s in checker.tools.specs()]
        assert "bash" not in offered and "read" in offered and "word_count" in offered
        assert "word_count" in [s.name for s in lead.tools.specs()]
    finally:
        handle.close()


async def test_mob_agent_with_replace_prompt_replaces_the_profile_prompt_not_the_mob_instructions(tmp_path, ws):
    script_ = ScriptBuilder().turn().text("ok").build()
    env = replay_env(tmp_path, ws, {"lead": script_, "c": script_})
    handle = await MobHandle.create(parse_definition(MOB.replace('"reviewer"', '"terse"')), env)
    try:
        await handle.spawn_many([SpawnSpec("checker", "c")])
        prompt = handle.session("c").system_prompt
        assert prompt.startswith("One line answers.\n\nYou are 'c'") and "You check things." not in prompt
        assert handle.session("c").playbook is None or handle.session("c").playbook.state.agent == "terse"
    finally:
        handle.close()


async def test_a_resumed_mob_member_keeps_its_agent_without_a_new_state_entry(tmp_path, ws):
    script_ = ScriptBuilder().turn().text("ok").build()
    scripts = {"lead": script_, "c": script_}
    handle = await MobHandle.create(parse_definition(MOB), replay_env(tmp_path, ws, scripts))
    await handle.spawn_many([SpawnSpec("checker", "c", "check it")])
    await handle.wait_idle()
    mob_id, path = handle.id, handle.session("c").manager.path
    await handle.stop()
    handle.close()

    def states() -> int:
        lines = [json.loads(x) for x in Path(path).read_text().splitlines()]
        return sum(1 for x in lines if x.get("customType") == "workbench.playbook.state")

    assert states() == 1
    again = await MobHandle.open(mob_id, replay_env(tmp_path, ws, scripts))
    try:
        checker = again.session("c")
        assert checker.agent_profile.name == "reviewer" and "bash" not in [s.name for s in checker.tools.specs()]
        assert checker.system_prompt.count("You are the reviewer.") == 1 and "member of the mob" in checker.system_prompt
        assert states() == 1
    finally:
        again.close()


async def test_mob_with_an_unknown_agent_does_not_start(tmp_path, ws):
    d = parse_definition(MOB.replace('agent = "reviewer"', 'agent = "ghost"'))
    with pytest.raises(InvalidParams, match="profiles.checker.agent: unknown agent 'ghost'; known agents: reviewer, terse"):
        await MobHandle.create(d, replay_env(tmp_path, ws, {}))


async def test_rpc_session_create_with_an_agent_over_the_wire(tmp_path, ws):
    from tests.surfaces.rpc_process import Rpc

    s = script(tmp_path, ScriptBuilder().turn().tool_call("word_count", {"text": "a b"}).turn().text("two"))
    rpc = await Rpc.start("--provider", "replay", "--replay-script", s, "--trust-project", "--approve", "yolo", cwd=ws)
    try:
        await rpc.result("initialize", {"contract_version": "0.1.0"})
        reply = await rpc.call("session/create", {"prompt": "count", "agent": "ghost"})
        assert reply["error"]["data"]["code"] == "INVALID_PARAMS"
        assert "unknown agent 'ghost'; known agents: reviewer, terse" in reply["error"]["message"]
        created = await rpc.result("session/create", {"prompt": "count", "agent": "reviewer"})
        assert created["result"]["text"] == "two"
        done = [e for e in rpc.events(created["session_id"]) if e["type"] == "tool_execution_completed"]
        assert done[0]["result"] == '{"words": 2}'
    finally:
        await rpc.close()


def test_tui_sessions_get_the_trusted_tools_and_the_start_agent(tmp_path, ws, monkeypatch):
    from workbench.cli import build_parser
    from workbench.config import load_settings
    from workbench.runtime.approvals import ApprovalBroker
    from workbench.tui.startup import RuntimeSessions

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    s = script(tmp_path, ScriptBuilder().turn().text("hi"))
    args = build_parser().parse_args(["--agent", "reviewer", "--trust-project", "--cwd", str(ws),
                                      "--provider", "replay", "--replay-script", s])
    sessions = RuntimeSessions(args, load_settings(ws, trust_override=True), ws, ApprovalBroker(), None)
    first = sessions.new()
    try:
        agent = first.agent
        assert "word_count" in agent.tools.names()
        agent.playbook.apply_start_options()  # the app does this once it listens to the session
        assert agent.agent_profile.name == "reviewer"
        assert [s.name for s in agent.tools.specs()] == ["read", "ls", "grep", "word_count"]
    finally:
        first.agent.manager.close()
    plain = RuntimeSessions(build_parser().parse_args(["--cwd", str(ws), "--provider", "replay", "--replay-script", s]),
                            load_settings(ws), ws, ApprovalBroker(), None).new()
    try:
        assert "word_count" not in plain.agent.tools.names()  # an untrusted project's tool waits
    finally:
        plain.agent.manager.close()


def test_tui_start_refuses_an_unknown_journey_or_a_bad_var_too(tmp_path, env, ws):
    for flags, says in ((["--journey", "nope"], "unknown journey 'nope'"), (["--var", "novalue"], "write it as KEY=VALUE")):
        p = cli([*flags, "--provider", "replay"], env, ws)
        assert p.returncode == 2 and says in p.stderr, p.stderr
