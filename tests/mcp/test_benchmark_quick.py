"""The MCP benchmark stays runnable: --quick prints both of its JSON lines."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_mcp.py"


def test_bench_mcp_quick_run():
    p = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=240,
                       cwd=BENCH.parent)
    assert p.returncode == 0, p.stderr[-3000:]
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    assert [r["benchmark"] for r in lines] == ["mcp_first_frame", "mcp_calls"]
    for r in lines:
        assert r["baseline_s"] > 0 and r["workbench_s"] > 0 and r["ratio"] > 0
