"""A fix for a layout-cache bug in the pinned Textual (8.2.8).

`Widget.refresh(layout=True)` bumps `_layout_updates` (part of the widget's box-model cache key) only
when no layout request is pending yet. If a layout runs while one is pending (a sibling was mounted
in the same burst, as streamed Markdown does), it caches the box model under the current key; a
second content change before the request is processed then keeps that key, and the widget stays at
the height measured before the change. Streaming answers showed it as a paragraph one line short,
under load only. Bumping the key on every layout refresh makes the cached box model miss, as it must.
"""

from __future__ import annotations

from textual.widget import Widget

_original_refresh = Widget.refresh


def _refresh(self: Widget, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False) -> Widget:  # type: ignore[no-untyped-def]
    if layout and self._layout_required:
        self._layout_updates += 1  # the unpatched refresh bumps only when no request is pending
    return _original_refresh(self, *regions, repaint=repaint, layout=layout, recompose=recompose)


def apply() -> None:
    """Install the fix (idempotent)."""
    if Widget.refresh is not _refresh:
        _refresh.__doc__ = _original_refresh.__doc__
        Widget.refresh = _refresh  # type: ignore[method-assign]
