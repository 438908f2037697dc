"""The runtime benchmarks stay runnable: each runs with --quick and ends with its JSON line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize("script", ["bench_runtime_turns.py", "bench_runtime_concurrent.py"])
def test_benchmark_quick_run(script):
    p = subprocess.run([sys.executable, str(BENCH / script), "--quick"], capture_output=True, text=True,
                       timeout=120, cwd=BENCH)
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert {"benchmark", "baseline_s", "workbench_s", "ratio"} <= result.keys()
    assert result["workbench_s"] > 0 and result["baseline_s"] > 0


def test_hooks_sandbox_benchmark_quick_run():
    p = subprocess.run([sys.executable, str(BENCH / "bench_hooks_sandbox.py"), "--quick"], capture_output=True,
                       text=True, timeout=120, cwd=BENCH)
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert result["benchmark"] == "hooks_sandbox" and result["workbench_s"] > 0 and result["baseline_s"] > 0
    assert "ratio" in result and "sandbox_ratio" in result


def test_headless_benchmark_quick_run():
    p = subprocess.run([sys.executable, str(BENCH / "bench_headless.py"), "--quick"], capture_output=True,
                       text=True, timeout=180, cwd=BENCH)
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout.strip().splitlines()[-1])
    assert result["benchmark"] == "headless" and result["workbench_s"] > 0 and result["baseline_s"] > 0
    assert 0 < result["end_s"] < 5 and "ratio" in result
