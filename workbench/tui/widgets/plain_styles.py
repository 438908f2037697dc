"""Whether a widget's styles leave its content's segments as they are.

Widgets here that draw their rows themselves, skipping Textual's styles renderer (runs of finished
blocks, the pane's scrollbar), do so only when that renderer would not change the content: no
outline, tint, hatch, opacity or text opacity. Padding and borders only add segments around it.
"""

from __future__ import annotations

from typing import Any


def content_untouched(styles: Any, opacity: float) -> bool:
    """Textual's styles renderer would keep the content's segments as they are: what it adds, if
    anything, is padding and borders around them. `opacity` is the widget's, ancestors included."""
    return (not any(edge for edge, _ in styles.outline) and not styles.tint.a and opacity == 1
            and styles.text_opacity == 1 and (not styles.has_rule("hatch") or styles.hatch == "none"))
