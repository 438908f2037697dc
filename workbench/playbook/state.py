"""A session's playbook state (agent, context variables, journey) and where it is stored.

Every change appends a `workbench.playbook.state` custom entry holding the whole state (pi skips
custom entries). The state at any entry is the last such entry on the path from the root to it,
so branching or resuming anywhere in the tree brings back that point exactly. Each run that used
the playbook also appends one `workbench.playbook.turn` record (workbench/playbook/explain.py).
Session files are untrusted: a malformed state entry reads as the nearest good one before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Literal

STATE_TYPE = "workbench.playbook.state"
TURN_TYPE = "workbench.playbook.turn"

Status = Literal["active", "completed", "stopped"]
_STATUSES = ("active", "completed", "stopped")


@dataclass(frozen=True)
class JourneyState:
    """The seed's JourneyState: which journey, the current step, the steps taken, and whether it
    is still going."""

    journey_id: str
    step: str
    path: tuple[str, ...] = ()
    status: Status = "active"

    @property
    def active(self) -> bool:
        return self.status == "active"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.journey_id, "step": self.step, "path": list(self.path), "status": self.status}

    @classmethod
    def from_json(cls, data: Any) -> "JourneyState | None":
        if not isinstance(data, dict):
            return None
        jid, step, path, status = data.get("id"), data.get("step"), data.get("path"), data.get("status", "active")
        if not (isinstance(jid, str) and isinstance(step, str) and status in _STATUSES):
            return None
        steps = tuple(p for p in path if isinstance(p, str)) if isinstance(path, list) else (step,)
        return cls(jid, step, steps or (step,), status)

    def moved(self, to: str) -> "JourneyState":
        return replace(self, step=to, path=self.path + (to,))


@dataclass(frozen=True)
class PlaybookState:
    agent: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    journey: JourneyState | None = None

    def to_json(self) -> dict[str, Any]:
        return {"agent": self.agent, "variables": dict(self.variables),
                "journey": self.journey.to_json() if self.journey else None}

    @classmethod
    def from_json(cls, data: Any) -> "PlaybookState | None":
        if not isinstance(data, dict):
            return None
        agent = data.get("agent")
        raw = data.get("variables")
        variables = {str(k): v if isinstance(v, str) else _text(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        return cls(agent if isinstance(agent, str) else None, variables, JourneyState.from_json(data.get("journey")))


def _text(value: Any) -> str:
    import json

    return json.dumps(value) if not isinstance(value, str) else value


def _custom(entry: dict[str, Any], kind: str) -> bool:
    return entry.get("type") == "custom" and entry.get("customType") == kind


def state_on_path(path: Iterable[dict[str, Any]]) -> PlaybookState:
    """The last readable state entry among `path`'s entries (root first), else the empty state."""
    found = PlaybookState()
    for entry in path:
        if _custom(entry, STATE_TYPE):
            state = PlaybookState.from_json(entry.get("data"))
            if state is not None:
                found = state
    return found


def state_at(manager: Any, entry_id: str | None = None) -> PlaybookState:
    """The state at `entry_id` (default: the manager's current leaf): walks back from it, parsing
    only custom entries, so a long session costs a walk over ids."""
    if not len(manager):
        return PlaybookState()
    for eid in reversed(manager.get_branch_ids(entry_id)):
        if manager.entry_type(eid) != "custom":
            continue
        entry = manager.get_entry(eid) or {}
        if _custom(entry, STATE_TYPE):
            state = PlaybookState.from_json(entry.get("data"))
            if state is not None:
                return state
    return PlaybookState()


def turn_records(manager: Any, *, newest_first: bool = False) -> Iterable[dict[str, Any]]:
    """The turn records of the whole file (every branch). Only custom entries are parsed: a long
    session's messages stay unread."""
    ids = manager.entry_ids()
    for eid in reversed(ids) if newest_first else ids:
        if manager.entry_type(eid) != "custom":
            continue
        entry = manager.get_entry(eid) or {}
        if _custom(entry, TURN_TYPE) and isinstance(entry.get("data"), dict):
            yield entry
