"""The cost of the RPC surface: the same turns over `workbench rpc` (driven by workbench.sdk) and
in-process through SessionService, on the replay provider at zero latency, every message
persisted (fdatasync per entry, as always).

baseline:  N turns in one session, in-process: `await service.start_turn(...)`.
workbench: the same N turns over RPC: `await session.turn(...)` from the SDK, the server sending
           every event as a session/event notification (JSON over a pipe, parsed by the client).
           Server start-up and connect are not counted (measured apart).
Goal: ratio <= 1.5.
Also: S sessions running T turns each at the same time on one server, against the same in
process (asyncio.gather), to show the server keeps sessions concurrent.

    python tests/benchmarks/bench_rpc.py [--quick] [--turns N] [--sessions S] [--repeat R]
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

from workbench.providers import make_provider  # noqa: E402
from workbench.providers.replay import ScriptBuilder  # noqa: E402
from workbench.runtime.service import CreateSessionRequest, SessionService  # noqa: E402
from workbench.sdk import WorkbenchClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def write_script(path: Path, turns: int) -> str:
    b = ScriptBuilder()
    for i in range(turns):
        b.turn().text(f"Answer {i}: ").text("the replay provider ").text("says hello.").usage(input=100, output=10)
    path.write_text(b.build().to_json())
    return str(path)


async def in_process(script: str, workdir: Path, sessions: int, turns: int) -> float:
    service = SessionService(workdir / "sessions", cwd=workdir,
                             provider_factory=lambda name, model: make_provider("replay", model="replay",
                                                                                replay_script=script, delay_scale=0))
    made = [await service.create_session(CreateSessionRequest(run_now=False)) for _ in range(sessions)]

    async def drive(session_id: str) -> None:
        for i in range(turns):
            result = await service.start_turn(session_id, f"turn {i}")
            assert result.text.startswith(f"Answer {i}:"), result.text

    start = time.perf_counter()
    await asyncio.gather(*(drive(s.id) for s in made))
    elapsed = time.perf_counter() - start
    await service.close()
    return elapsed


async def over_rpc(script: str, workdir: Path, sessions: int, turns: int) -> tuple[float, float]:
    env = {**os.environ, "WORKBENCH_HOME": str(workdir / "home"), "WORKBENCH_REPLAY_DELAY_SCALE": "0",
           "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    client = WorkbenchClient(server_args=["--provider", "replay", "--replay-script", script], cwd=str(workdir),
                             env=env, stderr=asyncio.subprocess.DEVNULL)
    await client.connect()
    connect_s = time.perf_counter() - started
    try:
        made = [await client.create_session() for _ in range(sessions)]

        async def drive(session) -> None:
            for i in range(turns):
                result = await session.turn(f"turn {i}")
                assert result.text.startswith(f"Answer {i}:"), result.text

        start = time.perf_counter()
        await asyncio.gather(*(drive(s) for s in made))
        elapsed = time.perf_counter() - start
    finally:
        await client.close()
    return elapsed, connect_s


def measure(sessions: int, turns: int, repeat: int) -> tuple[float, float, float]:
    base, rpc, connect = [], [], []
    def run_base() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            script = write_script(Path(tmp) / "script.json", turns)
            base.append(asyncio.run(in_process(script, Path(tmp), sessions, turns)))

    def run_rpc() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            script = write_script(Path(tmp) / "script.json", turns)
            elapsed, connect_s = asyncio.run(over_rpc(script, Path(tmp), sessions, turns))
            rpc.append(elapsed)
            connect.append(connect_s)

    for i in range(repeat):  # alternate which goes first: a loaded disk drifts over a run
        for step in ((run_base, run_rpc) if i % 2 == 0 else (run_rpc, run_base)):
            step()
    return statistics.median(base), statistics.median(rpc), statistics.median(connect)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a small run (50 turns, 5 sessions x 5 turns, 1 repeat)")
    ap.add_argument("--turns", type=int, default=1000)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--session-turns", type=int, default=50, help="turns of each concurrent session")
    ap.add_argument("--repeat", type=int, default=3)
    opts = ap.parse_args()
    turns, sessions, session_turns, repeat = ((50, 5, 5, 1) if opts.quick else
                                              (opts.turns, opts.sessions, opts.session_turns, opts.repeat))

    b, w, connect = measure(1, turns, repeat)
    cb, cw, _ = measure(sessions, session_turns, repeat)
    print(f"{turns} turns in one session, repeats: {repeat} (medians)")
    print(f"baseline (in-process SessionService): {b:.3f} s = {b / turns * 1000:.3f} ms/turn")
    print(f"workbench (over workbench rpc, SDK):  {w:.3f} s = {w / turns * 1000:.3f} ms/turn  ratio {w / b:.2f}")
    print(f"server start + connect (not counted): {connect:.3f} s")
    print(f"{sessions} sessions x {session_turns} turns at once: in-process {cb:.3f} s, over rpc {cw:.3f} s, "
          f"ratio {cw / cb:.2f}")
    print(json.dumps({"benchmark": "rpc", "turns": turns, "baseline_s": round(b, 4), "workbench_s": round(w, 4),
                      "ratio": round(w / b, 2), "per_turn_ms": round(w / turns * 1000, 3),
                      "connect_s": round(connect, 3), "concurrent_sessions": sessions,
                      "concurrent_turns_each": session_turns, "concurrent_baseline_s": round(cb, 4),
                      "concurrent_workbench_s": round(cw, 4), "concurrent_ratio": round(cw / cb, 2)}))


if __name__ == "__main__":
    main()
