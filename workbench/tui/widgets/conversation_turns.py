"""Which turn the Conversation pane is showing: the user message whose turn is in view.

The why view (`w` in the pane) explains one turn; the pane knows no entry ids, so the turn is
named by its place counted from the newest user message (0 is the newest), which the session's
active path maps back to an entry (its newest user messages are the pane's, compaction or not).
"""

from __future__ import annotations

from typing import Any

from workbench.tui.widgets.conversation_specs import UserSpec


def _is_user(spec: Any) -> bool:
    return isinstance(spec, UserSpec) and spec.kind != "peer"


def turn_in_view(conversation: Any) -> int | None:
    """The user message at or above the middle of the view, counted from the newest; the newest
    while the pane follows the bottom; None when the pane shows no user message."""
    rows: list[tuple[bool, float | None]] = [(True, None) for s in conversation._older if _is_user(s)]
    for widget in conversation.blocks:
        top = widget.virtual_region.y
        spans = getattr(widget, "spans", None)
        if callable(spans):  # a run of finished blocks drawn as one widget
            rows += [(True, top + start) for spec, start, _end in spans() if _is_user(spec)]
        elif getattr(widget, "kind", None) is not None and type(widget).__name__ == "UserBlock" \
                and widget.kind != "peer":
            rows.append((True, top))
    newer = sum(1 for s in conversation._newer if _is_user(s))
    total = len(rows) + newer
    if total == 0:
        return None
    if conversation.following:
        return 0
    middle = conversation.scroll_y + conversation.size.height / 2
    index = 0
    for i, (_, y) in enumerate(rows):
        if y is None or y <= middle:
            index = i
    return total - 1 - index
