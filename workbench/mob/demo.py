"""The offline demo mob: a definition and one replay script per member, no API key needed.

The lead spawns a scout and a reviewer, wires them, the scout lists the workspace and tells the
reviewer, the reviewer reports to the lead, the lead retires the scout and concludes. It only
reads (ls), so it is safe in any directory. The TUI starts it with `demo_handle(...)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.mob.definition import MobDefinition, parse_definition
from workbench.mob.environment import MobEnvironment
from workbench.mob.replay import replay_factory

DEMO_TASK = "Find out what is in this workspace and summarise it."

DEMO_DEFINITION = '''
[mob]
id = "demo"
orchestrator = "lead"
description = "Offline demo mob (replay provider)"

[profiles.lead]
system_prompt = "You coordinate a small team."
peer_description = "Hands out work and concludes"

[profiles.scout]
tools = ["ls", "read"]
peer_description = "Looks around the workspace"

[profiles.reviewer]
tools = ["read"]
peer_description = "Checks what the scout found"

[wiring]
auto_wire_orchestrator = true
role_wiring = [{ a = "scout", b = "reviewer" }]

[topology]
mode = "strict"

[limits]
max_tokens_per_member = 50000
'''

NOTICE = ("This is the offline demo mob: every member plays a replay script. Set ANTHROPIC_API_KEY or "
          "OPENAI_API_KEY (or pass --provider and --model) to run a mob on a real model.")


def demo_definition() -> MobDefinition:
    return parse_definition(DEMO_DEFINITION, "<demo mob>")


def demo_scripts(delay_ms: float = 40.0) -> dict[str, Any]:
    from workbench.providers.replay import ScriptBuilder

    lead = (ScriptBuilder(delay_ms=delay_ms, description="demo mob: lead")
            .turn().thinking("Two helpers: one to look, one to check.")
            .text("I'll get a scout to look around and a reviewer to check its findings.", split=True)
            .tool_call("spawn_member", {"profile": "reviewer", "identity": "reviewer",
                                        "task": "Wait for the scout's findings, then check them."})
            .tool_call("spawn_member", {"profile": "scout", "identity": "scout",
                                        "task": "List the workspace and send what you find to the reviewer."})
            .turn().text("The team is at work; I'll wait for the review.", split=True)
            .turn().text("The review is in.", split=True)
            .tool_call("retire_member", {"identity": "scout"})
            .turn().text("Summary: the scout listed the workspace, the reviewer checked the listing, "
                         "and the scout has been retired. This was the offline demo mob.", split=True)
            .build())
    scout = (ScriptBuilder(delay_ms=delay_ms, description="demo mob: scout")
             .turn().text("Looking around.", split=True).tool_call("ls", {"path": "."})
             .turn().tool_call("send_message", {"to": "reviewer", "text": "I listed the workspace; "
                                                "the files are in my ls result."})
             .turn().text("Sent my findings to the reviewer.", split=True)
             .build())
    reviewer = (ScriptBuilder(delay_ms=delay_ms, description="demo mob: reviewer")
                .turn().text("Waiting for the scout.", split=True)
                .turn().tool_call("send_message", {"to": "lead", "text": "The scout's listing checks out."})
                .turn().text("Reported to the lead.", split=True)
                .build())
    return {"lead": lead, "scout": scout, "reviewer": reviewer}


def demo_environment(cwd: Path, *, delay_scale: float = 1.0, **kw: Any) -> MobEnvironment:
    return MobEnvironment(cwd=Path(cwd), provider_factory=replay_factory(demo_scripts(), delay_scale=delay_scale),
                          **kw)


async def demo_handle(cwd: Path, *, delay_scale: float = 1.0, **kw: Any) -> Any:
    """A new demo mob, created and ready; `await handle.run(DEMO_TASK)` plays it."""
    from workbench.mob.handle import MobHandle

    return await MobHandle.create(demo_definition(), demo_environment(cwd, delay_scale=delay_scale, **kw),
                                  task=DEMO_TASK, meta={"provider": {"name": "replay", "demo": True}})
