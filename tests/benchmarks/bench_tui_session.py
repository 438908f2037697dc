"""Open a 5,000-message session in the workbench and scroll it from top to bottom.

The session file (pi v3, written by SessionManager) holds turns of a user prompt, an assistant
tool call (read/bash/grep) with its result, and an assistant answer in Markdown (lists, inline code,
every third one a fenced code block). The workbench opens it through the real startup path
(`workbench -r FILE`), headless at 160x48:

- open: from `startup.build` to the first frame showing the newest messages;
- scroll: Home (the first message), then one page down at a time (what PageDown runs; no animation)
  until the last message is on screen; a step's frame time is the CPU time until its frame is painted.

Baseline, same run: a bare Textual app that mounts every message as one plain `Static` in a
`VerticalScroll` (no Markdown, no cards) and is scrolled the same way. Each app runs in a fresh
process, as a user's session would (the baseline's 5,000 widgets, run first in the same process,
left the workbench's steps ~10 % slower), baseline and workbench alternating.
Run: python tests/benchmarks/bench_tui_session.py [--quick] [--messages 5000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="wb-bench-"))
for _key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
    os.environ.pop(_key, None)

from textual.app import App  # noqa: E402
from textual.containers import VerticalScroll  # noqa: E402
from textual.widgets import Static  # noqa: E402

from workbench.cli import build_parser  # noqa: E402
from workbench.config import load_settings  # noqa: E402
from workbench.sessions.manager import SessionManager  # noqa: E402
from workbench.tui import startup  # noqa: E402
from workbench.tui.app import WorkbenchApp  # noqa: E402
from workbench.tui.backend import message_text  # noqa: E402

SIZE = (160, 48)

ANSWER = """Here is what I found in `{path}`:

- the handler `{name}` parses the **config** once per request
- it retries on `TimeoutError` up to {n} times
- the cache key ignores the *session id*, which is the bug

{extra}That should fix turn {n}."""

CODE = """```python
def {name}(request, retries={n}):
    key = (request.path, request.session_id)
    if key in CACHE:
        return CACHE[key]
    return load(request)
```

"""


def build_session(path_dir: Path, messages: int) -> Path:
    """A session with `messages` messages: user, assistant tool call, tool result, assistant answer."""
    manager = SessionManager.create(path_dir, sessions_dir=path_dir / "sessions")
    ts = 1_700_000_000_000
    usage = {"input": 900, "output": 120, "cacheRead": 0, "cacheWrite": 0, "totalTokens": 1020,
             "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0, "total": 0}}
    meta = {"api": "anthropic-messages", "provider": "anthropic", "model": "claude-sonnet-4-5", "usage": usage}
    n = 0
    while n < messages:
        turn = n // 4
        name = f"handle_{turn}"
        tool = ("read", "bash", "grep")[turn % 3]
        args = {"read": {"path": f"src/app/module_{turn}.py"}, "bash": {"command": f"pytest -q tests/test_{turn}.py"},
                "grep": {"pattern": name, "path": "src"}}[tool]
        output = "\n".join(f"{i:>4}  line {i} of the output for turn {turn}" for i in range(5 + turn % 25))
        batch = [
            {"role": "user", "content": [{"type": "text", "text": f"Turn {turn}: why does {name} ignore the session?"}],
             "timestamp": ts},
            {"role": "assistant", "content": [{"type": "toolCall", "id": f"call_{turn}", "name": tool,
                                               "arguments": args}], "stopReason": "toolUse", "timestamp": ts, **meta},
            {"role": "toolResult", "toolCallId": f"call_{turn}", "toolName": tool,
             "content": [{"type": "text", "text": output}], "isError": False, "timestamp": ts},
            {"role": "assistant", "content": [{"type": "text", "text": ANSWER.format(
                path=f"src/app/module_{turn}.py", name=name, n=turn,
                extra=CODE.format(name=name, n=turn % 5) if turn % 3 == 0 else "")}],
             "stopReason": "stop", "timestamp": ts, **meta},
        ]
        for message in batch[: messages - n]:
            manager.append_message(message)
            n += 1
    path = Path(manager.path)
    manager.close()
    return path


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0


class FullCollections:
    """Full (generation 2) garbage collections while the scroll runs: how many and how long. Counted
    so a pause the app takes anyway shows in the figures even when it falls between two steps."""

    def __init__(self) -> None:
        self.count, self.seconds, self._start = 0, 0.0, 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._start = time.process_time()
        else:
            self.count += 1
            self.seconds += time.process_time() - self._start

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


async def scroll_through(pilot, scroller, home, page_down, at_end) -> list[float]:
    """Home, then a page down at a time (no animation) until `at_end()`; each step's frame time.

    A step's frame time is the CPU time the process spends on it until its frame is painted (pages
    mounted, layout, paint): `pilot.pause()` waits for the app to be idle in 20 ms sleeps, so wall
    time would count those sleeps (and other processes on a shared machine) as frame time.
    """
    frames = []
    scroller.focus()
    await pilot.pause()
    t = time.process_time()
    await home()
    await pilot.pause()
    frames.append(time.process_time() - t)
    for _ in range(100_000):
        if at_end():
            break
        t = time.process_time()
        await page_down()
        await pilot.pause()
        frames.append(time.process_time() - t)
    return frames


class Bare(App):
    """Every message as one plain Static, all mounted: what the naive approach costs."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__()
        self.texts = texts

    def compose(self):
        with VerticalScroll(id="log"):
            for text in self.texts:
                yield Static(text, markup=False)


async def run_baseline(path: Path) -> tuple[float, list[float]]:
    start = time.perf_counter()
    manager = SessionManager.open(path, readonly=True)
    texts = [message_text(m) or str(m.get("content")) for m in manager.build_context().messages]
    manager.close()
    app = Bare(texts)
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one("#log", VerticalScroll)
        log.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        opened = time.perf_counter() - start
        async def home() -> None:
            log.scroll_home(animate=False, immediate=True)

        async def page_down() -> None:
            log.scroll_page_down(animate=False)

        frames = await scroll_through(pilot, log, home, page_down, lambda: log.scroll_y >= log.max_scroll_y)
    return opened, frames


async def run_workbench(path: Path, cwd: Path) -> tuple[float, list[float], int]:
    start = time.perf_counter()
    args = build_parser().parse_args(["-r", str(path)])
    parts = startup.build(args, cwd, load_settings(cwd))
    parts.pop("initial_prompt", None)
    app = WorkbenchApp(parts.pop("backend"), watch_themes=False, **parts)
    async with app.run_test(size=SIZE) as pilot:
        conv = app.conversation
        while not conv.blocks:
            await pilot.pause(0.005)
        await pilot.pause()
        opened = time.perf_counter() - start
        # what the PageDown key runs: the page below is mounted, then the view moves a screen
        with FullCollections() as full:
            frames = await scroll_through(pilot, conv, conv.show_head, conv.action_page_down,
                                          lambda: not conv._newer and conv.scroll_y >= conv.max_scroll_y)
        total = conv.total_blocks
        await app.action_quit()
    manager = getattr(getattr(app.backend, "agent", None), "manager", None)
    if manager is not None:
        manager.close()
    return opened, frames, total, full


def run_child(which: str, path: Path, work: Path) -> dict:
    """One measured app run in a fresh process; its figures as a dict."""
    out = subprocess.run([sys.executable, __file__, "--child", which, "--session", str(path), "--work", str(work)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def child(which: str, path: Path, work: Path) -> None:
    if which == "baseline":
        opened, frames = asyncio.run(run_baseline(path))
        print(json.dumps({"open": opened, "frames": frames}))
    else:
        opened, frames, total, full = asyncio.run(run_workbench(path, work))
        print(json.dumps({"open": opened, "frames": frames, "blocks": total, "full_gcs": full.count,
                          "full_gc_s": full.seconds}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=["baseline", "workbench"], help=argparse.SUPPRESS)
    parser.add_argument("--session", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.session, args.work)
        return
    messages, repeats = (60, 1) if args.quick else (args.messages, args.repeats)
    work = Path(tempfile.mkdtemp(prefix="wb-bench-session-"))
    path = build_session(work, messages)
    base_open, wb_open, base_frames, wb_frames, wb_medians, blocks = [], [], [], [], [], 0
    full_gcs, full_gc_s = [], []
    for _ in range(repeats):
        base = run_child("baseline", path, work)
        base_open.append(base["open"])
        base_frames.append(p95(base["frames"]))
        wb = run_child("workbench", path, work)
        f = wb["frames"]
        wb_open.append(wb["open"])
        wb_frames.append(p95(f))
        wb_medians.append(statistics.median(f))
        full_gcs.append(wb["full_gcs"])
        full_gc_s.append(wb["full_gc_s"])
        blocks, steps = wb["blocks"], len(f)
    b, w = statistics.median(base_open), statistics.median(wb_open)
    bf, wf = statistics.median(base_frames), statistics.median(wb_frames)
    wm = statistics.median(wb_medians)
    print(f"messages={messages} blocks={blocks} page-downs={steps}: open to first frame baseline median {b:.3f}s, "
          f"workbench median {w:.3f}s; scroll frame p95 baseline {bf * 1000:.1f} ms, workbench {wf * 1000:.1f} ms "
          f"(median frame {wm * 1000:.1f} ms); full collections during the workbench's scroll: {full_gcs} "
          f"({', '.join(f'{s:.2f}' for s in full_gc_s)} s)")
    print(json.dumps({"benchmark": "tui_session_5000", "messages": messages, "baseline_s": round(b, 4),
                      "workbench_s": round(w, 4), "ratio": round(w / b, 3), "baseline_frame_p95_ms": round(bf * 1000, 2),
                      "workbench_frame_p95_ms": round(wf * 1000, 2), "workbench_frame_median_ms": round(wm * 1000, 2),
                      "workbench_full_gcs": statistics.median(full_gcs), "scroll_steps": steps,
                      "goal_frame_p95_ms": 50}))


if __name__ == "__main__":
    main()
