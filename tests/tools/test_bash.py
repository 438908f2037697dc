import asyncio
import os
import time
from pathlib import Path

import pytest

from workbench.tools.builtin.bash import BashTool


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (an orphan may wait to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


async def wait_for_pids(path: Path, n: int) -> list[int]:
    for _ in range(200):
        if path.exists():
            pids = [int(x) for x in path.read_text().split()]
            if len(pids) >= n:
                return pids
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path} never listed {n} pids")


async def test_output_exit_code_and_cwd(ws, run):
    r = await run("bash", command="echo out; echo err >&2; pwd")
    assert not r.is_error
    assert r.content == f"out\nerr\n{ws.resolve()}"
    assert r.details == {"exitCode": 0, "truncated": False, "timedOut": False}


async def test_nonzero_exit_is_error_with_output(run):
    r = await run("bash", command="echo failing; exit 3")
    assert r.is_error
    assert r.content == "failing\n\nCommand exited with code 3"
    assert r.details["exitCode"] == 3


async def test_no_output(run):
    r = await run("bash", command="true")
    assert r.content == "(no output)" and not r.is_error


async def test_strips_colour_codes_but_keeps_escape_payloads(run):
    # issue 12: a title sequence's payload is text the command printed; displays neutralise it visibly
    r = await run("bash", command=r"printf '\033[31mred\033[0m \033]0;title\007done\n'")
    assert r.content == "red \x1b]0;title\x07done"


async def test_stdin_is_closed(run):
    r = await run("bash", command="cat; echo after", timeout=5)
    assert r.content == "after"


async def test_timeout_kills_whole_group(ws, run):
    start = time.monotonic()
    r = await run("bash", command="sleep 100 & echo $! > pids; sleep 100 & echo $! >> pids; wait", timeout=0.5)
    assert time.monotonic() - start < 5
    assert r.is_error and r.details["timedOut"] and r.details["exitCode"] is None
    assert "timed out after 0.5 seconds" in r.content
    pids = [int(x) for x in (ws / "pids").read_text().split()]
    assert len(pids) == 2
    await asyncio.sleep(0.1)
    assert not any(alive(p) for p in pids)


async def test_timeout_escalates_to_sigkill(ws, run):
    r = await run("bash", command="(trap '' TERM; sleep 100) & echo $! > pids; wait", timeout=0.3)
    assert r.details["timedOut"]
    pid = int((ws / "pids").read_text())
    await asyncio.sleep(0.1)
    assert not alive(pid)


async def test_cancel_kills_whole_group(ws, registry, ctx):
    task = asyncio.create_task(registry.execute(
        "bash", {"command": "sleep 100 & echo $! > pids; sleep 100 & echo $! >> pids; wait"}, ctx))
    pids = await wait_for_pids(ws / "pids", 2)
    assert all(alive(p) for p in pids)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.1)
    assert not any(alive(p) for p in pids)


async def test_background_process_holding_output_is_ended(ws, run):
    start = time.monotonic()
    r = await run("bash", command="sleep 100 & echo $! > pid; echo started")
    assert time.monotonic() - start < 4
    assert r.content == "started" and not r.is_error
    await asyncio.sleep(0.1)
    assert not alive(int((ws / "pid").read_text()))


async def test_output_is_capped_keeping_the_end(run):
    r = await run("bash", command="seq 1 100000")
    lines = r.content.split("\n\n")[0].split("\n")
    assert len(lines) == 2000
    assert lines[-1] == "100000" and lines[0] == "98001"
    assert r.details["truncated"]
    assert "[Output truncated: showing the last 2000 lines of 100000" in r.content


async def test_output_byte_cap_with_long_lines(run):
    r = await run("bash", command="for i in $(seq 1 300); do printf 'L%03d%0500d\\n' $i 0; done")
    body = r.content.split("\n\n")[0]
    assert len(body.encode()) <= 50 * 1024
    assert body.split("\n")[-1].startswith("L300")
    assert all(line.startswith("L") and len(line) == 504 for line in body.split("\n"))  # no partial first line


def test_preview_and_rule_subject(ctx, ws):
    tool = BashTool()
    p = tool.preview({"command": "rm -rf build"}, ctx)
    assert p.kind == "command" and p.text == "rm -rf build" and p.cwd == str(ws.resolve())
    assert tool.rule_subject({"command": "git status"}) == "git status"
    assert tool.paths({"command": "cat /etc/passwd"}) == []
