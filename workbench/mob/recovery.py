"""Bringing a mob back from its log and its members' session files (`MobHandle.open`).

The log says who the members are, their session files, wires, retirements and final statuses,
and holds the peer messages sent from outside a member's turn (mob notices, a host's
`send_peer`). A message a member sent with send_message is in the sender's session (the call and
its result) and, once it arrived, in the recipient's (a `peer_message` entry with the same id):
`lost_messages` compares the two and returns what must still be delivered, each message once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from workbench.errors import WorkbenchError
from workbench.mob.member import SentMessage, sent_peer_messages
from workbench.mob.roster import MemberInfo
from workbench.mob.wiring import WiringGraph


@dataclass
class LogState:
    """The log folded into what the mob was when the process stopped."""

    state: str = "creating"
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # identity -> its spawn record (+ session)
    retired: dict[str, MemberInfo] = field(default_factory=dict)
    wires: list[tuple[str, str]] = field(default_factory=list)
    statuses: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # final statuses
    retired_sessions: dict[str, str] = field(default_factory=dict)  # identity -> session file
    logged: list[SentMessage] = field(default_factory=list)  # peer messages the log holds, senders in `senders`
    senders: dict[str, str] = field(default_factory=dict)     # message id -> sender


def fold_log(records: list[dict[str, Any]]) -> LogState:
    out = LogState()
    graph = WiringGraph()
    for rec in records:
        kind = rec["type"]
        if kind == "mob_state":
            out.state = rec["state"]
        elif kind == "member_spawned":
            out.members[rec["identity"]] = rec
            for a, b in rec.get("wires") or ():
                graph.wire(a, b)
            out.retired.pop(rec["identity"], None)
            out.statuses.pop(rec["identity"], None)
        elif kind == "member_retired":
            gone = out.members.pop(rec["identity"], None)
            if gone is not None:
                out.retired[rec["identity"]] = retired_info(rec, gone)
                path = rec.get("session_path") or gone.get("session_path")
                if path:
                    out.retired_sessions[rec["identity"]] = path
            graph.remove(rec["identity"])
        elif kind == "member_session" and rec["identity"] in out.members:
            out.members[rec["identity"]] = {**out.members[rec["identity"]], "session_path": rec["session_path"],
                                            "session_id": rec["session_id"]}
        elif kind == "members_wired":
            graph.wire(rec["a"], rec["b"])
        elif kind == "members_unwired":
            graph.unwire(rec["a"], rec["b"])
        elif kind == "member_status":
            if rec["status"] in ("completed",):
                out.statuses[rec["identity"]] = (rec["status"], rec.get("activity"))
        elif kind == "peer_message":
            out.logged.append(SentMessage(rec["message_id"], rec["recipient"], rec["text"], float(rec.get("ts") or 0)))
            out.senders[rec["message_id"]] = rec["sender"]
    out.wires = graph.edges()
    return out


def delivered_ids(sessions: Iterable[Any]) -> set[str]:
    """Ids of the peer messages the members' session files hold."""
    out: set[str] = set()
    for session in sessions:
        out |= session.recorded_peer_ids()
    return out


def lost_messages(sessions: dict[str, Any], log: LogState, delivered: set[str]) -> list[tuple[str, SentMessage]]:
    """(sender, message) for every peer message that was sent and never arrived, oldest first.
    `sessions`: the live members' MemberSessions by identity; retired members' files are read
    too (what they sent before retiring still counts)."""
    sent: dict[str, tuple[str, SentMessage]] = {m.message_id: (log.senders[m.message_id], m) for m in log.logged}
    for identity, session in sessions.items():
        for message in session.sent_peer_messages():
            sent.setdefault(message.message_id, (identity, message))
    for identity, path in log.retired_sessions.items():
        if identity not in sessions:
            for message in sent_in_file(identity, path):
                sent.setdefault(message.message_id, (identity, message))
    lost = [pair for message_id, pair in sent.items() if message_id not in delivered]
    return sorted(lost, key=lambda pair: pair[1].at)


def sent_in_file(identity: str, path: str) -> list[SentMessage]:
    from workbench.sessions.manager import SessionManager

    try:
        manager = SessionManager.open(Path(path), readonly=True, warm=False)
    except (WorkbenchError, OSError):
        return []  # never written (no message) or unreadable: it sent nothing we can know of
    try:
        return sent_peer_messages(identity, manager.entries)
    finally:
        manager.close()


def retired_info(rec: dict[str, Any], spawned: dict[str, Any]) -> MemberInfo:
    """A retired member's last roster row from its retire record (logs written before the record
    kept the figures: the figures are read from its session file)."""
    path = rec.get("session_path") or spawned.get("session_path")
    if "tokens" in rec:
        tokens, cost, turns, model = int(rec["tokens"] or 0), rec.get("cost_usd"), int(rec.get("turns") or 0), \
            rec.get("model")
    else:
        tokens, cost, turns, model = spent_in(path)
    return MemberInfo(identity=rec["identity"], profile=spawned["profile"], status="retired",
                      orchestrator=bool(spawned.get("orchestrator")),
                      session_id=rec.get("session_id") or spawned.get("session_id"), session_path=path,
                      model=model, activity=None, error=None, tokens=tokens,
                      cost_usd=float(cost) if cost is not None else None, peers=(), turns=turns)


def spent_in(path: str | None) -> tuple[int, float | None, int, str | None]:
    """Tokens, cost, turns and model of the assistant messages on a session file's current branch,
    counted as AgentSession counts a resumed session's spend."""
    from workbench.providers import catalog
    from workbench.runtime.agent import usage_of
    from workbench.sessions.errors import SessionFileMissing
    from workbench.sessions.manager import SessionManager

    try:
        manager = SessionManager.open(Path(path), readonly=True, warm=False) if path else None
    except SessionFileMissing:
        return 0, 0.0, 0, None  # never got a message (sessions are written with their first one)
    except (WorkbenchError, OSError):
        manager = None
    if manager is None:
        return 0, None, 0, None
    tokens, cost, turns, model = 0, 0.0, 0, None
    try:
        for entry in manager.get_branch():
            message = entry.get("message") if entry.get("type") == "message" else None
            if not message or message.get("role") != "assistant":
                continue
            turns += 1
            tokens += usage_of(message).total_tokens
            model = message.get("model") or model
            priced = catalog.cost_usd(catalog.get_model(model or ""), message.get("usage") or {})
            cost = None if priced is None or cost is None else cost + priced
    finally:
        manager.close()
    return tokens, cost, turns, model


def align_replay(provider: Any, manager: Any) -> None:
    """A replay provider plays its script in order; a resumed member's script continues after the
    turns its session already holds (each recorded assistant message used one turn)."""
    from workbench.providers.replay import ReplayProvider

    if isinstance(provider, ReplayProvider):
        provider.position = sum(1 for e in manager.entries if e.get("type") == "message"
                                and (e.get("message") or {}).get("role") == "assistant")
