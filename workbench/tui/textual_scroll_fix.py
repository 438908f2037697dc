"""A fix for needless repaints of `ScrollView` scrollbars in the pinned Textual (8.2.8).

A `ScrollView` (the session tree's rows, the prompt's TextArea) keeps a virtual size of its own, so
the one the compositor hands to `_size_updated` on every layout pass never equals it: each pass
re-ran `_scroll_update`, which refreshes the scrollbars unconditionally. The visible session tree's
scrollbar was thus repainted after every layout of the screen — a second paint of the screen
(~5 ms at 160x48) after each page-down in the conversation. The update is skipped when the size,
the view's own virtual size, the container size and the gutter are what the last update saw.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView

_original_size_updated = ScrollView._size_updated


def _size_updated(self: ScrollView, size: Size, virtual_size: Size, container_size: Size,
                  layout: bool = True) -> bool:
    key = (size, self.virtual_size, container_size, self.styles.gutter.totals)
    if getattr(self, "_workbench_size_key", None) == key:
        return False  # nothing changed since the last update: nothing to resize or repaint
    self._workbench_size_key = key  # type: ignore[attr-defined]
    return _original_size_updated(self, size, virtual_size, container_size, layout)


def apply() -> None:
    """Install the fix (idempotent)."""
    if ScrollView._size_updated is not _size_updated:
        _size_updated.__doc__ = _original_size_updated.__doc__
        ScrollView._size_updated = _size_updated  # type: ignore[method-assign]
