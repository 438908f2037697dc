"""The one place the UI meets the runtime.

The app talks to a `Backend`: a subscription to the runtime's typed events, the calls a user
can make (send, steer, follow up, interrupt, answer an approval, change model/mode/limits), and
a `Stats` snapshot for the status line and budget pane. `RuntimeBackend` adapts an
`AgentSession` + `ApprovalBroker` (docs/contracts.md); tests drive the app with a fake that has
the same surface, so every screen can be built from events constructed by hand.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, AsyncIterator, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from workbench.runtime.events import Usage

DecisionKind = Literal["once", "session", "always", "deny"]
PendingKind = Literal["steer", "follow_up"]


@dataclass(frozen=True)
class NoUsage:
    """Zero tokens, with the fields of the runtime's `Usage` (a pydantic model: the first frame,
    which shows zero, need not import pydantic)."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True)
class Limits:
    tokens: int | None = None
    cost: float | None = None
    turns: int | None = None
    tool_calls: int | None = None
    duration: float | None = None  # seconds


@dataclass(frozen=True)
class Stats:
    """What the status line and the budget pane show; rebuilt after every event."""

    provider: str = ""
    model: str = ""
    mode: str = "ask"
    thinking: str = "off"
    usage: Usage | NoUsage = field(default_factory=NoUsage)
    cost_usd: float | None = 0.0  # None: the model has no price
    # Tokens, cost, turns (assistant messages) and tool calls (tool results) count the whole
    # session, every branch, resumed history included; the turns and tool-calls limits apply per
    # run (run_turns, run_tool_calls); the time is the current run's (it restarts on resume).
    turns: int = 0
    tool_calls: int = 0
    run_turns: int = 0
    run_tool_calls: int = 0
    elapsed_s: float = 0.0
    context_tokens: int = 0
    context_window: int | None = None
    limits: Limits = field(default_factory=Limits)
    cost_by_model: dict[str, float | None] = field(default_factory=dict)
    session_name: str | None = None
    session_id: str = ""
    demo: bool = False
    running: bool = False
    readonly: bool = False  # the session is locked by another process: shown, never written
    sandbox: str | None = None  # the bash sandbox's state when it is on (Sandbox.status_text)
    sandbox_problem: str | None = None  # on but unavailable: why (bash is refused, or runs unsandboxed)
    sandbox_fallback: bool = False  # ... and the user chose to run bash unsandboxed then
    agent: str | None = None  # the playbook's agent profile in use (/agent)
    journey: str = ""  # the active journey, as PlaybookRuntime.status_text() says it

    @property
    def context_percent(self) -> float | None:
        if not self.context_window:
            return None
        return 100.0 * self.context_tokens / self.context_window


@dataclass(frozen=True)
class PathEntry:
    """One row of the Session pane: an entry on the active path."""

    entry_id: str
    role: str  # user | assistant | toolResult | compaction | model_change | label | ...
    summary: str
    label: str | None = None


@runtime_checkable
class Backend(Protocol):
    def subscribe(self) -> AsyncIterator[Any]: ...
    def stats(self) -> Stats: ...
    def path_entries(self) -> list[PathEntry]: ...
    @property
    def is_running(self) -> bool: ...
    def start(self, prompt: str) -> None: ...
    def steer(self, text: str) -> None: ...
    def follow_up(self, text: str) -> None: ...
    def pending(self) -> list[tuple[PendingKind, str]]: ...
    def take_pending(self) -> list[tuple[PendingKind, str]]: ...
    async def interrupt(self) -> None: ...
    def resolve_approval(self, request_id: str, kind: DecisionKind, feedback: str | None = None) -> None: ...
    def set_model(self, model: str) -> None: ...
    def set_mode(self, mode: str) -> None: ...
    def set_limits(self, limits: Limits) -> None: ...
    async def compact(self, instructions: str | None = None) -> None: ...
    def set_name(self, name: str) -> None: ...
    def set_label(self, label: str | None) -> str | None: ...
    def history(self) -> list[dict[str, Any]]: ...


# What the user sees as "the current entry": the last of these on the active path. Entries the
# conversation does not show (a name, a label, a model change, the workbench's own settings) are
# passed over, so /label and /fork never land on a `[name]` row.
SHOWN_TYPES = frozenset({"message", "custom_message", "branch_summary", "compaction"})


def current_entry_id(manager: Any) -> str | None:
    """The last shown entry of the active path (else the leaf; None in an empty session)."""
    leaf = manager.leaf_id
    if leaf is None:
        return None
    for entry in reversed(manager.get_branch()):
        if entry.get("type") in SHOWN_TYPES:
            return str(entry.get("id"))
    return leaf


def summarize_entry(entry: dict[str, Any]) -> PathEntry | None:
    """A session entry (pi format) as one Session-pane row; None for entries not worth a row."""
    kind = entry.get("type")
    eid = str(entry.get("id", ""))
    if kind == "message":
        msg = entry.get("message") or {}
        role = msg.get("role", "?")
        text = message_text(msg)
        if role == "user":  # attachments and a skill's body folded to one line each
            from workbench.context.display import user_message_display

            text = user_message_display(msg) or text
        if role == "assistant" and not text:
            calls = [b.get("name", "?") for b in msg.get("content") or [] if isinstance(b, dict)
                     and b.get("type") == "toolCall"]
            text = "→ " + ", ".join(calls) if calls else ""
        if role == "toolResult":
            text = f"{msg.get('toolName', '?')}: {text}"
        if role == "bashExecution":
            text = "$ " + str(msg.get("command", ""))
        return PathEntry(eid, role, text)
    if kind == "compaction":
        return PathEntry(eid, "compaction", str(entry.get("summary", "")))
    if kind == "branch_summary":
        return PathEntry(eid, "branch", str(entry.get("summary", "")))
    if kind == "model_change":
        return PathEntry(eid, "model", f"{entry.get('provider', '')}/{entry.get('modelId', '')}")
    if kind == "custom_message":
        content = entry.get("content")
        return PathEntry(eid, "custom", content if isinstance(content, str) else str(entry.get("customType")))
    return None


def message_text(msg: dict[str, Any]) -> str:
    content = msg.get("content")
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "\n".join(parts)


BRANCH_SUMMARY_ASK = (
    "These messages are a branch of the conversation that the user is now leaving to continue from "
    "an earlier point. Summarise what was tried, learned and decided in this branch, so that it can "
    "be carried over to the conversation that continues elsewhere."
)


def branch_messages(entries: list[Any]) -> list[dict[str, Any]]:
    """The messages of the entries of a branch being left (summaries kept, bookkeeping dropped)."""
    out: list[dict[str, Any]] = []
    for entry in entries:
        kind = entry.get("type")
        if kind == "message" and isinstance(entry.get("message"), dict):
            out.append(entry["message"])
        elif kind == "branch_summary":
            out.append({"role": "branchSummary", "summary": str(entry.get("summary", ""))})
        elif kind == "compaction":
            out.append({"role": "compactionSummary", "summary": str(entry.get("summary", ""))})
    return out


async def summarise_entries(provider: Any, model: str, entries: list[Any], instructions: str | None) -> str:
    from workbench.errors import AgentError
    from workbench.runtime.compaction import summarise, summary_request

    ask = BRANCH_SUMMARY_ASK + (f"\n{instructions}" if instructions else "")
    text, _final = await summarise(provider, summary_request(model, branch_messages(entries), ask))
    if not text:
        raise AgentError("the model returned an empty summary")
    return text


def _shown_cost(cost: float | None, model: str) -> float | None:
    """Nothing spent yet on a model without a price reads "unpriced" from the start, as it will
    after its first turn, never "$0.00"."""
    if cost == 0 and model:
        from workbench.providers.catalog import get_model

        info = get_model(model)
        if info is None or not info.priced:
            return None
    return cost


class ReadOnlyBackend:
    """A session locked by another process: shown (conversation, tree, stats) and forkable, never
    written. Every action that would write says so instead."""

    def __init__(self, manager: Any, *, demo: bool = False) -> None:
        self.manager = manager
        self.demo = demo
        self.readonly = True

    async def subscribe(self) -> AsyncIterator[Any]:
        import asyncio

        await asyncio.Event().wait()  # nothing ever runs here
        yield None  # pragma: no cover

    def _refuse(self, *_: Any) -> Any:
        from workbench.errors import SessionBusy

        raise SessionBusy("this session is open read-only (locked by another process): fork it to continue "
                          "(ctrl+f in the Session pane, or /fork)")

    start = steer = follow_up = set_model = set_mode = set_limits = set_name = set_label = _refuse
    reload_context = _refuse

    async def compact(self, instructions: str | None = None) -> None:
        self._refuse()

    def can_compact(self) -> tuple[bool, str]:
        return False, "this session is open read-only (locked by another process): fork it to compact it"

    async def interrupt(self) -> None:
        return None

    def resolve_approval(self, request_id: str, kind: DecisionKind, feedback: str | None = None) -> None:
        self._refuse()

    @property
    def is_running(self) -> bool:
        return False

    def pending(self) -> list[tuple[PendingKind, str]]:
        return []

    def take_pending(self) -> list[tuple[PendingKind, str]]:
        return []

    def stats(self) -> Stats:
        from workbench.providers import catalog
        from workbench.runtime.agent import usage_of
        from workbench.runtime.compaction import estimate_context_tokens
        from workbench.runtime.events import Usage

        m = self.manager
        context = m.build_context()
        usage = Usage()
        cost: float | None = 0.0
        turns = 0
        for msg in m.messages("assistant"):  # every branch: what was spent is spent
            turns += 1
            usage = usage + usage_of(msg)
            model_name = msg.get("model")
            one = catalog.cost_usd(catalog.get_model(model_name), msg.get("usage") or {}) if model_name else None
            cost = None if cost is None or one is None else cost + one
        model = context.model or {}
        return Stats(provider=str(model.get("provider", "")), model=str(model.get("modelId", "")),
                     thinking=str(context.thinking_level or "off"), usage=usage, cost_usd=cost,
                     turns=turns, tool_calls=m.count_messages("toolResult"),
                     context_tokens=estimate_context_tokens(list(context.messages)),
                     session_name=m.name, session_id=m.session_id, demo=self.demo, readonly=True)

    def path_entries(self) -> list[PathEntry]:
        return [row for row in (summarize_entry(e) for e in self.manager.get_branch()) if row is not None]

    def history(self) -> list[dict[str, Any]]:
        return list(self.manager.build_context().messages)


def _sandbox_stats(tool_extra: dict[str, Any] | None) -> dict[str, Any]:
    sandbox = (tool_extra or {}).get("sandbox")
    if sandbox is None or not sandbox.enabled:
        return {}
    return {"sandbox": sandbox.status_text(), "sandbox_problem": sandbox.problem(),
            "sandbox_fallback": sandbox.unsandboxed_fallback}


def _playbook_stats(runtime: Any) -> dict[str, Any]:
    """The agent profile and the journey for the status line (a session without a playbook: none)."""
    if runtime is None:
        return {}
    journey = runtime.status_text()
    ended = runtime.state.journey
    if not journey and ended is not None:  # a journey that ended stays named until another starts
        journey = f"journey {ended.journey_id} · {ended.status}"
    return {"agent": runtime.state.agent, "journey": journey}


class RuntimeBackend:
    """A Backend over the runtime's AgentSession and ApprovalBroker (docs/contracts.md)."""

    def __init__(self, agent: Any, broker: Any, *, demo: bool = False) -> None:
        self.agent = agent
        self.broker = broker
        self.demo = demo
        self._started_at: float | None = None
        self._before = (0, 0)  # session turns and tool calls when the current run started
        self._cost_by_model: dict[str, float | None] = {}

    # --- events and stats ------------------------------------------------------------------
    def subscribe(self) -> AsyncIterator[Any]:
        return self.agent.events.subscribe()

    def note_event(self, event: Any) -> None:
        """Keep what the agent does not: wall time of the run and cost per model."""
        etype = getattr(event, "type", "")
        if etype == "run_started":
            self._started_at = time.monotonic()
            a = self.agent  # the session's totals before this run: the run's counts add to them
            self._before = (int(getattr(a, "session_turns", 0) or 0), int(getattr(a, "session_tool_calls", 0) or 0))
        elif etype == "turn_completed":
            model = str(getattr(self.agent, "model", "") or "?")
            before = self._cost_by_model.get(model, 0.0)
            cost = getattr(event, "cost_usd", None)
            self._cost_by_model[model] = None if before is None or cost is None else before + cost

    def stats(self) -> Stats:
        a = self.agent
        lim = getattr(a, "limits", None)
        limits = Limits(
            tokens=getattr(lim, "max_tokens", None), cost=getattr(lim, "max_cost", None),
            turns=getattr(lim, "max_turns", None), tool_calls=getattr(lim, "max_tool_calls", None),
            duration=getattr(lim, "max_duration", None),
        )
        elapsed = 0.0 if self._started_at is None else time.monotonic() - self._started_at
        manager = getattr(a, "manager", None)
        provider = getattr(a, "provider", None)
        return Stats(
            provider=str(getattr(provider, "name", provider) or ""),
            model=str(getattr(a, "model", "") or ""),
            mode=str(getattr(a, "mode", "ask")),
            thinking=str(getattr(a, "thinking_level", "off")),
            usage=getattr(a, "usage", None) or NoUsage(),
            cost_usd=_shown_cost(getattr(a, "cost_usd", None), str(getattr(a, "model", "") or "")),
            # the session's totals include this run's counts (never fewer: a turn counts from its start)
            turns=max(int(getattr(a, "session_turns", 0) or 0), self._before[0] + int(getattr(a, "turns", 0) or 0)),
            tool_calls=max(int(getattr(a, "session_tool_calls", 0) or 0),
                           self._before[1] + int(getattr(a, "tool_calls", 0) or 0)),
            run_turns=int(getattr(a, "turns", 0) or 0),
            run_tool_calls=int(getattr(a, "tool_calls", 0) or 0),
            elapsed_s=elapsed,
            context_tokens=int(getattr(a, "context_tokens", 0) or 0),
            context_window=getattr(a, "context_window", None),
            limits=limits,
            cost_by_model=dict(self._cost_by_model),
            session_name=getattr(manager, "name", None),
            session_id=str(getattr(a, "id", "")),
            demo=self.demo,
            running=self.is_running,
            **_sandbox_stats(getattr(a, "tool_extra", None)),
            **_playbook_stats(getattr(a, "playbook", None)),
        )

    @property
    def manager(self) -> Any:
        """The session's SessionManager (the session tree pane shows and moves it)."""
        return self.agent.manager

    @property
    def readonly(self) -> bool:
        return False

    def reload_context(self) -> None:
        """The tree moved the leaf: the agent continues from the new leaf."""
        self.agent.reload_context()
        playbook = getattr(self.agent, "playbook", None)
        if playbook is not None:  # the agent, variables and journey of that point in the tree
            playbook.restore()

    async def summarise_branch(self, entries: list[Any], instructions: str | None) -> str:
        """A branch summary through the current provider and model, with the same request and
        streaming the runtime's compaction uses."""
        return await summarise_entries(self.agent.provider, self.agent.model, entries, instructions)

    def path_entries(self) -> list[PathEntry]:
        manager = getattr(self.agent, "manager", None)
        if manager is None:
            return []
        labels = getattr(manager, "labels", {}) or {}
        rows = []
        for entry in manager.get_branch():
            row = summarize_entry(entry)
            if row is not None:
                label = labels.get(row.entry_id)
                rows.append(PathEntry(row.entry_id, row.role, row.summary, label) if label else row)
        return rows

    def history(self) -> list[dict[str, Any]]:
        manager = getattr(self.agent, "manager", None)
        return [] if manager is None else list(manager.build_context().messages)

    # --- user actions ----------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return bool(getattr(self.agent, "is_running", False))

    def start(self, prompt: str, **options: Any) -> None:
        """`options`: content / attachments of a prompt with attached files or images."""
        self.agent.start(prompt, **options)

    def steer(self, text: str) -> None:
        self.agent.steer(text)

    def follow_up(self, text: str) -> None:
        self.agent.follow_up(text)

    def pending(self) -> list[tuple[PendingKind, str]]:
        """Queued messages, and first those an interrupted run handed back (shown until recalled)."""
        return (list(getattr(self.agent, "returned", ()))  # type: ignore[arg-type]
                + [("steer", t) for t in self.agent.pending_steering]
                + [("follow_up", t) for t in self.agent.pending_follow_ups])

    def take_pending(self) -> list[tuple[PendingKind, str]]:
        out = self.pending()
        self.agent.take_pending()
        return out

    async def interrupt(self) -> None:
        await self.agent.interrupt()

    def resolve_approval(self, request_id: str, kind: DecisionKind, feedback: str | None = None) -> None:
        from workbench.runtime.approvals import ApprovalDecision

        self.broker.resolve(request_id, ApprovalDecision(kind=kind, feedback=feedback))

    def set_model(self, model: str) -> None:
        """Switch for real (the catalog picks the provider, its credentials must be set) or raise
        ValueError saying why not (workbench.tui.model_switch)."""
        from workbench.tui.model_switch import plan_model_switch

        current = getattr(self.agent.provider, "name", None) or "anthropic"
        switch = plan_model_switch(current, model)
        try:
            self.agent.set_model(switch.provider, switch.model)
        except Exception as exc:  # the provider could not be set up: the session keeps its model
            raise ValueError(f"could not switch to {switch.provider}/{switch.model}: {exc}") from None
        if switch.provider != "replay":
            self.demo = False  # a real model answers from now on

    def set_mode(self, mode: str) -> None:
        from workbench.runtime import session_settings

        session_settings.set_mode(self.agent, mode)  # kept with the session: -c and -r restore it

    def set_limits(self, limits: Limits) -> None:
        from workbench.runtime import session_settings
        from workbench.runtime.budget import BudgetLimits

        session_settings.set_limits(self.agent, BudgetLimits(
            max_tokens=limits.tokens, max_cost=limits.cost, max_turns=limits.turns,
            max_tool_calls=limits.tool_calls, max_duration=limits.duration,
            max_turn_duration=getattr(self.agent.limits, "max_turn_duration", None),
        ))

    def can_compact(self) -> tuple[bool, str]:
        """Whether /compact has anything to do, and what (figures as the context meter shows)."""
        return self.agent.can_compact()

    async def compact(self, instructions: str | None = None) -> None:
        await self.agent.compact(instructions)

    def set_name(self, name: str) -> None:
        self.agent.manager.set_name(name)

    def set_label(self, label: str | None) -> str | None:
        manager = self.agent.manager
        target = current_entry_id(manager)
        if target is None:
            return None
        manager.set_label(target, label)
        return target
