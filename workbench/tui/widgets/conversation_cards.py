"""What a tool card says, shared by the live card and the compact one of finished history: the
header line (status icon, agent, tool, argument summary, status with timing), the result's title
and the highlighted result."""

from __future__ import annotations

from typing import Any

from rich.syntax import Syntax
from rich.text import Text

from workbench.tui import format as fmt
from workbench.tui.sanitize import one_line, sanitize

# Keep syntax-highlighting cost bounded on huge tool outputs.
RESULT_CHARS = 20_000

STATUS_LABEL = {
    "requested": "requested",
    "waiting": "waiting for approval",
    "running": "running",
    "done": "done",
    "failed": "failed",
    "denied": "denied",
    "timed_out": "timed out",
    "skipped": "skipped",
    "interrupted": "interrupted",
}
STATUS_ICON = {
    "requested": "○", "waiting": "◌", "running": "◐", "done": "✓", "failed": "✗",
    "denied": "⊘", "timed_out": "⧗", "skipped": "–", "interrupted": "■",
}


def render_result(tool: str, args: Any, result: str) -> Syntax | Text:
    """Tool output, highlighted: diffs with the diff lexer, file contents by their extension."""
    text = sanitize(result[:RESULT_CHARS])
    if len(result) > RESULT_CHARS:
        text += f"\n… {len(result) - RESULT_CHARS:,} more characters"
    stripped = text.lstrip()
    if stripped.startswith(("--- ", "diff --git", "@@ ")):
        return Syntax(text, "diff", theme="ansi_dark", word_wrap=True, background_color="default")
    path = args.get("path") if isinstance(args, dict) else None
    if tool in ("read", "write", "edit") and isinstance(path, str):
        lexer = Syntax.guess_lexer(path, code=text)
        if lexer not in ("default", "text"):
            return Syntax(text, lexer, theme="ansi_dark", word_wrap=True, background_color="default")
    return Text(text)


def result_title(result: str, is_error: bool) -> str:
    lines = result.count("\n") + 1 if result else 0
    return f"{'error' if is_error else 'result'} · {lines} line{'s' if lines != 1 else ''}"


def finished_status(status: str, duration_s: float | None) -> str:
    """The status of a card no longer running, with its duration when it has one."""
    label = STATUS_LABEL.get(status, status)
    if duration_s is not None and status in ("done", "failed", "timed_out"):
        return f"{label} in {fmt.duration(duration_s)}"
    return label


def card_header(status: str, tool: str, args: Any, agent: str | None, status_text: str,
                checkpoint: str | None = None, notes: tuple[str, ...] = ()) -> Text:
    line = Text()
    line.append(f"{STATUS_ICON.get(status, '?')} ", style="bold")
    if agent:
        line.append(f"{one_line(agent, 20)} · ", style="italic")
    line.append(tool, style="bold")
    line.append("  ")
    line.append(fmt.arg_summary(tool, args, 60))
    line.append(f"  · {status_text}", style="italic")
    if checkpoint:
        line.append(f"  {checkpoint}", style="bold yellow")
    for note in notes:  # hook verdicts quote a hook's output: plain text, one line each
        line.append("\n  ")
        line.append(one_line(note, 300), style="bold red" if note.startswith("✗") else "dim")
    return line


def hook_note(event: Any) -> str:
    """The card's line for a hook_denied / hook_failed event (the hook's words are untrusted)."""
    if event.type == "hook_denied":
        return f"✗ denied by hook {event.hook_id}: {event.message or 'no reason given'}"
    return f"! hook {event.hook_id} failed: {event.error}"
