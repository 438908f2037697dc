"""Keys typed fast are handled in the order they were typed, in every text field.

Textual (8.2.8) runs a widget's own *bindings* (backspace, delete, enter…) only when the key
has bubbled up to the app, through each ancestor's message queue, while the focused widget goes
on inserting the characters typed after it. A burst (typing fast, a terminal that sends
"abcdefghij⌫⌫⌫⌫⌫⌫⌫⌫⌫⌫python3" in one read) then ends as "abcdefg": the ten backspaces run last,
on the wrong text. Here the focused widget runs its own bindings itself, as each key comes, before
the next key: nothing races the input. Keys bound further up (the app's F-keys, escape) bubble as
before.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class OrderedKeys:
    """Mixin (before the widget class): this widget's own non-priority bindings run in key order."""

    async def _on_key(self, event: events.Key) -> None:
        widget = self  # type: ignore[assignment]
        chain = widget.screen._modal_binding_chain  # type: ignore[attr-defined]
        if not chain or chain[0][0] is not widget:
            return
        for binding in chain[0][1].key_to_bindings.get(event.key, ()):
            if not binding.priority and await widget.app.run_action(binding.action, widget):  # type: ignore[attr-defined]
                event.stop()
                event.prevent_default()  # the widget's own key handling (insert a newline…) is skipped
                return


class OrderedInput(OrderedKeys, Input):
    """An Input whose editing keys keep their order with the characters typed around them."""
