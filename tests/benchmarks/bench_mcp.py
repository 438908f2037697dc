"""MCP: what configured servers cost the first frame, and what the workbench adds to a call.

1. First frame with 3 stdio MCP servers of 20 tools each configured (the user's mcp.json) vs the
   same workbench with none. Each sample is a fresh process, built as `workbench` builds it
   (`startup.make_app`), timed from spawn to its first frame; the runs interleave so a load spike
   hits both. Servers start only after the first frame, so the goal is a ratio ≤ 1.05. The time
   until all three servers are ready is quoted beside (`servers_ready_s`, not in --quick).
2. 200 sequential calls of a trivial tool over stdio: through the workbench (permission policy,
   argument validation, the registry, MCPTool, result conversion) vs the SDK's ClientSession
   calling the same server directly. Goal: ratio ≤ 1.3. Blocks of calls alternate between the two.

Run: python tests/benchmarks/bench_mcp.py [--quick] [--repeats N] [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLBOX = ROOT / "tests" / "mcp" / "servers" / "toolbox.py"
sys.path.insert(0, str(ROOT))

CHILD = """
import os, time
from pathlib import Path
from workbench.cli import build_parser
from workbench.tui import startup
wait_mcp = os.environ.get("BENCH_WAIT_MCP") == "1"
app = startup.make_app(build_parser().parse_args([]), Path(os.getcwd()))
def ready():
    if app.starting:
        return
    if wait_mcp:
        counts = app.mcp.counts()
        if counts is None or counts[0] < counts[1]:
            return
        print("mcp", time.time(), flush=True)
    app.exit()
def first_frame():
    print("frame", time.time(), flush=True)
    app.set_interval(0.005, ready)
app.call_after_refresh(first_frame)
app.run(headless=True)
"""


def sample(env: dict[str, str], cwd: str) -> dict[str, float]:
    start = time.time()
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=300)
    marks = {}
    for line in done.stdout.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("frame", "mcp"):
            marks[name] = float(stamp) - start
    if "frame" not in marks:
        raise SystemExit(f"no first frame reported; stderr: {done.stderr[-2000:]}")
    return marks


def first_frame(repeats: int, wait_servers: bool) -> dict[str, float]:
    base_env = {k: v for k, v in os.environ.items()
                if k not in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "PYTHONDONTWRITEBYTECODE")}
    base_env.update(PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="wb-bench-pyc-"))
    work = tempfile.mkdtemp(prefix="wb-bench-cwd-")
    plain_home, mcp_home = tempfile.mkdtemp(prefix="wb-bench-home-"), tempfile.mkdtemp(prefix="wb-bench-home-")
    servers = {f"bench{i}": {"command": sys.executable, "args": [str(TOOLBOX), "--tools", "20", "--name", f"bench{i}"]}
               for i in range(3)}
    Path(mcp_home, "mcp.json").write_text(json.dumps({"mcpServers": servers}))
    plain = dict(base_env, WORKBENCH_HOME=plain_home)
    with_mcp = dict(base_env, WORKBENCH_HOME=mcp_home)
    if repeats > 1:
        sample(plain, work), sample(with_mcp, work)  # warm-up: bytecode written, files cached
    base, ours, ready = [], [], []
    for _ in range(repeats):
        base.append(sample(plain, work)["frame"])
        ours.append(sample(with_mcp, work)["frame"])
    if wait_servers:
        ready.append(sample(dict(with_mcp, BENCH_WAIT_MCP="1"), work).get("mcp", float("nan")))
    return {"baseline": statistics.median(base), "ours": statistics.median(ours),
            "ready": statistics.median(ready) if ready else None}


async def calls(n: int, block: int) -> dict[str, float]:
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    from tests.mcp.conftest import pool_of, stdio_server
    from workbench.tools.base import ToolContext
    from workbench.tools.permissions import PermissionPolicy
    from workbench.tools.registry import builtin_registry

    params = StdioServerParameters(command=sys.executable, args=[str(TOOLBOX), "--tools", "1"])
    workspace = Path(tempfile.mkdtemp(prefix="wb-bench-ws-"))
    pool = pool_of(stdio_server("b", "--tools", "1"), workspace=workspace)
    registry = builtin_registry()
    pool.attach(registry)
    pool.start()
    await pool.wait_ready(timeout=120)
    policy = PermissionPolicy("ask", ["mcp__b__*"], registry=registry)
    ctx = ToolContext(workspace=workspace)
    tool = registry.get("mcp__b__t0")
    assert tool is not None, pool.status()

    async def through_workbench(k: int) -> float:
        t = time.perf_counter()
        for i in range(k):
            args = {"x": i}
            assert policy.decide(tool, args, ctx).action == "allow"
            result = await registry.execute("mcp__b__t0", args, ctx)
            assert not result.is_error, result.content
        return time.perf_counter() - t

    base_s = ours_s = 0.0
    try:
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                await session.list_tools()

                async def direct(k: int) -> float:
                    t = time.perf_counter()
                    for i in range(k):
                        result = await session.call_tool("t0", {"x": i})
                        assert not result.is_error
                    return time.perf_counter() - t

                await direct(5), await through_workbench(5)  # warm-up
                done = 0
                while done < n:
                    k = min(block, n - done)
                    base_s += await direct(k)
                    ours_s += await through_workbench(k)
                    done += k
    finally:
        await pool.aclose()
    return {"baseline": base_s, "ours": ours_s}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    n = 40 if args.quick else args.calls
    frame = first_frame(repeats, wait_servers=not args.quick)
    ready = f"; all 3 servers ready {frame['ready']:.2f}s after spawn" if frame["ready"] is not None else ""
    print(f"first frame: no MCP servers median {frame['baseline']:.3f}s, 3×20-tool servers median "
          f"{frame['ours']:.3f}s over {repeats} runs{ready}")
    print(json.dumps({"benchmark": "mcp_first_frame", "baseline_s": round(frame["baseline"], 4),
                      "workbench_s": round(frame["ours"], 4), "ratio": round(frame["ours"] / frame["baseline"], 3),
                      "goal_ratio": 1.05, "servers_ready_s": frame["ready"] and round(frame["ready"], 3)}))
    timing = asyncio.run(calls(n, block=20 if args.quick else 50))
    print(f"{n} sequential calls: SDK client directly {timing['baseline']:.3f}s "
          f"({timing['baseline'] / n * 1000:.2f} ms/call), through the workbench {timing['ours']:.3f}s "
          f"({timing['ours'] / n * 1000:.2f} ms/call)")
    print(json.dumps({"benchmark": "mcp_calls", "calls": n, "baseline_s": round(timing["baseline"], 4),
                      "workbench_s": round(timing["ours"], 4), "ratio": round(timing["ours"] / timing["baseline"], 3),
                      "goal_ratio": 1.3}))


if __name__ == "__main__":
    main()
