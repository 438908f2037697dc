"""Snapshot tests of the workbench's screens (fixed sizes; blink off; clocks frozen)."""

import pytest

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.config import ConfigProblem, LoadedSettings, Settings
from workbench.runtime import events as ev
from workbench.tui.backend import Limits, PathEntry, Stats
from workbench.tui.screens.grants import Grant
from workbench.tui.widgets.conversation import AnswerBlock, ThinkingBlock

DIFF = ("--- a/src/app.py\n+++ b/src/app.py\n@@ -1,4 +1,5 @@\n import os\n-def main():\n-    print('hi')\n"
        "+def main() -> None:\n+    \"\"\"Entry point.\"\"\"\n+    print('hello')\n \n")
ENTRIES = [PathEntry("a1", "user", "Refactor the CLI entry point"), PathEntry("a2", "assistant", "Reading src/app.py"),
           PathEntry("a3", "toolResult", "read: 40 lines", "before-edit")]
STATS = Stats(provider="anthropic", model="claude-sonnet-4-5", mode="ask", context_tokens=41_250,
              context_window=200_000, usage=ev.Usage(input_tokens=38_000, output_tokens=3_250,
                                                     cache_read_tokens=12_000, cache_creation_tokens=2_000),
              cost_usd=0.1432, turns=4, tool_calls=6, run_turns=4, run_tool_calls=6, elapsed_s=83.0, session_name="cli refactor",
              session_id="0193a7c2", limits=Limits(turns=100), cost_by_model={"claude-sonnet-4-5": 0.1432})


class FakeGrants:
    def __init__(self):
        self.grants = [Grant("project", "allow", "bash(npm test*)", ".workbench/config.toml"),
                       Grant("project", "allow", "edit(src/**)", ".workbench/config.toml"),
                       Grant("user", "deny", "read(**/.env)", "~/.config/workbench/config.toml")]

    def list(self):
        return list(self.grants)

    def remove(self, grant):
        self.grants.remove(grant)

    def where(self):
        return ".workbench/config.toml"


def build(stats=STATS, **kw):
    backend = FakeBackend(stats=stats, entries=ENTRIES)
    app = make_app(backend, grants=FakeGrants(), **kw)
    app.prompt.cursor_blink = False
    return app


async def feed(app, pilot, *events):
    for e in events:
        await app.on_runtime_event(e)
    await app.conversation.end_answer()
    app.refresh_now()
    await pilot.pause()


def approval(rid, name, args, preview=None, agent=None, call=None):
    return ev.ToolApprovalRequested(request_id=rid, id=call or rid, name=name, args=args, preview=preview,
                                    agent=agent, scope=f"{name}(*)")


def run(snap_compare, app, before=None, size=(160, 48)):
    async def run_before(pilot):
        app.refresh_now()
        if before is not None:
            await before(pilot)
        await pilot.pause()
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_empty_workbench(snap_compare):
    app = build(stats=Stats(provider="replay", model="replay", context_window=200_000, demo=True,
                            limits=Limits(turns=100), session_id="0193a7c2"))
    app.backend.entries = []
    run(snap_compare, app)


def test_mid_stream_answer_with_code_block(snap_compare):
    app = build()

    async def before(pilot):
        await app.on_runtime_event(ev.UserMessage(text="Show me a hello world in Python"))
        await app.on_runtime_event(ev.TextDelta(
            delta="Here is the smallest program:\n\n```python\ndef main():\n    print('hello')\n```\n\nAnd a [bold red]list[/]:\n\n- one\n- tw"))
        answer = app.query_one(AnswerBlock)
        while "- tw" not in answer.source:
            await pilot.pause(0.02)
        app.refresh_now()
    run(snap_compare, app, before)


def test_thinking_collapsed_and_expanded(snap_compare):
    app = build()

    async def before(pilot):
        await feed(app, pilot, ev.UserMessage(text="Why is the test flaky?"),
                   ev.ThinkingDelta(delta="The test sleeps 0.1 s and races the worker; "),
                   ev.ThinkingDelta(delta="a fixed clock would remove the race."),
                   ev.TextDelta(delta="The test races a worker."))
        await feed(app, pilot, ev.ThinkingDelta(delta="Second thought: check the fixture scope too."),
                   ev.TextDelta(delta="Also the fixture is module-scoped."))
        app.query(ThinkingBlock).last().collapsed = False
        await pilot.pause()
    run(snap_compare, app, before, size=(120, 30))


def test_tool_cards_in_every_status(snap_compare):
    app = build()

    async def before(pilot):
        evs = [ev.UserMessage(text="Run everything")]
        for i, name, args in [(1, "read", {"path": "src/app.py", "offset": 1, "limit": 40}),
                              (2, "edit", {"path": "src/app.py"}), (3, "bash", {"command": "pytest -q"}),
                              (4, "bash", {"command": "make lint"}), (5, "bash", {"command": "false"}),
                              (6, "bash", {"command": "rm -rf build"}), (7, "bash", {"command": "sleep 999"})]:
            evs.append(ev.ToolCallRequested(id=f"c{i}", name=name, args=args))
        evs += [
            ev.ToolExecutionStarted(id="c1", name="read"),
            ev.ToolExecutionCompleted(id="c1", name="read", result="import os\n\ndef main():\n    print('hi')\n",
                                      is_error=False, duration_ms=12),
            approval("r2", "edit", {"path": "src/app.py"}, {"kind": "diff", "text": DIFF}, call="c2"),
            ev.ToolExecutionStarted(id="c3", name="bash"),
            ev.ToolExecutionStarted(id="c5", name="bash"),
            ev.ToolExecutionCompleted(id="c5", name="bash", result="exit code 1", is_error=True, duration_ms=40),
            ev.ToolApprovalResolved(request_id="r6", id="c6", name="bash", decision="deny"),
            ev.ToolExecutionStarted(id="c7", name="bash"),
            ev.ToolExecutionTimedOut(id="c7", name="bash", timeout_ms=120_000),
        ]
        await feed(app, pilot, *evs)
        app.clock.advance(3.2)  # c3 has been running 3.2 s (the clock only moves when told)
        app.conversation.cards["c3"].refresh_header()
        app.conversation.cards["c1"].result_box.collapsed = False
        await pilot.pause()
    run(snap_compare, app, before)


def test_edit_approval_with_diff(snap_compare):
    app = build()

    async def before(pilot):
        await feed(app, pilot, ev.ToolCallRequested(id="c1", name="edit", args={"path": "src/app.py"}),
                   approval("r1", "edit", {"path": "src/app.py", "oldText": "x", "newText": "y"},
                            {"kind": "diff", "text": DIFF, "path": "src/app.py"}, call="c1"))
    run(snap_compare, app, before)


def test_bash_approval(snap_compare):
    app = build()

    async def before(pilot):
        await feed(app, pilot, ev.ToolCallRequested(id="c1", name="bash", args={"command": "npm test -- --watch=false"}),
                   approval("r1", "bash", {"command": "npm test -- --watch=false"},
                            {"kind": "command", "text": "npm test -- --watch=false", "cwd": "/home/dev/shop"}, call="c1"))
    run(snap_compare, app, before)


def test_queue_with_two_agents(snap_compare):
    app = build()

    async def before(pilot):
        await feed(app, pilot,
                   approval("r1", "bash", {"command": "cargo build"}, {"kind": "command", "text": "cargo build",
                                                                       "cwd": "/w/api"}, agent="backend-worker"),
                   approval("r2", "write", {"path": "web/index.html"}, {"kind": "diff", "text": DIFF},
                            agent="frontend-worker"),
                   approval("r3", "bash", {"command": "git push"}, {"kind": "command", "text": "git push",
                                                                    "cwd": "/w/api"}, agent="backend-worker"))
    run(snap_compare, app, before)


def test_budget_at_85_percent(snap_compare):
    stats = Stats(provider="anthropic", model="claude-sonnet-4-5", context_tokens=150_000, context_window=200_000,
                  usage=ev.Usage(input_tokens=160_000, output_tokens=10_000), cost_usd=0.85, turns=17, tool_calls=12, run_turns=17, run_tool_calls=12,
                  elapsed_s=300, limits=Limits(tokens=200_000, cost=1.0, turns=20, duration=600),
                  cost_by_model={"claude-sonnet-4-5": 0.80, "claude-haiku-4-5": 0.05})
    app = build(stats=stats)

    async def before(pilot):
        await feed(app, pilot, ev.BudgetWarning(budget_type="cost", used=0.85, limit=1.0, percent=85.0))
    run(snap_compare, app, before)


def test_budget_exhausted(snap_compare):
    stats = Stats(provider="anthropic", model="claude-sonnet-4-5", context_tokens=20_000, context_window=200_000,
                  usage=ev.Usage(input_tokens=95_000, output_tokens=5_000), cost_usd=0.31, turns=20, tool_calls=30, run_turns=20, run_tool_calls=30,
                  elapsed_s=120, limits=Limits(turns=20))
    app = build(stats=stats)

    async def before(pilot):
        await feed(app, pilot, ev.BudgetExhausted(budget_type="turns", used=20, limit=20, orderly=True))
    run(snap_compare, app, before)


def test_provider_retry_notice(snap_compare):
    app = build()

    async def before(pilot):
        await feed(app, pilot, ev.UserMessage(text="Continue"),
                   ev.Retrying(attempt=2, max_attempts=4, error="529 overloaded_error", delay_ms=2500, kind="overloaded"))
    run(snap_compare, app, before, size=(100, 30))


def test_help_screen(snap_compare):
    run(snap_compare, build(), lambda pilot: pilot.press("f1"), size=(140, 48))


def test_grants_screen(snap_compare):
    run(snap_compare, build(), lambda pilot: pilot.press("f7"), size=(120, 30))


def test_command_palette(snap_compare):
    app = build()

    async def before(pilot):
        from textual.command import CommandPalette

        await pilot.press("ctrl+p")
        await pilot.press(*"bud")
        # the palette gathers matches in a worker: wait for it to finish, not for a guessed delay
        gather = CommandPalette._GATHER_COMMANDS_GROUP
        for _ in range(300):
            await pilot.pause(0.02)
            if not any(w.group == gather and w.is_running for w in pilot.app.workers):
                break
        await pilot.pause()
    run(snap_compare, app, before, size=(120, 30))


@pytest.mark.parametrize("theme", ["workbench-dark", "workbench-light", "high-contrast", "nord", "gruvbox",
                                   "catppuccin-mocha"])
def test_bundled_theme(snap_compare, theme):
    app = build(settings=LoadedSettings(Settings.model_validate({"ui": {"theme": theme}})))

    async def before(pilot):
        await feed(app, pilot, ev.UserMessage(text="Fix the failing test"),
                   ev.TextDelta(delta="The assertion compares **seconds** with `ms`:"),
                   ev.ToolCallRequested(id="c1", name="bash", args={"command": "pytest -q"}),
                   approval("r1", "bash", {"command": "pytest -q"}, {"kind": "command", "text": "pytest -q", "cwd": "."},
                            call="c1"),
                   ev.BudgetWarning(budget_type="tokens", used=75, limit=100, percent=75))
    run(snap_compare, app, before, size=(160, 40))


def test_layout_100x30(snap_compare):
    app = build()

    async def before(pilot):
        await feed(app, pilot, ev.UserMessage(text="hi"), ev.TextDelta(delta="Hello! Side panes fold away here: F2, F3."))
    run(snap_compare, app, before, size=(100, 30))


def test_layout_80x24(snap_compare):
    app = build()

    async def before(pilot):
        await feed(app, pilot, ev.UserMessage(text="hi"), ev.TextDelta(delta="Everything still works at 80×24."))
    run(snap_compare, app, before, size=(80, 24))


def test_broken_config_message(snap_compare):
    from pathlib import Path

    problems = [ConfigProblem(Path("/home/dev/.config/workbench/config.toml"), 7, "budget.max_turns",
                              "Input should be greater than 0")]
    app = build(settings=LoadedSettings(Settings(), problems))
    run(snap_compare, app, size=(100, 30))


HISTORY = [
    {"role": "user", "content": [{"type": "text", "text": "Why does the [bold]cache[/bold] miss?"}]},
    {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "The key ignores the session id; check the handler."},
        {"type": "toolCall", "id": "h1", "name": "read", "arguments": {"path": "src/cache.py"}}]},
    {"role": "toolResult", "toolCallId": "h1", "toolName": "read", "isError": False,
     "content": [{"type": "text", "text": "def key(request):\n    return request.path\n"}]},
    {"role": "assistant", "content": [
        {"type": "toolCall", "id": "h2", "name": "bash", "arguments": {"command": "pytest -q tests/test_cache.py"}}]},
    {"role": "toolResult", "toolCallId": "h2", "toolName": "bash", "isError": True,
     "content": [{"type": "text", "text": "FAILED tests/test_cache.py::test_key - AssertionError\n1 failed"}]},
    {"role": "assistant", "content": [{"type": "text", "text": (
        "## The cause\n\nThe key is `request.path` only, so two sessions share an entry:\n\n"
        "- the **first** session fills it\n- the second reads it\n\n"
        "| key | session |\n|-----|---------|\n| /a | s1 |\n| /a | s2 |\n\n"
        "```python\ndef key(request):\n    return (request.path, request.session_id)\n```\n\n"
        "> Keys must name everything the answer depends on.\n")}]},
    {"role": "bashExecution", "command": "git diff --stat", "output": " src/cache.py | 2 +-\n"},
    {"role": "compactionSummary", "summary": "Earlier: the user asked about the cache."},
    {"role": "assistant", "content": [], "stopReason": "error", "errorMessage": "overloaded_error: try again"},
    {"role": "user", "content": [{"type": "text", "text": "Fix it and run the tests."}]},
    {"role": "assistant", "content": [{"type": "text", "text": "Done: the key now includes the session id."}]},
]


def test_resumed_session_history(snap_compare):
    """Finished history (answers, thinking, cards done and failed, notices, a shell command) as opened
    with -r: drawn from specs, the same as the blocks of a live run."""
    app = build()
    app.backend._history = HISTORY

    async def before(pilot):
        while not app.conversation.total_blocks:
            await pilot.pause(0.01)
        await pilot.pause()
    run(snap_compare, app, before, size=(120, 48))


def test_resumed_session_history_expanded(snap_compare):
    """The same history with every tool result and thinking shown (r and t in the pane)."""
    app = build()
    app.backend._history = HISTORY

    async def before(pilot):
        while not app.conversation.total_blocks:
            await pilot.pause(0.01)
        app.conversation.focus()
        await pilot.press("r", "t", "home")
        await pilot.pause()
    run(snap_compare, app, before, size=(120, 48))


def test_bash_approval_with_control_characters(snap_compare):
    """Issue 12: the hidden `touch /tmp/pwn` is shown, the escapes highlighted, with a warning line."""
    app = build()
    command = "echo build ok \u001b]0;x; touch /tmp/pwn; \u0007"

    async def before(pilot):
        await feed(app, pilot, ev.ToolCallRequested(id="c1", name="bash", args={"command": command}),
                   approval("r1", "bash", {"command": command},
                            {"kind": "command", "text": command, "cwd": "/home/dev/shop"}, call="c1"))
    run(snap_compare, app, before)


def test_protected_path_approval_says_why(snap_compare):
    """Issue 12: a write to a protected path asks in edits mode, and the approval says why."""
    app = build()
    reason = ("protected path: .workbench/config.toml (the workbench's project settings: approval mode and rules, "
              "hooks). Protected paths always ask, whatever the rules say (except in yolo mode).")
    diff = "--- a/.workbench/config.toml\n+++ b/.workbench/config.toml\n@@ -0,0 +1,2 @@\n+[approvals]\n+mode = \"yolo\"\n"

    async def before(pilot):
        await feed(app, pilot, ev.ToolCallRequested(id="c1", name="write", args={"path": ".workbench/config.toml"}),
                   ev.ToolApprovalRequested(request_id="r1", id="c1", name="write",
                                            args={"path": ".workbench/config.toml", "content": "[approvals]\nmode = \"yolo\"\n"},
                                            preview={"kind": "diff", "text": diff}, scope="edit(.workbench/config.toml)",
                                            reason=reason))
    run(snap_compare, app, before)
