"""Snapshots of the mob pane (160x48, clock frozen, cursor blink off)."""


from tests.mob_pane.fakes import FakeHandle, assistant, starter, user, wait_for
from tests.tui.conftest import make_app
from workbench.runtime import events as ev

SIZE = (160, 48)


def approval(rid, member, name, args):
    return ev.ToolApprovalRequested(request_id=rid, id=f"call-{rid}", name=name, args=args, agent=member,
                                    member=member, scope=f"{name}(*)",
                                    preview={"kind": "command", "command": args.get("command", "")})


def four(h):
    h.add("lead", "lead", orchestrator=True,
          history=[user("Ship release 2.0"), assistant("I'll split this between two workers and a reviewer.")])
    h.add("w1", "worker", history=[user("Bump the version"), assistant("Bumping the version in setup.cfg.")])
    h.add("w2", "worker")
    h.add("reviewer", "reviewer")
    for a, b in [("lead", "w1"), ("lead", "w2"), ("lead", "reviewer"), ("w1", "reviewer")]:
        h.publish(ev.MembersWired(mob_id=h.id, a=a, b=b))
    h.set("lead", "running", activity="thinking", tokens=18_400, cost=0.0612)
    h.set("w1", "waiting_for_approval", activity="bash", tokens=9_120, cost=0.0091)
    h.publish(approval("r1", "w1", "bash", {"command": "make release VERSION=2.0"}))
    h.set("w2", "completed", activity="tokens budget exhausted", tokens=200_000, cost=0.21)
    h.set("reviewer", "idle", tokens=2_300, cost=0.0044)
    h.peer("w1", "reviewer", "Version bumped in setup.cfg; please check the changelog.")
    h.peer("lead", "w2", "Stop: your budget is spent.")


def twelve(h):
    h.add("lead", "lead", orchestrator=True)
    workers = [f"w{i}" for i in range(1, 10)]
    for w in workers:
        h.add(w, "worker")
    h.add("rev-a", "reviewer")
    h.add("rev-b", "reviewer")
    for w in workers[:6]:
        h.publish(ev.MembersWired(mob_id=h.id, a="lead", b=w))
    for w, r in [("w1", "rev-a"), ("w2", "rev-a"), ("w3", "rev-b"), ("w7", "w8"), ("w8", "w9"), ("w4", "w7")]:
        h.publish(ev.MembersWired(mob_id=h.id, a=w, b=r))
    h.publish(ev.MembersWired(mob_id=h.id, a="lead", b="rev-b"))
    for i, w in enumerate(workers):
        h.set(w, ["running", "idle", "completed"][i % 3], activity="edit" if i % 3 == 0 else None,
              tokens=1000 * (i + 1), cost=0.001 * (i + 1))
    h.peer("w3", "rev-b", "Tests pass on my branch.")


async def ready(app, pilot, scene, *, open_lead=True):
    await wait_for(pilot, lambda: app.mob is not None)
    scene(app.mob.handle)
    if open_lead:
        app.mob.open("lead")
        await app.mob.swapped()
    app.prompt.cursor_blink = False
    await pilot.pause()
    app.refresh_now()
    await pilot.pause()


async def walk_to(pilot, app, target):
    """Arrow keys toward a member, judged from the drawing (as a user would)."""
    graph = app.mob.view.graph
    for _ in range(8):
        if graph.selected == target:
            return
        here, there = graph.graph_layout.nodes[graph.selected], graph.graph_layout.nodes[target]
        key = "down" if there.y > here.y else "up" if there.y < here.y else "right" if there.x > here.x else "left"
        await pilot.press(key)
    assert graph.selected == target


def build(tmp_path):
    handle = FakeHandle(tmp_path)
    app = make_app(None, mob=starter(handle), cwd=tmp_path)
    return app


def snap(snap_compare, app, before):
    async def run_before(pilot):
        await before(pilot)
        await pilot.pause()
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_mob_of_four_in_mixed_states(snap_compare, tmp_path):
    app = build(tmp_path)

    async def before(pilot):
        await ready(app, pilot, four)
    snap(snap_compare, app, before)


def test_mob_of_twelve_zoomed(snap_compare, tmp_path):
    app = build(tmp_path)

    async def before(pilot):
        await ready(app, pilot, twelve)
        await pilot.press("f8")
        await pilot.press("z")
        await pilot.pause()
    snap(snap_compare, app, before)


def test_roster_view(snap_compare, tmp_path):
    app = build(tmp_path)

    async def before(pilot):
        await ready(app, pilot, four)
        await pilot.press("f8", "v")
    snap(snap_compare, app, before)


def test_node_with_pending_approval(snap_compare, tmp_path):
    app = build(tmp_path)

    async def before(pilot):
        await ready(app, pilot, four)
        await pilot.press("f8", "down")  # lead -> the member right below
        await pilot.press("z")
    snap(snap_compare, app, before)


def test_broken_member(snap_compare, tmp_path):
    app = build(tmp_path)

    def scene(h):
        four(h)
        h.set("w2", "broken", error="PROVIDER_ERROR: 529 overloaded after 4 attempts", tokens=4_000, cost=0.004)
    async def before(pilot):
        await ready(app, pilot, scene)
    snap(snap_compare, app, before)


def test_retired_member(snap_compare, tmp_path):
    app = build(tmp_path)

    def scene(h):
        four(h)
        h.publish(ev.MembersUnwired(mob_id=h.id, a="lead", b="w2"))
        h.set("w2", "retired")
        h.publish(ev.MemberRetired(mob_id=h.id, identity="w2", member="w2"))
    async def before(pilot):
        await ready(app, pilot, scene)
    snap(snap_compare, app, before)


def test_member_conversation_opened_from_the_graph(snap_compare, tmp_path):
    app = build(tmp_path)

    async def before(pilot):
        await ready(app, pilot, four)
        await pilot.press("f8")
        await walk_to(pilot, app, "w1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.mob.showing == "w1")
        await app.mob.swapped()
        await pilot.pause()
    snap(snap_compare, app, before)
