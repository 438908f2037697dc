"""The TUI's side: hook verdicts on the tool card (as text), "sandboxed" on the card and in the
approval pane, the sandbox on the status line, and the /hooks view."""

from __future__ import annotations

from pathlib import Path

from workbench.hooks.config import HookRunOverrides, LoadedHooks
from workbench.hooks.engine import HookEngine
from workbench.hooks.sandbox import Sandbox, SandboxPolicy
from workbench.hooks.setup import SessionHooks
from workbench.runtime import events as ev
from workbench.tui.widgets.meters import status_content
from workbench.tui.backend import Stats
from tests.hooks.conftest import hook
from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from tests.tui.test_flows import wait_for

SIZE = (160, 48)
MARKUP = "[bold red]rm[/] is \x1b[31mforbidden\x1b]0;pwned\x07 [link=http://x]here[/link]"



async def test_a_denial_shows_on_the_tool_card_as_plain_text():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await backend.publish(
            ev.ToolCallRequested(id="t1", name="bash", args={"command": "rm -rf build"}),
            ev.HookStarted(hook_id="no-rm", point="pre_tool_execution", call_id="t1"),
            ev.HookDenied(hook_id="no-rm", point="pre_tool_execution", reason_code="exit_code_2", message=MARKUP,
                          call_id="t1"),
            ev.ToolResultReceived(id="t1", name="bash", is_error=True, status="denied"),
        )
        await wait_for(pilot, lambda: "t1" in app.conversation.cards)
        card = app.conversation.cards["t1"]
        await wait_for(pilot, lambda: card.status == "denied" and card.notes)
        shown = card.header.render()
        plain = shown.plain
        assert "✗ denied by hook no-rm: [bold red]rm[/] is" in plain  # the markup is shown, not applied
        assert "[link=http://x]here[/link]" in plain
        assert "\x1b" not in plain and "\x07" not in plain  # escapes neutralised
        assert not any("link" in str(s.style) for s in shown.spans)


async def test_a_failed_run_hook_is_a_notice_and_sandboxed_is_on_the_card():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await backend.publish(
            ev.HookFailed(hook_id="notify", point="run_started", error="exited with code 3: [b]boom[/b]"),
            ev.ToolCallRequested(id="t2", name="bash", args={"command": "ls"}),
            ev.ToolExecutionStarted(id="t2", name="bash", sandbox="sandboxed"),
        )
        await wait_for(pilot, lambda: "t2" in app.conversation.cards and app.conversation.cards["t2"].notes)
        assert app.conversation.cards["t2"].notes == ("sandboxed",)
        assert "sandboxed" in app.conversation.cards["t2"].header.render().plain
        from workbench.tui.widgets.conversation import Notice

        texts = [b.text for b in app.conversation.blocks if isinstance(b, Notice)]
        assert any("! hook notify failed: exited with code 3: [b]boom[/b] (at run_started)" in t for t in texts)


async def test_the_approval_pane_says_sandboxed():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await backend.publish(ev.ToolApprovalRequested(
            request_id="r1", id="t3", name="bash", args={"command": "make"},
            preview={"kind": "command", "text": "make", "cwd": "/w", "sandbox": "sandboxed"}))
        await wait_for(pilot, lambda: len(app.approvals.queue) == 1)
        from rich.console import Console

        from workbench.tui.widgets.approvals import describe

        console = Console(width=150, record=True)
        console.print(describe(app.approvals.queue[0]))
        assert "⛨ sandboxed" in console.export_text()


def test_status_line_names_the_sandbox_and_a_fallback_in_red():
    on = status_content(Stats(model="m", sandbox="sandbox: workspace, no network"))
    assert "⛨ sandbox" in on.plain and "UNSANDBOXED" not in on.plain
    off = status_content(Stats(model="m", sandbox="x", sandbox_problem="bwrap (bubblewrap) is not installed",
                               sandbox_fallback=True))
    assert off.plain.startswith(" BASH UNSANDBOXED  sandbox unavailable: bwrap (bubblewrap) is not installed ")
    assert all("error" in str(s.style) for s in off.spans[:2]) and "⛨" not in off.plain
    refused = status_content(Stats(model="m", sandbox="x", sandbox_problem="bwrap cannot create its namespaces"))
    assert refused.plain.startswith(" BASH REFUSED  sandbox unavailable: bwrap cannot")
    assert "sandbox" not in status_content(Stats(model="m")).plain


async def test_the_hooks_view_lists_hooks_sources_and_last_runs(tmp_path: Path):
    entries = [hook("fmt", "post_tool_execution", "ruff format .", match="edit"),
               hook("no-rm", "pre_tool_execution", "echo '[red]x[/]'; exit 0", capability="guardrail")]
    engine = HookEngine(entries, tmp_path, overrides=HookRunOverrides(disable_ids=frozenset({"fmt"})))
    await engine.fire("pre_tool_execution", {}, session_id="s", notify=lambda n: None, tool_name="bash")
    untrusted = hook("proj", "run_started", "curl evil", )
    hooks = SessionHooks(engine, Sandbox(SandboxPolicy(), tmp_path), LoadedHooks(entries, [], [untrusted]))

    class Sessions:
        pass

    sessions = Sessions()
    sessions.hooks = hooks
    app = make_app(FakeBackend())
    async with app.run_test(size=SIZE) as pilot:
        app.sessions = sessions
        app.run_slash("hooks", "")
        from workbench.tui.screens.hooks import HooksScreen

        await wait_for(pilot, lambda: isinstance(app.screen, HooksScreen) and app.screen.rows)
        screen = app.screen
        assert [(r.id, r.state) for r in screen.rows] == [
            ("fmt", "disabled (--disable-hook)"), ("no-rm", "on"), ("proj", "waiting for trust")]
        await pilot.press("down")
        await pilot.pause()
        detail = screen.query_one("#hooks-detail-text").render().plain
        assert "echo '[red]x[/]'; exit 0" in detail and "/test/config.toml" in detail
        assert "pre_tool_execution · allow in" in detail
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HooksScreen))
