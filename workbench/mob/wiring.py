"""The peer graph: who is wired to whom, the wiring rules of a definition, and the topology check.

Wires are undirected (a wire lets messages flow both ways), as in Meerkat's peer graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from workbench.mob.definition import MobDefinition


def edge(a: str, b: str) -> tuple[str, str]:
    """The canonical (sorted) form of an undirected wire."""
    return (a, b) if a <= b else (b, a)


class WiringGraph:
    def __init__(self, edges: Iterable[tuple[str, str]] = ()):
        self._adj: dict[str, set[str]] = {}
        for a, b in edges:
            self.wire(a, b)

    def wire(self, a: str, b: str) -> bool:
        """Add a wire; False if it was already there. A member cannot be wired to itself."""
        if a == b:
            raise ValueError(f"cannot wire {a!r} to itself")
        if b in self._adj.get(a, ()):
            return False
        self._adj.setdefault(a, set()).add(b)
        self._adj.setdefault(b, set()).add(a)
        return True

    def unwire(self, a: str, b: str) -> bool:
        """Remove a wire; False if there was none."""
        if b not in self._adj.get(a, ()):
            return False
        self._adj[a].discard(b)
        self._adj[b].discard(a)
        return True

    def is_wired(self, a: str, b: str) -> bool:
        return b in self._adj.get(a, ())

    def peers(self, identity: str) -> list[str]:
        return sorted(self._adj.get(identity, ()))

    def remove(self, identity: str) -> list[tuple[str, str]]:
        """Drop every wire of a member (it retired); returns the wires removed."""
        removed = [edge(identity, p) for p in self.peers(identity)]
        for a, b in removed:
            self.unwire(a, b)
        return removed

    def edges(self) -> list[tuple[str, str]]:
        return sorted({edge(a, b) for a, peers in self._adj.items() for b in peers})


def auto_wires(definition: MobDefinition, new_identity: str, new_profile: str,
               members: dict[str, str], orchestrator: str | None) -> list[tuple[str, str]]:
    """The wires the definition's rules create when `new_identity` joins.

    `members` maps the identities already in the mob (not retired) to their profiles;
    `orchestrator` is the orchestrator member's identity, if it exists yet.
    """
    out: list[tuple[str, str]] = []
    if definition.wiring.auto_wire_orchestrator:
        if new_profile == definition.orchestrator_profile:
            # The orchestrator joining late gets wired to everyone already there.
            out.extend(edge(new_identity, other) for other in members if other != new_identity)
        elif orchestrator is not None and orchestrator != new_identity:
            out.append(edge(new_identity, orchestrator))
    pairs = definition.role_pairs()
    for other, profile in members.items():
        if other != new_identity and frozenset((new_profile, profile)) in pairs:
            out.append(edge(new_identity, other))
    return sorted(set(out))


@dataclass(frozen=True)
class Route:
    allowed: bool
    warning: str | None = None  # advisory topology: delivered, but the sender is told
    error: str | None = None    # strict topology: refused, the sender is told why


def check_route(graph: WiringGraph, sender: str, recipient: str,
                mode: Literal["strict", "advisory"]) -> Route:
    if graph.is_wired(sender, recipient):
        return Route(True)
    peers = graph.peers(sender)
    reachable = ", ".join(peers) if peers else "nobody"
    if mode == "strict":
        return Route(False, error=(f"{recipient!r} is not wired to {sender!r}: under strict topology you "
                                   f"can only message wired peers ({reachable}). Ask the orchestrator to "
                                   f"wire you, or relay through a peer."))
    return Route(True, warning=(f"note: {recipient!r} is not wired to {sender!r} (advisory topology: "
                                f"delivered anyway; wired peers: {reachable})"))
