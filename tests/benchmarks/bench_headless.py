"""A headless run's start and end: `workbench -p` against the fake Anthropic / OpenAI servers.

start: from spawning the process to the first model request arriving at the server, against a
  baseline measured in the same run: a fresh `python` that does `import anthropic` (or `openai`)
  and sends the same kind of request with the SDK (a streamed message), spawn → request arrival.
end: from the `run_completed` line appearing on the child's stdout (`--output-format jsonl`) to
  the process having exited (the parent's wait returns).
Both sides run as fresh processes with compiled bytecode (one untimed warm-up each), interleaved
sample by sample so a load spike hits both; medians are quoted. The workbench child is started
the way the `workbench` command starts it (`workbench.cli:entry`).
Run: python tests/benchmarks/bench_headless.py [--quick] [--repeats N] [--provider anthropic|openai|both]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fakes.anthropic_server import FakeHTTPServer, anthropic_stream, text  # noqa: E402
from tests.fakes.openai_server import openai_stream  # noqa: E402

# the `workbench` command (cli.entry); older trees had main() as the command, for before/after figures
WORKBENCH = ("import sys; import workbench.cli as cli; sys.argv[0] = 'workbench'; "
             "entry = getattr(cli, 'entry', None) or (lambda: sys.exit(cli.main())); entry()")

BASELINE = {
    "anthropic": """
import sys, anthropic
client = anthropic.Anthropic(base_url=sys.argv[1], api_key="k", max_retries=0)
with client.messages.stream(model="claude-sonnet-4-5", max_tokens=1024, system="You are a coding agent.",
                            messages=[{"role": "user", "content": "hi"}]) as stream:
    for _ in stream:
        pass
""",
    "openai": """
import sys, openai
client = openai.OpenAI(base_url=sys.argv[1] + "/v1", api_key="k", max_retries=0)
for _ in client.chat.completions.create(model="gpt-4.1", stream=True, messages=[
        {"role": "system", "content": "You are a coding agent."}, {"role": "user", "content": "hi"}]):
    pass
""",
}


class Server:
    """The fake provider server, noting when each request arrives."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.arrivals: list[float] = []
        self.lock = threading.Lock()
        self.srv = FakeHTTPServer(default=None)
        self.srv.add(*[self.answer] * 500)
        self.srv.start()

    def answer(self, request):  # noqa: ANN001 — a RecordedRequest
        with self.lock:
            self.arrivals.append(time.time())
        if self.provider == "anthropic":
            return anthropic_stream([text("Hello there")])
        return openai_stream(text="Hello there")

    def first_arrival_after(self, start: float) -> float:
        with self.lock:
            later = [t for t in self.arrivals if t >= start]
        if not later:
            raise SystemExit("the server saw no request from the child")
        return min(later) - start


def run_baseline(server: Server, env: dict[str, str], cwd: str) -> float:
    start = time.time()
    subprocess.run([sys.executable, "-c", BASELINE[server.provider], server.srv.url], env=env, cwd=cwd,
                   check=True, capture_output=True)
    return server.first_arrival_after(start)


def run_workbench(server: Server, env: dict[str, str], cwd: str) -> tuple[float, float]:
    """(spawn → first request, run_completed on stdout → exit)."""
    argv = [sys.executable, "-c", WORKBENCH, "-p", "say hello", "--provider", server.provider, "--model",
            "claude-sonnet-4-5" if server.provider == "anthropic" else "gpt-4.1", "--output-format", "jsonl"]
    start = time.time()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    completed = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if completed is None and b'"type": "run_completed"' in line:
            completed = time.time()
    proc.wait()
    exited = time.time()
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0 or completed is None:
        raise SystemExit(f"workbench -p failed (exit {proc.returncode}): {err[-2000:]}")
    return server.first_arrival_after(start), exited - completed


def measure(provider: str, repeats: int, tmp: Path) -> dict[str, object]:
    server = Server(provider)
    try:
        home = tmp / f"home-{provider}"
        ws = tmp / f"ws-{provider}"
        home.mkdir()
        ws.mkdir()
        env = dict(os.environ, WORKBENCH_HOME=str(home), PYTHONPYCACHEPREFIX=str(tmp / "pycache"),
                   ANTHROPIC_API_KEY="k", OPENAI_API_KEY="k", ANTHROPIC_BASE_URL=server.srv.url,
                   OPENAI_BASE_URL=server.srv.url + "/v1")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        run_baseline(server, env, str(ws))  # warm-up: bytecode written, caches filled
        run_workbench(server, env, str(ws))
        base, start, end = [], [], []
        for _ in range(repeats):
            base.append(run_baseline(server, env, str(ws)))
            s, e = run_workbench(server, env, str(ws))
            start.append(s)
            end.append(e)
    finally:
        server.srv.stop()
    b, s, e = statistics.median(base), statistics.median(start), statistics.median(end)
    return {"provider": provider, "baseline_s": round(b, 4), "start_s": round(s, 4), "start_ratio": round(s / b, 3),
            "end_s": round(e, 4), "samples": repeats,
            "start_all": [round(x, 3) for x in start], "baseline_all": [round(x, 3) for x in base],
            "end_all": [round(x, 4) for x in end]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1 sample, anthropic only (the suite's check)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--provider", choices=["anthropic", "openai", "both"], default="both")
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    providers = ["anthropic"] if args.quick else (["anthropic", "openai"] if args.provider == "both" else [args.provider])
    with tempfile.TemporaryDirectory() as tmp:
        results = [measure(p, repeats, Path(tmp)) for p in providers]
    for r in results:
        print(f"{r['provider']:9}  start: baseline (import SDK + same request) {r['baseline_s']:.3f} s, "
              f"workbench {r['start_s']:.3f} s, ratio {r['start_ratio']:.2f}  |  end: run_completed → exit "
              f"{r['end_s'] * 1000:.1f} ms   (medians of {r['samples']})")
    first = results[0]
    print(json.dumps({"benchmark": "headless", "baseline_s": first["baseline_s"], "workbench_s": first["start_s"],
                      "ratio": first["start_ratio"], "end_s": first["end_s"], "providers": results}))


if __name__ == "__main__":
    main()
