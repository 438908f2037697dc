"""Untrusted text for the TUI: sanitised (workbench.text) and wrapped in `rich.text.Text`, so
nothing from outside is ever parsed as Rich markup."""

from __future__ import annotations

from rich.text import Text

from workbench.text import one_line, sanitize

__all__ = ["one_line", "safe_text", "sanitize"]


def safe_text(text: str, style: str = "") -> Text:
    """A Rich Text of untrusted content: never markup, never escapes."""
    return Text(sanitize(text), style=style)
