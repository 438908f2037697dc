"""The pane's model folds events by itself (no Textual); the benchmark still runs (--quick)."""

import json
import subprocess
import sys
from pathlib import Path

from workbench.runtime import events as ev
from workbench.tui.clock import FrozenClock
from workbench.tui.mob.model import FLASH_SECONDS, MobModel

ROOT = Path(__file__).resolve().parents[2]


def spawned(name, orchestrator=False):
    return ev.MemberSpawned(mob_id="m", identity=name, profile="worker", orchestrator=orchestrator, member=name)


def test_events_build_the_roster_wires_and_flashes():
    clock = FrozenClock()
    m = MobModel(clock.now, mob_id="m")
    for e in [spawned("lead", True), spawned("a"), spawned("b"), ev.MembersWired(mob_id="m", a="lead", b="a"),
              ev.MembersWired(mob_id="m", a="b", b="a")]:
        assert m.apply(e)
    assert m.order() == ["lead", "a", "b"] and m.orchestrator == "lead"
    assert m.wires == {("a", "lead"), ("a", "b")}
    structure = m.structure
    m.apply(ev.MemberStatusChanged(mob_id="m", identity="a", status="running", activity="bash", tokens=120,
                                   cost_usd=0.5, member="a"))
    assert m.structure == structure  # no relayout for a status change
    assert (m.members["a"].status, m.members["a"].activity, m.members["a"].tokens) == ("running", "bash", 120)
    m.apply(ev.PeerMessage(mob_id="m", sender="b", recipient="a", text="hi", member="b"))
    assert m.flashing() == {("a", "b")} and m.recent[-1].text == "hi"
    clock.advance(FLASH_SECONDS - 0.1)
    assert m.flashing() == {("a", "b")}
    clock.advance(0.2)
    assert m.flashing() == set() and m.next_fade() is None


def test_seed_keeps_retired_members_as_dimmed_nodes():
    from workbench.mob.roster import MemberInfo

    m = MobModel(FrozenClock().now, mob_id="m")
    lead = MemberInfo(identity="lead", profile="lead", status="idle", orchestrator=True, session_id=None,
                      session_path=None, model="x", activity=None, error=None, tokens=0, cost_usd=None, peers=())
    old = MemberInfo(identity="old", profile="worker", status="retired", orchestrator=False, session_id="s-old",
                     session_path=None, model="replay", activity=None, error=None, tokens=155, cost_usd=None,
                     peers=(), turns=3)
    m.seed([lead], [], {"old": old})
    assert m.members["old"].gone and m.members["old"].profile == "worker"
    # what it spent stays on the dimmed node (unpriced stays unpriced, not $0.00)
    gone = m.members["old"]
    assert (gone.tokens, gone.cost_usd, gone.turns, gone.model) == (155, None, 3, "replay")
    assert not m.members["lead"].gone and m.orchestrator == "lead"


def test_approvals_turns_and_retirement():
    m = MobModel(FrozenClock().now)
    m.apply(spawned("lead", True))
    m.apply(spawned("w"))
    m.apply(ev.MembersWired(mob_id="m", a="lead", b="w"))
    m.apply(ev.ToolApprovalRequested(request_id="r1", id="c1", name="bash", args={}, agent="w", member="w"))
    assert m.members["w"].approvals == {"r1": "bash"} and m.pending_total == 1
    m.apply(ev.ToolApprovalResolved(request_id="r1", id="c1", name="bash", decision="once", member="w"))
    assert m.pending_total == 0
    m.apply(ev.TurnCompleted(stop_reason="end_turn", usage=ev.Usage(), member="w"))
    assert m.members["w"].turns == 1
    assert not m.apply(ev.TextDelta(delta="x", member="w"))  # nothing the pane shows
    m.apply(ev.MemberRetired(mob_id="m", identity="w", member="w"))
    assert m.members["w"].gone and m.wires == set() and m.live() == ["lead"]
    m.apply(spawned("w"))  # respawned: a fresh member again
    assert not m.members["w"].gone and m.members["w"].turns == 0


def test_bench_mob_pane_quick():
    done = subprocess.run([sys.executable, str(ROOT / "tests/benchmarks/bench_mob_pane.py"), "--quick"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"benchmark", "baseline_s", "workbench_s", "ratio", "p95_frame_ms"} <= result.keys()
    assert result["kept_up"] and result["members_drawn"] == 6 and result["frames"] > 0
