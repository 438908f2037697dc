"""A resumed session's spend (every assistant message, all branches) is counted after the
conversation is painted, not before it (issue 20 goal 3: ~0.4 s of a 100 MB resume); once
counted, the status line and the Budget pane show the same totals as before the change."""

from __future__ import annotations

from tests.tui.test_big_blocks import resume_parts, screen_text, until, write_session
from workbench.providers import catalog
from workbench.tui import format as fmt
from workbench.tui.app import WorkbenchApp


def usage(inp: int, out: int) -> dict:
    return {"input": inp, "output": out, "cacheRead": 0, "cacheWrite": 0, "totalTokens": inp + out}


def answer(text: str, inp: int, out: int) -> dict:
    return {"role": "assistant", "content": [{"type": "text", "text": text}], "api": "anthropic-messages",
            "provider": "anthropic", "model": "claude-sonnet-4-5", "usage": usage(inp, out),
            "stopReason": "stop", "timestamp": 1}


async def test_the_resumed_sessions_spend_is_counted_after_the_first_paint_and_shown(tmp_path):
    session = tmp_path / "spent.jsonl"
    messages = []
    for i in range(3):
        messages += [{"role": "user", "content": [{"type": "text", "text": f"question {i}"}], "timestamp": 1},
                     answer(f"answer {i}", 120_000, 4_000)]
    write_session(session, messages)
    cost = 0.0
    for m in messages[1::2]:
        cost += catalog.cost_usd(catalog.get_model("claude-sonnet-4-5"), m["usage"])
    parts = resume_parts(tmp_path, session)
    parts.pop("initial_prompt", None)
    backend = parts.pop("backend")
    agent = backend.agent
    assert agent.usage.total_tokens == 0 and agent.session_turns == 0  # not read before the app runs
    app = WorkbenchApp(backend, watch_themes=False, **parts)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: "answer 2" in screen_text(app))
        await until(pilot, lambda: agent.session_turns == 3)
        stats = app.backend.stats()
        assert (stats.usage.total_tokens, stats.turns) == (372_000, 3)
        assert stats.cost_usd == cost
        # the status line redrawn with them
        await until(pilot, lambda: fmt.money(cost) in screen_text(app) and fmt.tokens(372_000) in screen_text(app))
        await app.action_quit()
    agent.manager.close()
