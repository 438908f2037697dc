"""The checkpoints benchmark stays runnable: --quick ends with its JSON line."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_checkpoints.py"


def test_checkpoints_benchmark_quick_run():
    p = subprocess.run([sys.executable, str(BENCH), "--quick", "--files", "300", "--mb", "1", "--rounds", "3"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert {"benchmark", "baseline_s", "workbench_s", "ratio", "p95_s", "first_checkpoint_s"} <= result.keys()
    assert result["workbench_s"] > 0 and result["baseline_s"] > 0 and result["first_checkpoint_s"] > 0
