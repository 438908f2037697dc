"""The issue's scenario as data, playable by the replay provider or the fake Anthropic server.

The lead spawns three workers (w1, w2 and the scout w3), wires w1 and w2, and hands out tasks.
w1 edits a file (needs approval), then asks w2 for a review; w2 tries to reach w3 (not wired:
refused under strict topology) and reports to the lead. w3 runs out of its token budget after two
turns and the mob tells the lead. The lead notes it, retires w3, thanks w1, and concludes. w1
answers the thanks.

Each member's turns are listed in the order it plays them; the test choreographs the one place
where timing could merge two deliveries (it holds w1's approval until the lead has noted w3).
"""

from __future__ import annotations

from typing import Any

DEFINITION = '''
[mob]
id = "release"
orchestrator = "lead"

[profiles.lead]
system_prompt = "You coordinate the release."
peer_description = "Breaks work down and hands it out"

[profiles.worker]
tools = ["read", "edit", "ls"]
peer_description = "Does the work"

[profiles.scout]
tools = ["ls"]
max_tokens = 20

[topology]
mode = "strict"

[limits]
max_tokens = 100000
max_tokens_per_member = 5000
'''

FINAL = "Release 2.0 is ready: notes.txt was edited and reviewed; w3 ran out of budget and was retired."

# identity -> turns; a turn is a list of ("text", str) / ("tool", name, args), plus usage (in, out)
TURNS: dict[str, list[tuple[list[tuple], tuple[int, int]]]] = {
    "lead": [
        ([("text", "Splitting the release."),
          ("tool", "spawn_member", {"profile": "worker", "identity": "w1", "task": "Set the version in notes.txt to 2.0"}),
          ("tool", "spawn_member", {"profile": "worker", "identity": "w2", "task": "Review what w1 changes"}),
          ("tool", "spawn_member", {"profile": "scout", "identity": "w3", "task": "Survey the workspace"}),
          ("tool", "wire", {"a": "w1", "b": "w2"})], (50, 20)),
        ([("text", "Tasks handed out; waiting for reports.")], (60, 8)),
        ([("text", "Noted: w3 is out of budget.")], (70, 6)),
        ([("tool", "retire_member", {"identity": "w3"}),
          ("tool", "send_message", {"to": "w1", "text": "Thanks w1, the edit is approved. You are done."})], (80, 10)),
        ([("text", FINAL)], (90, 20)),
    ],
    "w1": [
        ([("tool", "edit", {"path": "notes.txt", "oldText": "version 1.0", "newText": "version 2.0"})], (30, 10)),
        ([("tool", "send_message", {"to": "w2", "text": "I set the version to 2.0 in notes.txt, please review."})], (40, 10)),
        ([("text", "Edit done and sent for review.")], (45, 5)),
        ([("text", "Thanks, signing off.")], (50, 4)),
    ],
    "w2": [
        ([("text", "Waiting for w1's change.")], (20, 5)),
        ([("tool", "send_message", {"to": "w3", "text": "Can you check the docs?"}),
          ("tool", "send_message", {"to": "lead", "text": "Review passed: notes.txt says version 2.0."})], (40, 12)),
        ([("text", "Reviewed and reported.")], (45, 4)),
    ],
    "w3": [
        ([("tool", "ls", {"path": "."})], (10, 5)),
        ([("tool", "ls", {"path": "."})], (10, 5)),
        ([("text", "never reached: the budget stops w3 first")], (10, 5)),
    ],
}


def replay_scripts() -> dict[str, Any]:
    from workbench.providers.replay import ScriptBuilder

    scripts = {}
    for identity, turns in TURNS.items():
        b = ScriptBuilder()
        for n, (steps, (n_in, n_out)) in enumerate(turns):
            b.turn()
            for i, step in enumerate(steps):
                if step[0] == "text":
                    b.text(step[1])
                else:
                    b.tool_call(step[1], step[2], id=f"{identity}_t{n}_{i}")
            b.usage(input=n_in, output=n_out)
        scripts[identity] = b.build()
    return scripts


def anthropic_responses(identity: str) -> list[Any]:
    from tests.fakes.anthropic_server import anthropic_stream, text, tool_use

    out = []
    for n, (steps, (n_in, n_out)) in enumerate(TURNS[identity]):
        blocks = [text(s[1]) if s[0] == "text" else tool_use(f"toolu_{identity}_{n}_{i}", s[1], s[2])
                  for i, s in enumerate(steps)]
        has_tools = any(s[0] == "tool" for s in steps)
        out.append(anthropic_stream(blocks, stop_reason="tool_use" if has_tools else "end_turn",
                                    input_tokens=n_in, output_tokens=n_out, message_id=f"msg_{identity}_{n}"))
    return out
