"""The offline demo's playbook part: a guideline and a three-step journey, and the two scripted
turns that follow the demo's first run to show them off without a key.

The demo workspace gets `DEMO_PLAYBOOK` as its `.workbench/playbook.toml` (workbench/
demo_workspace.py). The demo's first prompt ("Show me around the workbench.") matches the
`tour-guide` guideline by pattern, which starts the `demo-tour` journey at its first step; the TUI
then sends `TOUR_PROMPTS` one after the other when each run ends (workbench/tui/playbook_ui.py),
and each moves the journey on by a pattern of its transition: "check" to the second step, "wrap up"
to the last, which completes it. The status line follows along, and the why view (`w`) explains
every turn.

The answers react as a model would: they say what the playbook put into the system prompt of the
request (the guideline's action and the step's description) only if it is really there.
"""

from __future__ import annotations

from workbench.providers.base import ProviderRequest
from workbench.providers.replay import ScriptBuilder, Turn

DEMO_JOURNEY = "demo-tour"
TOUR_PROMPTS = ("Check hello.py against the playbook.", "Wrap up, please.")

DEMO_PLAYBOOK = '''# The offline demo's playbook (docs/playbooks.md): a guideline and a three-step journey.
# The workbench reads it at the start of every session in this workspace.

[[guidelines]]
id = "tour-guide"
condition = "the user asks to be shown around the workbench"
action = "Show one thing at a time and say what each step does."
match = ["show me around", "give me a tour"]
starts_journey = "demo-tour"

[[guidelines]]
id = "python-style"
condition = "the user asks to write, check or change Python code"
action = "New functions get type hints and a one-line docstring; run the file to check it."
match = ["python", 'hello\\.py']
priority = 1

[[journeys]]
id = "demo-tour"
name = "Tour of the workbench"
description = "Look around, check the code against the playbook, wrap up."
initial_step = "look"

[[journeys.steps]]
id = "look"
name = "look around"
description = "List the workspace and write a small script to work on."
transitions = [{ to = "check", condition = "the user wants the code checked", match = ["check"] }]

[[journeys.steps]]
id = "check"
name = "check the code"
description = "Compare hello.py with the playbook's python-style guideline."
transitions = [{ to = "done", condition = "the user wants to finish", match = ["wrap up", "done"] }]

[[journeys.steps]]
id = "done"
name = "wrap up"
description = "Sum up the tour and say where to look next."
is_terminal = true
'''

GUIDELINE_ACTION = "New functions get type hints and a one-line docstring; run the file to check it."
CHECK_STEP = "Compare hello.py with the playbook's python-style guideline."
DONE_STEP = "Sum up the tour and say where to look next."


def tour_turn(prompt: str, request: ProviderRequest) -> Turn | None:
    """The scripted answer to one of the tour's prompts (None for any other prompt)."""
    if prompt not in TOUR_PROMPTS:
        return None
    system = request.system_prompt
    b = ScriptBuilder()
    b.turn()
    if prompt == TOUR_PROMPTS[0]:
        _check(b, GUIDELINE_ACTION in system, CHECK_STEP in system)
    else:
        _wrap(b, DONE_STEP in system)
    return b.build().turns[0]


def _check(b: ScriptBuilder, guideline: bool, step: bool) -> None:
    if not (guideline or step):
        b.text("No playbook guidance reached me this turn: this workspace's `.workbench/playbook.toml` did not "
               "load (the session's start notice and `workbench playbook check` say why).", split=True)
        return
    b.thinking("The playbook added instructions to my system prompt for this turn: follow them.", split=True)
    said = ["This turn ran the workspace's **playbook** (`.workbench/playbook.toml`)."]
    if guideline:
        said.append("The guideline `python-style` matched by its pattern (`hello.py`), so its action was "
                    f"added to my instructions for this turn only: *{GUIDELINE_ACTION}*")
    if step:
        said.append("The journey `demo-tour` moved on to its second step, **check the code** (the word "
                    "\"check\" is its transition's pattern): look at the status line.")
    b.text(" ".join(said) + "\n\n", split=True)
    b.text("`hello.py` has type hints and a docstring on `greet`, and it ran. Press **w** in the "
           "Conversation pane (F6 focuses it) to see *why*: the matched guideline with its score, reason and "
           "source, the ones skipped, the journey before and after, and the exact text injected.", split=True)
    b.usage(input=3600, output=180, cache_read=3200)


def _wrap(b: ScriptBuilder, step: bool) -> None:
    if step:
        b.text("The journey reached its last step, **wrap up**, so it is complete: the status line says so.\n\n",
               split=True)
    else:
        b.text("The journey did not reach its last step this turn (no playbook guidance reached me).\n\n",
               split=True)
    b.text("To see the rest of the playbook:\n\n"
           "- `/journey` draws the journey as a graph, with the path taken\n"
           "- `/journey start demo-tour` runs it again; `/journey stop` leaves it\n"
           "- `/var KEY VALUE` sets a context variable (`/var` lists them)\n"
           "- `w` in the Conversation pane, or *why* in the palette (ctrl+p), explains any turn\n\n"
           "The playbook is `.workbench/playbook.toml` in this workspace; docs/playbooks.md describes it. "
           "This was the end of the scripted offline demo.", split=True)
    b.usage(input=3900, output=200, cache_read=3500)
