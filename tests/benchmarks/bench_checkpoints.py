"""Benchmark: a file checkpoint after a tool call that changed 3 files, in a large workspace.

Generates a workspace of 20,000 files / 300 MB (nested directories, text-like content) in a
temporary directory and a plain copy of it with its own `git init`. Then, per round, the same 3
files are changed in both and, alternating which goes first so both see the same machine state:

- baseline: `git add -A` then `git write-tree` in the plain copy (two git processes, as a shell
  runs them);
- workbench: the checkpoint a tool call takes afterwards: `ShadowRepo.snapshot()` (the shadow
  repository, its own index and stat cache, ignore rules, the size limit) + the diff against the
  tree before the call (the files the checkpoint entry lists).

The first checkpoint (every file hashed into the shadow repository) is timed and reported.
Prints medians and the p95; the LAST line is one JSON object (benchmark, baseline_s, workbench_s,
ratio, p95_s, first_checkpoint_s, files, mb).

    python tests/benchmarks/bench_checkpoints.py [--quick] [--rounds N] [--files N] [--mb N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from workbench.checkpoints.shadow import ShadowRepo  # noqa: E402

WORDS = ("def return import class self value result error path file data index tree node "
         "branch commit async await print format config session tool agent model token").split()


def generate(root: Path, files: int, total_mb: float, seed: int = 17) -> list[str]:
    """`files` files totalling about `total_mb` MB in 2-level directories; returns their paths."""
    rng = random.Random(seed)
    avg = int(total_mb * 1024 * 1024 / files)
    # One big block of pseudo-source text; each file is a slice of it with its own header, so
    # contents differ (git stores every blob) but generating 300 MB stays fast.
    block = "\n".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(avg * 3 // 70 + 10)).encode()
    per_dir = 100
    paths = []
    for i in range(files):
        rel = f"pkg{i // (per_dir * 20):02d}/mod{(i // per_dir) % 20:02d}/file{i:05d}.py"
        size = max(64, int(avg * rng.uniform(0.5, 1.5)))
        start = rng.randrange(0, max(1, len(block) - size))
        full = root / rel
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_bytes(f"# file {i}\n".encode() + block[start:start + size])
        paths.append(rel)
    (root / ".gitignore").write_text("*.pyc\n__pycache__/\n")
    return paths


def git(cwd: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def change(root: Path, paths: list[str], round_no: int) -> None:
    for rel in paths:
        with open(root / rel, "ab") as fh:
            fh.write(f"# round {round_no}\n".encode())


def baseline(plain: Path) -> float:
    start = time.perf_counter()
    git(plain, "add", "-A")
    git(plain, "write-tree")
    return time.perf_counter() - start


async def checkpoint(repo: ShadowRepo, base: str) -> tuple[float, str]:
    start = time.perf_counter()
    snap = await repo.snapshot()
    changed = await repo.changes_since(base, snap)
    elapsed = time.perf_counter() - start
    assert len(changed) == 3, changed
    return elapsed, snap.tree


async def main_async(args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="wb-bench-cp-"))
    try:
        ws, plain, home = tmp / "ws", tmp / "plain", tmp / "home"
        ws.mkdir()
        t0 = time.perf_counter()
        paths = generate(ws, args.files, args.mb)
        shutil.copytree(ws, plain)
        gen_s = time.perf_counter() - t0
        git(plain, "init", "-q")
        t0 = time.perf_counter()
        baseline(plain)  # the plain copy's own first add, so both sides start with a warm index
        plain_first = time.perf_counter() - t0
        repo = ShadowRepo(ws, home)
        t0 = time.perf_counter()
        tree = (await repo.snapshot()).tree
        first = time.perf_counter() - t0
        rng = random.Random(3)
        ours, base = [], []
        for r in range(args.rounds):
            picked = rng.sample(paths, 3)
            change(ws, picked, r)
            change(plain, picked, r)
            if r % 2:
                base.append(baseline(plain))
                elapsed, tree = await checkpoint(repo, tree)
            else:
                elapsed, tree = await checkpoint(repo, tree)
                base.append(baseline(plain))
            ours.append(elapsed)
        ours_sorted = sorted(ours)
        p95 = ours_sorted[min(len(ours_sorted) - 1, int(round(0.95 * (len(ours_sorted) - 1))))]
        result = {
            "benchmark": "checkpoints",
            "files": args.files,
            "mb": args.mb,
            "rounds": args.rounds,
            "baseline_s": round(statistics.median(base), 4),
            "workbench_s": round(statistics.median(ours), 4),
            "ratio": round(statistics.median(ours) / statistics.median(base), 3),
            "p95_s": round(p95, 4),
            "baseline_p95_s": round(sorted(base)[min(len(base) - 1, int(round(0.95 * (len(base) - 1))))], 4),
            "first_checkpoint_s": round(first, 3),
            "plain_first_add_s": round(plain_first, 3),
        }
        print(f"workspace: {args.files} files, {args.mb} MB (generated in {gen_s:.1f} s)")
        print(f"first checkpoint (every file hashed): {first:.2f} s; plain `git add -A` first time: {plain_first:.2f} s")
        print(f"3 files changed, {args.rounds} rounds: baseline `git add -A && git write-tree` median "
              f"{result['baseline_s'] * 1000:.1f} ms; checkpoint median {result['workbench_s'] * 1000:.1f} ms, "
              f"p95 {p95 * 1000:.1f} ms; ratio {result['ratio']}")
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small workspace (the test suite runs this)")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--files", type=int, default=None)
    parser.add_argument("--mb", type=float, default=None)
    args = parser.parse_args()
    args.files = args.files or (1000 if args.quick else 20_000)
    args.mb = args.mb or (5.0 if args.quick else 300.0)
    args.rounds = args.rounds or (6 if args.quick else 40)
    result = asyncio.run(main_async(args))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
