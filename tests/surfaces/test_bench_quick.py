"""The RPC benchmark stays runnable: --quick ends with its JSON line."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def test_bench_rpc_quick():
    p = subprocess.run([sys.executable, str(BENCH / "bench_rpc.py"), "--quick"], capture_output=True, text=True,
                       timeout=120, cwd=BENCH)
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert {"benchmark", "baseline_s", "workbench_s", "ratio", "concurrent_ratio"} <= result.keys()
    assert result["workbench_s"] > 0 and result["baseline_s"] > 0 and result["concurrent_workbench_s"] > 0
