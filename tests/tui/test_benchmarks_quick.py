"""The TUI benchmarks still run (small sizes) and print their JSON summary last."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize("script", ["bench_tui_stream.py", "bench_tui_startup.py", "bench_tui_session.py",
                                    "bench_tui_resume.py"])
def test_benchmark_quick(script):
    out = subprocess.run([sys.executable, str(BENCH / script), "--quick"], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["baseline_s"] > 0 and summary["workbench_s"] > 0
    assert summary["ratio"] == pytest.approx(summary["workbench_s"] / summary["baseline_s"], rel=0.01)
