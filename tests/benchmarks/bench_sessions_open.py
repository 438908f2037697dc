"""Benchmark: open a big session, build its tree and its context at the leaf.

Generates a realistic ~100 MB v3 session (~50,000 entries, branches, labels, two compactions) in a
temporary directory, then measures, alternating runs so both see the same machine state:

- baseline: read the file and `json.loads` every line with the standard library (the least any
  loader must do: the naive parse);
- workbench: `SessionManager.open(path)` + `get_tree()` + `build_context()` at the leaf, then close
  (the background warm-up `open` starts runs during the rest and is stopped by close);
- new leaf, warm: open, context at the leaf, wait for the background warm-up to finish (its time
  after open is reported), then `build_context(other_leaf)` for each abandoned branch tip (goal
  < 50 ms);
- new leaf, cold: the same with `open(..., warm=False)`, right after the first context: the
  unread entries on the new path are parsed then (orjson).

Prints medians; the LAST line is one JSON object (benchmark, baseline_s, workbench_s, ratio, ...).

    python tests/benchmarks/bench_sessions_open.py [--quick] [--runs N] [--mb 100] [--entries 50000]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gen_session import generate_session  # noqa: E402

from workbench.sessions.manager import SessionManager  # noqa: E402


def baseline(path: Path) -> int:
    with open(path, "rb") as fh:
        entries = [json.loads(line) for line in fh if line.strip()]
    return len(entries)


def workbench_open(path: Path) -> int:
    manager = SessionManager.open(path)
    try:
        roots = manager.get_tree()
        context = manager.build_context()
        return len(roots) + len(context.messages)
    finally:
        manager.close()


def timed(fn, *args) -> float:
    gc.collect()
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description="open + tree + context of a big session vs a naive parse")
    ap.add_argument("--quick", action="store_true", help="small run (5 MB, 2,500 entries, 3 runs)")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--mb", type=float, default=None)
    ap.add_argument("--entries", type=int, default=None)
    a = ap.parse_args(argv)
    mb = a.mb or (5 if a.quick else 100)
    entries = a.entries or (2_500 if a.quick else 50_000)
    runs = a.runs or (3 if a.quick else 7)

    with tempfile.TemporaryDirectory(prefix="wb-bench-open-") as tmp:
        t0 = time.perf_counter()
        gen = generate_session(Path(tmp), target_bytes=int(mb * (1 << 20)), entries=entries, seed=1)
        print(f"generated {gen.byte_count / (1 << 20):.1f} MB, {gen.entry_count} entries, "
              f"{len(gen.other_leaf_ids)} other branch tips, {len(gen.compaction_ids)} compactions, "
              f"{len(gen.label_ids)} labels in {time.perf_counter() - t0:.1f} s")
        # One untimed run each: page cache warm for both, imports done.
        baseline(gen.path)
        workbench_open(gen.path)
        base_times, wb_times = [], []
        for i in range(runs):
            base_times.append(timed(baseline, gen.path))
            wb_times.append(timed(workbench_open, gen.path))
            print(f"run {i + 1}/{runs}: baseline {base_times[-1]:.3f} s, workbench {wb_times[-1]:.3f} s")

        manager = SessionManager.open(gen.path, readonly=True, warm=False)
        try:
            manager.build_context()
            cold_times = [timed(manager.build_context, leaf) for leaf in gen.other_leaf_ids]
            again = [timed(manager.build_context, leaf) for leaf in gen.other_leaf_ids]
        finally:
            manager.close()

        opened = time.perf_counter()
        manager = SessionManager.open(gen.path, readonly=True)
        try:
            manager.build_context()
            manager.wait_warm()
            warmup_s = time.perf_counter() - opened  # open, context at the leaf and the warm-up
            leaf_times = [timed(manager.build_context, leaf) for leaf in gen.other_leaf_ids]
            tree_first = timed(manager.get_tree)
            tree_again = timed(manager.get_tree)
        finally:
            manager.close()

    base = statistics.median(base_times)
    wb = statistics.median(wb_times)
    new_leaf = statistics.median(leaf_times) if leaf_times else None
    cold = statistics.median(cold_times) if cold_times else None
    print(f"median baseline (read + json.loads every line): {base:.3f} s")
    print(f"median workbench (open + get_tree + build_context at leaf): {wb:.3f} s  ratio {wb / base:.2f}")
    if leaf_times:
        print(f"open + context at the leaf + background warm-up: done {warmup_s:.3f} s after open began")
        print(f"build_context at another leaf once open and warm: median {new_leaf * 1000:.1f} ms, "
              f"max {max(leaf_times) * 1000:.1f} ms (goal < 50 ms)")
        print(f"build_context at another leaf, no warm-up: median {cold * 1000:.1f} ms, "
              f"max {max(cold_times) * 1000:.1f} ms; repeated {statistics.median(again) * 1000:.1f} ms")
    print(f"get_tree once open: first {tree_first * 1000:.1f} ms, again {tree_again * 1000:.1f} ms")
    result = {
        "benchmark": "sessions_open",
        "baseline_s": round(base, 6),
        "workbench_s": round(wb, 6),
        "ratio": round(wb / base, 4),
        "new_leaf_context_s": round(new_leaf, 5) if new_leaf is not None else None,
        "new_leaf_context_max_s": round(max(leaf_times), 5) if leaf_times else None,
        "new_leaf_context_cold_s": round(cold, 5) if cold is not None else None,
        "warmup_after_open_s": round(warmup_s, 4) if leaf_times else None,
        "file_bytes": gen.byte_count,
        "entries": gen.entry_count,
        "runs": runs,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
