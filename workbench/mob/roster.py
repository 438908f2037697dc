"""Mob and member states, the transitions allowed between them, and the roster snapshot.

The handle owns the mutable `Member`s; everything it hands out (`MemberInfo`) is a frozen copy,
so the UI can keep a snapshot without seeing it change under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.errors import WorkbenchError

MobState = Literal["creating", "running", "stopped", "completed", "destroyed"]
MemberStatus = Literal["idle", "running", "waiting_for_approval", "retiring", "retired", "broken", "completed"]

MOB_TRANSITIONS: dict[str, frozenset[str]] = {
    "creating": frozenset({"running", "destroyed"}),
    "running": frozenset({"stopped", "completed", "destroyed"}),
    "stopped": frozenset({"running", "completed", "destroyed"}),
    "completed": frozenset({"destroyed"}),
    "destroyed": frozenset(),
}

# "completed": the member is done for good (its budget ran out, or the mob completed): it takes no
# more turns. "broken": its last run failed; a new message or a respawn gives it another go.
MEMBER_TRANSITIONS: dict[str, frozenset[str]] = {
    "idle": frozenset({"running", "retiring", "completed", "broken"}),
    "running": frozenset({"idle", "waiting_for_approval", "retiring", "broken", "completed"}),
    "waiting_for_approval": frozenset({"running", "idle", "retiring", "broken", "completed"}),
    "retiring": frozenset({"retired"}),
    "retired": frozenset(),
    "broken": frozenset({"running", "idle", "retiring", "completed"}),
    "completed": frozenset({"retiring", "idle"}),
}

ACTIVE_STATUSES: frozenset[str] = frozenset({"running", "waiting_for_approval"})


class MobError(WorkbenchError):
    """A mob operation that cannot be done (unknown member, wrong state, topology)."""

    code = "INVALID_PARAMS"


class InvalidTransition(MobError):
    code = "AGENT_ERROR"


def check_mob_transition(current: str, new: str) -> None:
    if new not in MOB_TRANSITIONS[current]:
        raise InvalidTransition(f"mob cannot go from {current} to {new}")


def check_member_transition(identity: str, current: str, new: str) -> None:
    if new != current and new not in MEMBER_TRANSITIONS[current]:
        raise InvalidTransition(f"member {identity!r} cannot go from {current} to {new}")


@dataclass(frozen=True)
class MemberInfo:
    """One roster row: what the mob pane draws for a member."""

    identity: str
    profile: str
    status: MemberStatus
    orchestrator: bool
    session_id: str | None
    session_path: str | None
    model: str | None
    activity: str | None  # current tool name, "thinking", or why it stopped
    error: str | None     # set when broken
    tokens: int
    cost_usd: float | None  # None when the model is unpriced
    peers: tuple[str, ...]
    turns: int = 0
