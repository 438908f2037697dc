"""Pilot tests: the graph driven from the keyboard, on a scripted mob and on a real one (replay)."""

import asyncio

from textual.geometry import Region

from tests.mob_pane.fakes import FakeHandle, starter, wait_for
from tests.mob_pane.test_snapshots import four, walk_to
from tests.tui.conftest import make_app
from workbench.mob.definition import parse_definition
from workbench.mob.environment import MobEnvironment
from workbench.mob.handle import MobHandle
from workbench.mob.replay import replay_factory
from workbench.providers.replay import ScriptBuilder
from workbench.runtime import events as ev
from workbench.tui.mob.controller import MemberBackend, start_in_app
from workbench.tui.mob.dialogs import ConfirmScreen, SpawnScreen
from workbench.tui.widgets.conversation_specs import UserSpec

SIZE = (160, 48)

DEFINITION = '''
[mob]
id = "team"
orchestrator = "lead"
[profiles.lead]
peer_description = "Coordinates"
[profiles.worker]
tools = ["bash", "read"]
peer_description = "Runs commands"
[wiring]
auto_wire_orchestrator = true
'''


async def fake_app(tmp_path, pilot_size=SIZE):
    handle = FakeHandle(tmp_path)
    app = make_app(None, mob=starter(handle), cwd=tmp_path)
    return app, handle


async def test_arrows_follow_the_drawing_and_o_returns_to_the_orchestrator(tmp_path):
    app, handle = await fake_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mob is not None)
        four(handle)
        await pilot.press("f8")
        graph = app.mob.view.graph
        assert app.focused is graph and graph.selected == "lead"
        lay = graph.graph_layout
        below = lay.neighbour("lead", "down")
        await pilot.press("down")
        assert graph.selected == below
        right = lay.neighbour(below, "right")
        await pilot.press("right")
        assert graph.selected == (right or below)
        chosen = graph.selected
        await pilot.press("enter")  # open the selected member: the conversation shows it
        await wait_for(pilot, lambda: isinstance(app.backend, MemberBackend) and app.backend.identity == chosen)
        await app.mob.swapped()
        await pilot.press("o")  # back to the orchestrator: selected, and its conversation shown
        assert graph.selected == "lead"
        await wait_for(pilot, lambda: isinstance(app.backend, MemberBackend) and app.backend.identity == "lead")
        await app.mob.swapped()
        assert app.conversation.border_title == "Conversation · lead"
        await pilot.press("up")  # nothing above the orchestrator: stays
        assert graph.selected == "lead"


async def test_a_peer_message_names_its_sender_and_recipient_live_and_in_history(tmp_path):
    """The conversation labels a peer message `sender → recipient` (the recipient was missing)."""
    app, handle = await fake_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mob is not None)
        four(handle)
        await pilot.press("f8", "o")
        await wait_for(pilot, lambda: isinstance(app.backend, MemberBackend) and app.backend.identity == "lead")
        await app.mob.swapped()
        handle.publish(ev.UserMessage(text="the listing checks out", kind="peer", sender="reviewer",
                                      recipient="lead", member="lead"))
        await wait_for(pilot, lambda: any(isinstance(s, UserSpec) and s.kind == "peer"
                                          for s in app.conversation.mounted_specs()))
        block = next(b for b in app.query("UserBlock") if b.kind == "peer")
        assert str(block.render()).startswith("reviewer → lead the listing checks out")


async def test_enter_opens_the_members_conversation_and_the_prompt_talks_to_it(tmp_path):
    app, handle = await fake_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mob is not None)
        four(handle)
        await pilot.press("f8")
        await walk_to(pilot, app, "w1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.backend, MemberBackend) and app.backend.identity == "w1")
        await app.mob.swapped()
        await wait_for(pilot, lambda: any(isinstance(s, UserSpec) and "Bump the version" in s.text
                                          for s in app.conversation.mounted_specs()))
        assert app.conversation.border_title == "Conversation · w1"
        # the pending approval of w1 survived the switch
        assert [p.request_id for p in app.approvals.queue] == ["r1"]
        # events of another member stay out of this conversation
        handle.publish(ev.TextDelta(delta="lead talking", member="lead"))
        app.prompt.focus()
        app.prompt.text = "use the Makefile"
        await pilot.press("enter")
        await wait_for(pilot, lambda: ("send", "w1", "use the Makefile") in handle.calls)
        assert "lead talking" not in " ".join(str(b.source) for b in app.query("AnswerBlock"))


async def test_wire_unwire_stop_and_roster_from_the_keyboard(tmp_path):
    app, handle = await fake_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mob is not None)
        four(handle)
        await pilot.press("f8")
        model = app.mob.model
        await walk_to(pilot, app, "w2")
        await pilot.press("w")
        assert app.mob.view.graph.picking == "w2"
        await pilot.pause()
        hint = app.mob.view.pick_hint  # the whole instruction is on screen (it was cut off at 160 columns)
        strips = hint.render_lines(Region(0, 0, hint.size.width, hint.size.height))
        shown = " ".join("".join(seg.text for seg in strip).strip() for strip in strips)
        assert hint.display and shown == "wire w2 with …: pick a member and press w again (Esc cancels)"
        await walk_to(pilot, app, "reviewer")
        await pilot.press("w")
        await wait_for(pilot, lambda: ("w2", "reviewer") in {tuple(sorted(w)) for w in model.wires}
                       or ("reviewer", "w2") in model.wires)
        assert ("wire", "w2", "reviewer") in handle.calls
        before = model.structure
        assert ("reviewer", "w2") in {r.key for r in app.mob.view.graph.ensure_layout().edges}
        await pilot.press("u")
        await walk_to(pilot, app, "w2")
        await pilot.press("u")
        await wait_for(pilot, lambda: ("unwire", "reviewer", "w2") in handle.calls)
        assert model.structure > before
        assert ("reviewer", "w2") not in {r.key for r in app.mob.view.graph.ensure_layout().edges}
        await pilot.press("p")
        await wait_for(pilot, lambda: model.state == "stopped")
        assert ("stop",) in handle.calls
        await pilot.press("p")
        await wait_for(pilot, lambda: model.state == "running")
        await pilot.press("v")
        table = app.mob.view.table
        assert table.display and table.row_count == 4
        assert app.focused is table


def replay_mob_env(tmp_path, broker):
    scripts = {
        "lead": ScriptBuilder().turn().text("On it.").build(),
        "w1": ScriptBuilder().turn().tool_call("bash", {"command": "echo built"})
              .turn().text("Built.").build(),
        "helper-1": ScriptBuilder().turn().text("Hello.").build(),
    }
    ws = tmp_path / "ws"
    ws.mkdir()
    return MobEnvironment(cwd=ws, provider_factory=replay_factory(scripts, delay_scale=0), mobs_dir=tmp_path / "mobs",
                          sessions_dir=tmp_path / "sessions", approvals=broker)


async def real_app(tmp_path):
    from workbench.runtime.approvals import ApprovalBroker

    env = replay_mob_env(tmp_path, ApprovalBroker())

    async def start(app):
        await start_in_app(app, lambda: MobHandle.create(parse_definition(DEFINITION), env))

    app = make_app(None, mob=start, cwd=tmp_path)
    app.approval_arm_delay = 0.0
    return app


async def test_approve_a_members_request_from_the_approvals_pane(tmp_path):
    app = await real_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mob is not None)
        handle = app.mob.handle
        try:
            await handle.spawn("worker", "w1", "build it")
            model = app.mob.model
            await wait_for(pilot, lambda: model.members["w1"].approvals)  # shown on the node
            assert model.members["w1"].status == "waiting_for_approval"
            await wait_for(pilot, lambda: app.approvals.queue)
            assert app.approvals.queue[0].agent == "w1"
            await pilot.press("f4")
            await pilot.press("y")
            await asyncio.wait_for(handle.wait_idle(), 10)
            await wait_for(pilot, lambda: model.members["w1"].status == "idle")
            assert not model.members["w1"].approvals and not app.approvals.queue
            session = handle.session("w1")
            results = [e["message"] for e in session.manager.entries if e.get("type") == "message"
                       and e["message"]["role"] == "toolResult"]
            assert results and "built" in str(results[0]["content"]) and not results[0]["isError"]
        finally:
            handle.close()


async def test_spawn_and_retire_from_the_keyboard_update_the_graph(tmp_path):
    app = await real_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mob is not None)
        handle = app.mob.handle
        try:
            await pilot.press("f8", "s")
            await wait_for(pilot, lambda: isinstance(app.screen, SpawnScreen))
            await pilot.press("down")           # profiles: lead, worker
            assert app.screen.query_one("#mob-spawn-identity").value == "worker-1"
            await pilot.press("tab")            # -> identity field
            assert app.screen.focused.id == "mob-spawn-identity"
            app.screen.query_one("#mob-spawn-identity").value = "helper-1"
            await pilot.press("enter")
            await wait_for(pilot, lambda: "helper-1" in app.mob.model.members)
            graph = app.mob.view.graph
            assert "helper-1" in graph.ensure_layout().nodes
            assert ("helper-1", "lead") in {r.key for r in graph.graph_layout.edges}  # auto-wired, from events
            assert graph.selected == "helper-1"
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: app.mob.model.members["helper-1"].status == "retired")
            assert [m.identity for m in handle.roster()] == ["lead"]
            assert not graph.ensure_layout().edges  # its wire went with it
            assert "helper-1" in graph.graph_layout.nodes  # kept, dimmed
        finally:
            handle.close()


def _resume_args(**kw):
    from argparse import Namespace

    base = dict(provider=None, model=None, replay_script=None, approve=None, allow=None, deny=None, max_cost=None,
                max_tokens=None, max_turns=None, max_tool_calls=None, max_duration=None, prompt=None)
    return Namespace(**{**base, **kw})


async def test_demo_mob_spawns_messages_wires_retires_offline_and_resumes(tmp_path, monkeypatch):
    # QA issues 13-15 on the real offline demo mob, from the keyboard.
    from workbench.config import load_settings, mobs_dir
    from workbench.mob.log import list_mobs
    from workbench.tui.mob.controller import demo_starter, resume_starter
    from workbench.tui.mob.dialogs import MessageScreen

    monkeypatch.setenv("WORKBENCH_REPLAY_DELAY_SCALE", "0")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text("release notes\n")
    app = make_app(None, mob=demo_starter(ws, delay_scale=0), cwd=ws)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mob is not None)
        handle, model, view = app.mob.handle, app.mob.model, app.mob.view
        await asyncio.wait_for(handle.wait_idle(), 10)
        await wait_for(pilot, lambda: "scout" in model.members and model.members["scout"].gone)
        # one Enter on a profile spawns it under the suggested name, and it works offline
        await pilot.press("f8", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, SpawnScreen))
        await pilot.press("down")                     # lead, scout, reviewer
        await pilot.press("enter")
        await wait_for(pilot, lambda: "scout-1" in model.members)
        await wait_for(pilot, lambda: view.graph.selected == "scout-1")
        assert handle.member("scout-1").status == "idle"  # no first task given: it waits
        # message it with m: it works on it and reports to the lead, shown on the recent strip
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageScreen))
        app.screen.query_one("#mob-message").value = "find the release notes"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any((n.sender, n.recipient) == ("scout-1", "lead") for n in model.recent))
        await asyncio.wait_for(handle.wait_idle(), 10)
        await wait_for(pilot, lambda: "scout-1 → lead" in str(view.recent.content))
        assert "notes.txt" in model.recent[-1].text
        # wiring from scout-1: arrows pass over the retired scout; picking it anyway names it retired
        await pilot.press("w")
        assert view.graph.picking == "scout-1"
        for key in ("up", "down", "left", "right", "down", "down", "right", "left"):
            await pilot.press(key)
            assert view.graph.selected != "scout"
        notes = []
        monkeypatch.setattr(view, "notify", lambda text, **kw: notes.append(text))
        view._finish_pick("scout")
        assert notes and "scout has retired" in notes[-1] and view.graph.picking == "scout-1"
        await pilot.press("escape")
        assert view.graph.picking is None
        assert ("scout", "scout-1") not in handle.wires()
        # retire scout-1: the pane keeps what it spent
        view.graph.select("scout-1")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: model.members["scout-1"].gone)
        spent = model.members["scout-1"].tokens
        assert spent > 0 and model.members["scout-1"].cost_usd is None  # unpriced, as shown live
        mob_id = handle.id
        await app.action_quit()                       # the app's own quit path
    [listed] = list_mobs(mobs_dir())
    assert listed.mob_id == mob_id and listed.state == "stopped"

    # resumed in a new app: the retired members keep their figures, the mob runs again
    app = make_app(None, mob=resume_starter(_resume_args(), load_settings(ws).settings, ws, mob_id), cwd=ws)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.mob is not None)
        model = app.mob.model
        assert model.members["scout-1"].gone and model.members["scout-1"].tokens == spent
        assert model.members["scout-1"].cost_usd is None and model.members["scout"].tokens > 0
        assert app.mob.handle.state == "running" and model.live() == ["lead", "reviewer"]
        await app.action_quit()
