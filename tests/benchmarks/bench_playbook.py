"""Benchmark: guideline matching per user turn (workbench/playbook/matching.py).

1. Patterns only, 200 guidelines (keywords and regular expressions, some needing context
   variables, some disabled, some tied to a journey step), over a set of realistic prompts:
   - baseline: the bare minimum any pattern matcher does in the same run — every compiled
     pattern of every guideline searched against the prompt, nothing else;
   - workbench: `match_turn` (eligibility and skip reasons, the pattern pass, priorities,
     max_matches, the journey's transitions) plus the system-context block (`injected_block`).
   Goal: median < 5 ms per turn.
2. With the matcher model (a replay provider answering each turn): the number of model calls per
   turn for 10, 50 and 200 guidelines. Goal: exactly 1 per turn however many guidelines.

The LAST line is one JSON object (`workbench_s` / `baseline_s`: total seconds of the timed turns).

    python tests/benchmarks/bench_playbook.py [--quick] [--turns 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from workbench.playbook.explain import injected_block  # noqa: E402
from workbench.playbook.loader import load_playbook  # noqa: E402
from workbench.playbook.matcher import MATCHER_TOOL, ProviderJudge  # noqa: E402
from workbench.playbook.matching import match_turn  # noqa: E402
from workbench.playbook.state import JourneyState, PlaybookState  # noqa: E402
from workbench.providers.replay import ReplayProvider, ScriptBuilder  # noqa: E402

WORDS = ("deploy", "migration", "refactor", "release", "security", "docs", "tests", "schema", "cache", "login",
         "billing", "export", "import", "upgrade", "rollback", "logging", "metrics", "latency", "api", "cli")
PROMPTS = (
    "please fix the flaky login test and tell me why it failed",
    "refactor the billing module, it is a mess",
    "we need a database migration for the new schema column",
    "can you write docs for the export command?",
    "the api latency went up after the last deploy, look into it",
    "bump the version and cut a release",
    "what does this function do?",
    "add metrics to the cache layer and a rollback plan",
    "upgrade the dependencies; security advisories came in for two of them",
    "I'm getting a stack trace in the CLI when importing a CSV file with 10,000 rows",
)


def playbook_text(n: int) -> str:
    out = ['[playbook]\nrelevance_threshold = 0.5\nmax_matches = 5\n']
    for i in range(n):
        w = WORDS[i % len(WORDS)]
        w2 = WORDS[(i * 7 + 3) % len(WORDS)]
        patterns = [f'"{w}"', f'"{w2} {WORDS[(i + 5) % len(WORDS)]}"']
        if i % 3 == 0:
            patterns.append(f'"{w}(s|ing|ed)?\\\\s+(the|a|an)\\\\s+\\\\w+"')  # a regular expression
        extra = ""
        if i % 10 == 1:
            extra += 'required_context = ["ticket"]\n'
        if i % 25 == 2:
            extra += "enabled = false\n"
        if i % 40 == 3:
            extra += 'journey = "release"\nstep = "test"\n'
        out.append(f'[[guidelines]]\nid = "g{i:03d}"\ncondition = "the user talks about {w} and {w2}"\n'
                   f'action = "Follow rule {i} about {w}."\npriority = {i % 7}\nmatch = [{", ".join(patterns)}]\n'
                   f'{extra}')
    out.append('''[[journeys]]
id = "release"
name = "Release"
[[journeys.steps]]
id = "bump"
name = "bump"
transitions = [{ to = "test", condition = "the version is bumped", match = ["bumped", "version \\\\d+\\\\.\\\\d+"] }]
[[journeys.steps]]
id = "test"
name = "test"
transitions = [{ to = "publish", condition = "the tests pass", match = ["green"] }]
[[journeys.steps]]
id = "publish"
name = "publish"
is_terminal = true
''')
    return "\n".join(out)


def load(n: int, root: Path):
    ws = root / f"ws{n}"
    (ws / ".workbench").mkdir(parents=True)
    (ws / ".workbench" / "playbook.toml").write_text(playbook_text(n))
    pb = load_playbook(ws)
    assert not pb.problems, pb.problems[:3]
    assert len(pb.guidelines) == n
    return pb


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_patterns(pb, turns: int) -> dict[str, float]:
    state = PlaybookState(variables={"version": "1.0"}, journey=JourneyState("release", "bump", ("bump",)))
    compiled = [p.regex for g in pb.guidelines for p in g.match]

    base: list[float] = []
    for i in range(turns):
        prompt = PROMPTS[i % len(PROMPTS)]
        t = time.perf_counter()
        hits = [r for r in compiled if r.search(prompt)]
        base.append(time.perf_counter() - t)
        assert hits is not None

    ours: list[float] = []
    loop = asyncio.new_event_loop()
    try:
        for i in range(turns):
            prompt = PROMPTS[i % len(PROMPTS)]
            t = time.perf_counter()
            outcome = loop.run_until_complete(match_turn(pb, state, prompt, None))
            injected_block(pb, outcome, state.variables)
            ours.append(time.perf_counter() - t)
    finally:
        loop.close()
    return {"baseline_s": sum(base), "workbench_s": sum(ours),
            "baseline_median_ms": statistics.median(base) * 1000, "median_ms": statistics.median(ours) * 1000,
            "p95_ms": percentile(ours, 95) * 1000, "max_ms": max(ours) * 1000}


class CountingReplay(ReplayProvider):
    def __init__(self, script):
        super().__init__(script, model="matcher")
        self.calls = 0

    def stream(self, request):
        self.calls += 1
        return super().stream(request)


def bench_model_calls(pb, turns: int) -> float:
    """Model calls per turn with a matcher answer scripted for every turn."""
    n = len(pb.guidelines)
    builder = ScriptBuilder()
    for _ in range(turns):
        builder.turn().tool_call(MATCHER_TOOL, {"scores": [{"n": k, "score": 0.9 if k % 9 == 0 else 0.1,
                                                            "reason": "r"} for k in range(1, n + 1)]})
    provider = CountingReplay(builder.build())
    judge = ProviderJudge(provider, "matcher")
    state = PlaybookState()

    async def run() -> int:
        judged = 0
        for i in range(turns):
            outcome = await match_turn(pb, state, PROMPTS[i % len(PROMPTS)], judge)
            assert outcome.matcher == "model", outcome.matcher_note
            judged += outcome.llm_calls
        return judged

    judged = asyncio.run(run())
    assert judged == provider.calls
    return provider.calls / turns


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer turns (the test suite's run)")
    ap.add_argument("--turns", type=int, default=2000)
    args = ap.parse_args()
    turns = 200 if args.quick else args.turns
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pb200 = load(200, root)
        res = bench_patterns(pb200, turns)
        calls = {n: bench_model_calls(pb200 if n == 200 else load(n, root), 20 if args.quick else 100)
                 for n in (10, 50, 200)}
    ratio = res["workbench_s"] / res["baseline_s"] if res["baseline_s"] else float("inf")
    print(f"patterns only, 200 guidelines, {turns} turns:")
    print(f"  baseline (every pattern searched, nothing else): median {res['baseline_median_ms']:.3f} ms/turn")
    print(f"  workbench match_turn + injected block:          median {res['median_ms']:.3f} ms/turn, "
          f"p95 {res['p95_ms']:.3f} ms, max {res['max_ms']:.3f} ms")
    print(f"  ratio {ratio:.2f} (total {res['workbench_s']:.3f} s vs {res['baseline_s']:.3f} s); "
          f"goal median < 5 ms: {'PASS' if res['median_ms'] < 5 else 'FAIL'}")
    print("with the matcher model: model calls per turn " +
          ", ".join(f"{n} guidelines → {c:g}" for n, c in calls.items()) +
          f"; goal exactly 1: {'PASS' if all(c == 1 for c in calls.values()) else 'FAIL'}")
    print(json.dumps({"benchmark": "playbook", "turns": turns, "baseline_s": round(res["baseline_s"], 6),
                      "workbench_s": round(res["workbench_s"], 6), "ratio": round(ratio, 3),
                      "baseline_median_ms": round(res["baseline_median_ms"], 4),
                      "median_ms": round(res["median_ms"], 4), "p95_ms": round(res["p95_ms"], 4),
                      "model_calls_per_turn": {str(n): c for n, c in calls.items()}}))
    return 0 if res["median_ms"] < 5 and all(c == 1 for c in calls.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
