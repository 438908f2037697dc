"""`!command` / `!!command`: pi's bashExecution message, the context pi builds from it, Esc
killing the whole process group, provider keys kept out of the command's environment."""

from __future__ import annotations

import asyncio
import json

from workbench.context.shell import parse_shell_escape, run_shell_escape
from workbench.providers.context import to_llm_messages
from workbench.runtime.agent import AgentSession
from workbench.sessions.manager import SessionManager
from tests.runtime.scripted import ScriptedProvider


def test_parse():
    assert parse_shell_escape("!ls -la").command == "ls -la"
    e = parse_shell_escape("  !! git status ")
    assert e.command == "git status" and e.exclude_from_context
    assert parse_shell_escape("!") is None and parse_shell_escape("hello !x") is None


async def test_message_has_pis_shape_and_key_order(tmp_path):
    msg = await run_shell_escape(parse_shell_escape("!echo hi; echo err >&2; exit 3"), tmp_path)
    assert list(msg) == ["role", "command", "output", "exitCode", "cancelled", "truncated", "timestamp"]
    assert msg["role"] == "bashExecution" and msg["output"] == "hi\nerr\n" and msg["exitCode"] == 3
    assert msg["cancelled"] is False and msg["truncated"] is False
    excluded = await run_shell_escape(parse_shell_escape("!!true"), tmp_path)
    assert list(excluded)[-1] == "excludeFromContext" and excluded["excludeFromContext"] is True


async def test_long_output_keeps_the_tail_and_the_full_output_in_a_file(tmp_path):
    msg = await run_shell_escape(parse_shell_escape("!seq 1 5000"), tmp_path)
    assert msg["truncated"] is True and msg["output"].endswith("5000\n")
    full = msg["fullOutputPath"]
    assert open(full).read().splitlines()[0] == "1"
    assert list(msg).index("fullOutputPath") == list(msg).index("truncated") + 1


async def test_provider_keys_are_not_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("HARMLESS_SETTING", "kept")
    msg = await run_shell_escape(parse_shell_escape("!env"), tmp_path)
    assert "sk-ant-secret" not in msg["output"] and "sk-secret" not in msg["output"]
    assert "HARMLESS_SETTING=kept" in msg["output"]


async def test_cancel_kills_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "child.pid"
    seen: list[str] = []
    task = asyncio.ensure_future(run_shell_escape(
        parse_shell_escape(f"!sleep 30 & echo $! > {pidfile}; echo started; wait"), tmp_path, on_output=seen.append))
    for _ in range(200):
        if seen and pidfile.exists() and pidfile.read_text().strip():
            break
        await asyncio.sleep(0.02)
    child = int(pidfile.read_text())
    task.cancel()
    msg = await task
    assert msg["cancelled"] is True and "exitCode" not in msg and msg["output"] == "started\n"
    import os

    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the background child survived the cancel")


async def test_a_session_holding_one_loads_and_gives_pis_context(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    agent = AgentSession(SessionManager.create(ws, sessions_dir=tmp_path / "s"), ScriptedProvider([]),
                         model="scripted-model", mode="yolo")
    shown = await run_shell_escape(parse_shell_escape("!echo visible"), ws)
    hidden = await run_shell_escape(parse_shell_escape("!!echo hidden"), ws)
    await agent.record_bash_execution(shown)
    await agent.record_bash_execution(hidden)
    path = agent.manager.path
    agent.manager.close()
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["message"] for x in lines if x["type"] == "message"] == [shown, hidden]
    reopened = SessionManager.open(path, readonly=True)
    context = reopened.build_context().messages
    assert [m["role"] for m in context] == ["bashExecution", "bashExecution"]
    llm = to_llm_messages(context)  # what pi's convertToLlm gives: the excluded one is gone
    # the output goes inside the fence as is, its trailing newline included (issue 13 item 17)
    assert llm == [{"role": "user", "content": [{"type": "text", "text": "Ran `echo visible`\n```\nvisible\n\n```"}],
                    "timestamp": shown["timestamp"]}]
    reopened.close()


def test_our_keys_are_the_keys_pi_wrote_in_the_shared_fixture():
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "sessions" / "fixtures" / "pi-sessions" / "v3-branched-session.jsonl"
    pi = [json.loads(x)["message"] for x in source.read_text().splitlines() if '"bashExecution"' in x]
    from workbench.context.shell import bash_execution_message

    ours = bash_execution_message("npm test", "3 passing\n", 0, cancelled=False, truncated=False,
                                  timestamp=pi[0]["timestamp"])
    assert ours == pi[0]
    excluded = bash_execution_message("git status --short", " M src/cli.ts\n", 0, cancelled=False, truncated=False,
                                      exclude_from_context=True, timestamp=pi[1]["timestamp"])
    assert json.dumps(excluded) == json.dumps(pi[1])  # same keys in the same order
