"""The built-in offline demo: what the workbench plays when no model is configured.

It says plainly that it is a scripted demo and how to configure a real model, then shows the
workbench's moving parts on whatever directory it runs in (an empty one too): it lists and searches
the workspace, writes a small `hello.py`, reads it back, edits it (an edit asks for approval and
shows a diff), runs it with `bash`, streams Markdown with a list and a code block, thinks out loud,
and sums up. Tool arguments use pi's names, valid for the built-in tools.
Set WORKBENCH_DEMO_FAST=1 (or pass fast=True) to play it without delays.
"""

from __future__ import annotations

import os

from workbench.providers.replay import ReplayProvider, ReplayScript, ScriptBuilder

CHUNK_DELAY_MS = 30  # per streamed chunk (two words), so it reads like a model typing
DEMO_FILE = "hello.py"

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


def demo_script() -> ReplayScript:
    b = ScriptBuilder(delay_ms=CHUNK_DELAY_MS, description="workbench offline demo", ended_text=DEMO_ENDED_TEXT)

    b.turn()
    b.text("**This is the offline demo.** No model is configured, so a scripted replay is answering "
           "instead of an AI: it will walk through what the workbench does, in this directory.\n\n", split=True)
    b.text(HOW_TO_CONFIGURE + "\n\n", split=True)
    b.thinking("Start by looking around: list the workspace and look for Python files, "
               "so I know what is already here.", split=True)
    b.text("First, a look at the workspace.", split=True)
    b.tool_call("ls", {"path": "."})
    b.tool_call("find", {"pattern": "**/*.py"})
    b.usage(input=1850, output=240)

    b.turn()
    b.thinking("Whatever is here, I will not touch existing files. "
               f"I'll create a new, small `{DEMO_FILE}` to have something to work on.", split=True)
    b.text(f"Now I'll write a small file, `{DEMO_FILE}`. Writing a file is a side effect, "
           "so in `ask` mode the workbench asks you first.", split=True)
    b.tool_call("write", {"path": DEMO_FILE, "content": _HELLO_V1})
    b.usage(input=2300, output=150, cache_read=1800)

    b.turn()
    b.text("Reading it back to check what landed on disk:", split=True)
    b.tool_call("read", {"path": DEMO_FILE})
    b.usage(input=2500, output=60, cache_read=2200)

    b.turn()
    b.thinking("The greeting has no type hints and no docstring. "
               "A targeted edit shows the diff view: replace just the function.", split=True)
    b.text("Let me improve `greet` with type hints, a docstring and an f-string. "
           "An **edit** shows you a diff before anything changes:", split=True)
    b.tool_call("edit", {"path": DEMO_FILE, "oldText": _OLD, "newText": _NEW})
    b.usage(input=2800, output=180, cache_read=2400)

    b.turn()
    b.text("And run it. Commands always show the exact command line before they run:", split=True)
    b.tool_call("bash", {"command": f"python3 {DEMO_FILE}", "timeout": 30})
    b.usage(input=3100, output=70, cache_read=2700)

    b.turn()
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
        "Things to try next:\n\n"
        "- open the session tree to branch from any earlier message\n"
        "- switch the approval mode (`ask`, `edits`, `plan`, `yolo`)\n"
        "- watch the meters: tokens, cost and context against the budget\n\n"
        f"You can delete `{DEMO_FILE}` when you're done. This was a scripted demo; "
        "configure a model (see above) for the real thing.",
        split=True)
    b.usage(input=3400, output=260, cache_read=3000)
    return b.build()


def demo_fast_from_env() -> bool:
    return os.environ.get("WORKBENCH_DEMO_FAST", "").strip().lower() in ("1", "true", "yes", "on")


def demo_provider(*, fast: bool | None = None) -> ReplayProvider:
    fast = demo_fast_from_env() if fast is None else fast
    return ReplayProvider(demo_script(), model="replay", delay_scale=0.0 if fast else 1.0, is_demo=True)
