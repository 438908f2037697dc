"""A vertical scrollbar drawn straight into rows.

Textual draws a scrollbar as it draws any widget: its `ScrollBarRender` goes through a Rich console,
is split into lines and every line through the styles renderer (~50 µs a row). A page-down moves the
thumb, so the whole bar (46 rows at 160x48) was drawn again each step: ~2.4 ms of it. The bar holds a
handful of distinct cells (track above and below the thumb, the thumb, its two ends); here each
becomes one row, styled as Textual's pipeline would style it (the widget's style under the bar's),
and shared by every row that shows it. A bar with styles of its own (padding, border, tint,
opacity, alignment) or another renderer is drawn by Textual as before.
"""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

from workbench.tui.widgets.plain_styles import content_untouched


def _plain(bar: ScrollBar) -> bool:
    """Nothing but the bar itself: Textual would hand its rows back as the bar renders them."""
    styles = bar.styles
    return (not any(styles.gutter) and content_untouched(styles, bar.opacity)
            and tuple(styles.content_align) == ("left", "top") and not bar.BLANK
            and bar.text_selection is None and not bar.auto_links)


class RowScrollBar(ScrollBar):
    """A `ScrollBar` whose vertical bar is drawn directly into rows (see the module's docstring)."""

    def render_lines(self, crop: Region) -> list[Strip]:
        renderer = self.render()
        if not self.vertical or type(renderer) is not ScrollBarRender or not _plain(self):
            return super().render_lines(crop)
        width, height = self.size
        style = renderer.style
        assert isinstance(style, Style)  # ScrollBar.render builds it
        bar = ScrollBarRender.render_bar(
            size=height, virtual_size=renderer.virtual_size, window_size=renderer.window_size,
            position=renderer.position, thickness=width, vertical=True,
            # the colours ScrollBarRender falls back on, as it does
            back_color=style.bgcolor or Color.parse("#555555"), bar_color=style.color or Color.parse("bright_magenta"))
        base = self.visual_style.rich_style
        background = self.background_colors[1]
        filters = self.get_line_filters()
        rows: dict[Segment, Strip] = {}  # the bar repeats a few segments down its length

        def row(segment: Segment) -> Strip:
            found = rows.get(segment)
            if found is None:
                found = Strip([Segment(segment.text, base + segment.style if segment.style else base)], width)
                for line_filter in filters:
                    found = found.apply_filter(line_filter, background)
                if crop.column_span != (0, width):
                    found = found.crop(*crop.column_span)
                rows[segment] = found
            return found

        segments = list(bar.segments)
        blank = Segment(" " * width)  # below the bar's rows, as Textual pads a widget's content
        return [row(segments[y] if y < len(segments) else blank) for y in crop.line_range]
