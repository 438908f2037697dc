"""What the mob pane shows, folded from the mob's events (no Textual here: testable alone).

The handle's roster forgets a member once it has retired; the pane keeps it as a dimmed node so
the user sees who was there. `structure` changes only when members come or go or wires change
(the layout is recomputed then and only then); `version` changes on anything visible.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from workbench.mob.layout import edge_key

FLASH_SECONDS = 1.5
# Narrow glyphs only (no emoji presentation), so every terminal draws them one cell wide.
STATUS_GLYPH = {"idle": "○", "running": "●", "waiting_for_approval": "◐", "retiring": "◌", "retired": "×",
                "broken": "✗", "completed": "✓"}
STATUS_WORD = {"idle": "idle", "running": "running", "waiting_for_approval": "needs approval",
               "retiring": "retiring", "retired": "retired", "broken": "broken", "completed": "completed"}


@dataclass
class MemberView:
    identity: str
    profile: str
    model: str | None = None
    orchestrator: bool = False
    status: str = "idle"
    activity: str | None = None
    error: str | None = None
    tokens: int = 0
    cost_usd: float | None = 0.0
    turns: int = 0
    spawned_at: float = 0.0
    session_id: str | None = None
    approvals: dict[str, str] = field(default_factory=dict)  # request id -> tool name

    @property
    def gone(self) -> bool:
        return self.status == "retired"


@dataclass(frozen=True)
class PeerNote:
    sender: str
    recipient: str
    text: str
    at: float


class MobModel:
    def __init__(self, clock: Callable[[], float], *, mob_id: str = "", recent: int = 50) -> None:
        self.clock = clock
        self.mob_id = mob_id
        self.members: dict[str, MemberView] = {}
        self.wires: set[tuple[str, str]] = set()
        self.orchestrator: str | None = None
        self.state = "running"   # the mob's own state (stop/resume are not events: the pane sets it)
        self.flashes: dict[tuple[str, str], float] = {}
        self.recent: deque[PeerNote] = deque(maxlen=recent)
        self.structure = 0
        self.version = 0
        self.applied = 0  # events folded in (the benchmark compares it with events published)

    # --- building -----------------------------------------------------------------------------
    def seed(self, roster: Iterable[Any], wires: Iterable[tuple[str, str]],
             retired: dict[str, Any] | None = None) -> None:
        """Start from a handle's roster (`MemberInfo`s), wires and retired members (identity ->
        their last `MemberInfo`), e.g. for a resumed mob: retired members stay visible as dimmed
        nodes with what they spent."""
        now = self.clock()
        for identity, info in (retired or {}).items():
            self.members[identity] = MemberView(identity, info.profile, info.model, False, "retired", None, None,
                                                info.tokens, info.cost_usd, info.turns, now, info.session_id)
        for info in roster:
            self.members[info.identity] = MemberView(
                info.identity, info.profile, info.model, info.orchestrator, info.status, info.activity,
                info.error, info.tokens, info.cost_usd, info.turns, now, info.session_id)
            if info.orchestrator:
                self.orchestrator = info.identity
        self.wires = {edge_key(a, b) for a, b in wires}
        self._changed(structure=True)

    def apply(self, event: Any) -> bool:
        """Fold one runtime event in; True when something the pane shows changed."""
        self.applied += 1
        t = getattr(event, "type", "")
        if t == "member_spawned":
            self.members.pop(event.identity, None)  # a respawn starts afresh (and moves to the end)
            self.members[event.identity] = MemberView(event.identity, event.profile, event.model,
                                                      event.orchestrator, spawned_at=self.clock(),
                                                      session_id=event.member_session_id)
            if event.orchestrator:
                self.orchestrator = event.identity
            return self._changed(structure=True)
        if t == "member_retired":
            m = self.members.get(event.identity)
            if m is None:
                return False
            m.status, m.activity, m.approvals = "retired", None, {}
            self.wires = {w for w in self.wires if event.identity not in w}
            return self._changed(structure=True)
        if t == "members_wired":
            self.wires.add(edge_key(event.a, event.b))
            return self._changed(structure=True)
        if t == "members_unwired":
            self.wires.discard(edge_key(event.a, event.b))
            self.flashes.pop(edge_key(event.a, event.b), None)
            return self._changed(structure=True)
        if t == "member_status_changed":
            m = self.members.get(event.identity)
            if m is None:
                return False
            m.status, m.activity, m.error = event.status, event.activity, event.error
            m.tokens, m.cost_usd = event.tokens, event.cost_usd
            return self._changed()
        if t == "peer_message":
            self.recent.append(PeerNote(event.sender, event.recipient, event.text, self.clock()))
            self.flashes[edge_key(event.sender, event.recipient)] = self.clock()
            return self._changed()
        member = self.members.get(getattr(event, "member", None) or "")
        if t == "tool_approval_requested":
            member = member or self.members.get(event.agent or "")
            if member is None:
                return False
            member.approvals[event.request_id] = event.name
            return self._changed()
        if t == "tool_approval_resolved":
            for m in self.members.values():
                if m.approvals.pop(event.request_id, None) is not None:
                    return self._changed()
            return False
        if t == "turn_completed" and member is not None:
            member.turns += 1
            return self._changed()
        return False

    def _changed(self, *, structure: bool = False) -> bool:
        self.version += 1
        if structure:
            self.structure += 1
        return True

    # --- reading ------------------------------------------------------------------------------
    def order(self) -> list[str]:
        """Orchestrator first, then spawn order."""
        return sorted(self.members, key=lambda i: not self.members[i].orchestrator)

    def flashing(self) -> set[tuple[str, str]]:
        """Edges that carried a peer message in the last FLASH_SECONDS (only wired ones are drawn)."""
        now = self.clock()
        expired = [k for k, at in self.flashes.items() if now - at >= FLASH_SECONDS]
        for k in expired:
            del self.flashes[k]
        return set(self.flashes)

    def next_fade(self) -> float | None:
        """Seconds until the next highlight fades (None: nothing highlighted)."""
        if not self.flashes:
            return None
        now = self.clock()
        return max(0.0, min(at + FLASH_SECONDS - now for at in self.flashes.values()))

    @property
    def pending_total(self) -> int:
        return sum(len(m.approvals) for m in self.members.values())

    def live(self) -> list[str]:
        return [i for i in self.order() if not self.members[i].gone]
