"""Short human formats for tokens, money, durations and percentages."""

from __future__ import annotations

import json
from typing import Any

from workbench.tui.sanitize import one_line


def tokens(n: float) -> str:
    n = int(n)
    if n < 1000:
        return str(n)
    if n < 10_000:
        return f"{n / 1000:.1f}k"
    if n < 1_000_000:
        return f"{n // 1000}k"
    return f"{n / 1_000_000:.2f}M"


def money(usd: float | None) -> str:
    if usd is None:
        return "unpriced"
    if usd == 0:
        return "$0.00"
    if usd < 0.01:
        return f"${usd:.4f}"
    return f"${usd:.2f}"


def duration(seconds: float) -> str:
    if seconds < 1:
        return f"{int(seconds * 1000)}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def limit(key: str, value: float | None) -> str:
    """A budget limit as people read it: `tokens 30,000`, `cost $2.00`, `turns 8`, `time 10m00s`."""
    names = {"tool_calls": "tool calls", "duration": "time"}
    name = names.get(key, key)
    if value is None:
        return f"{name} off"
    if key == "cost":
        return f"{name} {money(value)}"
    if key == "duration":
        return f"{name} {duration(value)}"
    return f"{name} {int(value):,}"  # exact: this confirms what was set


def percent(used: float, limit: float) -> float:
    return 0.0 if limit <= 0 else 100.0 * used / limit


def level_class(pct: float) -> str:
    """CSS class for a usage level: warnings at 70 % and 90 %."""
    if pct >= 90:
        return "-danger"
    if pct >= 70:
        return "-warning"
    return "-ok"


def arg_summary(name: str, args: Any, width: int = 70) -> str:
    """One line saying what a tool call does: the command for bash, the path for file tools."""
    if not isinstance(args, dict):
        return one_line(repr(args), width)
    if name == "bash" and isinstance(args.get("command"), str):
        return one_line("$ " + args["command"], width)
    path = args.get("path") or args.get("file_path")
    if isinstance(path, str):
        extra = ""
        if "offset" in args or "limit" in args:
            start = int(args.get("offset") or 1)
            extra = f":{start}" + (f"-{start + int(args['limit']) - 1}" if args.get("limit") else "")
        elif isinstance(args.get("pattern"), str):
            extra = f" {args['pattern']!r}"
        return one_line(path + extra, width)
    if isinstance(args.get("pattern"), str):
        return one_line(args["pattern"], width)
    try:
        flat = json.dumps(args, ensure_ascii=False)
    except (TypeError, ValueError):
        flat = repr(args)
    return one_line(flat, width)
