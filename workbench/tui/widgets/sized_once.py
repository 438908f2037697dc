"""SizedOnce: a block laid out once when mounted, not twice."""

from __future__ import annotations

from textual.geometry import Size


class SizedOnce:
    """Mixin for a block that holds no scrollable content. Textual stores a widget's new size as a
    reactive that asks for another layout pass, so every block mounted costs the screen a second
    layout (~15 ms at 160x48): the first pass already placed it, as Textual's own scroll reflow assumes."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)  # type: ignore[misc]
