"""Mob members get the workspace's context files and skills; a profile's `skills = [...]` limits them."""

from __future__ import annotations

from tests.mob.conftest import replay_env
from workbench.mob.definition import parse_definition
from workbench.mob.handle import MobHandle, SpawnSpec
from workbench.providers.replay import ScriptBuilder

DEFINITION = '''
[mob]
id = "s"
orchestrator = "lead"
[profiles.lead]
[profiles.worker]
skills = ["alpha", "missing"]
'''


def _skill(ws, name):
    d = ws / ".agents" / "skills" / name
    d.mkdir(parents=True)
    (d / "SKILL.md").write_text(f"---\nname: {name}\ndescription: The {name} skill.\n---\nDo {name}.\n")


async def test_members_get_context_files_and_their_skills(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "AGENTS.md").write_text("Team rule: be brief.")
    _skill(ws, "alpha")
    _skill(ws, "beta")
    script = ScriptBuilder().turn().text("ok").build()
    env = replay_env(tmp_path, ws, {"lead": script, "w": script})
    handle = await MobHandle.create(parse_definition(DEFINITION), env)
    try:
        await handle.spawn_many([SpawnSpec("worker", "w")])
        lead, worker = handle.session("lead"), handle.session("w")
        for member in (lead, worker):
            assert "Team rule: be brief." in member.system_prompt
        assert "<name>alpha</name>" in lead.system_prompt and "<name>beta</name>" in lead.system_prompt
        assert "<name>alpha</name>" in worker.system_prompt and "<name>beta</name>" not in worker.system_prompt
        assert any(d.name == "missing" and d.kind.value == "NotFound" for d in worker.project.skills.diagnostics)
    finally:
        handle.close()
