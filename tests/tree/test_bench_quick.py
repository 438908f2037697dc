"""The tree benchmark still runs (small size) and prints its JSON summary last."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_tree.py"


def test_bench_tree_quick():
    out = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["benchmark"] == "tree_pane" and result["entries"] == 2000
    assert result["workbench_s"] > 0 and result["baseline_s"] > 0
    # the printed times are rounded, so the ratio recomputed from them can differ in the last digit
    assert result["ratio"] == pytest.approx(result["workbench_s"] / result["baseline_s"], rel=0.01)
    assert result["key_s"] < result["key_baseline_s"]  # drawing the visible rows beats drawing all
