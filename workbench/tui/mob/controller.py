"""The mob in the app: the pane fed from the mob's events, a member's conversation on Enter,
the budget breakdown, palette commands, and the ways a mob is started.

`MobController` listens to the mob's one `EventStream` synchronously (`add_listener`): each event
is folded into the pane's model at once — there is never a backlog — and the pane redraws at the
next frame. The conversation pane shows one member at a time through `MemberBackend`, the app's
ordinary `Backend` over that member's session; approvals from every member still reach the
approvals pane, labelled with the member.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from rich.text import Text
from textual.widgets import Static
from textual.worker import WorkerCancelled

from workbench.errors import WorkbenchError
from workbench.mob.roster import MobError
from workbench.runtime import events as ev
from workbench.tui import format as fmt
from workbench.tui.backend import RuntimeBackend, Stats
from workbench.tui.mob.model import MobModel
from workbench.tui.mob.view import MobView
from workbench.tui.sanitize import one_line

MOB_EVENTS = frozenset({"member_spawned", "member_retired", "members_wired", "members_unwired",
                        "member_status_changed", "peer_message"})
APPROVAL_EVENTS = frozenset({"tool_approval_requested", "tool_approval_resolved"})


class MemberBackend(RuntimeBackend):
    """The app's Backend for one member: its conversation, stats and controls. What you type goes
    through the mob (`send`), which starts the member's next run or steers the running one."""

    # The mob owns its members' session files (it closes them with the mob): switching the
    # conversation to another member must not close this one's.
    shared_session = True

    def __init__(self, handle: Any, identity: str, *, demo: bool = False) -> None:
        super().__init__(handle.session(identity), handle.approvals, demo=demo)
        self.handle = handle
        self.identity = identity

    def subscribe(self) -> AsyncIterator[Any]:
        return self._events()

    async def _events(self) -> AsyncIterator[Any]:
        async for event in self.handle.events.subscribe(replay=False):
            t = event.type
            if t in APPROVAL_EVENTS or (t not in MOB_EVENTS and event.member == self.identity):
                yield event

    def in_conversation(self, event: Any) -> bool:
        """Approvals of other members go to the approvals pane only, not this conversation."""
        return getattr(event, "member", None) in (None, self.identity)

    def _check_reachable(self) -> None:
        info = self.handle.member(self.identity)
        if info.status in ("retiring", "retired", "completed"):
            raise MobError(f"{self.identity} is {info.status} and takes no more messages")

    def _send(self, text: str) -> None:
        self._check_reachable()
        task = asyncio.get_running_loop().create_task(self.handle.send(self.identity, text))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # failures show as run_failed

    def start(self, prompt: str) -> None:
        self._send(prompt)

    def steer(self, text: str) -> None:
        self._send(text)

    def stats(self) -> Stats:
        from dataclasses import replace

        stats = super().stats()
        return replace(stats, session_name=stats.session_name or f"{self.identity} · mob {self.handle.id}")


class MobBudget(Static):
    """Under the budget pane: the mob's shared limits and what each member spent."""

    DEFAULT_CSS = "MobBudget { height: auto; margin: 1 0 0 0; }"

    def __init__(self, handle: Any, model: MobModel) -> None:
        super().__init__(classes="mob-budget")
        self.handle = handle
        self.model = model
        self._seen = -1

    def redraw(self) -> None:
        if self.model.version == self._seen:
            return
        self._seen = self.model.version
        lim = self.handle.definition.limits
        max_tokens = self.handle.env.max_tokens or lim.max_tokens
        max_cost = self.handle.env.max_cost or lim.max_cost
        members = [self.model.members[i] for i in self.model.order()]
        tokens = sum(m.tokens for m in members)
        costs = [m.cost_usd for m in members]
        cost = None if any(c is None for c in costs) else sum(c or 0.0 for c in costs)
        out = Text()
        out.append("mob (shared)\n", style="bold")
        out.append(f"  tokens {fmt.tokens(tokens)}" + (f" / {fmt.tokens(max_tokens)}" if max_tokens else
                                                       " · no limit"))
        if max_tokens:
            out.append(f"  {fmt.percent(tokens, max_tokens):.0f}%")
        out.append(f"\n  cost   {fmt.money(cost)}" + (f" / {fmt.money(max_cost)}" if max_cost else " · no limit"))
        if max_cost and cost is not None:
            out.append(f"  {fmt.percent(cost, max_cost):.0f}%")
        per_member = lim.max_tokens_per_member
        out.append("\nby member" + (f" (each ≤ {fmt.tokens(per_member)} tok)" if per_member else "") + "\n",
                   style="bold")
        for m in members:
            style = "dim" if m.gone else ""
            out.append(f"  {one_line(m.identity, 14):<14} {fmt.tokens(m.tokens):>6} tok {fmt.money(m.cost_usd):>9}"
                       f"  {m.turns} turn{'s' if m.turns != 1 else ''}\n", style=style)
        out.rstrip()
        self.update(out)


class MobController:
    """Glue between one MobHandle and the app (pane, conversation, budget, palette)."""

    def __init__(self, app: Any, handle: Any, *, demo: bool = False) -> None:
        self.app = app
        self.handle = handle
        self.demo = demo
        self.model = MobModel(app.clock.now, mob_id=handle.id)
        self.model.seed(handle.roster(), handle.wires(), handle.retired())
        self.model.state = handle.state
        self.view = MobView(self.model, self, id="mob-view")
        self.budget = MobBudget(handle, self.model)
        self.pending: dict[str, ev.ToolApprovalRequested] = {}
        for req in handle.approvals.pending() if handle.approvals is not None else []:
            self.pending[req.request_id] = ev.ToolApprovalRequested(
                request_id=req.request_id, id=req.call_id, name=req.tool, args=req.args, preview=req.preview,
                agent=req.agent, scope=req.scope, member=req.agent, reason=req.reason)
            self.model.apply(self.pending[req.request_id])
        self.showing: str | None = None
        self._remove = handle.events.add_listener(self._on_event)
        # a member stopped, retired or interrupted while it waited: its request is gone for good
        self._unwatch = (handle.approvals.on_withdrawn(lambda request_id: self.pending.pop(request_id, None))
                         if handle.approvals is not None else lambda: None)

    # --- events --------------------------------------------------------------------------------
    def _on_event(self, event: Any) -> None:
        try:
            t = event.type
            if t == "tool_approval_requested":
                self.pending[event.request_id] = event
            elif t == "tool_approval_resolved":
                self.pending.pop(event.request_id, None)
            if self.model.apply(event):
                self.view.changed()
                if self.budget.is_attached:
                    self.budget.redraw()
        except Exception as exc:  # the pane must never break the mob that calls it
            self.app.log.error(f"mob pane: event {getattr(event, 'type', event)!r} failed: {exc!r}")

    async def attach(self, *, open_member: str | None = None) -> None:
        """Mount the pane and the budget breakdown, and show the orchestrator's conversation."""
        pane = self.app.mob_pane
        pane.border_title = f"Mob · {one_line(self.handle.id, 40)}"
        # A mob needs room: the pane takes the side column's free height (it is small when empty).
        pane.styles.height = "4fr"
        self.app.approvals.styles.height = "1fr"  # approvals still grow with a queue (scrolls)
        pane.styles.max_height = "100%"
        pane.styles.padding = (0, 0)
        await pane.set_body(self.view)
        await self.app.budget.mount(self.budget)
        self.budget.redraw()
        self.open(open_member or self.handle.orchestrator)
        await self.swapped()

    async def swapped(self) -> None:
        """Until the conversation pane has switched (history loaded, events followed)."""
        for worker in list(self.app.workers):
            if worker.group in ("swap", "history") and not worker.is_finished:
                try:
                    await worker.wait()
                except WorkerCancelled:
                    # the app quits while the mob opens (or a newer switch took over): nothing is
                    # left to wait for; a worker that failed is still the app's to report
                    pass

    def close(self) -> None:
        self._remove()
        self._unwatch()

    def open(self, identity: str | None) -> None:
        """Show this member's conversation (and session) in the conversation pane."""
        if identity is None:
            return
        member = self.model.members.get(identity)
        if member is None or member.gone:
            self.app.notify(f"{identity} has retired; its session file stays on disk", timeout=4)
            return
        self.showing = identity
        self.app.switch_backend(MemberBackend(self.handle, identity, demo=self.demo))
        from workbench.tui.widgets.approvals import PendingApproval

        for event in self.pending.values():  # switching views keeps every member's pending approvals
            self.app.approvals.add(PendingApproval.from_event(event))
        self.app.conversation.border_title = f"Conversation · {identity}"
        self.view.graph.select(identity)

    # --- MobActions ----------------------------------------------------------------------------
    def profiles(self) -> list[tuple[str, str]]:
        return [(name, p.peer_description or "") for name, p in self.handle.definition.profiles.items()]

    async def spawn(self, profile: str, identity: str, message: str | None) -> None:
        await self.handle.spawn(profile, identity, message)

    async def retire(self, identity: str) -> None:
        await self.handle.retire(identity)

    async def wire(self, a: str, b: str) -> bool:
        return await self.handle.wire(a, b)

    async def unwire(self, a: str, b: str) -> bool:
        return await self.handle.unwire(a, b)

    async def send(self, identity: str, text: str) -> None:
        await self.handle.send(identity, text)

    async def stop(self) -> None:
        await self.handle.stop()

    async def resume(self) -> None:
        await self.handle.resume()

    # --- palette -------------------------------------------------------------------------------
    def palette_entries(self) -> list[tuple[str, str, Callable[[], Any]]]:
        v = self.view
        sel = v.selected or "?"
        stopped = self.model.state == "stopped"
        return [
            ("mob: focus the graph", "F8", self.focus),
            (f"mob: open {sel}'s conversation", "Enter on a node", lambda: self.open(v.selected)),
            ("mob: go to the orchestrator", "o", lambda: (self.focus(), v.action_orchestrator())),
            (f"mob: message {sel}", "m", lambda: (self.focus(), v.action_message())),
            ("mob: spawn a member from a profile", "s", lambda: (self.focus(), v.action_spawn())),
            (f"mob: retire {sel}", "r", lambda: (self.focus(), v.action_retire())),
            (f"mob: wire {sel} to …", "w, then pick the other member", lambda: (self.focus(), v.action_wire())),
            (f"mob: unwire {sel} from …", "u, then pick the other member", lambda: (self.focus(), v.action_unwire())),
            ("mob: resume the mob" if stopped else "mob: stop the mob", "p", v.action_stop_resume),
            ("mob: toggle graph / roster", "v", lambda: (self.focus(), v.action_toggle_view())),
            ("mob: zoom the mob pane", "z", lambda: (self.focus(), v.action_zoom())),
        ]

    def focus(self) -> None:
        if not self.app.pane_visible("side"):
            self.app.action_toggle_pane("side")
        self.app.call_after_refresh(self.view._focus_view)


# --- starting a mob in the app ----------------------------------------------------------------

MobStarter = Callable[[Any], Awaitable[None]]


async def start_in_app(app: Any, make_handle: Callable[[], Awaitable[Any]], *, task: str | None = None,
                       demo: bool = False) -> MobController | None:
    """Create (or reopen) the mob inside the app's loop, mount the pane, optionally send a task."""
    try:
        handle = await make_handle()
    except WorkbenchError as exc:
        app.notify(exc.message, title="The mob could not start", severity="error", timeout=15)
        return None
    old = getattr(app, "mob", None)
    if old is not None:
        old.close()
        old.handle.close()
    controller = MobController(app, handle, demo=demo)
    app.mob = controller
    await controller.attach()
    if task:
        await handle.send(handle.orchestrator, task)
    return controller


def demo_starter(cwd: Path, *, delay_scale: float = 1.0, run_task: bool = True) -> MobStarter:
    """The offline demo mob (replay scripts, no API key): lead, scout and reviewer."""
    async def start(app: Any) -> None:
        from workbench.mob.demo import DEMO_TASK, NOTICE, demo_handle

        app.notify(NOTICE, title="Demo mob", timeout=8)
        await start_in_app(app, lambda: demo_handle(cwd, delay_scale=delay_scale, mobs_dir=_mobs_dir(),
                                                    approvals=_broker(app)),
                           task=DEMO_TASK if run_task else None, demo=True)

    return start


def _mobs_dir() -> Path:
    from workbench.config import mobs_dir

    return mobs_dir()


def _broker(app: Any) -> Any:
    """The approval broker the app answers (the current backend's), else a new one."""
    broker = getattr(app.backend, "broker", None)
    if broker is None:
        from workbench.runtime.approvals import ApprovalBroker

        broker = ApprovalBroker()
    return broker


def _environment(args: Any, settings: Any, cwd: Path, meta: dict[str, Any] | None, broker: Any,
                 notices: io.StringIO, definition: Any = None) -> Any:
    from workbench.mob.environment import environment_from_args  # the CLI's choices, kept identical

    return environment_from_args(args, settings, cwd, meta=meta, approvals=broker, notices=notices,
                                 mobs_dir=_mobs_dir(), definition=definition)


def definition_starter(args: Any, settings: Any, cwd: Path, definition_path: str) -> MobStarter:
    """`workbench --mob FILE.toml` (or `--mob demo`): a new mob from a definition."""
    async def start(app: Any) -> None:
        from workbench.mob.definition import MobDefinitionError, load_definition
        from workbench.mob.handle import MobHandle

        try:
            definition = load_definition(definition_path)
        except MobDefinitionError as exc:
            app.notify("\n".join(str(p) for p in exc.problems), title=f"Mob definition {definition_path}",
                       severity="error", timeout=20)
            return
        notices = io.StringIO()
        try:
            env, choice = _environment(args, settings, cwd, None, _broker(app), notices, definition)
        except WorkbenchError as exc:  # e.g. no provider can run it: said before anything starts
            app.notify(exc.message, title="The mob could not start", severity="error", timeout=20)
            return
        env.mcp_pool = app.mcp.mob_pool()
        if notices.getvalue().strip():
            app.notify(notices.getvalue().strip().removeprefix("workbench: "), title="Mob", timeout=8)
        await start_in_app(app, lambda: MobHandle.create(definition, env, meta={"provider": choice}),
                           demo=bool(choice.get("demo")))

    return start


def resume_starter(args: Any, settings: Any, cwd: Path, mob_id: str) -> MobStarter:
    """`workbench mob resume ID`: the mob reopened in the app, interrupted work carrying on."""
    async def start(app: Any) -> None:
        from workbench.mob.handle import MobHandle
        from workbench.mob.log import read_log, resolve_mob

        try:
            records = read_log(resolve_mob(_mobs_dir(), mob_id)).records
        except WorkbenchError as exc:
            app.notify(exc.message, title="The mob could not be resumed", severity="error", timeout=15)
            return
        first = records[0] if records else {}
        where = Path(first.get("cwd") or cwd)
        notices = io.StringIO()
        env, choice = _environment(args, settings, where, first.get("meta"), _broker(app), notices)
        env.mcp_pool = app.mcp.mob_pool()
        async def reopen() -> Any:
            handle = await MobHandle.open(mob_id, env)
            if handle.state == "stopped":  # stopped by a user, a quit or Ctrl-C: `resume` means carry on
                await handle.resume()
            return handle

        await start_in_app(app, reopen, task=getattr(args, "prompt", None), demo=bool(choice.get("demo")))

    return start


def slash_mob(app: Any, arg: str) -> Awaitable[None] | None:
    """`/mob demo` (the offline demo mob), `/mob FILE.toml` (a new mob), `/mob` (focus the pane)."""
    arg = arg.strip()
    if not arg:
        app.action_focus_mob()
        return None
    if arg == "demo" and not (app.cwd / "demo").exists():
        return demo_starter(app.cwd)(app)
    path = Path(arg).expanduser()
    if not path.is_absolute():
        path = app.cwd / path
    if not path.is_file():
        raise ValueError(f"no mob definition at {path} (or /mob demo for the offline demo)")
    from argparse import Namespace

    args = getattr(app, "cli_args", None) or Namespace()
    return definition_starter(args, app.settings, app.cwd, str(path))(app)
