"""Stream a ~50,000-token Markdown answer through the Conversation pane vs a bare Markdown stream.

Baseline: the same deltas written straight into a bare `Markdown` widget's stream in a bare app.
Workbench: the deltas as `text_delta` events through the workbench app (Conversation pane,
status/budget refresh). Also measures key-press latency into the prompt while streaming.
Both are timed the same way (first delta to everything drawn), alternating which runs first; besides
wall time each reports the CPU time of the process over the same span, which other work on a shared
machine disturbs much less (`cpu_ratio`).
Run: python tests/benchmarks/bench_tui_stream.py [--quick] [--tokens N] [--repeats R]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="wb-bench-"))

from textual import events  # noqa: E402
from textual.app import App  # noqa: E402
from textual.containers import VerticalScroll  # noqa: E402
from textual.widgets import Markdown  # noqa: E402

from tests.tui.fakes import FakeBackend  # noqa: E402
from workbench.runtime import events as ev  # noqa: E402
from workbench.tui.app import WorkbenchApp  # noqa: E402
from workbench.tui.clock import FrozenClock  # noqa: E402
from workbench.tui.themes import BUNDLED_DIR  # noqa: E402

SECTION = """## Section {n}

Some prose with **bold**, `code` and a [link](https://example.com) that runs on for a while so the
paragraph wraps across lines in a normal terminal width.

- first item {n}
- second item with `inline code`
  - nested item

| name | value | note |
|------|-------|------|
| a{n} | {n} | fine |
| b{n} | {m} | also fine |

```python
def handler_{n}(event):
    total = sum(x * x for x in range({n}))
    return {{"id": {n}, "total": total}}
```

"""


def make_deltas(tokens: int) -> list[str]:
    text, n = "", 0
    while len(text) < tokens * 4:  # ~4 characters per token
        text += SECTION.format(n=n, m=n * 7)
        n += 1
    text = text[: tokens * 4]
    return [text[i:i + 64] for i in range(0, len(text), 64)]  # ~16 tokens per delta


class Bare(App):
    def compose(self):
        with VerticalScroll():
            yield Markdown()


async def run_baseline(deltas: list[str]) -> tuple[float, float]:
    """(wall, cpu) seconds."""
    app = Bare()
    async with app.run_test(size=(120, 40)) as pilot:
        md = app.query_one(Markdown)
        app.query_one(VerticalScroll).anchor()
        start, cpu = time.perf_counter(), time.process_time()
        stream = Markdown.get_stream(md)
        for d in deltas:
            await stream.write(d)
        await stream.stop()
        await pilot.pause()
        return time.perf_counter() - start, time.process_time() - cpu


async def type_while_streaming(app: WorkbenchApp, keys: list[float], done: asyncio.Event) -> None:
    """Press a key every 50 ms; latency = key posted -> its character is in the prompt."""
    while not done.is_set():
        before = len(app.prompt.text)
        t = time.perf_counter()
        app.post_message(events.Key("x", "x"))
        while len(app.prompt.text) == before:
            await asyncio.sleep(0)
        keys.append(time.perf_counter() - t)
        await asyncio.sleep(0.05)


async def run_workbench(deltas: list[str], keys: list[float] | None = None) -> tuple[float, float]:
    """(wall, cpu) seconds."""
    app = WorkbenchApp(FakeBackend(), clock=FrozenClock(), themes_from=[BUNDLED_DIR], watch_themes=False)
    async with app.run_test(size=(120, 40)) as pilot:
        done = asyncio.Event()
        typer = asyncio.create_task(type_while_streaming(app, keys, done)) if keys is not None else None
        start, cpu = time.perf_counter(), time.process_time()
        for d in deltas:
            await app.on_runtime_event(ev.TextDelta(delta=d))
        await app.conversation.end_answer()
        await pilot.pause()
        elapsed = time.perf_counter() - start, time.process_time() - cpu
        done.set()
        if typer is not None:
            await typer
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tokens", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tokens, repeats = (600, 1) if args.quick else (args.tokens, args.repeats)
    deltas = make_deltas(tokens)
    base, wb, keys = [], [], []
    for i in range(repeats):
        # alternate which runs first, so a change in the machine's load does not favour one side
        for run in ((run_baseline, run_workbench) if i % 2 == 0 else (run_workbench, run_baseline)):
            (base if run is run_baseline else wb).append(asyncio.run(run(deltas)))
    typing_s = asyncio.run(run_workbench(deltas, keys))[0]  # while typing the pane favours short frames
    b, w = statistics.median(x[0] for x in base), statistics.median(x[0] for x in wb)
    bc, wc = statistics.median(x[1] for x in base), statistics.median(x[1] for x in wb)
    keys.sort()
    p95 = keys[min(len(keys) - 1, int(len(keys) * 0.95))] if keys else 0.0
    print(f"tokens={tokens} deltas={len(deltas)} baseline median {b:.3f}s (cpu {bc:.3f}s), workbench median "
          f"{w:.3f}s (cpu {wc:.3f}s), key press p95 {p95 * 1000:.1f} ms over {len(keys)} presses "
          f"(that run took {typing_s:.3f}s)")
    print(json.dumps({"benchmark": "tui_stream_markdown", "tokens": tokens, "baseline_s": round(b, 4),
                      "workbench_s": round(w, 4), "ratio": round(w / b, 3), "baseline_cpu_s": round(bc, 4),
                      "workbench_cpu_s": round(wc, 4), "cpu_ratio": round(wc / bc, 3),
                      "key_p95_ms": round(p95 * 1000, 2), "workbench_typing_s": round(typing_s, 4),
                      "goal_ratio": 1.2, "goal_key_p95_ms": 50}))


if __name__ == "__main__":
    main()
