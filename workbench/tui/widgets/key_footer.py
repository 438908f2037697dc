"""The key footer: the shown bindings in one row, fitted to the terminal's width.

One widget drawing one line, where Textual's Footer mounts a widget per key and mounts them all
again on every focus change (a third of the first frame's styling work here). It looks the same:
each key in the theme's footer colours, the command palette key on the right behind a thin rule.
Only the hints that fit beside the palette key are kept, most useful first: the focused widget's
own keys (Send, Allow once…), then the app's in APP_ORDER. A click on a hint presses its key;
hovering one highlights it and shows its tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget

# The app's shown bindings, most useful first (actions as bound in WorkbenchApp.BINDINGS).
APP_ORDER = ("help", "focus_approvals", "interrupt", "toggle_pane('side')", "toggle_pane('session')", "quit")

RULE = "▏"  # Textual's `vkey` border, left side


@dataclass(frozen=True)
class FooterItem:
    """One hint as drawn: the key it presses and the cells it takes (x, width)."""

    key: str
    key_display: str
    description: str
    action: str
    enabled: bool
    tooltip: str
    x: int = 0

    @property
    def width(self) -> int:
        """Key, space, description (the compact style of Textual's footer)."""
        return cell_len(self.key_display) + (1 + cell_len(self.description) if self.description else 0)


def fit(items: list[FooterItem], palette: FooterItem | None, width: int, rank: dict[str, int]) -> list[FooterItem]:
    """The items that fit beside the palette key (each followed by one blank cell), most useful
    first, in their order, with their x positions. The palette key takes its rule, its text and a
    blank cell on the right, and one more cell stays free before it."""
    room = width - (palette.width + 3 if palette is not None else 0)
    keep: set[int] = set()
    for i in sorted(range(len(items)), key=lambda i: rank.get(items[i].action, 1000 + i)):
        w = items[i].width + 1
        if w <= room:
            keep.add(i)
            room -= w
    x, placed = 0, []
    for i, item in enumerate(items):
        if i in keep:
            placed.append(replace(item, x=x))
            x += item.width + 1
    return placed


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer-key--item", "footer-key--hover",
                         "footer-key--rule"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .footer-key--item { color: $footer-foreground; background: $footer-item-background; }
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .footer-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .footer-key--hover { color: $footer-key-foreground; background: $block-hover-background; }
        .footer-key--rule { color: $foreground 20%; background: $footer-item-background; }
    }
    """

    def __init__(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.items: list[FooterItem] = []
        self.palette: FooterItem | None = None
        self._all: list[FooterItem] = []
        self._rank: dict[str, int] = {}
        self._hover: str | None = None  # action of the hint under the mouse

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:  # type: ignore[no-untyped-def]
        if self.is_attached and screen is self.screen:
            self.update_bindings()

    def update_bindings(self) -> None:
        """Read the screen's active bindings: the hints, the palette key and their ranks."""
        app = self.app
        active = self.screen.active_bindings
        seen: set[str] = set()
        items: list[FooterItem] = []
        rank: dict[str, int] = {}
        for n, (node, binding, enabled, tooltip) in enumerate(active.values()):
            if node is app:
                order = APP_ORDER.index(binding.action) if binding.action in APP_ORDER else len(APP_ORDER)
                rank.setdefault(binding.action, 500 + order)
            else:
                rank.setdefault(binding.action, n)
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            items.append(FooterItem(binding.key, app.get_key_display(binding), binding.description,
                                    binding.action, enabled, tooltip))
        self.palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
            self.palette = FooterItem(binding.key, app.get_key_display(binding), binding.description,
                                      binding.action, enabled, binding.tooltip or binding.description)
            items = [i for i in items if i.action != binding.action]
        self._all, self._rank = items, rank
        self._place()

    def _place(self) -> None:
        self.items = fit(self._all, self.palette, self.size.width or self.app.size.width, self._rank)
        self.refresh()

    def on_resize(self) -> None:
        self._place()

    # --- drawing ---------------------------------------------------------------------------
    def _item_segments(self, item: FooterItem) -> list[Segment]:
        base = self.get_component_rich_style("footer-key--item")
        if item.action == self._hover and item.enabled:
            base = base + self.get_component_rich_style("footer-key--hover")
        if not item.enabled:
            base = base + Style(dim=True)
        key = base + self.get_component_rich_style("footer-key--key")
        out = [Segment(item.key_display, key)]
        if item.description:
            desc = base + self.get_component_rich_style("footer-key--description")
            out.append(Segment(f" {item.description}", desc))
        return out

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        blank = Style(bgcolor=self.rich_style.bgcolor)  # as Textual fills the gaps between widgets
        segments: list[Segment] = []
        for item in self.items:
            segments += self._item_segments(item)
            segments.append(Segment(" ", blank))
        used = sum(item.width + 1 for item in self.items)
        if self.palette is not None:
            tail = self.palette.width + 2  # rule, text, blank cell
            if width - tail > used:
                segments.append(Segment(" " * (width - tail - used), blank))
            segments.append(Segment(RULE, self.get_component_rich_style("footer-key--rule")))
            segments += self._item_segments(self.palette)
            segments.append(Segment(" ", blank))
        return Strip(segments).crop_extend(0, width, blank)

    @property
    def palette_x(self) -> int | None:
        """Where the palette key's rule is drawn (its text follows)."""
        if self.palette is None:
            return None
        return self.size.width - self.palette.width - 2

    # --- mouse -----------------------------------------------------------------------------
    def item_at(self, x: int) -> FooterItem | None:
        for item in self.items:
            if item.x <= x < item.x + item.width:
                return item
        start = self.palette_x
        if start is not None and self.palette is not None and start < x <= start + self.palette.width:
            return self.palette
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self.item_at(event.x)
        action = item.action if item is not None else None
        if action != self._hover:
            self._hover = action
            self.tooltip = (item.tooltip or None) if item is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self.item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
