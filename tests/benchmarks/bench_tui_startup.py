"""Time to first frame: `workbench` (offline demo, new session) vs a bare Textual app printing one line.

Each sample is a fresh process (interpreter start included for both), run headless. A sample is the
wall time from just before the process is spawned to the first frame being on screen (the child
prints `time.time()` from its first after-refresh callback); the workbench child is built the way
the `workbench` command builds it (`startup.make_app`: settings, then the app, the runtime set-up in
a thread after the first frame). The workbench child also reports when the agent is ready (the
offline demo's session, provider and agent set up), quoted beside as `ready_s`.
Both run with compiled bytecode, as an installed package has it: the children write their `.pyc`
files under a temporary PYTHONPYCACHEPREFIX during an untimed warm-up run (even where
PYTHONDONTWRITEBYTECODE is set, which would otherwise make every sample compile workbench's
sources, ~60 ms here, while Textual's site-packages come precompiled).
Run: python tests/benchmarks/bench_tui_startup.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BARE = """
import time
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.first_frame)
    def first_frame(self):
        print("frame", time.time(), flush=True)
        self.exit()
Bare().run(headless=True)
"""

WORKBENCH = """
import os, time
from pathlib import Path
from workbench.cli import build_parser
from workbench.tui import startup
app = startup.make_app(build_parser().parse_args([]), Path(os.getcwd()))
def ready():
    if not app.starting:
        print("ready", time.time(), flush=True)
        app.exit()
def first_frame():
    print("frame", time.time(), flush=True)
    app.set_interval(0.002, ready)
app.call_after_refresh(first_frame)
app.run(headless=True)
"""


def sample(code: str, env: dict[str, str], cwd: str) -> dict[str, float]:
    """Seconds from spawning the process to each mark it prints."""
    start = time.time()
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True, capture_output=True,
                          text=True)
    marks = {}
    for line in done.stdout.splitlines():
        name, _, stamp = line.partition(" ")
        if name in ("frame", "ready"):
            marks[name] = float(stamp) - start
    if "frame" not in marks:
        raise SystemExit(f"no first frame reported; stderr: {done.stderr[-2000:]}")
    return marks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    repeats = 2 if args.quick else args.repeats
    home = tempfile.mkdtemp(prefix="wb-bench-home-")
    work = tempfile.mkdtemp(prefix="wb-bench-cwd-")
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(WORKBENCH_HOME=home, PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=tempfile.mkdtemp(prefix="wb-bench-pyc-"))
    sample(BARE, env, work), sample(WORKBENCH, env, work)  # warm-up: bytecode written, files cached
    base, wb, ready = [], [], []
    for _ in range(repeats):  # interleaved, so a load spike hits both
        base.append(sample(BARE, env, work)["frame"])
        marks = sample(WORKBENCH, env, work)
        wb.append(marks["frame"])
        ready.append(marks["ready"])
    b, w, r = statistics.median(base), statistics.median(wb), statistics.median(ready)
    print(f"first frame: bare textual median {b:.3f}s, workbench median {w:.3f}s over {repeats} runs; "
          f"agent ready (offline demo) median {r:.3f}s")
    print(json.dumps({"benchmark": "tui_first_frame", "baseline_s": round(b, 4), "workbench_s": round(w, 4),
                      "ratio": round(w / b, 3), "goal_ratio": 1.5, "ready_s": round(r, 4)}))


if __name__ == "__main__":
    main()
