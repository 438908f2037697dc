"""100 concurrent sessions in one process on the replay provider with scripted delays.

Each session runs a few turns (text + a tool call) whose scripted delays add up to a known
budget; the slowest session's budget is what a perfect scheduler would take for all of them.
baseline:  that slowest scripted delay budget (seconds).
workbench: wall time for all sessions to finish, persisted to session files.
Goal: every session finishes and workbench <= 1.5 x baseline.

    python tests/benchmarks/bench_runtime_concurrent.py [--quick] [--sessions N] [--repeat R]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench_runtime_turns import Echo  # noqa: E402
from workbench.providers.replay import ReplayProvider, ScriptBuilder  # noqa: E402
from workbench.runtime.agent import AgentSession  # noqa: E402
from workbench.runtime.compaction import CompactionSettings  # noqa: E402
from workbench.sessions.manager import SessionManager  # noqa: E402
from workbench.tools.registry import ToolRegistry  # noqa: E402

TURNS = 4


def script(index: int, chunk_ms: float):
    # three chunks per tool turn, two in the last: sessions differ a little so they interleave
    delay = chunk_ms * (1 + (index % 5) / 10)
    b = ScriptBuilder(delay_ms=delay)
    for t in range(TURNS - 1):
        b.turn().text("Working ").text("on it.").tool_call("echo", {"text": f"{index}-{t}"}).usage(input=50, output=5)
    b.turn().text("Done ").text("here.").usage(input=50, output=5)
    return b.build(), delay * (3 * (TURNS - 1) + 2) / 1000


async def run_all(n: int, chunk_ms: float, workdir: Path) -> tuple[float, float, int]:
    agents = []
    slowest = 0.0
    for i in range(n):
        s, budget = script(i, chunk_ms)
        slowest = max(slowest, budget)
        ws = workdir / f"ws{i}"
        ws.mkdir()
        manager = SessionManager.create(ws, sessions_dir=workdir / "sessions")
        agents.append(AgentSession(manager, ReplayProvider(s, model="replay"), model="replay",
                                   tools=ToolRegistry([Echo()]), mode="yolo", system_prompt="bench",
                                   compaction=CompactionSettings(enabled=False)))
    start = time.perf_counter()
    results = await asyncio.gather(*(a.run(f"task {i}") for i, a in enumerate(agents)))
    elapsed = time.perf_counter() - start
    for a in agents:
        a.manager.close()
    finished = sum(1 for r in results if r.turns == TURNS and r.tool_calls == TURNS - 1)
    return elapsed, slowest, finished


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10 sessions, 1 repeat")
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--chunk-ms", type=float, default=100.0)
    ap.add_argument("--repeat", type=int, default=3)
    opts = ap.parse_args()
    n, repeat = (10, 1) if opts.quick else (opts.sessions, opts.repeat)
    walls, budgets = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            wall, budget, finished = asyncio.run(run_all(n, opts.chunk_ms, Path(tmp)))
        assert finished == n, f"only {finished} of {n} sessions finished"
        walls.append(wall)
        budgets.append(budget)
    w, b = statistics.median(walls), statistics.median(budgets)
    print(f"sessions: {n}, turns each: {TURNS}, repeats: {repeat}; all finished")
    print(f"slowest scripted delay budget: {b:.3f} s")
    print(f"all sessions done in:          {w:.3f} s  ({w / b:.2f}x)")
    print(json.dumps({"benchmark": "runtime_concurrent", "sessions": n, "baseline_s": round(b, 4),
                      "workbench_s": round(w, 4), "ratio": round(w / b, 3), "goal_ratio": 1.5}))


if __name__ == "__main__":
    main()
