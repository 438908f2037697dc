"""The peer graph, the wiring rules of a definition, and strict vs advisory topology."""

import pytest

from workbench.mob.definition import parse_definition
from workbench.mob.wiring import WiringGraph, auto_wires, check_route

DEF = parse_definition('''
[mob]
id = "m"
orchestrator = "lead"
[profiles.lead]
[profiles.worker]
[profiles.reviewer]
[wiring]
role_wiring = [{ a = "worker", b = "worker" }, { a = "worker", b = "reviewer" }]
''')


def test_wire_unwire_undirected():
    g = WiringGraph()
    assert g.wire("b", "a") is True
    assert g.wire("a", "b") is False
    assert g.is_wired("a", "b") and g.is_wired("b", "a")
    assert g.edges() == [("a", "b")]
    assert g.unwire("b", "a") is True and g.unwire("a", "b") is False
    assert g.edges() == [] and g.peers("a") == []
    with pytest.raises(ValueError):
        g.wire("a", "a")


def test_remove_member_drops_all_its_wires():
    g = WiringGraph([("a", "b"), ("a", "c"), ("b", "c")])
    assert g.remove("a") == [("a", "b"), ("a", "c")]
    assert g.edges() == [("b", "c")]


def test_auto_wires_orchestrator_and_roles():
    members = {"lead": "lead", "w1": "worker", "r1": "reviewer"}
    assert auto_wires(DEF, "w2", "worker", members, "lead") == [("lead", "w2"), ("r1", "w2"), ("w1", "w2")]
    assert auto_wires(DEF, "r2", "reviewer", members, "lead") == [("lead", "r2"), ("r2", "w1")]
    # The orchestrator arriving after others is wired to all of them.
    assert auto_wires(DEF, "lead", "lead", {"w1": "worker"}, None) == [("lead", "w1")]


def test_auto_wire_orchestrator_off():
    d = DEF.model_copy(update={"wiring": DEF.wiring.model_copy(update={"auto_wire_orchestrator": False})})
    assert auto_wires(d, "w2", "worker", {"lead": "lead"}, "lead") == []


def test_strict_refuses_unwired_with_reachable_peers():
    g = WiringGraph([("lead", "w1")])
    assert check_route(g, "w1", "lead", "strict").allowed
    r = check_route(g, "w1", "w2", "strict")
    assert not r.allowed and "'w2' is not wired to 'w1'" in r.error and "(lead)" in r.error


def test_advisory_delivers_with_warning():
    g = WiringGraph()
    r = check_route(g, "w1", "w2", "advisory")
    assert r.allowed and r.error is None and "advisory" in r.warning and "nobody" in r.warning
