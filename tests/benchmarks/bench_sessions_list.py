"""Benchmark: list 300 sessions totalling 1 GB, first (cold cache) and second (nothing changed).

Writes the sessions into a temporary workbench home spread over 10 project directories (file
bodies are reused from a few generated templates, each file with its own header, id and name, so
writing 1 GB stays fast), then measures medians of:

- baseline: what pi does on every listing: read every file, `json.loads` every line, and compute
  the list row from the entries;
- first listing: `SessionStore.list(all_dirs=True)` with no cache (streaming scan of every file);
- second listing: the same with the cache in place and nothing changed on disk (goal < 0.5 s);
- after an append: one session grew; only its new bytes are scanned.

`workbench_s` is the second listing; the LAST line is one JSON object. Files are deleted after.

    python tests/benchmarks/bench_sessions_list.py [--quick] [--sessions 300] [--gb 1] [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gen_session import session_file_name, session_lines  # noqa: E402

from workbench.sessions.cache import CACHE_FILE  # noqa: E402
from workbench.sessions.paths import session_dir_for  # noqa: E402
from workbench.sessions.store import SessionStore  # noqa: E402

TEMPLATES = 6
PROJECTS = 10


def write_sessions(sessions_dir: Path, count: int, total_bytes: int) -> list[Path]:
    from datetime import datetime, timedelta, timezone

    per_file = max(20_000, total_bytes // count)
    bodies = []
    for t in range(TEMPLATES):
        lines, _ = session_lines(target_bytes=per_file, entries=max(40, per_file // 2000), seed=100 + t)
        bodies.append("".join(lines[1:]).encode("utf-8"))
    start = datetime(2026, 2, 1, tzinfo=timezone.utc)
    paths = []
    for i in range(count):
        cwd = f"/home/dev/projects/p{i % PROJECTS}"
        when = start + timedelta(hours=i)
        sid = str(uuid.UUID(int=i + 1, version=4))
        iso = when.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        header = json.dumps({"type": "session", "version": 3, "id": sid, "timestamp": iso, "cwd": cwd},
                            separators=(",", ":")).encode() + b"\n"
        name = json.dumps({"type": "session_info", "id": "f0f0f0f0", "parentId": None, "timestamp": iso,
                           "name": f"session {i}"}, separators=(",", ":")).encode() + b"\n"
        path = session_dir_for(sessions_dir, cwd) / session_file_name(sid, when)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(header)
            fh.write(bodies[i % TEMPLATES])
            fh.write(name)
        paths.append(path)
    return paths


def naive_listing(sessions_dir: Path) -> list[dict]:
    """pi's SessionManager.listAll: parse every line of every file, every time."""
    rows = []
    for path in sessions_dir.glob("*/*.jsonl"):
        entries = []
        for line in path.read_text(encoding="utf-8").strip().split("\n"):
            try:
                entries.append(json.loads(line))
            except ValueError:
                continue
        if not entries or entries[0].get("type") != "session":
            continue
        count, first, name, last = 0, "", None, 0
        for e in entries:
            if e.get("type") == "session_info":
                name = (e.get("name") or "").strip() or None
            if e.get("type") != "message":
                continue
            count += 1
            m = e["message"]
            if m.get("role") not in ("user", "assistant"):
                continue
            last = max(last, m.get("timestamp") or 0)
            c = m.get("content")
            text = c if isinstance(c, str) else " ".join(b.get("text", "") for b in c if b.get("type") == "text")
            if not first and m["role"] == "user":
                first = text
        rows.append({"path": str(path), "id": entries[0]["id"], "name": name, "count": count, "first": first,
                     "last": last})
    rows.sort(key=lambda r: r["last"], reverse=True)
    return rows


def timed(fn, *args):
    gc.collect()
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description="listing many big sessions: first and second listing vs a naive parse")
    ap.add_argument("--quick", action="store_true", help="small run (20 sessions, 10 MB)")
    ap.add_argument("--sessions", type=int, default=None)
    ap.add_argument("--gb", type=float, default=None)
    ap.add_argument("--runs", type=int, default=None)
    a = ap.parse_args(argv)
    count = a.sessions or (20 if a.quick else 300)
    total = int((a.gb or (0.01 if a.quick else 1.0)) * (1 << 30))
    runs = a.runs or (3 if a.quick else 5)
    slow_runs = 3  # the baseline and the cold listing read 1 GB each run

    with tempfile.TemporaryDirectory(prefix="wb-bench-list-") as tmp:
        home = Path(tmp)
        sessions_dir, cache_dir = home / "sessions", home / "cache"
        t0 = time.perf_counter()
        paths = write_sessions(sessions_dir, count, total)
        size = sum(p.stat().st_size for p in paths)
        print(f"wrote {count} sessions, {size / (1 << 30):.2f} GB, in {time.perf_counter() - t0:.1f} s")

        def store() -> SessionStore:
            return SessionStore(sessions_dir, cache_dir=cache_dir)

        naive_listing(sessions_dir)  # warm the page cache for everyone
        base_times, first_times, second_times = [], [], []
        for i in range(slow_runs):
            dt, naive = timed(naive_listing, sessions_dir)
            base_times.append(dt)
            (cache_dir / CACHE_FILE).unlink(missing_ok=True)
            dt, listed = timed(lambda: store().list(all_dirs=True))
            first_times.append(dt)
            print(f"run {i + 1}/{slow_runs}: baseline {base_times[-1]:.3f} s, first listing {first_times[-1]:.3f} s")
        for _ in range(runs):
            s = store()
            dt, again = timed(lambda: s.list(all_dirs=True))
            second_times.append(dt)
            assert s.cache_stats["hits"] == count, s.cache_stats
        print("second listings: " + ", ".join(f"{t:.4f}" for t in second_times))

        # Same answers as the naive parse.
        assert again == listed and len(listed) == count == len(naive)
        by_path = {str(i.path): i for i in listed}
        for row in naive:
            info = by_path[row["path"]]
            assert (info.id, info.name, info.message_count, info.first_message) == (
                row["id"], row["name"], row["count"], row["first"] or "(no messages)"), row["path"]

        # One session grows by a turn: only its new bytes are read.
        with open(paths[0], "ab") as fh:
            fh.write(json.dumps({"type": "message", "id": "0a0a0a0a", "parentId": "f0f0f0f0",
                                 "timestamp": "2026-12-01T00:00:00.000Z",
                                 "message": {"role": "user", "content": "one more thing",
                                             "timestamp": 1796083200000}},
                                separators=(",", ":")).encode() + b"\n")
        s = store()
        append_s, _ = timed(lambda: s.list(all_dirs=True))
        assert s.cache_stats["appended"] == 1, s.cache_stats

    base, first, second = (statistics.median(x) for x in (base_times, first_times, second_times))
    print(f"median baseline (naive parse of every file): {base:.3f} s")
    print(f"median first listing (no cache): {first:.3f} s  ratio {first / base:.3f}")
    print(f"median second listing (cache, nothing changed): {second:.4f} s  ratio {second / base:.4f}  (goal < 0.5 s)")
    print(f"listing after one session grew: {append_s:.4f} s")
    result = {
        "benchmark": "sessions_list",
        "baseline_s": round(base, 6),
        "workbench_s": round(second, 6),
        "ratio": round(second / base, 6),
        "first_listing_s": round(first, 6),
        "first_listing_ratio": round(first / base, 4),
        "after_append_s": round(append_s, 6),
        "sessions": count,
        "total_bytes": size,
        "runs": runs,
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
