"""`workbench mcp-server` driven by the official `mcp` SDK's client over stdio."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from workbench.providers.replay import ScriptBuilder

ROOT = Path(__file__).resolve().parents[2]


def params(tmp_path: Path, ws: Path, builder: ScriptBuilder, *extra: str) -> StdioServerParameters:
    script = tmp_path / "script.json"
    script.write_text(builder.build().to_json())
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "workbench.cli", "mcp-server", "--provider", "replay", "--replay-script", str(script), *extra],
        env={"WORKBENCH_HOME": os.environ["WORKBENCH_HOME"], "PYTHONPATH": str(ROOT)}, cwd=str(ws))


def payload(result) -> dict | list:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        data = result.structured_content
        return data.get("result", data) if isinstance(data, dict) and set(data) == {"result"} else data
    return json.loads(result.content[0].text)


async def test_run_sessions_and_read_through_the_mcp_client(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "hello.txt").write_text("hello from the file\n")
    b = ScriptBuilder().turn().tool_call("read", {"path": "hello.txt"}).turn().text("It says hello <b>.") \
        .turn().tool_call("write", {"path": "out.txt", "content": "x"}).turn().text("could not write")
    async with stdio_client(params(tmp_path, ws, b)) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            tools = {t.name: t for t in (await client.list_tools()).tools}
            assert set(tools) == {"workbench_run", "workbench_sessions", "workbench_session_read"}
            assert "prompt" in tools["workbench_run"].input_schema["properties"]

            run = payload(await client.call_tool("workbench_run", {"prompt": "what does hello.txt say?"}))
            assert run["text"] == "It says hello <b>." and run["tool_calls"] == 1 and "denied" not in run
            sid = run["session_id"]

            # a write needs approval: nobody can give it over MCP, and the result says how to allow it
            denied = payload(await client.call_tool("workbench_run", {"prompt": "write out.txt", "session_id": sid}))
            assert denied["session_id"] == sid and denied["denied"] == [{"id": denied["denied"][0]["id"], "name": "write"}]
            assert 'approval_mode="edits"' in denied["note"] and "--approve" in denied["note"]
            assert not (ws / "out.txt").exists()

            listed = payload(await client.call_tool("workbench_sessions", {}))
            assert [s["session_id"] for s in listed] == [sid]
            read_back = payload(await client.call_tool("workbench_session_read", {"session_id": sid[:8]}))
            assert read_back["session_id"] == sid and "It says hello <b>." in read_back["transcript"]
            assert "Denied: write needs approval" in read_back["transcript"]

            missing = await client.call_tool("workbench_session_read", {"session_id": "0000dead"})
            assert missing.is_error and "SESSION_NOT_FOUND" in missing.content[0].text
            empty = await client.call_tool("workbench_run", {"prompt": "  "})
            assert empty.is_error and "INVALID_PARAMS" in empty.content[0].text


async def test_approval_mode_allows_the_edit(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    b = ScriptBuilder().turn().tool_call("write", {"path": "out.txt", "content": "allowed\n"}).turn().text("done")
    async with stdio_client(params(tmp_path, ws, b)) as (read, write):
        async with ClientSession(read, write) as client:
            await client.initialize()
            run = payload(await client.call_tool("workbench_run", {"prompt": "write", "approval_mode": "edits"}))
            assert run["text"] == "done" and "denied" not in run
            assert (ws / "out.txt").read_text() == "allowed\n"
