"""The scenario again, each member a real Anthropic SDK client talking to a local fake server."""

import anthropic  # noqa: F401  (the SDK import is slow: paid at collection, not inside timed waits)

from tests.fakes.anthropic_server import FakeHTTPServer
from tests.mob import scenario
from tests.mob.test_scenario import run_scenario
from workbench.mob.definition import parse_definition
from workbench.mob.environment import MobEnvironment
from workbench.mob.handle import MobHandle
from workbench.providers import make_provider


async def test_scenario_through_anthropic_wire_format(tmp_path, workspace):
    servers = {who: FakeHTTPServer(scenario.anthropic_responses(who)).start() for who in scenario.TURNS}
    model = "claude-haiku-4-5"

    def factory(identity, profile_name, profile):
        return make_provider("anthropic", model=model, base_url=servers[identity].url, api_key="test-key"), model

    env = MobEnvironment(cwd=workspace, provider_factory=factory, mobs_dir=tmp_path / "mobs",
                         sessions_dir=tmp_path / "sessions")
    handle = await MobHandle.create(parse_definition(scenario.DEFINITION), env)
    try:
        result = await run_scenario(handle)
        roster = {m.identity: m for m in handle.roster()}
        events = handle.events.history()
        cost = handle.total_cost
    finally:
        await handle.complete()
        handle.close()
        for server in servers.values():
            server.stop()

    assert result.text == scenario.FINAL
    assert (workspace / "notes.txt").read_text() == "release notes\nversion 2.0\n"
    assert sorted(roster) == ["lead", "w1", "w2"]
    assert any(e.type == "budget_exhausted" and e.member == "w3" for e in events)
    # Every request went over HTTP with the member's own system prompt and the mob tools by role.
    lead_req = servers["lead"].requests[0].json
    w1_req = servers["w1"].requests[0].json
    lead_tools = {t["name"] for t in lead_req["tools"]}
    w1_tools = {t["name"] for t in w1_req["tools"]}
    assert {"spawn_member", "retire_member", "wire", "unwire", "send_message", "list_peers"} <= lead_tools
    assert w1_tools == {"read", "edit", "ls", "send_message", "list_peers"}
    system = lambda req: req["system"] if isinstance(req["system"], str) else "".join(b["text"] for b in req["system"])
    assert "You are 'w1'" in system(w1_req)
    # The peer message reached w2's model as user text naming the sender.
    w2_second = servers["w2"].requests[1].json["messages"]
    flat = str(w2_second[-1]["content"])
    assert "[message from w1]" in flat and "please review" in flat
    assert len(servers["lead"].requests) == 5 and len(servers["w3"].requests) == 2
    # Priced model: the mob's cost is known and positive.
    assert cost is not None and cost > 0
