"""Untrusted text for the TUI: sanitised (workbench.text) and wrapped in `rich.text.Text`, so
nothing from outside is ever parsed as Rich markup."""

from __future__ import annotations

from rich.text import Text

from workbench.text import control_spans, one_line, sanitize

__all__ = ["exact_text", "one_line", "safe_text", "sanitize"]

ESCAPE_STYLE = "reverse"


def safe_text(text: str, style: str = "") -> Text:
    """A Rich Text of untrusted content: never markup, never escapes."""
    return Text(sanitize(text), style=style)


def exact_text(text: str, style: str = "") -> Text:
    """Untrusted text shown one-for-one (a command about to run): every control character as its
    visible escape (`sanitize(exact=True)`), highlighted so it can't pass for typed text."""
    out = Text(style=style)
    for piece, is_control in control_spans(text):
        out.append(piece, style=ESCAPE_STYLE if is_control else "")
    return out
