"""Mob overhead: N members x T turns with peer messages, against N independent sessions.

Replay provider at zero latency, real session files (fsync per entry) in a temporary directory.
Each mob member plays T turns: turns 1..T-1 send a peer message to the next member of a ring
(send_message), turn T answers in text. The baseline runs N plain AgentSessions concurrently,
each playing the same T turns with a no-op tool in place of send_message. A message that reaches
a member after its last scripted turn costs it one more (short) turn: counted against the mob.

    python tests/benchmarks/bench_mob.py            # 50 members x 10 turns, 3 repetitions
    python tests/benchmarks/bench_mob.py --quick    # 5 members x 3 turns, 1 repetition

The last line printed is one JSON object: benchmark, baseline_s, workbench_s, ratio, ...
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from workbench.mob.definition import parse_definition  # noqa: E402
from workbench.mob.environment import MobEnvironment  # noqa: E402
from workbench.mob.handle import MobHandle, SpawnSpec  # noqa: E402
from workbench.providers.replay import ReplayProvider, ScriptBuilder  # noqa: E402
from workbench.runtime.agent import AgentSession  # noqa: E402
from workbench.sessions.manager import SessionManager  # noqa: E402
from workbench.tools.base import Tool, ToolContext, ToolResult  # noqa: E402
from workbench.tools.registry import ToolRegistry  # noqa: E402

DEFINITION = '''
[mob]
id = "bench"
orchestrator = "lead"
[profiles.lead]
[profiles.worker]
[wiring]
auto_wire_orchestrator = false
'''


class NoteTool(Tool):
    """The baseline's stand-in for send_message: same arguments, does nothing."""

    name = "note"
    description = "no-op"
    parameters = {"type": "object", "properties": {"to": {"type": "string"}, "text": {"type": "string"}},
                  "required": ["to", "text"]}

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        return ToolResult(f"message delivered to {args['to']}")


def script(identity: str, peer: str, turns: int, tool: str):
    b = ScriptBuilder()
    for t in range(turns - 1):
        b.turn().tool_call(tool, {"to": peer, "text": f"{identity} turn {t}: progress report"},
                           id=f"{identity}-{t}").usage(input=100, output=20)
    b.turn().text(f"{identity} done.").usage(input=100, output=10)
    return b.build()


def names(n: int) -> list[str]:
    return [f"m{i:03d}" for i in range(n)]


async def run_baseline(root: Path, n: int, turns: int) -> tuple[float, int]:
    ids = names(n)
    start = time.perf_counter()
    sessions = []
    for i, who in enumerate(ids):
        manager = SessionManager.create(root, sessions_dir=root / "sessions")
        provider = ReplayProvider(script(who, ids[(i + 1) % n], turns, "note"), delay_scale=0)
        sessions.append(AgentSession(manager, provider, model="replay", tools=ToolRegistry([NoteTool()]),
                                     mode="yolo", system_prompt="bench"))
    await asyncio.gather(*(s.run(f"task for {who}") for s, who in zip(sessions, ids)))
    elapsed = time.perf_counter() - start
    total_turns = sum(s.turns for s in sessions)
    for s in sessions:
        s.manager.close()
    return elapsed, total_turns


async def run_mob(root: Path, n: int, turns: int) -> tuple[float, int, int]:
    ids = names(n)
    scripts = {who: script(who, ids[(i + 1) % n], turns, "send_message") for i, who in enumerate(ids)}
    scripts["lead"] = ScriptBuilder().turn().text("idle").build()

    def factory(identity: str, profile_name: str, profile: Any) -> tuple[Any, str]:
        return ReplayProvider(scripts[identity], delay_scale=0), "replay"

    env = MobEnvironment(cwd=root, provider_factory=factory, mobs_dir=root / "mobs",
                         sessions_dir=root / "sessions", approvals=None, mode="yolo")
    start = time.perf_counter()
    handle = await MobHandle.create(parse_definition(DEFINITION), env)
    await handle.spawn_many([SpawnSpec("worker", who) for who in ids])
    await asyncio.gather(*(handle.wire(who, ids[(i + 1) % n]) for i, who in enumerate(ids)))
    for who in ids:
        await handle.send(who, f"task for {who}")
    await handle.wait_idle()
    elapsed = time.perf_counter() - start
    messages = sum(1 for e in handle.events.history() if e.type == "peer_message")
    total_turns = sum(1 for e in handle.events.history() if e.type == "turn_started")
    handle.close()
    return elapsed, total_turns, messages


async def main_async(n: int, turns: int, reps: int) -> dict[str, Any]:
    base, mob, mob_turns, base_turns, msgs = [], [], 0, 0, 0
    for _ in range(reps):
        with tempfile.TemporaryDirectory() as tmp:
            t, base_turns = await run_baseline(Path(tmp), n, turns)
            base.append(t)
        with tempfile.TemporaryDirectory() as tmp:
            t, mob_turns, msgs = await run_mob(Path(tmp), n, turns)
            mob.append(t)
    b, m = statistics.median(base), statistics.median(mob)
    return {"benchmark": "mob_members_turns", "members": n, "turns": turns, "repetitions": reps,
            "baseline_s": round(b, 4), "workbench_s": round(m, 4), "ratio": round(m / b, 3),
            "peer_messages": msgs, "baseline_turns": base_turns, "mob_turns": mob_turns,
            "per_message_overhead_ms": round(1000 * (m - b) / max(msgs, 1), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 members x 3 turns, 1 repetition")
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    n, turns, reps = (5, 3, 1) if args.quick else (args.members, args.turns, args.reps)
    result = asyncio.run(main_async(n, turns, reps))
    print(f"baseline: {n} sessions x {turns} turns: median {result['baseline_s']:.3f}s "
          f"({result['baseline_turns']} turns)")
    print(f"mob:      {n} members x {turns} turns, {result['peer_messages']} peer messages: median "
          f"{result['workbench_s']:.3f}s ({result['mob_turns']} turns), "
          f"{result['per_message_overhead_ms']} ms overhead per message")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
