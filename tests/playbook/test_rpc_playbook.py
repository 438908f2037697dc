"""A playbook over `workbench rpc` (a real child process): session/create with variables and a
journey, turn/start with variables, the playbook events forwarded, session/read's state, a bad
journey refused before any session exists; and a SessionService session resumed by open_session."""

from workbench.playbook.matcher import MATCHER_TOOL
from workbench.providers.replay import ScriptBuilder

from tests.playbook.helpers import write_playbook
from tests.surfaces.rpc_process import Rpc


async def test_variables_and_journey_over_rpc(tmp_path):
    ws = tmp_path / "ws"
    write_playbook(ws)
    script = tmp_path / "s.json"
    script.write_text(ScriptBuilder()
                      .turn().tool_call(MATCHER_TOOL, {"scores": [{"n": 1, "score": 0.9, "reason": "a ticket"},
                                                                  {"n": 2, "score": 0.0, "reason": "calm"}]})
                      .turn().text("On it.")
                      .turn().text("Tests next.").build().to_json())
    rpc = await Rpc.start("--provider", "replay", "--replay-script", str(script), cwd=ws,
                          env={"WORKBENCH_HOME": str(tmp_path / "home")})
    try:
        code = await rpc.call("session/create", {"journey": "nope", "deferred": True})
        assert code["error"]["data"]["code"] == "INVALID_PARAMS" and "known journeys: release" in code["error"]["message"]
        created = await rpc.result("session/create", {"variables": {"ticket": "WB-5"}, "journey": "release",
                                                      "deferred": True})
        sid = created["session_id"]
        started = await rpc.event("journey_transitioned")  # the journey given at create, forwarded
        assert (started["journey_id"], started["to_step"], started["source"]) == ("release", "bump", "user")
        info = await rpc.result("session/read", {"session_id": sid})
        assert info["playbook"]["variables"] == {"ticket": "WB-5"}
        assert info["playbook"]["journey"]["step"] == "bump" and info["playbook"]["status"] == "journey release · 1/3 bump the version"

        result = await rpc.result("turn/start", {"session_id": sid, "prompt": "ugh, this bug again"})
        assert result["text"] == "On it."
        matched = next(e for e in rpc.events(sid) if e["type"] == "guidelines_matched")
        assert matched["matcher"] == "model"
        # ticket (needs the variable set at create) is judged first: tests-first by pattern, ticket by model
        assert [(m["id"], m["source"]) for m in matched["matched"]] == [("tests-first", "pattern"), ("ticket", "model")]

        result = await rpc.result("turn/start", {"session_id": sid, "prompt": "version bumped",
                                                 "variables": {"version": "2.0"}})
        assert result["text"] == "Tests next."
        moved = [e for e in rpc.events(sid) if e["type"] == "journey_transitioned"]
        assert (moved[-1]["from_step"], moved[-1]["to_step"], moved[-1]["source"]) == ("bump", "test", "pattern")
        info = await rpc.result("session/read", {"session_id": sid})
        assert info["playbook"]["variables"] == {"ticket": "WB-5", "version": "2.0"}
        bad = await rpc.call("turn/start", {"session_id": sid, "prompt": "x", "variables": {"no good": "1"}})
        assert bad["error"]["data"]["code"] == "INVALID_PARAMS"
    finally:
        assert await rpc.close() == 0


async def test_a_service_session_resumed_has_its_state(tmp_path):
    from workbench.providers.replay import ReplayProvider
    from workbench.runtime.service import CreateSessionRequest, SessionService

    ws = tmp_path / "ws"
    write_playbook(ws)

    def factory(name, model):
        return ReplayProvider(ScriptBuilder().turn().text("ok").build(), model="m", delay_scale=0)

    service = SessionService(tmp_path / "sessions", cwd=ws, provider_factory=factory)
    session = await service.create_session(CreateSessionRequest(prompt="ship it", variables={"version": "3"}))
    path = session.manager.path
    assert session.playbook.state.journey.step == "bump"
    await service.close()
    session.manager.close()
    again = SessionService(tmp_path / "sessions", cwd=ws, provider_factory=factory)
    try:
        resumed = await again.open_session(str(path))
        assert resumed.playbook.state.journey.step == "bump" and resumed.playbook.state.variables == {"version": "3"}
    finally:
        await again.close()
        resumed.manager.close()


async def test_the_sdk_passes_variables_and_a_journey(tmp_path):
    import os

    from workbench.sdk import WorkbenchClient

    ws = tmp_path / "ws"
    write_playbook(ws)
    script = tmp_path / "s.json"
    script.write_text(ScriptBuilder().turn().text("ok").turn().text("moved").build().to_json())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
    env["WORKBENCH_HOME"] = str(tmp_path / "home")
    async with WorkbenchClient(server_args=["--provider", "replay", "--replay-script", str(script)], cwd=str(ws),
                               env=env) as client:
        session = await client.create_session("fix it", variables={"ticket": "T-1"}, journey="release")
        assert session.text == "ok"
        result = await session.turn("version bumped", variables={"version": "9"})
        assert result.text == "moved"
        info = await client._request("session/read", {"session_id": session.id})
        assert info["playbook"]["journey"]["step"] == "test"
        assert info["playbook"]["variables"] == {"ticket": "T-1", "version": "9"}
