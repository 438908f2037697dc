"""Pilot tests: the user's flows reach the runtime (a FakeBackend with the runtime's surface)."""

import asyncio


from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.config import LoadedSettings, Settings, load_settings
from workbench.runtime import events as ev
from workbench.tui.screens.dialogs import ConfirmRuleScreen, FeedbackScreen, ProblemsScreen
from workbench.tui.screens.help import HelpScreen
from workbench.tui.widgets.conversation import AnswerBlock, UserBlock

SIZE = (160, 48)


async def wait_for(pilot, cond, timeout=3.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not cond():
        if loop.time() > end:
            raise AssertionError("condition not reached")
        await pilot.pause(0.02)


async def type_text(pilot, text):
    await pilot.press(*["space" if c == " " else c for c in text])


async def test_send_prompt_and_see_streamed_answer():
    release = asyncio.Event()

    async def script(b, prompt):
        await b.publish(ev.TextDelta(delta="First part, "))
        await release.wait()
        await b.publish(ev.TextDelta(delta="then **more**."), ev.TextComplete(content="First part, then **more**."))
        await b.publish(ev.RunCompleted(result="", text="", turns=1, tool_calls=0, usage=ev.Usage(), cost_usd=0.0))

    backend = FakeBackend(script=script)
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "hello there")
        await pilot.press("enter")
        assert backend.calls[0] == ("start", "hello there")
        assert app.prompt.text == ""
        await wait_for(pilot, lambda: app.query(AnswerBlock))
        answer = app.query_one(AnswerBlock)
        await wait_for(pilot, lambda: "First part" in answer.source)
        assert "more" not in answer.source  # streamed: only what arrived so far
        release.set()
        await wait_for(pilot, lambda: answer.source == "First part, then **more**.")
        # the prompt is shown once, even though the runtime also reports it
        users = list(app.query(UserBlock))
        assert len(users) == 1


def eager(app):
    """Approvals take the focus at once and are armed at once (the delays are tested apart)."""
    app.approval_focus_quiet = 0.0
    app.approval_arm_delay = 0.0
    return app


def approval_script(request_ids):
    async def script(b, prompt):
        for n, rid in enumerate(request_ids):
            await b.publish(
                ev.ToolCallRequested(id=f"c{n}", name="edit", args={"path": "app.py"}),
                ev.ToolApprovalRequested(request_id=rid, id=f"c{n}", name="edit", args={"path": "app.py"},
                                         preview={"kind": "diff", "text": "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"},
                                         scope="edit(app.py)"),
            )
            kind, feedback = await b.wait_decision(rid)
            await b.publish(ev.ToolApprovalResolved(request_id=rid, id=f"c{n}", name="edit", decision=kind,
                                                    feedback=feedback))
    return script


async def test_approve_once_session_and_deny_reach_the_runtime():
    backend = FakeBackend(script=approval_script(["r1", "r2", "r3"]))
    app = eager(make_app(backend))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.approvals.queue)
        assert app.focused is app.approvals  # prompt was empty: focus moved to the request
        await pilot.press("y")
        await wait_for(pilot, lambda: "r2" in [r.request_id for r in app.approvals.queue])
        await pilot.press("s")
        await wait_for(pilot, lambda: "r3" in [r.request_id for r in app.approvals.queue])
        await pilot.press("n")
        await wait_for(pilot, lambda: "r3" in backend.decisions)
        assert backend.decisions == {"r1": ("once", None), "r2": ("session", None), "r3": ("deny", None)}
        await wait_for(pilot, lambda: app.conversation.cards["c2"].status == "denied")


async def test_always_shows_the_rule_and_asks_first():
    backend = FakeBackend(script=approval_script(["r1"]))
    app = eager(make_app(backend))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.approvals.queue)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRuleScreen))
        assert app.screen.rule == "edit(app.py)"
        assert backend.decisions == {}  # nothing saved before confirming
        await pilot.press("n")  # cancel: still pending
        await pilot.pause(0.05)
        assert backend.decisions == {} and app.approvals.queue
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmRuleScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "r1" in backend.decisions)
        assert backend.decisions["r1"] == ("always", None)


async def test_deny_with_feedback_sends_the_text():
    backend = FakeBackend(script=approval_script(["r1"]))
    app = eager(make_app(backend))
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.approvals.queue)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedbackScreen))
        await type_text(pilot, "use the makefile")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "r1" in backend.decisions)
        assert backend.decisions["r1"] == ("deny", "use the makefile")


async def test_new_request_never_steals_typed_text():
    backend = FakeBackend(script=approval_script(["r1"]))
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await type_text(pilot, "half typed")
        await wait_for(pilot, lambda: app.approvals.queue)
        await type_text(pilot, " yes")  # 'y' must land in the prompt, not approve
        assert app.prompt.text == "half typed yes"
        assert backend.decisions == {}
        assert app.focused is app.prompt
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.focused is app.approvals)
        await pilot.press("y")
        await wait_for(pilot, lambda: "r1" in backend.decisions)
        assert app.prompt.text == "half typed yes"


async def test_keys_right_after_a_jump_never_answer():
    backend = FakeBackend(script=approval_script(["r1"]))
    app = make_app(backend)
    app.approval_focus_quiet = 0.0
    app.approval_arm_delay = 5.0
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is app.approvals)
        await pilot.press("y")  # a key already on its way: never an answer, and never lost (issue 13)
        await type_text(pilot, "hm")  # other letters go back to the prompt
        await pilot.pause(0.05)
        assert backend.decisions == {}
        assert app.prompt.text == "yhm" and app.focused is app.prompt


async def test_interrupt_mid_stream_keeps_typed_text():
    async def script(b, prompt):
        await b.publish(ev.TextDelta(delta="streaming and streaming"))
        await asyncio.sleep(30)

    backend = FakeBackend(script=script)
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.query(AnswerBlock))
        await type_text(pilot, "next idea")
        await pilot.press("escape")
        await pilot.press("escape")  # a second Escape right after never loses the text
        await wait_for(pilot, lambda: not backend.running)
        assert ("interrupt", None) in backend.calls
        assert app.prompt.text == "next idea"
        await wait_for(pilot, lambda: any(n.kind == "info" for n in app.query(".notice")))


async def test_steer_and_follow_up_are_queued_shown_and_recallable():
    async def script(b, prompt):
        await asyncio.sleep(30)

    backend = FakeBackend(script=script)
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await type_text(pilot, "use tabs")
        await pilot.press("enter")
        await type_text(pilot, "then run tests")
        await pilot.press("ctrl+f")
        assert backend.steering == ["use tabs"]
        assert backend.follow_ups == ["then run tests"]
        await pilot.pause(0.15)
        assert app.pending_bar.display
        shown = str(app.pending_bar.render())
        assert "use tabs" in shown and "then run tests" in shown
        await pilot.press("alt+up")
        assert backend.steering == [] and backend.follow_ups == []
        assert app.prompt.text == "use tabs\nthen run tests"


async def test_interrupt_hands_queued_messages_back_to_the_prompt():
    async def script(b, prompt):
        await asyncio.sleep(30)

    backend = FakeBackend(script=script)
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "go")
        await pilot.press("enter")
        await type_text(pilot, "use tabs")
        await pilot.press("enter")
        await type_text(pilot, "half typed")
        await pilot.press("escape")
        await pilot.pause()
        assert ("interrupt", None) in backend.calls
        assert backend.steering == [] and backend.follow_ups == []
        assert app.prompt.text == "use tabs\nhalf typed"  # nothing queued is lost, nothing typed either


async def test_newline_key_and_history():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "one")
        await pilot.press("ctrl+j")
        await type_text(pilot, "two")
        assert app.prompt.text == "one\ntwo"
        await pilot.press("enter")
        backend.running = False
        await type_text(pilot, "three")
        await pilot.press("enter")
        backend.running = False
        await pilot.press("up")
        assert app.prompt.text == "three"
        await pilot.press("up")
        assert app.prompt.text == "one\ntwo"
        await pilot.press("down")  # cursor is on the last line: next in history
        assert app.prompt.text == "three"
        await pilot.press("down")
        assert app.prompt.text == ""


async def test_slash_completion_and_commands():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "/bu")
        assert app.hints.display
        await pilot.press("tab")
        assert app.prompt.text == "/budget "
        await type_text(pilot, "tokens=100k cost=2")
        await pilot.press("enter")
        assert backend.stats().limits.tokens == 100_000 and backend.stats().limits.cost == 2.0
        await type_text(pilot, "/mode yolo")
        await pilot.press("enter")
        assert ("set_mode", "yolo") in backend.calls
        assert "YOLO" in str(app.status.render())
        await type_text(pilot, "/nope")
        await pilot.press("enter")
        assert app.prompt.text == "/nope"  # an unknown command is handed back, not sent
        assert not any(c[0] == "start" for c in backend.calls)


async def test_switch_theme():
    app = make_app(FakeBackend())
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "workbench-dark"
        await type_text(pilot, "/theme nord")
        await pilot.press("enter")
        assert app.theme == "nord"
        assert app.current_theme.primary == "#88C0D0"


async def test_remap_a_key_through_config(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text('[keys]\n"app.help" = "f9"\n')
    loaded = load_settings(tmp_path)
    app = make_app(FakeBackend(), settings=loaded)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause(0.05)
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        row = next(r for r in app.screen.rows if r.binding_id == "app.help")
        assert row.keys == "f9"  # the help screen shows the keys in force


async def test_broken_config_opens_with_a_clear_message(tmp_path):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text('[ui]\ntheme = "nord"\n\n[budget]\nmax_turns = -3\n')
    loaded = load_settings(tmp_path)
    app = make_app(FakeBackend(), settings=loaded)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        text = "\n".join(app.screen.problems)
        assert "config.toml:5" in text and "budget.max_turns" in text
        await pilot.press("enter")
        assert not isinstance(app.screen, ProblemsScreen)


async def test_unknown_key_id_is_reported():
    loaded = LoadedSettings(Settings(keys={"app.nope": "f9"}))
    app = make_app(FakeBackend(), settings=loaded)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
        assert any("app.nope" in p for p in app.screen.problems)


async def test_theme_file_reload_and_broken_theme_keeps_current(tmp_path):
    themes = tmp_path / "themes"
    themes.mkdir()
    good = themes / "mine.toml"
    good.write_text('name = "mine"\nprimary = "#112233"\n')
    from workbench.tui.themes import BUNDLED_DIR

    app = make_app(FakeBackend(), themes_from=[BUNDLED_DIR, themes])
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "mine"
        good.write_text('name = "mine"\nprimary = "#445566"\n')
        assert app.reload_theme_file(good)
        assert app.current_theme.primary == "#445566"
        good.write_text('name = "mine"\nprimary = "not-a-colour"\n')
        assert not app.reload_theme_file(good)
        assert app.theme == "mine" and app.current_theme.primary == "#445566"
        await pilot.pause(0.05)
        notes = [n.message for n in app._notifications]
        assert any("mine.toml:2" in m for m in notes)


async def test_tool_card_lifecycle_and_untrusted_output():
    backend = FakeBackend()
    app = make_app(backend)
    async with app.run_test(size=SIZE) as pilot:
        await backend.publish(
            ev.ToolCallRequested(id="t1", name="bash", args={"command": "ls"}),
            ev.ToolExecutionStarted(id="t1", name="bash"),
        )
        await wait_for(pilot, lambda: "t1" in app.conversation.cards)
        card = app.conversation.cards["t1"]
        await wait_for(pilot, lambda: card.status == "running")
        app.clock.advance(2.5)
        card.refresh_header()
        assert "running 2.5s" in card.status_text()
        await backend.publish(ev.ToolExecutionCompleted(id="t1", name="bash", result="[bold red]x[/]\x1b[2J",
                                                        is_error=False, duration_ms=1200))
        await wait_for(pilot, lambda: card.status == "done")
        assert card.status_text() == "done in 1.2s"
        shown = str(card.result_body.render())
        assert "[bold red]x[/]" in shown and "\x1b" not in shown
