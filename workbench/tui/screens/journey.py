"""`/journey`: the playbook's journeys drawn as graphs — the active one first, with its current
step marked and the path taken lit — and beside the drawing the path in words and every step's
transitions with their conditions (which the drawing can only hint at with arrowheads).

[ and ] show the other journeys of the playbook; Enter starts the one shown when none is active,
c completes and x stops the active one (the same as /journey start|complete|stop).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from workbench.tui.journey_graph import JourneyGraph, JourneyPosition
from workbench.tui.sanitize import one_line, sanitize


def journey_side(journey: Any, pos: JourneyPosition | None) -> Content:
    """What the drawing cannot say: the path in words, and each step's transitions."""
    parts: list[Content | str | tuple[str, str]] = []
    if journey.description:
        parts += [(sanitize(journey.description), "italic"), "\n\n"]
    if pos is None:
        parts += [("not started", "bold $foreground 55%"), ("  (Enter starts it)\n", "$foreground 55%")]
    else:
        index = journey.index_of(pos.step) if pos.step else 0
        step = journey.step(pos.step)
        name = one_line(step.name if step else pos.step or "", 40)
        parts += [({"completed": "completed", "stopped": "stopped"}.get(pos.status, "active"), "bold $accent"),
                  f" · step {index}/{len(journey.steps)} {name}\n"]
        parts += [("path taken  ", "$foreground 55%"), (" → ".join(one_line(s, 24) for s in pos.path) or "—", "bold"), "\n"]
    parts += ["\n", ("Transitions", "bold $accent"), "\n"]
    for step in journey.steps:
        here = pos is not None and step.id == pos.step
        parts += [("● " if here else "  ", "$accent"), (one_line(step.name or step.id, 40), "bold"),
                  (f"  ({one_line(step.id, 24)})", "$foreground 55%")]
        if step.is_terminal:
            parts += [("  end", "$primary")]
        parts.append("\n")
        if step.required_context:
            parts += [("    needs ", "$foreground 55%"), (", ".join(one_line(v, 24) for v in step.required_context), ""),
                      "\n"]
        for t in sorted(step.transitions, key=lambda t: -t.priority):
            target = journey.step(t.to)
            parts += [("    → ", "$accent"), (one_line(target.name if target else t.to, 40), ""), "\n",
                      ("      when ", "$foreground 55%"), (one_line(t.condition, 120), "italic"), "\n"]
            extra = ([f"match {', '.join(one_line(p.text, 30) for p in t.match)}"] if t.match else []) + \
                ([f"priority {t.priority}"] if t.priority else [])
            if extra:
                parts += [("      " + " · ".join(extra), "$foreground 55%"), "\n"]
        if not step.transitions and not step.is_terminal:
            parts.append(("    (no transitions: /journey complete ends it)\n", "$foreground 55%"))
    return Content.assemble(*parts).rstrip()


class JourneyScreen(Screen[tuple[str, str] | None]):
    """Dismissed with ("start", id), ("complete", id), ("stop", id) or None."""

    BINDINGS = [
        Binding("[", "cycle(-1)", "Previous journey", id="journey.previous"),
        Binding("]", "cycle(1)", "Next journey", id="journey.next"),
        Binding("enter", "start", "Start", id="journey.start"),
        Binding("c", "finish('complete')", "Complete", id="journey.complete"),
        Binding("x", "finish('stop')", "Stop", id="journey.stop"),
        Binding("escape,q", "close", "Close", id="journey.close"),
    ]
    DEFAULT_CSS = """
    JourneyScreen #journey-box { height: 1fr; border: round $accent; border-title-style: bold; }
    JourneyScreen #journey-graph-box { width: 1fr; }
    JourneyScreen #journey-side { width: 56; border-left: vkey $foreground 20%; padding: 0 1; }
    JourneyScreen.-narrow #journey-side { display: none; }
    """

    def __init__(self, journeys: list[Any], active: JourneyPosition | None) -> None:
        super().__init__()
        self.journeys = journeys
        self.active = active
        ids = [j.id for j in journeys]
        self.index = ids.index(active.journey_id) if active is not None and active.journey_id in ids else 0

    @property
    def journey(self) -> Any:
        return self.journeys[self.index]

    def position(self) -> JourneyPosition | None:
        active = self.active
        return active if active is not None and active.journey_id == self.journey.id else None

    def compose(self) -> ComposeResult:
        with Vertical(id="journey-box"):
            with Horizontal():
                yield Vertical(id="journey-graph-box")
                with VerticalScroll(id="journey-side"):
                    yield Static(id="journey-side-text")

    async def on_mount(self) -> None:
        self.set_class(self.app.size.width < 110, "-narrow")
        await self._show()

    async def _show(self) -> None:
        journey, pos = self.journey, self.position()
        box = self.query_one("#journey-box")
        box.border_title = f"Journey {one_line(journey.id, 30)} — {one_line(journey.name or journey.id, 50)}"
        box.border_subtitle = self._keys(pos)
        holder = self.query_one("#journey-graph-box")
        await holder.remove_children()
        graph = JourneyGraph(journey, pos, id="journey-graph")
        await holder.mount(graph)
        graph.focus()
        self.call_after_refresh(graph.scroll_to_current)
        self.query_one("#journey-side-text", Static).update(journey_side(journey, pos))

    def _keys(self, pos: JourneyPosition | None) -> str:
        keys = []
        if len(self.journeys) > 1:
            keys.append(f"[ ] journey {self.index + 1}/{len(self.journeys)}")
        if pos is not None and pos.status == "active":
            keys.append("c complete · x stop")
        elif self.active is None or self.active.status != "active":
            keys.append("Enter start")
        keys.append("Esc close")
        return " · ".join(keys)

    async def action_cycle(self, step: int) -> None:
        if len(self.journeys) > 1:
            self.index = (self.index + step) % len(self.journeys)
            await self._show()

    def action_start(self) -> None:
        if self.active is not None and self.active.status == "active":
            self.notify(f"Journey {self.active.journey_id} is active: complete (c) or stop (x) it first",
                        severity="warning", markup=False)
            return
        self.dismiss(("start", self.journey.id))

    def action_finish(self, how: str) -> None:
        pos = self.position()
        if pos is None or pos.status != "active":
            self.notify("This journey is not active", severity="warning", markup=False)
            return
        self.dismiss((how, pos.journey_id))

    def action_close(self) -> None:
        self.dismiss(None)
