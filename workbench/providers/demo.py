"""The built-in offline demo: what the workbench plays when no model is configured.

It says plainly that it is a scripted demo and how to configure a real model, then shows the
workbench's moving parts in the directory it runs in (a scratch workspace of its own unless --cwd
says otherwise: workbench/demo_workspace.py): it lists and searches the workspace, writes a small `hello.py`, reads it back, edits it (an edit asks for approval and
shows a diff), runs it with `bash`, streams Markdown with a list and a code block, thinks out loud,
and sums up. Tool arguments use pi's names, valid for the built-in tools.

It reacts as a model would: before each turn it reads the tool results in the request
(demo_outcomes). While every call went through it plays the script as written; when one was denied
(with the user's feedback quoted back) or failed, it says so, skips the steps that needed it, and
its summary tells what really happened before ending with how to configure a real model.
Set WORKBENCH_DEMO_FAST=1 (or pass fast=True) to play it without delays.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import AsyncIterator, Callable

from workbench.providers.base import ProviderRequest, StreamEvent
from workbench.providers.demo_outcomes import CallOutcome, call_outcomes, plain_quote
from workbench.providers.demo_tour import tour_turn
from workbench.providers.replay import ReplayProvider, ReplayScript, ScriptBuilder

CHUNK_DELAY_MS = 30  # per streamed chunk (two words), so it reads like a model typing
DEMO_FILE = "hello.py"
RUN_COMMAND = f"python3 {DEMO_FILE}"

HOW_TO_CONFIGURE = (
    "To talk to a real model:\n\n"
    "- **Claude**: set `ANTHROPIC_API_KEY` (and optionally `ANTHROPIC_BASE_URL`)\n"
    "- **OpenAI or a compatible server** (Ollama, llama.cpp, vLLM, OpenRouter): set `OPENAI_API_KEY` "
    "and/or `OPENAI_BASE_URL`, e.g. `OPENAI_BASE_URL=http://localhost:11434/v1` for Ollama\n"
    "- or choose one in the config file:\n\n"
    "```toml\n[provider]\nname = \"anthropic\"   # or \"openai\"\nmodel = \"claude-sonnet-4-5\"\n```\n\n"
    "or on the command line: `workbench --provider openai --model gpt-4.1`."
)

DEMO_ENDED_TEXT = (
    "The offline demo has finished, so there is no model here to answer that. " + HOW_TO_CONFIGURE
)

THINGS_TO_TRY = (
    "Things to try next:\n\n"
    "- open the session tree to branch from any earlier message\n"
    "- switch the approval mode (`ask`, `edits`, `plan`, `yolo`)\n"
    "- watch the meters: tokens, cost and context against the budget\n\n"
)

_HELLO_V1 = '''def greet(name):
    return "Hello, " + name


if __name__ == "__main__":
    print(greet("workbench"))
'''

_OLD = '''def greet(name):
    return "Hello, " + name
'''

_NEW = '''def greet(name: str) -> str:
    """Say hello to someone by name."""
    return f"Hello, {name}!"
'''


# --- the script, one step (model turn) at a time ----------------------------------------------

def _look(b: ScriptBuilder, failed: frozenset[str]) -> None:
    b.text("**This is the offline demo.** No model is configured, so a scripted replay is answering "
           "instead of an AI: it will walk through what the workbench does, in a scratch workspace of its own (your own directory is left alone).\n\n", split=True)
    b.text(HOW_TO_CONFIGURE + "\n\n", split=True)
    b.thinking("Start by looking around: list the workspace and look for Python files, "
               "so I know what is already here.", split=True)
    b.text("First, a look at the workspace.", split=True)
    b.tool_call("ls", {"path": "."})
    b.tool_call("find", {"pattern": "**/*.py"})
    b.usage(input=1850, output=240)


def _write(b: ScriptBuilder, failed: frozenset[str]) -> None:
    b.thinking("Whatever is here, I will not touch existing files. "
               f"I'll create a new, small `{DEMO_FILE}` to have something to work on.", split=True)
    b.text(f"Now I'll write a small file, `{DEMO_FILE}`. Writing a file is a side effect, "
           "so in `ask` mode the workbench asks you first.", split=True)
    b.tool_call("write", {"path": DEMO_FILE, "content": _HELLO_V1})
    b.usage(input=2300, output=150, cache_read=1800)


def _read(b: ScriptBuilder, failed: frozenset[str]) -> None:
    b.text("Reading it back to check what landed on disk:", split=True)
    b.tool_call("read", {"path": DEMO_FILE})
    b.usage(input=2500, output=60, cache_read=2200)


def _edit(b: ScriptBuilder, failed: frozenset[str]) -> None:
    b.thinking("The greeting has no type hints and no docstring. "
               "A targeted edit shows the diff view: replace just the function.", split=True)
    b.text("Let me improve `greet` with type hints, a docstring and an f-string. "
           "An **edit** shows you a diff before anything changes:", split=True)
    b.tool_call("edit", {"path": DEMO_FILE, "oldText": _OLD, "newText": _NEW})
    b.usage(input=2800, output=180, cache_read=2400)


def _run(b: ScriptBuilder, failed: frozenset[str]) -> None:
    if "edit" in failed:
        b.text("It still runs as it is, so let me run it. "
               "Commands always show the exact command line before they run:", split=True)
    else:
        b.text("And run it. Commands always show the exact command line before they run:", split=True)
    b.tool_call("bash", {"command": RUN_COMMAND, "timeout": 30})
    b.usage(input=3100, output=70, cache_read=2700)


def _wrap_up(b: ScriptBuilder, failed: frozenset[str]) -> None:
    b.thinking("Wrap up: what happened, what to try next, and how to leave the demo.", split=True)
    b.text(
        "## What just happened\n\n"
        "1. **ls** and **find** looked around the workspace (read-only tools run without asking)\n"
        f"2. **write** created `{DEMO_FILE}` (in `ask` mode it asks for approval first)\n"
        "3. **read** showed the file with line numbers\n"
        "4. **edit** replaced one function, showing the diff before it applied\n"
        "5. **bash** ran the script\n\n"
        "The edited function:\n\n"
        f"```python\n{_NEW}```\n\n"
        + THINGS_TO_TRY +
        f"You can delete `{DEMO_FILE}` when you're done. This was a scripted demo; "
        "configure a model (see above) for the real thing.",
        split=True)
    b.usage(input=3400, output=260, cache_read=3000)


@dataclass(frozen=True)
class _Step:
    name: str
    tools: tuple[str, ...]     # the tool calls this step makes
    needs: tuple[str, ...]     # steps that must have gone through for this one to make sense
    play: Callable[[ScriptBuilder, frozenset[str]], None]
    doing: str                 # what the step does, to name it in an acknowledgement


STEPS: tuple[_Step, ...] = (
    _Step("look", ("ls", "find"), (), _look, "looking around the workspace"),
    _Step("write", ("write",), (), _write, f"writing `{DEMO_FILE}`"),
    _Step("read", ("read",), ("write",), _read, f"reading `{DEMO_FILE}` back"),
    _Step("edit", ("edit",), ("write", "read"), _edit, f"the edit to `{DEMO_FILE}`"),
    _Step("run", ("bash",), ("write",), _run, f"running `{RUN_COMMAND}`"),
    _Step("wrap_up", (), (), _wrap_up, "the summary"),
)
_BY_NAME = {step.name: step for step in STEPS}


def demo_script() -> ReplayScript:
    b = ScriptBuilder(delay_ms=CHUNK_DELAY_MS, description="workbench offline demo", ended_text=DEMO_ENDED_TEXT)
    for step in STEPS:
        b.turn()
        step.play(b, frozenset())
    return b.build()


# --- reacting to denials and failures ---------------------------------------------------------

def step_failures(outcomes: list[CallOutcome]) -> dict[str, CallOutcome]:
    """The demo's steps that did not go through, each with the result that says why (the latest
    result of each of its tools counts)."""
    latest = {o.tool: o for o in outcomes}
    failures = {}
    for step in STEPS:
        bad = [latest[t] for t in step.tools if t in latest and not latest[t].ok]
        if bad:
            failures[step.name] = bad[0]
    return failures


def acknowledgement(step: _Step, outcome: CallOutcome) -> str:
    """One sentence on what happened to the step's call; the user's words and error texts are quoted
    as plain text."""
    if outcome.denied:
        said = f", saying: {plain_quote(outcome.feedback)}" if outcome.feedback else ""
        return f"You denied {step.doing}{said}."
    first_line = outcome.text.strip().splitlines()[0] if outcome.text.strip() else ""
    doing = step.doing[0].upper() + step.doing[1:]
    return f"{doing} didn't go through (`{outcome.tool}`): {plain_quote(first_line)}."


_CONSEQUENCE = {  # continuing: what it means for the rest of the demo
    "look": "I'll carry on without it.",
    "edit": f"So `{DEMO_FILE}` keeps its original `greet`: I haven't changed it.",
    "run": "So nothing was run.",
}
_STOPPING = {  # the step that needed the failed one cannot run: why the demo stops there
    "read": f"Reading, editing and running `{DEMO_FILE}` all need that file, so I'll stop here "
            "rather than work around it.",
    "edit": f"I won't edit `{DEMO_FILE}` without seeing what is in it, so I'll stop here.",
    "run": f"Running `{DEMO_FILE}` needs that file, so I'll stop here.",
}

_DONE_LINE = {
    "look": "**ls** and **find** looked around the workspace (read-only tools run without asking)",
    "write": f"**write** created `{DEMO_FILE}` (in `ask` mode it asks for approval first)",
    "read": "**read** showed the file with line numbers",
    "edit": "**edit** replaced one function, showing the diff before it applied",
    "run": "**bash** ran the script",
}
_DENIED_LINE = {
    "look": "**ls** / **find**: you denied looking around the workspace",
    "write": f"**write**: you denied it, so `{DEMO_FILE}` was not created",
    "read": f"**read**: you denied reading `{DEMO_FILE}`",
    "edit": "**edit** showed you the diff; you denied it, so `greet` is unchanged",
    "run": "**bash** showed you the command; you denied it, so nothing ran",
}
_FAILED_LINE = {
    "look": "**ls** / **find** did not get to look around the workspace",
    "write": f"**write** did not create `{DEMO_FILE}`",
    "read": f"**read** could not read `{DEMO_FILE}`",
    "edit": "**edit** did not apply, so `greet` is unchanged",
    "run": "**bash** did not run the script",
}
_SKIPPED_NAME = {"read": "reading it back", "edit": "editing it", "run": "running it"}


def _closing(b: ScriptBuilder, outcomes: list[CallOutcome], failures: dict[str, CallOutcome]) -> None:
    """The summary after something did not go through: only what really happened."""
    reached = {o.tool for o in outcomes}
    lines, skipped = [], []
    for step in STEPS[:-1]:
        if step.name in failures:
            lines.append((_DENIED_LINE if failures[step.name].denied else _FAILED_LINE)[step.name])
        elif reached.issuperset(step.tools):
            lines.append(_DONE_LINE[step.name])
        else:
            skipped.append(_SKIPPED_NAME.get(step.name, step.doing))
    text = "## What happened\n\n" + "".join(f"{i}. {line}\n" for i, line in enumerate(lines, 1)) + "\n"
    if skipped:
        text += f"Skipped, since they depended on what did not happen: {', '.join(skipped)}.\n\n"
    if "edit" in reached and "edit" not in failures:
        text += f"The edited function:\n\n```python\n{_NEW}```\n\n"
    text += THINGS_TO_TRY
    if "write" in reached and "write" not in failures:
        text += f"You can delete `{DEMO_FILE}` when you're done. "
    text += "This was a scripted offline demo, not a model. " + HOW_TO_CONFIGURE
    b.thinking("Wrap up honestly: say what went through and what did not, and how to leave the demo.", split=True)
    b.text(text, split=True)
    b.usage(input=3400, output=260, cache_read=3000)


class DemoProvider(ReplayProvider):
    """The demo script, rewritten from the next turn on whenever a tool result says a call of the
    demo was denied or failed (see the module doc). The happy path plays the script untouched."""

    async def stream(self, request: ProviderRequest) -> AsyncIterator[StreamEvent]:
        if not self.exhausted:
            self._react(call_outcomes(request.messages))
        else:  # after the first run: the playbook tour's prompts (demo_tour.py) get their scripted answers
            turn = tour_turn(_last_user_text(request.messages), request)
            if turn is not None:
                self.script = self.script.model_copy(update={"turns": [*self.script.turns, turn]})
        async for event in super().stream(request):
            yield event

    def _react(self, outcomes: list[CallOutcome]) -> None:
        failures = step_failures(outcomes)
        if not failures:
            return
        step = STEPS[self.position]
        news = [(s, o) for s, o in ((_BY_NAME[n], o) for n, o in failures.items()) if o.latest]
        blocked = [n for n in step.needs if n in failures]
        b = ScriptBuilder()
        b.turn()
        said = " ".join(acknowledgement(s, o) for s, o in news)
        ending = bool(blocked) or step is STEPS[-1]
        if ending:
            why = _STOPPING.get(step.name, "") if blocked else ""
            why = why or " ".join(_CONSEQUENCE.get(s.name, "") for s, _ in news).strip()
            if said or why:
                b.text(" ".join(part for part in (said, why) if part) + "\n\n", split=True)
            _closing(b, outcomes, failures)
            turns = [*self.script.turns[:self.position], b.build().turns[0]]  # nothing scripted after it
        else:
            if said:
                consequence = " ".join(_CONSEQUENCE.get(s.name, "") for s, _ in news).strip()
                b.text(" ".join(part for part in (said, consequence) if part) + "\n\n", split=True)
            step.play(b, frozenset(failures))
            turns = list(self.script.turns)
            turns[self.position] = b.build().turns[0]
        self.script = self.script.model_copy(update={"turns": turns})


def _last_user_text(messages: list[dict]) -> str:
    for msg in reversed(messages):
        if msg.get("role") == "user":
            content = msg.get("content")
            if isinstance(content, str):
                return content.strip()
            return "".join(b.get("text", "") for b in content or [] if isinstance(b, dict)).strip()
    return ""


def demo_fast_from_env() -> bool:
    return os.environ.get("WORKBENCH_DEMO_FAST", "").strip().lower() in ("1", "true", "yes", "on")


def demo_provider(*, fast: bool | None = None) -> DemoProvider:
    fast = demo_fast_from_env() if fast is None else fast
    return DemoProvider(demo_script(), model="replay", delay_scale=0.0 if fast else 1.0, is_demo=True)
