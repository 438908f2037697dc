"""The body of the Mob pane: a header, the graph (or the roster table), recent peer messages.

Keys act on the selected member; what they do to the mob goes through a `MobActions` (the
controller over a MobHandle in the app, a fake in tests). A failed action (an unknown member, a
strict topology, a retired member) is shown as a notification, never raised into the UI.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from workbench.errors import WorkbenchError
from workbench.mob.layout import edge_key
from workbench.tui import format as fmt
from workbench.tui.mob.dialogs import ConfirmScreen, MessageScreen, SpawnRequest, SpawnScreen
from workbench.tui.mob.graph import MobGraph
from workbench.tui.mob.model import STATUS_GLYPH, STATUS_WORD, MobModel
from workbench.tui.sanitize import one_line

RECENT_SHOWN = 4
ROSTER_COLUMNS = ("member", "role", "status", "activity", "turns", "tokens", "cost", "elapsed")


class MobActions(Protocol):
    def profiles(self) -> list[tuple[str, str]]: ...
    async def spawn(self, profile: str, identity: str, message: str | None) -> None: ...
    async def retire(self, identity: str) -> None: ...
    async def wire(self, a: str, b: str) -> bool: ...
    async def unwire(self, a: str, b: str) -> bool: ...
    async def send(self, identity: str, text: str) -> None: ...
    async def stop(self) -> None: ...
    async def resume(self) -> None: ...
    def open(self, identity: str) -> None: ...  # show the member's conversation


class MobView(Vertical, can_focus=False):
    ALLOW_MAXIMIZE = True  # z: the graph fills the screen
    BINDINGS = [
        Binding("o", "orchestrator", "Orchestrator", id="mob.orchestrator"),
        Binding("m", "message", "Message", id="mob.message"),
        Binding("s", "spawn", "Spawn", id="mob.spawn"),
        Binding("r", "retire", "Retire", id="mob.retire"),
        Binding("w", "wire", "Wire", id="mob.wire"),
        Binding("u", "unwire", "Unwire", id="mob.unwire"),
        Binding("p", "stop_resume", "Stop/resume", id="mob.stop_resume"),
        Binding("v", "toggle_view", "Graph/roster", id="mob.toggle_view"),
        Binding("z", "zoom", "Zoom", id="mob.zoom"),
        Binding("escape", "cancel_pick", "Cancel", show=False, id="mob.cancel"),
    ]

    DEFAULT_CSS = """
    MobView { height: 1fr; }
    MobView > .mob-header { height: 1; color: $text-muted; }
    MobView > .mob-pick { height: auto; display: none; text-style: bold; }
    MobView > .mob-pick.-picking { display: block; }
    MobView > DataTable { height: 1fr; display: none; }
    MobView.-roster > DataTable { display: block; }
    MobView.-roster > MobGraph { display: none; }
    MobView > .mob-recent { height: auto; max-height: 5; color: $text-muted; border-top: solid $panel-lighten-2;
                            text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, model: MobModel, actions: MobActions, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.actions = actions
        self.header = Static(classes="mob-header")
        self.pick_hint = Static(classes="mob-pick")  # its own lines: the header is one line, cut at the pane's width
        self.graph = MobGraph(model)
        self.table: DataTable[Any] = DataTable(cursor_type="row", zebra_stripes=False)
        self.recent = Static(classes="mob-recent")
        self._pick_kind: str | None = None
        self._recent_seen: int = -1
        self._sync_pending = False

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.pick_hint
        yield self.graph
        yield self.table
        yield self.recent

    def on_mount(self) -> None:
        self.table.add_columns(*ROSTER_COLUMNS)
        self.sync()

    # --- following the model -------------------------------------------------------------------
    def changed(self) -> None:
        """Called on every event that changed the model; redraws at most once per refresh."""
        self.graph.changed()
        if not self._sync_pending:
            self._sync_pending = True
            self.call_after_refresh(self.sync)

    def sync(self) -> None:
        self._sync_pending = False
        m = self.model
        live = m.live()
        text = Text.assemble((f"{one_line(m.mob_id, 30)} ", "bold"),
                             (m.state, "bold yellow" if m.state != "running" else ""),
                             f" · {len(live)} member{'s' if len(live) != 1 else ''}")
        if m.pending_total:
            text.append(f" · ! {m.pending_total} approval{'s' if m.pending_total > 1 else ''}", style="bold yellow")
        picking = bool(self._pick_kind and self.graph.picking)
        if picking:
            self.pick_hint.update(Text(f"{self._pick_kind} {self.graph.picking} with …: pick a member and press "
                                       f"{(self._pick_kind or ' ')[0]} again (Esc cancels)"))
        else:
            text.append("  v roster · z zoom", style="dim")
        self.pick_hint.set_class(picking, "-picking")
        self.header.update(text)
        if m.version != self._recent_seen:
            self._recent_seen = m.version
            self._show_recent()
            if self.has_class("-roster"):
                self._fill_table()

    def _show_recent(self) -> None:
        notes = list(self.model.recent)[-RECENT_SHOWN:]
        if not notes:
            self.recent.update(Text("No peer messages yet.", style="dim italic"))
            return
        out = Text()
        for i, n in enumerate(notes):
            if i:
                out.append("\n")
            out.append(f"{one_line(n.sender, 16)} → {one_line(n.recipient, 16)}: ", style="bold")
            out.append(one_line(n.text, 200))
        out.no_wrap = True
        out.overflow = "ellipsis"
        self.recent.update(out)

    def _fill_table(self) -> None:
        now = self.model.clock()
        table = self.table
        table.clear()
        for ident in self.model.order():
            mv = self.model.members[ident]
            role = "orchestrator" if mv.orchestrator else mv.profile
            status = Text(f"{STATUS_GLYPH.get(mv.status, '?')} {STATUS_WORD.get(mv.status, mv.status)}")
            activity = one_line(f"! {len(mv.approvals)} approval(s)" if mv.approvals else
                                (mv.error if mv.status == "broken" else mv.activity) or "", 30)
            table.add_row(Text(one_line(ident, 24)), Text(one_line(role, 16)), status, Text(activity),
                          str(mv.turns), fmt.tokens(mv.tokens), fmt.money(mv.cost_usd),
                          fmt.duration(max(0.0, now - mv.spawned_at)), key=ident)
        if self.graph.selected in self.model.members:
            table.move_cursor(row=self.model.order().index(self.graph.selected), animate=False)

    # --- messages from the graph and the table -------------------------------------------------
    def on_mob_graph_open_requested(self, event: MobGraph.OpenRequested) -> None:
        event.stop()
        if self.graph.picking:
            self._finish_pick(event.identity)
            return
        self.actions.open(event.identity)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value in self.model.members:
            self.graph.selected = event.row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key is not None and event.row_key.value:
            self.actions.open(event.row_key.value)

    # --- actions ------------------------------------------------------------------------------
    @property
    def selected(self) -> str | None:
        return self.graph.selected

    def _run(self, what: str, make: Callable[[], Awaitable[Any]], done: Callable[[Any], None] | None = None) -> None:
        async def go() -> None:
            try:
                result = await make()
            except WorkbenchError as exc:
                self.notify(f"{what}: {exc.message}", severity="error", timeout=6)
                return
            if done is not None:
                done(result)
            self.sync()

        self.run_worker(go(), group="mob-action")

    def action_orchestrator(self) -> None:
        """Select the orchestrator and show its conversation (the hint says "Orchestrator")."""
        if self.model.orchestrator:
            self.graph.select(self.model.orchestrator)
            self.actions.open(self.model.orchestrator)
            self._focus_view()

    def _focus_view(self) -> None:
        (self.table if self.has_class("-roster") else self.graph).focus()

    def action_toggle_view(self) -> None:
        roster = not self.has_class("-roster")
        self.set_class(roster, "-roster")
        if roster:
            self._fill_table()
        self._focus_view()

    def action_zoom(self) -> None:
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        else:
            screen.maximize(self, container=False)
        self.graph._lines_key = None
        self.call_after_refresh(self._focus_view)

    def action_message(self) -> None:
        target = self.selected
        if target is None:
            return

        def sent(text: str | None) -> None:
            if text:
                self._run(f"Message to {target}", lambda: self.actions.send(target, text),
                          lambda _: self.notify(f"Sent to {target}", timeout=2))

        self.app.push_screen(MessageScreen(target), sent)

    def action_spawn(self) -> None:
        def spawn(req: SpawnRequest | None) -> None:
            if req is not None:
                self._run(f"Spawn {req.identity}", lambda: self.actions.spawn(req.profile, req.identity, req.message),
                          lambda _: self.graph.select(req.identity))

        taken = {i for i, m in self.model.members.items() if not m.gone}
        self.app.push_screen(SpawnScreen(self.actions.profiles(), taken), spawn)

    def action_retire(self) -> None:
        target = self.selected
        if target is None:
            return
        member = self.model.members[target]
        if member.gone:
            self.notify(f"{target} has already retired", timeout=3)
            return
        if member.orchestrator:
            self.notify("The orchestrator cannot be retired while the mob runs", severity="warning", timeout=4)
            return

        def retire(yes: bool | None) -> None:
            if yes:
                self._run(f"Retire {target}", lambda: self.actions.retire(target),
                          lambda _: self.notify(f"{target} retired", timeout=2))

        self.app.push_screen(ConfirmScreen(f"Retire {target}?", "Its current run is interrupted, its wires "
                                           "removed; its session file stays on disk."), retire)

    def action_wire(self) -> None:
        self._pick("wire")

    def action_unwire(self) -> None:
        self._pick("unwire")

    def _pick(self, kind: str) -> None:
        target = self.selected
        if target is None:
            return
        if self.graph.picking is not None and self._pick_kind == kind:
            self._finish_pick(target)
            return
        if self.model.members[target].gone:
            self.notify(f"{target} has retired", timeout=3)
            return
        self._pick_kind = kind
        self.graph.picking = target
        self.graph.refresh()
        self.sync()
        self._focus_view()

    def _finish_pick(self, other: str) -> None:
        kind, first = self._pick_kind, self.graph.picking
        if kind is not None and other != first and other in self.model.members and self.model.members[other].gone:
            # Stay in the pick: the user chooses a live member instead.
            self.notify(f"{other} has retired: pick a live member to {kind} {first} with (Esc cancels)",
                        severity="warning", timeout=4)
            return
        self.action_cancel_pick()
        if kind is None or first is None or other == first:
            return
        if kind == "wire":
            self._run(f"Wire {first}–{other}", lambda: self.actions.wire(first, other),
                      lambda ok: self.notify(f"Wired {first} and {other}" if ok else "Already wired", timeout=2))
        else:
            if edge_key(first, other) not in self.model.wires:
                self.notify(f"{first} and {other} are not wired", severity="warning", timeout=3)
                return
            self._run(f"Unwire {first}–{other}", lambda: self.actions.unwire(first, other),
                      lambda ok: self.notify(f"Unwired {first} and {other}", timeout=2))

    def action_cancel_pick(self) -> None:
        if self.graph.picking is None and self.screen.maximized is None:
            self.run_worker(self.app.run_action("interrupt"), group="mob-escape")  # Escape as elsewhere
            return
        if self.graph.picking is None:
            self.action_zoom()
            return
        self._pick_kind = None
        self.graph.picking = None
        self.graph.refresh()
        self.sync()

    def action_stop_resume(self) -> None:
        if self.model.state == "stopped":
            self._run("Resume", self.actions.resume, lambda _: self._set_state("running"))
        else:
            self._run("Stop", self.actions.stop, lambda _: self._set_state("stopped"))

    def _set_state(self, state: str) -> None:
        self.model.state = state
        self.model.version += 1
        self.notify("Mob stopped: members interrupted; messages wait until you resume (p)" if state == "stopped"
                    else "Mob resumed", timeout=3)
        self.sync()
