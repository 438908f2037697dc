"""Runtime overhead per turn: 1,000 model turns with a tool call each, on the replay provider at
zero latency, every message persisted to a session file (fdatasync per entry, as the session
layer does).

baseline:  iterate the same replay stream for every turn and nothing else (what parsing the
           provider stream costs).
workbench: AgentSession.run — events published, tool gate + execution, messages appended to
           the session file.
Also measured: the bare cost of the same number of fdatasync'd appends, and the same runtime
run with fdatasync switched off, so the share of durability in the per-turn figure is visible.

    python tests/benchmarks/bench_runtime_turns.py [--quick] [--turns N] [--repeat R]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from workbench.providers.base import ProviderRequest  # noqa: E402
from workbench.providers.replay import ReplayProvider, ScriptBuilder  # noqa: E402
from workbench.runtime.agent import AgentSession  # noqa: E402
from workbench.runtime.budget import BudgetLimits  # noqa: E402
from workbench.runtime.compaction import CompactionSettings  # noqa: E402
from workbench.sessions.manager import SessionManager  # noqa: E402
from workbench.tools.base import Effect, Tool, ToolContext, ToolResult  # noqa: E402
from workbench.tools.registry import ToolRegistry  # noqa: E402


class Echo(Tool):
    """A tool that costs nothing, so the figure is the runtime's, not the tool's."""

    name = "echo"
    description = "Echo the text back."
    parameters = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}
    effect = Effect.READ
    timeout_s = None

    async def run(self, args, ctx: ToolContext) -> ToolResult:
        return ToolResult(args["text"])


def script(turns: int):
    b = ScriptBuilder()
    for i in range(turns):
        b.turn().text(f"Step {i}: ").text("calling echo.").tool_call("echo", {"text": f"n{i}"}, id=f"c{i}") \
            .usage(input=100, output=10)
    b.turn().text("All done.").usage(input=100, output=5)
    return b.build()


async def baseline(turns: int) -> float:
    provider = ReplayProvider(script(turns), model="replay", delay_scale=0)
    request = ProviderRequest(model="replay", messages=[])
    start = time.perf_counter()
    for _ in range(turns + 1):
        async for _event in provider.stream(request):
            pass
    return time.perf_counter() - start


async def workbench(turns: int, workdir: Path) -> tuple[float, float]:
    provider = ReplayProvider(script(turns), model="replay", delay_scale=0)
    manager = SessionManager.create(workdir, sessions_dir=workdir / "sessions")
    agent = AgentSession(manager, provider, model="replay", tools=ToolRegistry([Echo()]), mode="yolo",
                         limits=BudgetLimits(max_turns=turns + 10), compaction=CompactionSettings(enabled=False),
                         system_prompt="bench")
    start, cpu = time.perf_counter(), time.process_time()
    result = await agent.run("go")
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    manager.close()
    assert result.turns == turns + 1 and result.tool_calls == turns, result
    return elapsed, cpu


async def workbench_without_fsync(turns: int, workdir: Path) -> tuple[float, float]:
    """The same run with os.fdatasync a no-op: what the runtime costs apart from durability."""
    real = os.fdatasync
    os.fdatasync = lambda fd: None
    try:
        return await workbench(turns, workdir)
    finally:
        os.fdatasync = real


def fsync_cost(entries: int, workdir: Path) -> float:
    path = workdir / "fsync.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    line = b'{"type":"message","id":"0000000a","parentId":null,"message":{}}\n'
    start = time.perf_counter()
    for _ in range(entries):
        os.write(fd, line)
        os.fdatasync(fd)
    elapsed = time.perf_counter() - start
    os.close(fd)
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a small run (50 turns, 1 repeat)")
    ap.add_argument("--turns", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    opts = ap.parse_args()
    turns, repeat = (50, 1) if opts.quick else (opts.turns, opts.repeat)

    base_times, wb_times, cpu_times, sync_times, nosync_times, nosync_cpu = [], [], [], [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            base_times.append(asyncio.run(baseline(turns)))
            wall, cpu = asyncio.run(workbench(turns, Path(tmp)))
            wb_times.append(wall)
            cpu_times.append(cpu)
            sync_times.append(fsync_cost(2 * turns + 1, Path(tmp)))  # assistant + toolResult per turn, + prompt
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = asyncio.run(workbench_without_fsync(turns, Path(tmp)))
            nosync_times.append(wall)
            nosync_cpu.append(cpu)
    b, w, s = statistics.median(base_times), statistics.median(wb_times), statistics.median(sync_times)
    c = statistics.median(cpu_times)
    nw, nc = statistics.median(nosync_times), statistics.median(nosync_cpu)
    per_turn_ms = w / (turns + 1) * 1000
    overhead_ms = (w - b) / (turns + 1) * 1000
    print(f"turns: {turns} (+1 final), repeats: {repeat}")
    print(f"baseline (replay stream only):  {b:.3f} s  = {b / (turns + 1) * 1000:.3f} ms/turn")
    print(f"workbench (full runtime):       {w:.3f} s  = {per_turn_ms:.3f} ms/turn")
    print(f"runtime overhead:               {overhead_ms:.3f} ms/turn")
    print(f"workbench CPU time:             {c / (turns + 1) * 1000:.3f} ms/turn (excludes waiting on the disk)")
    print(f"bare fdatasync'd appends:       {s / (turns + 1) * 1000:.3f} ms/turn (2 entries per turn)")
    print(f"workbench without fdatasync:    {nw / (turns + 1) * 1000:.3f} ms/turn wall, "
          f"{nc / (turns + 1) * 1000:.3f} ms/turn CPU (ratio {nw / b:.1f})")
    print(json.dumps({"benchmark": "runtime_turns", "turns": turns, "baseline_s": round(b, 4),
                      "workbench_s": round(w, 4), "ratio": round(w / b, 2),
                      "per_turn_ms": round(per_turn_ms, 3), "overhead_per_turn_ms": round(overhead_ms, 3),
                      "cpu_per_turn_ms": round(c / (turns + 1) * 1000, 3),
                      "fdatasync_per_turn_ms": round(s / (turns + 1) * 1000, 3),
                      "no_fsync_per_turn_ms": round(nw / (turns + 1) * 1000, 3),
                      "no_fsync_cpu_per_turn_ms": round(nc / (turns + 1) * 1000, 3),
                      "no_fsync_ratio": round(nw / b, 2)}))


if __name__ == "__main__":
    main()
