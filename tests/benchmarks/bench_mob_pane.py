"""The mob pane under load: 30 members exchanging 1,000 peer messages on the replay provider.

The same run twice: headless (the mob alone: the baseline) and with the workbench app open on it
(Textual's headless driver, 160x48, the mob pane zoomed so the whole graph is drawn). Peer
messages are sent with `send_peer` along the wiring (a star from the lead and a ring of workers)
in bursts of 20; each reaches its recipient as a run on the replay provider, as in a real mob.

Measured with the app: the time per frame of the pane (its canvas rebuilt when something changed,
plus every line handed to Textual, between two rebuilds), whether the pane kept up (every event
published was folded into the pane's model: there is no queue between them), and the lag of the
event loop (a 10 ms ticker; a UI that falls behind shows up here).

    python tests/benchmarks/bench_mob_pane.py            # 30 members, 1,000 messages, 3 repetitions
    python tests/benchmarks/bench_mob_pane.py --quick    # 6 members, 60 messages, 1 repetition

The last line printed is one JSON object: benchmark, baseline_s, workbench_s, ratio, p95_frame_ms, ...
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from workbench.mob.definition import parse_definition  # noqa: E402
from workbench.mob.environment import MobEnvironment  # noqa: E402
from workbench.mob.handle import MobHandle, SpawnSpec  # noqa: E402
from workbench.mob.replay import replay_factory  # noqa: E402
from workbench.providers.replay import ScriptBuilder  # noqa: E402

DEFINITION = '''
[mob]
id = "pane-bench"
orchestrator = "lead"
[profiles.lead]
[profiles.worker]
[wiring]
auto_wire_orchestrator = true
[topology]
mode = "strict"
'''


def _env(tmp: Path, members: int) -> MobEnvironment:
    scripts = {name: ScriptBuilder().turn().text("Noted.").build()
               for name in ["lead"] + [f"w{i:02d}" for i in range(1, members)]}
    ws = tmp / "ws"
    ws.mkdir(exist_ok=True)
    return MobEnvironment(cwd=ws, provider_factory=replay_factory(scripts, delay_scale=0), mobs_dir=tmp / "mobs",
                          sessions_dir=tmp / "sessions", approvals=None)


async def _build(tmp: Path, members: int, make: Any = None) -> MobHandle:
    return await MobHandle.create(parse_definition(DEFINITION, "<bench>"), _env(tmp, members))


async def _exchange(handle: MobHandle, members: int, messages: int) -> None:
    workers = [f"w{i:02d}" for i in range(1, members)]
    await handle.spawn_many([SpawnSpec("worker", w) for w in workers])
    for a, b in zip(workers, workers[1:] + workers[:1]):
        await handle.wire(a, b)
    wires = handle.wires()
    sent = 0
    while sent < messages:
        burst = []
        for k in range(min(20, messages - sent)):
            a, b = wires[(sent + k) % len(wires)]
            burst.append(handle.send_peer(a, b, f"message {sent + k} from {a}: progress report"))
        await asyncio.gather(*burst)
        sent += len(burst)
        await asyncio.sleep(0)
    await handle.wait_idle()


async def headless(members: int, messages: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as d:
        handle = await _build(Path(d), members)
        published = [0]
        handle.events.add_listener(lambda e: published.__setitem__(0, published[0] + 1))
        started = time.perf_counter()
        try:
            await _exchange(handle, members, messages)
        finally:
            elapsed = time.perf_counter() - started
            handle.close()
        return {"seconds": elapsed, "events": published[0]}


async def with_app(members: int, messages: int) -> dict[str, Any]:
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.mob.controller import start_in_app
    from workbench.tui.themes import BUNDLED_DIR

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        os.environ["WORKBENCH_HOME"] = str(tmp / "home")
        holder: dict[str, Any] = {}

        async def start(app: Any) -> None:
            holder["handle"] = await _build(tmp, members)
            await start_in_app(app, lambda: _ready(holder["handle"]))

        app = WorkbenchApp(None, mob=start, themes_from=[BUNDLED_DIR], watch_themes=False, cwd=tmp)
        async with app.run_test(size=(160, 48)) as pilot:
            while app.mob is None:
                await pilot.pause(0.01)
            handle = holder["handle"]
            app.mob.view.action_zoom()
            await pilot.pause()
            graph = app.mob.view.graph
            frames: list[float] = []
            build = graph._build
            render_line = graph.render_line

            def timed_build() -> Any:  # a rebuild starts a new frame
                t = time.perf_counter()
                before = graph.frames
                out = build()
                if graph.frames != before:
                    frames.append(time.perf_counter() - t)
                return out

            def timed_line(y: int) -> Any:
                t = time.perf_counter()
                out = render_line(y)
                if frames:
                    frames[-1] += time.perf_counter() - t
                return out

            graph._build = timed_build  # type: ignore[method-assign]
            graph.render_line = timed_line  # type: ignore[method-assign]
            published = [0]
            handle.events.add_listener(lambda e: published.__setitem__(0, published[0] + 1))
            applied_before = app.mob.model.applied
            lags: list[float] = []
            stop = asyncio.Event()

            async def ticker() -> None:
                while not stop.is_set():
                    t = time.perf_counter()
                    await asyncio.sleep(0.01)
                    lags.append(time.perf_counter() - t - 0.01)

            tick = asyncio.create_task(ticker())
            started = time.perf_counter()
            try:
                await _exchange(handle, members, messages)
                elapsed = time.perf_counter() - started
                await pilot.pause(0.05)
            finally:
                stop.set()
                await tick
                handle.close()
            applied = app.mob.model.applied - applied_before
            return {"seconds": elapsed, "events": published[0], "applied": applied, "frames": frames,
                    "lag_p95": _p95(lags), "members_drawn": len(graph.ensure_layout().nodes),
                    "edges_drawn": len(graph.graph_layout.edges)}


async def _ready(handle: MobHandle) -> MobHandle:
    return handle


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--members", type=int)
    parser.add_argument("--messages", type=int)
    parser.add_argument("--repeat", type=int)
    args = parser.parse_args()
    members = args.members or (6 if args.quick else 30)
    messages = args.messages or (60 if args.quick else 1000)
    repeat = args.repeat or (1 if args.quick else 3)
    base, tui, p95s, lag95, kept_up = [], [], [], [], True
    last: dict[str, Any] = {}
    for i in range(repeat):
        b = asyncio.run(headless(members, messages))
        t = asyncio.run(with_app(members, messages))
        base.append(b["seconds"])
        tui.append(t["seconds"])
        p95s.append(_p95(t["frames"]) * 1000)
        lag95.append(t["lag_p95"] * 1000)
        kept_up = kept_up and t["applied"] >= t["events"]
        last = t
        print(f"run {i + 1}: headless {b['seconds']:.2f}s ({b['events']} events), with the pane "
              f"{t['seconds']:.2f}s ({t['events']} events, {len(t['frames'])} frames, "
              f"p95 frame {p95s[-1]:.1f} ms, p95 loop lag {lag95[-1]:.1f} ms)")
    baseline, workbench = statistics.median(base), statistics.median(tui)
    print(json.dumps({
        "benchmark": "mob_pane_peer_messages", "members": members, "peer_messages": messages,
        "baseline_s": round(baseline, 3), "workbench_s": round(workbench, 3),
        "ratio": round(workbench / baseline, 3) if baseline else None,
        "p95_frame_ms": round(statistics.median(p95s), 2), "p95_loop_lag_ms": round(statistics.median(lag95), 2),
        "frames": len(last.get("frames", [])), "kept_up": kept_up,
        "members_drawn": last.get("members_drawn"), "edges_drawn": last.get("edges_drawn"),
    }))


if __name__ == "__main__":
    main()
