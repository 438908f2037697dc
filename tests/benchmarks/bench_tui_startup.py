"""Time to first frame: `workbench` (offline demo, new session) vs a bare Textual app printing one line.

Each sample is a fresh process (interpreter start included for both), run headless; the app exits
on its first refresh. Run: python tests/benchmarks/bench_tui_startup.py [--quick]
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
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.exit)
Bare().run(headless=True)
"""

WORKBENCH = """
import argparse, os
from pathlib import Path
from workbench.cli import build_parser
from workbench.config import load_settings
from workbench.tui import startup
from workbench.tui.app import WorkbenchApp
args = build_parser().parse_args([])
cwd = Path(os.getcwd())
parts = startup.build(args, cwd, load_settings(cwd))
parts.pop("initial_prompt", None)
app = WorkbenchApp(parts.pop("backend"), watch_themes=False, **parts)
app.call_after_refresh(app.exit)
app.run(headless=True)
"""


def sample(code: str, env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    repeats = 2 if args.quick else args.repeats
    home = tempfile.mkdtemp(prefix="wb-bench-home-")
    work = tempfile.mkdtemp(prefix="wb-bench-cwd-")
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update(WORKBENCH_HOME=home, PYTHONPATH=str(ROOT))
    base, wb = [], []
    for _ in range(repeats):
        base.append(sample(BARE, env, work))
        wb.append(sample(WORKBENCH, env, work))
    b, w = statistics.median(base), statistics.median(wb)
    print(f"first frame: bare textual median {b:.3f}s, workbench median {w:.3f}s over {repeats} runs")
    print(json.dumps({"benchmark": "tui_first_frame", "baseline_s": round(b, 4), "workbench_s": round(w, 4),
                      "ratio": round(w / b, 3), "goal_ratio": 1.5}))


if __name__ == "__main__":
    main()
