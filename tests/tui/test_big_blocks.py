"""Issue 13 item 24: huge messages are shown cut (head, tail, a notice), "show all" opens the whole
text in a viewer that draws only the rows on screen, and neither a resumed session holding a
multi-MB message nor a multi-MB answer streamed in one SSE event freezes the TUI."""

import json
import time

from tests.fakes.anthropic_server import FakeHTTPServer, anthropic_stream, text
from workbench.cli import build_parser
from workbench.config import load_settings
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.text_viewer import TextLines, TextViewer
from workbench.tui.startup import build
from workbench.tui.widgets.conversation_cut import (CUT_CHARS, HEAD_LINES, TAIL_LINES, CutSpec, cut, cut_answer,
                                                    cut_specs, is_huge)
from workbench.tui.widgets.conversation_specs import AnswerSpec, CardSpec, ThinkingSpec, UserSpec, history_specs

USAGE = {"input": 1, "output": 1, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 2,
         "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "total": 0}}
META = {"api": "anthropic-messages", "provider": "anthropic", "model": "claude-sonnet-4-5", "usage": USAGE,
        "stopReason": "stop", "timestamp": 1}


def numbered(lines: int, prefix: str = "row") -> str:
    return "".join(f"{prefix}{i:07d} some words of a long message, café ✓\n" for i in range(lines))


def write_session(path, messages: list[dict]) -> None:
    ts = "2026-01-05T09:00:00.000Z"
    out = [{"type": "session", "version": 3, "id": "11111111-2222-4333-8444-555555555555", "timestamp": ts,
            "cwd": str(path.parent)}]
    parent = None
    for i, msg in enumerate(messages):
        out.append({"type": "message", "id": f"e{i:07d}", "parentId": parent, "timestamp": ts, "message": msg})
        parent = f"e{i:07d}"
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out))


def screen_text(app) -> str:
    """What the screen shows (its SVG screenshot, spaces as spaces)."""
    return app.export_screenshot().replace("&#160;", " ")


async def until(pilot, check, limit: float = 20.0):
    start = time.perf_counter()
    while not check():
        if time.perf_counter() - start > limit:
            raise AssertionError(f"not reached within {limit} s")
        await pilot.pause(0.02)


# --- cutting ----------------------------------------------------------------------------------

def test_a_huge_text_keeps_its_first_and_last_lines_and_counts_the_rest():
    body = numbered(50_000)
    assert is_huge(body) and not is_huge(numbered(100)) and not is_huge("x" * CUT_CHARS)
    assert is_huge("\n" * 900)  # many short lines are huge too
    c = cut(body)
    lines = body.split("\n")
    assert c.head.split("\n") == lines[:HEAD_LINES] and c.tail.split("\n")[:-1] == lines[-TAIL_LINES - 1:-1]
    assert c.hidden_lines == 50_000 - HEAD_LINES - TAIL_LINES
    assert len(c.head) + len(c.tail) + c.hidden_chars == len(body)
    one_line = "y" * 5_000_000  # no newline at all: cut by characters
    c = cut(one_line)
    assert c.head and c.tail and len(c.head) + len(c.tail) + c.hidden_chars == len(one_line)


def test_each_kind_of_block_is_cut_and_its_notice_holds_the_same_text_object():
    big = numbered(20_000)
    for spec in (UserSpec(big), ThinkingSpec(big), CardSpec("c1", "read", {"path": "a"}, status="done", result=big)):
        shown, notice = cut_specs(spec)
        assert isinstance(notice, CutSpec) and notice.kind == "cut" and notice.full is big  # no copy
        kept = getattr(shown, "text", None) or shown.result
        assert len(kept) < 20_000 and "row0000000" in kept and "row0019999" in kept and "row0010000" not in kept
        assert "19,840 lines" in kept  # the gap line says what is left out
    assert cut_specs(UserSpec("short")) == [UserSpec("short")]


def test_a_huge_answer_cut_inside_a_fence_closes_it_and_reopens_it_for_the_tail():
    answer = "Intro\n\n```python\n" + "x = 1\n" * 20_000 + "```\n\nThe end.\n"
    shown, notice = cut_answer(answer)
    assert notice.full is answer
    head, _, tail = shown.partition("lines (")
    assert head.count("```") == 2 and tail.count("```") == 2  # closed before the gap, reopened after
    specs = history_specs([{"role": "assistant", "content": [{"type": "text", "text": answer}], **META}])
    assert isinstance(specs[-1], CutSpec) and all(isinstance(s, AnswerSpec) for s in specs[:-1])
    assert sum(len(s.markdown) for s in specs[:-1]) < 20_000


# --- the viewer ------------------------------------------------------------------------------

async def test_the_viewer_draws_any_line_of_a_huge_text_on_demand():
    from textual.app import App

    body = numbered(300_000) + "日本語 wide\tand a tab \x1b[2J escape\n" + "z" * 500
    viewer = TextViewer("user message", body)

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(viewer)

    app = Host()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lines: TextLines = viewer.lines
        assert lines.text is body  # the whole text, not a copy
        assert lines.line_count == 300_002
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "row0000000" in shown and "300,002 lines" in shown
        lines.scroll_to(y=lines.row_of_line(150_000), animate=False, immediate=True)
        await pilot.pause()
        assert "row0150000" in app.export_screenshot().replace("&#160;", " ")
        start = time.perf_counter()
        await pilot.press("G")
        await pilot.pause()
        shown = app.export_screenshot().replace("&#160;", " ")
        assert time.perf_counter() - start < 5
        assert "日本語 wide    and a tab ␛[2J escape" in shown  # controls visible, tabs expanded
        assert "z" * 60 in shown  # the last line, wrapped at the view's width
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, TextViewer)


# --- in the app ------------------------------------------------------------------------------

def resume_parts(tmp_path, session, *argv):
    args = build_parser().parse_args(["-r", str(session), "--cwd", str(tmp_path), *argv])
    return build(args, tmp_path, load_settings(tmp_path))


async def test_resuming_a_session_with_a_5_mb_message_shows_it_cut_at_once(tmp_path):
    big = numbered(100_000, "msg")  # ~5 MB: before the cut this took over a minute to show
    session = tmp_path / "big.jsonl"
    write_session(session, [
        {"role": "user", "content": [{"type": "text", "text": big}], "timestamp": 1},
        {"role": "assistant", "content": [{"type": "text", "text": "THE-LAST-ANSWER"}], **META},
    ])
    start = time.process_time()  # CPU time: a loaded machine stretches wall time, not this
    parts = resume_parts(tmp_path, session)
    parts.pop("initial_prompt", None)
    app = WorkbenchApp(parts.pop("backend"), watch_themes=False, **parts)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: "THE-LAST-ANSWER" in screen_text(app), limit=120)
        assert time.process_time() - start < 20  # drawn whole, 2 MB took ~20 s of CPU
        shown = screen_text(app)
        assert "user message shown cut: 100,001 lines" in shown and "msg0099999" in shown
        assert "msg0050000" not in shown
        # "show all": the whole message in the viewer, any line of it
        app.conversation.focus()
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, TextViewer))
        viewer = app.screen
        held = app.backend.history()[0]["content"][0]["text"]
        assert viewer.lines.text == big and viewer.lines.text is held  # what the session holds, not a copy
        viewer.lines.scroll_to(y=viewer.lines.row_of_line(50_000), animate=False, immediate=True)
        await pilot.pause()
        assert "msg0050000" in screen_text(app)
        await pilot.press("escape")
        await app.action_quit()
    app.backend.agent.manager.close()


async def test_a_huge_answer_from_one_sse_event_is_streamed_cut_and_saved_whole(tmp_path, monkeypatch):
    answer = "Here it comes:\n\n" + numbered(100_000, "ans") + "\nTHE-END-OF-IT"
    with FakeHTTPServer([anthropic_stream([text(answer, pieces=1)])]) as srv:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
        args = build_parser().parse_args(["--provider", "anthropic", "--model", "claude-sonnet-4-5",
                                          "--cwd", str(tmp_path)])
        parts = build(args, tmp_path, load_settings(tmp_path))
        parts.pop("initial_prompt", None)
        app = WorkbenchApp(parts.pop("backend"), watch_themes=False, **parts)
        async with app.run_test(size=(160, 48)) as pilot:
            app.prompt.text = "write a lot"
            app.prompt.focus()
            start = time.process_time()
            await pilot.press("enter")
            await until(pilot, lambda: not app.backend.is_running and "THE-END-OF-IT" in screen_text(app), 120)
            assert time.process_time() - start < 30
            shown = screen_text(app)
            assert "answer shown cut: 100,004 lines" in shown
            notices = [w for w in app.conversation.blocks if getattr(w, "cut", None) is not None]
            assert len(notices) == 1 and notices[0].cut.full == answer
            await pilot.pause()
            await app.action_quit()
        manager = app.backend.agent.manager
        saved = [json.loads(line) for line in manager.path.read_text().splitlines()]
        manager.close()
    texts = [b["text"] for e in saved if e.get("type") == "message" for b in e["message"]["content"]
             if b.get("type") == "text"]
    assert answer in texts  # the session keeps the whole answer
