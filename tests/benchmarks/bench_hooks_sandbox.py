"""What hooks and the sandbox cost.

1. Hooks: a 100-tool-call replay run (zero model latency, every message persisted) with a
   foreground no-op hook (`true`) at pre_tool_execution — one hook process per tool call — against
   the same run with no hook. Prints both times, the ratio and the cost per call.
2. Sandbox: the bash tool running `true` 200 times under bubblewrap against bare (goal: ≤ 2.0
   per command), after one first command each (under the sandbox it starts the long-lived
   sandbox: printed apart). Skipped with a message when bwrap cannot run here.

    python tests/benchmarks/bench_hooks_sandbox.py [--quick] [--calls N] [--commands N] [--repeat R]
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

from workbench.hooks.config import HookEntry  # noqa: E402
from workbench.hooks.engine import HookEngine  # noqa: E402
from workbench.hooks.sandbox import Sandbox, SandboxPolicy  # noqa: E402
from workbench.hooks.sandbox_server import close_servers  # noqa: E402
from workbench.providers.replay import ReplayProvider, ScriptBuilder  # noqa: E402
from workbench.runtime.agent import AgentSession  # noqa: E402
from workbench.runtime.budget import BudgetLimits  # noqa: E402
from workbench.runtime.compaction import CompactionSettings  # noqa: E402
from workbench.sessions.manager import SessionManager  # noqa: E402
from workbench.tools.base import ToolContext  # noqa: E402
from workbench.tools.builtin.bash import BashTool  # noqa: E402
from workbench.tools.registry import ToolRegistry  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_runtime_turns import Echo  # noqa: E402  (a tool that costs nothing)


def script(calls: int):
    b = ScriptBuilder()
    for i in range(calls):
        b.turn().text(f"Step {i}.").tool_call("echo", {"text": f"n{i}"}, id=f"c{i}").usage(input=100, output=10)
    b.turn().text("Done.").usage(input=100, output=5)
    return b.build()


async def replay_run(calls: int, workdir: Path, hooked: bool) -> float:
    provider = ReplayProvider(script(calls), model="replay", delay_scale=0)
    manager = SessionManager.create(workdir, sessions_dir=workdir / "sessions")
    engine = None
    if hooked:
        noop = HookEntry(id="noop", point="pre_tool_execution", command="true", source=Path("bench"))
        engine = HookEngine([noop], workdir)
    agent = AgentSession(manager, provider, model="replay", tools=ToolRegistry([Echo()]), mode="yolo",
                         limits=BudgetLimits(max_turns=calls + 10), compaction=CompactionSettings(enabled=False),
                         system_prompt="bench", hooks=engine)
    start = time.perf_counter()
    result = await agent.run("go")
    elapsed = time.perf_counter() - start
    manager.close()
    assert result.tool_calls == calls, result
    if engine is not None:
        assert sum(1 for r in engine.history if r.outcome == "allow") == min(calls, 200)
    return elapsed


async def bash_loop(n: int, workdir: Path, sandbox: Sandbox | None) -> tuple[float, float]:
    """(the first command, which starts the long-lived sandbox; the next n commands)."""
    tool = BashTool()
    ctx = ToolContext(workspace=workdir, extra={"sandbox": sandbox} if sandbox is not None else {})
    start = time.perf_counter()
    await tool.run({"command": "true"}, ctx)
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(n):
        result = await tool.run({"command": "true"}, ctx)
        assert not result.is_error, result.content
    elapsed = time.perf_counter() - start
    await close_servers()
    return first, elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a small run (20 calls, 20 commands, 1 repeat)")
    ap.add_argument("--calls", type=int, default=100)
    ap.add_argument("--commands", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    opts = ap.parse_args()
    calls, commands, repeat = (20, 20, 1) if opts.quick else (opts.calls, opts.commands, opts.repeat)

    bare_runs, hooked_runs, bare_cmds, boxed_cmds, boxed_first = [], [], [], [], []
    sandbox_problem = None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            bare_runs.append(asyncio.run(replay_run(calls, Path(tmp), hooked=False)))
        with tempfile.TemporaryDirectory() as tmp:
            hooked_runs.append(asyncio.run(replay_run(calls, Path(tmp), hooked=True)))
        with tempfile.TemporaryDirectory() as tmp:
            sandbox = Sandbox(SandboxPolicy(mode="workspace"), Path(tmp))
            sandbox_problem = sandbox.problem()
            bare_cmds.append(asyncio.run(bash_loop(commands, Path(tmp), None))[1])
            if sandbox_problem is None:
                first, loop_s = asyncio.run(bash_loop(commands, Path(tmp), sandbox))
                boxed_first.append(first)
                boxed_cmds.append(loop_s)

    b, h = statistics.median(bare_runs), statistics.median(hooked_runs)
    per_call_ms = (h - b) / calls * 1000
    print(f"replay run, {calls} tool calls, repeats: {repeat}")
    print(f"  no hook:                     {b:.3f} s")
    print(f"  no-op foreground hook:       {h:.3f} s  (ratio {h / b:.2f}, +{per_call_ms:.2f} ms per tool call)")
    out = {"benchmark": "hooks_sandbox", "calls": calls, "baseline_s": round(b, 4), "workbench_s": round(h, 4),
           "ratio": round(h / b, 2), "hook_ms_per_call": round(per_call_ms, 2), "commands": commands}
    bc = statistics.median(bare_cmds)
    print(f"bash `true` x{commands}:")
    print(f"  bare:                        {bc:.3f} s  = {bc / commands * 1000:.2f} ms per command")
    if sandbox_problem is None:
        sc = statistics.median(boxed_cmds)
        sf = statistics.median(boxed_first)
        print(f"  sandboxed (bwrap):           {sc:.3f} s  = {sc / commands * 1000:.2f} ms per command "
              f"(ratio {sc / bc:.2f}, goal <= 2.0)")
        print(f"  first sandboxed command:     {sf * 1000:.1f} ms (starts the long-lived sandbox, once per session)")
        out.update(bash_bare_s=round(bc, 4), bash_sandboxed_s=round(sc, 4), sandbox_ratio=round(sc / bc, 2),
                   sandbox_start_ms=round(sf * 1000, 1))
    else:
        print(f"  sandboxed: not measured, {sandbox_problem}")
        out.update(bash_bare_s=round(bc, 4), bash_sandboxed_s=None, sandbox_ratio=None)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
