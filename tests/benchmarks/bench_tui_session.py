"""Open a 5,000-message session in the workbench and scroll it from top to bottom.

The session file (pi v3, written by SessionManager) holds turns of a user prompt, an assistant
tool call (read/bash/grep) with its result, and an assistant answer in Markdown (lists, inline code,
every third one a fenced code block). The workbench opens it through the real startup path
(`workbench -r FILE`), headless at 160x48:

- open: from `startup.build` to the first frame showing the newest messages;
- PageUp x20: from the newest messages as opened (once the app is idle), twenty PageUp keys sent at
  once, as a held key or a quick hand sends them; wall and CPU time until all twenty have moved the
  view, the window has settled (`Conversation.settled`) and that frame is painted;
- scroll: Home (the first message), then one page down at a time (what PageDown runs; no animation)
  until the last message is on screen. Each step gives two figures: its **frame**, the CPU time from
  the key to its frame being painted (pages mounted, layout, paint: what the user waits for), and the
  whole **step**, the CPU time until the app is idle again (what it does after the frame included:
  drawing the next pages ahead, Textual's follow-up messages).

Baseline, same run: a bare Textual app that mounts every message as one plain `Static` in a
`VerticalScroll` (no Markdown, no cards) and is scrolled the same way (its PageUp without animation). Each app runs in a fresh
process, as a user's session would (the baseline's 5,000 widgets, run first in the same process,
left the workbench's steps ~10 % slower), baseline and workbench alternating.
Run: python tests/benchmarks/bench_tui_session.py [--quick] [--messages 5000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import inspect
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

from textual import events  # noqa: E402
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


class Paints:
    """The process's CPU time at the last frame the app painted (`App._display`, called once a frame)."""

    def __init__(self, app: App) -> None:
        self.last = 0.0
        display = app._display

        def counted(screen, renderable) -> None:
            display(screen, renderable)
            if renderable is not None:
                self.last = time.process_time()

        app._display = counted


async def scroll_through(pilot, scroller, home, page_down, at_end, paints: Paints) -> tuple[list[float], list[float]]:
    """Home, then a page down at a time (no animation) until `at_end()`; each step's frame and step time.

    Both are CPU time, not wall time: `pilot.pause()` waits for the app to be idle in 20 ms sleeps,
    and wall time would count those sleeps (and other processes on a shared machine). A step's frame
    ends at the last paint before the app was idle again (its frame), the step itself when it was idle.
    """
    frames, steps = [], []
    scroller.focus()
    await pilot.pause()
    t = time.process_time()
    await home()
    await pilot.pause()
    steps.append(time.process_time() - t)
    frames.append(max(0.0, paints.last - t))
    for _ in range(100_000):
        if at_end():
            break
        t = time.process_time()
        await page_down()
        await pilot.pause()
        steps.append(time.process_time() - t)
        frames.append(max(0.0, paints.last - t))
    return frames, steps


async def page_up_burst(pilot, scroller, count: int = 20, settled=None) -> tuple[float, float]:
    """`count` PageUp keys sent at once to `scroller` (focused, idle): wall and CPU seconds until every
    one has run, the window has settled and the frame after it is painted."""
    app = pilot.app
    scroller.focus()
    await pilot.pause()
    done = asyncio.Event()
    ran = [0]
    action = scroller.action_page_up

    async def counted() -> None:
        result = action()
        if inspect.isawaitable(result):
            await result
        ran[0] += 1
        if ran[0] == count:
            done.set()

    scroller.action_page_up = counted
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        app._driver.send_message(events.Key("pageup", None))
    await done.wait()
    if settled is not None:
        await settled()
    painted = asyncio.get_running_loop().create_future()
    scroller.call_after_refresh(lambda: painted.done() or painted.set_result(None))
    await painted
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    del scroller.action_page_up
    return wall, used


class BareScroll(VerticalScroll):
    def action_page_up(self) -> None:  # as the workbench pages: no animation
        self.scroll_page_up(animate=False)


class Bare(App):
    """Every message as one plain Static, all mounted: what the naive approach costs."""

    def __init__(self, texts: list[str]) -> None:
        super().__init__()
        self.texts = texts

    def compose(self):
        with BareScroll(id="log"):
            for text in self.texts:
                yield Static(text, markup=False)


async def run_baseline(path: Path) -> dict:
    start = time.perf_counter()
    manager = SessionManager.open(path, readonly=True)
    texts = [message_text(m) or str(m.get("content")) for m in manager.build_context().messages]
    manager.close()
    app = Bare(texts)
    async with app.run_test(size=SIZE) as pilot:
        paints = Paints(app)
        log = app.query_one("#log", VerticalScroll)
        log.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        opened = time.perf_counter() - start
        up_wall, up_cpu = await page_up_burst(pilot, log)

        async def home() -> None:
            log.scroll_home(animate=False, immediate=True)

        async def page_down() -> None:
            log.scroll_page_down(animate=False)

        frames, steps = await scroll_through(pilot, log, home, page_down, lambda: log.scroll_y >= log.max_scroll_y,
                                             paints)
    return {"open": opened, "frames": frames, "steps": steps, "up_wall": up_wall, "up_cpu": up_cpu}


async def run_workbench(path: Path, cwd: Path) -> dict:
    start = time.perf_counter()
    args = build_parser().parse_args(["-r", str(path)])
    parts = startup.build(args, cwd, load_settings(cwd))
    parts.pop("initial_prompt", None)
    app = WorkbenchApp(parts.pop("backend"), watch_themes=False, **parts)
    async with app.run_test(size=SIZE) as pilot:
        paints = Paints(app)
        conv = app.conversation
        while not conv.blocks:
            await pilot.pause(0.005)
        await pilot.pause()
        opened = time.perf_counter() - start
        await conv.settled()
        up_wall, up_cpu = await page_up_burst(pilot, conv, settled=conv.settled)
        # what the PageDown key runs: the page below is mounted, then the view moves a screen
        with FullCollections() as full:
            frames, steps = await scroll_through(pilot, conv, conv.show_head, conv.action_page_down,
                                                 lambda: not conv._newer and conv.scroll_y >= conv.max_scroll_y,
                                                 paints)
        total = conv.total_blocks
        await app.action_quit()
    manager = getattr(getattr(app.backend, "agent", None), "manager", None)
    if manager is not None:
        manager.close()
    return {"open": opened, "frames": frames, "steps": steps, "up_wall": up_wall, "up_cpu": up_cpu,
            "blocks": total, "full_gcs": full.count, "full_gc_s": full.seconds}


def run_child(which: str, path: Path, work: Path) -> dict:
    """One measured app run in a fresh process; its figures as a dict."""
    out = subprocess.run([sys.executable, __file__, "--child", which, "--session", str(path), "--work", str(work)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def child(which: str, path: Path, work: Path) -> None:
    print(json.dumps(asyncio.run(run_baseline(path) if which == "baseline" else run_workbench(path, work))))


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
    runs: dict[str, list[dict]] = {"baseline": [], "workbench": []}
    for _ in range(repeats):
        for which in runs:
            runs[which].append(run_child(which, path, work))

    def median(which: str, figure) -> float:
        return statistics.median(figure(run) for run in runs[which])

    figures = {}
    for which, name in (("baseline", "baseline"), ("workbench", "workbench")):
        figures[name] = {
            "open": median(which, lambda r: r["open"]),
            "frame_p95": median(which, lambda r: p95(r["frames"])),
            "frame_median": median(which, lambda r: statistics.median(r["frames"])),
            "step_p95": median(which, lambda r: p95(r["steps"])),
            "step_median": median(which, lambda r: statistics.median(r["steps"])),
            "up_wall": median(which, lambda r: r["up_wall"]),
            "up_cpu": median(which, lambda r: r["up_cpu"]),
        }
    b, w = figures["baseline"], figures["workbench"]
    last = runs["workbench"][-1]
    full_gcs = [r["full_gcs"] for r in runs["workbench"]]
    ms = 1000
    print(f"messages={messages} blocks={last['blocks']} page-downs={len(last['frames'])}, medians of {repeats} run(s), "
          f"baseline / workbench: open to first frame {b['open']:.3f}s / {w['open']:.3f}s; "
          f"page-down frame p95 {b['frame_p95'] * ms:.1f} / {w['frame_p95'] * ms:.1f} ms "
          f"(median {b['frame_median'] * ms:.1f} / {w['frame_median'] * ms:.1f} ms); "
          f"whole step p95 {b['step_p95'] * ms:.1f} / {w['step_p95'] * ms:.1f} ms "
          f"(median {b['step_median'] * ms:.1f} / {w['step_median'] * ms:.1f} ms); "
          f"PageUp x20 settled {b['up_wall']:.3f}s / {w['up_wall']:.3f}s wall, "
          f"{b['up_cpu']:.3f}s / {w['up_cpu']:.3f}s CPU; "
          f"full collections during the workbench's scroll: {full_gcs}")
    print(json.dumps({"benchmark": "tui_session_5000", "messages": messages, "baseline_s": round(b["open"], 4),
                      "workbench_s": round(w["open"], 4), "ratio": round(w["open"] / b["open"], 3),
                      "baseline_frame_p95_ms": round(b["frame_p95"] * ms, 2),
                      "workbench_frame_p95_ms": round(w["frame_p95"] * ms, 2),
                      "workbench_frame_median_ms": round(w["frame_median"] * ms, 2),
                      "baseline_step_p95_ms": round(b["step_p95"] * ms, 2),
                      "workbench_step_p95_ms": round(w["step_p95"] * ms, 2),
                      "workbench_step_median_ms": round(w["step_median"] * ms, 2),
                      "baseline_pageup20_s": round(b["up_wall"], 4), "workbench_pageup20_s": round(w["up_wall"], 4),
                      "pageup20_ratio": round(w["up_wall"] / b["up_wall"], 3),
                      "baseline_pageup20_cpu_s": round(b["up_cpu"], 4), "workbench_pageup20_cpu_s": round(w["up_cpu"], 4),
                      "workbench_full_gcs": statistics.median(full_gcs), "scroll_steps": len(last["frames"]),
                      "goal_frame_p95_ms": 16, "goal_pageup20_s": 0.3}))


if __name__ == "__main__":
    main()
