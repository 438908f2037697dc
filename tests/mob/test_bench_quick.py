"""The mob benchmark still runs (--quick), and its last line is the JSON summary."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_mob_quick():
    done = subprocess.run([sys.executable, str(ROOT / "tests/benchmarks/bench_mob.py"), "--quick"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"benchmark", "baseline_s", "workbench_s", "ratio"} <= result.keys()
    assert result["peer_messages"] == 5 * 2 and result["mob_turns"] >= result["baseline_turns"] == 15
