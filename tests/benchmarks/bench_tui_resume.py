"""Resume a big session in the TUI: time to the last message on screen, CPU once shown, peak RSS.

The session is the generator's realistic shape (gen_session.py: `--mb 100 --entries 50000` by
default: tool results holding most bytes, branches, labels, two compactions). Each sample is a
fresh process, timed from just before it is spawned to the first frame painted after the
Conversation shows the session's newest blocks (the child's first after-refresh callback once
they are mounted). Then the child stays idle for `--idle` seconds and reports the CPU it used
meanwhile (work left running after the session appeared: the spend totals, drawing ahead), the
CPU of that window's last second (none once that work has ended), and its peak RSS.

Baseline, same run, alternating with the workbench: a bare Textual app that opens the session
with the store (`SessionManager.open` + `build_context`: what any resume must do) and mounts the
last page of messages as plain `Static`s; the least a resume in Textual costs. With `--before
PATH` (an older checkout of the repository), a third series runs the workbench from there.

Prints medians; the LAST line is one JSON object (benchmark, baseline_s, workbench_s, ratio, …).

    python tests/benchmarks/bench_tui_resume.py [--quick] [--repeats 3] [--mb 100] [--entries 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = (160, 48)


def _peak_rss_mib() -> float:
    """This process's peak RSS. Not `ru_maxrss`: Linux carries it over `exec` from the forked
    parent (this benchmark holds the generated session, ~500 MB), VmHWM starts afresh."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(which: str, session: Path, idle: float) -> None:
    os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="wb-bench-resume-"))
    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        os.environ.pop(key, None)
    shown: dict[str, float] = {}

    def painted() -> None:
        shown.setdefault("at", time.time())

    async def after(app) -> None:
        await asyncio.sleep(0.05)
        while "at" not in shown:
            await asyncio.sleep(0.01)
        cpu = time.process_time()
        await asyncio.sleep(max(0.0, idle - 1.0))
        last_second = time.process_time()
        await asyncio.sleep(min(1.0, idle))
        shown["idle_cpu"] = time.process_time() - cpu
        shown["last_second_cpu"] = time.process_time() - last_second  # once the work after the paint ended
        app.exit()

    if which == "baseline":
        from textual.app import App
        from textual.containers import VerticalScroll
        from textual.widgets import Static

        from workbench.sessions.manager import SessionManager
        from workbench.tui.backend import message_text

        class Bare(App):
            def compose(self):
                manager = SessionManager.open(session, readonly=True, warm=False)
                messages = manager.build_context().messages[-12:]
                with VerticalScroll(id="log"):
                    for m in messages:
                        yield Static(message_text(m) or str(m.get("content"))[:2000], markup=False)

            async def on_mount(self) -> None:
                self.query_one("#log").scroll_end(animate=False, immediate=True)
                self.call_after_refresh(painted)
                self.run_worker(after(self))

        Bare().run(headless=True, size=SIZE)
    else:
        from workbench.cli import build_parser
        from workbench.config import load_settings
        from workbench.tui import startup
        from workbench.tui.app import WorkbenchApp

        cwd = Path(tempfile.mkdtemp(prefix="wb-bench-resume-cwd-"))
        args = build_parser().parse_args(["-r", str(session)])
        parts = startup.build(args, cwd, load_settings(cwd))
        parts.pop("initial_prompt", None)
        app = WorkbenchApp(parts.pop("backend"), watch_themes=False, **parts)

        async def watch() -> None:
            while not app.is_running or not app.conversation.is_mounted or not app.conversation.blocks:
                await asyncio.sleep(0.005)
            app.screen.call_after_refresh(painted)
            await after(app)

        async def run() -> None:  # the app as `workbench` runs it, headless (no pilot waiting on it)
            watching = asyncio.create_task(watch())
            await app.run_async(headless=True, size=SIZE)
            await watching

        asyncio.run(run())
    print(json.dumps({"shown_at": shown["at"], "idle_cpu": shown["idle_cpu"], "last_second_cpu": shown["last_second_cpu"],
                      "peak_rss_mib": _peak_rss_mib()}),
          flush=True)
    os._exit(0)


def sample(which: str, session: Path, idle: float, tree: Path = ROOT) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    start = time.time()
    out = subprocess.run([sys.executable, __file__, "--child", which, "--session", str(session), "--idle", str(idle)],
                         capture_output=True, text=True, env=env, cwd=str(tree), timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"{which} child failed:\n{out.stderr[-3000:]}")
    found = json.loads(out.stdout.strip().splitlines()[-1])
    found["shown_s"] = found.pop("shown_at") - start
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small run (4 MB, 2,000 entries, 1 sample each)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mb", type=float, default=100)
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--idle", type=float, default=5.0, help="seconds watched after the session is shown")
    ap.add_argument("--before", type=Path, help="an older checkout: its workbench as a third series")
    ap.add_argument("--session", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child", choices=["baseline", "workbench"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        _child(a.child, a.session, a.idle)
        return
    mb, entries, repeats, idle = (4, 2_000, 1, 1.0) if a.quick else (a.mb, a.entries, a.repeats, a.idle)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from gen_session import generate_session

    with tempfile.TemporaryDirectory(prefix="wb-bench-resume-") as tmp:
        gen = generate_session(Path(tmp), target_bytes=int(mb * (1 << 20)), entries=entries, seed=1)
        print(f"session: {gen.byte_count / (1 << 20):.1f} MB, {gen.entry_count} entries; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        series: dict[str, list[dict]] = {"baseline": [], "workbench": []}
        if a.before:
            series["before"] = []
        for _ in range(repeats):
            series["baseline"].append(sample("baseline", gen.path, idle))
            series["workbench"].append(sample("workbench", gen.path, idle))
            if a.before:
                series["before"].append(sample("workbench", gen.path, idle, a.before))
        medians = {name: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
                   for name, runs in series.items()}
    for name, m in medians.items():
        samples = ", ".join(f"{s['shown_s']:.2f}" for s in series[name])
        print(f"{name:>9}: last message shown {m['shown_s']:.2f} s, CPU in the {idle:.0f} s after "
              f"{m['idle_cpu']:.2f} s (its last second {m['last_second_cpu']:.3f} s), peak RSS {m['peak_rss_mib']:.0f} MiB  (samples: {samples} s)")
    b, w = medians["baseline"], medians["workbench"]
    summary = {"benchmark": "tui_resume", "mb": mb, "entries": entries, "repeats": repeats,
               "load_average": round(os.getloadavg()[0], 2), "baseline_s": round(b["shown_s"], 3),
               "workbench_s": round(w["shown_s"], 3), "ratio": round(w["shown_s"] / b["shown_s"], 3),
               "baseline_rss_mib": round(b["peak_rss_mib"]), "workbench_rss_mib": round(w["peak_rss_mib"]),
               "workbench_idle_cpu_s": round(w["idle_cpu"], 3), "idle_window_s": idle,
               "workbench_last_second_cpu_s": round(w["last_second_cpu"], 4),
               "goal_s": 3.0, "goal_rss_mib": 400}
    if a.before:
        summary.update(before_s=round(medians["before"]["shown_s"], 3),
                       before_rss_mib=round(medians["before"]["peak_rss_mib"]),
                       before_idle_cpu_s=round(medians["before"]["idle_cpu"], 3))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
