"""The session benchmarks still run (--quick) and end with their JSON result line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize("script, name", [("bench_sessions_open.py", "sessions_open"),
                                          ("bench_sessions_list.py", "sessions_list")])
def test_benchmark_quick_run(script, name, tmp_path):
    proc = subprocess.run([sys.executable, str(BENCH / script), "--quick"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["benchmark"] == name
    assert result["baseline_s"] > 0 and result["workbench_s"] > 0
    assert result["ratio"] == pytest.approx(result["workbench_s"] / result["baseline_s"], rel=0.05, abs=1e-4)
