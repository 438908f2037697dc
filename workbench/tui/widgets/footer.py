"""The key footer, fitted to the terminal's width.

Textual's Footer lays every shown binding out in a row and docks the palette key on the right;
when the row is wider than the terminal the docked key is drawn over the row and leaves stray
characters. This footer keeps only the hints that fit beside the palette key, most useful first:
the focused widget's own keys (Send, Allow once…), then the app's in APP_ORDER.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The app's shown bindings, most useful first (actions as bound in WorkbenchApp.BINDINGS).
APP_ORDER = ("help", "focus_approvals", "interrupt", "toggle_pane('side')", "toggle_pane('session')", "quit")


def key_width(key: FooterKey) -> int:
    """Cells a compact FooterKey takes: key, space, description, and its right margin."""
    text = key.key_display + (f" {key.description}" if key.description else "")
    return cell_len(text) + 1


class FittedFooter(Footer):
    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, **kwargs)
        self._laid_out_for = -1

    def compose(self) -> ComposeResult:
        items = list(super().compose())
        palette = [w for w in items if w.has_class("-command-palette")]
        keys = [w for w in items if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        others = [w for w in items if w not in palette and w not in keys]  # binding groups: kept
        width = self.size.width or self.app.size.width
        self._laid_out_for = width
        room = width - sum(key_width(k) + 1 for k in palette) - 1  # the palette's border
        rank = self._ranks()
        keep: set[int] = set()
        for i in sorted(range(len(keys)), key=lambda i: rank.get(keys[i].action, 1000 + i)):
            w = key_width(keys[i])
            if w <= room:
                keep.add(i)
                room -= w
        yield from others
        yield from (k for i, k in enumerate(keys) if i in keep)
        yield from palette

    def _ranks(self) -> dict[str, int]:
        """Action -> rank: the focused widget's keys first (in their order), then the app's."""
        ranks: dict[str, int] = {}
        for n, (node, binding, _enabled, _tip) in enumerate(self.screen.active_bindings.values()):
            if node is self.app:
                order = APP_ORDER.index(binding.action) if binding.action in APP_ORDER else len(APP_ORDER)
                ranks.setdefault(binding.action, 500 + order)
            else:
                ranks.setdefault(binding.action, n)
        return ranks

    def on_resize(self) -> None:
        if self.size.width != self._laid_out_for and self._bindings_ready:
            self.call_after_refresh(self.recompose)
