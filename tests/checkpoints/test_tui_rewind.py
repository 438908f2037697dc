"""Rewinding from the Session pane (Pilot), and a snapshot of the preview."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.checkpoints.conftest import tree_digest
from tests.runtime.scripted import Turn
from tests.tree.test_tree_pilot import walk_to
from workbench.checkpoints.rewind import PlannedFile, RestorePlan
from workbench.checkpoints.shadow import Snapshot
from workbench.tui.screens.rewind import RewindScreen
from workbench.tui.tree import SessionTree


class Host(App):
    def __init__(self, manager):
        super().__init__()
        self.manager = manager
        self.got: list = []

    def compose(self) -> ComposeResult:
        yield SessionTree(self.manager, poll_interval=None)

    def on_mount(self) -> None:
        self.query_one(SessionTree).focus()

    def on_session_tree_navigated(self, message):
        self.got.append(message)


async def _wait(pilot, predicate, what: str) -> None:
    for _ in range(300):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_rewind_files_from_the_tree_then_undo(make_agent, workspace):
    agent = make_agent([Turn().tool("write", {"path": "new.txt", "content": "later\n"}),
                        Turn().tool("bash", {"command": "rm keep.txt && echo x > notes.md && echo y > b.txt"}),
                        Turn().text("done")])
    await agent.run("go")
    manager = agent.manager
    after_run = tree_digest(workspace)
    results = [e["id"] for e in manager.entries if e.get("type") == "message" and e["message"]["role"] == "toolResult"]
    leaf = manager.leaf_id
    app = Host(manager)
    async with app.run_test(size=(110, 36)) as pilot:
        tree = app.query_one(SessionTree)
        assert tree.view.file_marks == {results[0]: 1, results[1]: 3}
        rows = [tree.view.row_text(i, selected=False) for i in range(len(tree.view.rows))]
        assert any("✎3 [bash:" in r for r in rows), rows

        await walk_to(pilot, tree, results[0])
        await pilot.press("ctrl+e")
        await _wait(pilot, lambda: isinstance(app.screen, RewindScreen), "the preview")
        screen = app.screen
        assert {(r.status, r.path) for r in screen.rows} == {("A", "keep.txt"), ("M", "notes.md"), ("D", "b.txt")}
        await pilot.press("enter")  # the highlighted file's diff, on demand
        await _wait(pilot, lambda: screen.changes.shown is not None and "loading" not in str(
            screen.query_one("#diff").render()), "the diff")
        await pilot.press("f")
        await _wait(pilot, lambda: (workspace / "keep.txt").exists() and not (workspace / "b.txt").exists(),
                    "the restore")
        await pilot.pause()
        assert (workspace / "notes.md").read_text() == "first\n"
        assert (workspace / "new.txt").read_text() == "later\n"
        assert manager.leaf_id != leaf  # the restore's checkpoints were appended at the leaf

        # Undo: the entry the restore left now holds the files as they were.
        await walk_to(pilot, tree, leaf)
        await pilot.press("ctrl+e")
        await _wait(pilot, lambda: isinstance(app.screen, RewindScreen), "the undo preview")
        await pilot.press("f")
        await _wait(pilot, lambda: tree_digest(workspace) == after_run, "the undo")


async def test_rewind_both_moves_the_leaf_and_a_conflict_is_kept(make_agent, workspace):
    agent = make_agent([Turn().tool("write", {"path": "notes.md", "content": "agent\n"}),
                        Turn().tool("write", {"path": "other.txt", "content": "o\n"}),
                        Turn().text("done")])
    await agent.run("go")
    manager = agent.manager
    results = [e["id"] for e in manager.entries if e.get("type") == "message" and e["message"]["role"] == "toolResult"]
    (workspace / "other.txt").write_text("mine\n")  # changed outside the agent
    app = Host(manager)
    async with app.run_test(size=(110, 36)) as pilot:
        tree = app.query_one(SessionTree)
        await walk_to(pilot, tree, results[0])
        await pilot.press("ctrl+e")
        await _wait(pilot, lambda: isinstance(app.screen, RewindScreen), "the preview")
        assert [r.path for r in app.screen.rows if r.warning] == ["other.txt"]
        await pilot.press("b")
        await _wait(pilot, lambda: bool(app.got), "the leaf move")
        assert (workspace / "other.txt").read_text() == "mine\n"  # kept
        assert (workspace / "notes.md").read_text() == "agent\n"
        nav = app.got[-1]
        assert nav.target_id == results[0]
        assert manager.get_entry(manager.leaf_id)["parentId"] == results[0]  # the restore's checkpoint


class PreviewHost(App):
    def on_mount(self) -> None:
        plan = RestorePlan(
            entry_id="1a2b3c4d", target="a" * 40, current=Snapshot("b" * 40),
            files=[PlannedFile("A", "src/keep.py", False, ("worker-1",)),
                   PlannedFile("M", "README.md", True, ("lead", "outside the agent")),
                   PlannedFile("D", "build/new_module.py", False, ("worker-2",))],
            exact=True, skipped=[("data/big.bin", 25 * 1024 * 1024)])

        async def diff(path: str) -> str:
            return ("diff --git a/src/keep.py b/src/keep.py\n--- a/src/keep.py\n+++ b/src/keep.py\n"
                    "@@ -1,2 +1,2 @@\n-print('old')\n+print('new')\n context\n")

        self.push_screen(RewindScreen(plan, "user: refactor the parser [bold]x[/bold]", diff))


def test_preview_snapshot(snap_compare):
    async def show_diff(pilot):
        await pilot.press("enter")
        screen = pilot.app.screen
        for _ in range(200):
            if "print" in str(screen.query_one("#diff").render()):
                break
            await pilot.pause(0.02)
        await pilot.press("down", "o")
        await pilot.pause()

    assert snap_compare(PreviewHost(), run_before=show_diff, terminal_size=(100, 30))


async def test_compare_branches_lists_the_files_they_differ_in(make_agent, workspace):
    from workbench.tui.screens.compare import CompareScreen

    agent = make_agent([Turn().tool("write", {"path": "a.txt", "content": "left\n"}), Turn().text("one"),
                        Turn().tool("write", {"path": "a.txt", "content": "right\n"}),
                        Turn().tool("write", {"path": "b.txt", "content": "only right\n"}), Turn().text("two")])
    await agent.run("first way")
    manager = agent.manager
    left_leaf = manager.leaf_id
    user = next(e for e in manager.entries if e.get("type") == "message" and e["message"]["role"] == "user")
    manager.branch(user["parentId"])
    agent.reload_context()
    await agent.run("second way")
    right_leaf = manager.leaf_id
    app = Host(manager)
    async with app.run_test(size=(120, 40)) as pilot:
        tree = app.query_one(SessionTree)
        assert tree.view.select_entry(left_leaf)
        await pilot.press("ctrl+x")
        assert tree.view.select_entry(right_leaf)
        await pilot.press("ctrl+d")
        await _wait(pilot, lambda: isinstance(app.screen, CompareScreen), "the compare screen")
        screen = app.screen
        await _wait(pilot, lambda: bool(screen.query("#compare-files")), "the files")
        files = screen.query_one("#compare-files")
        assert {(r.status, r.path) for r in files.rows} == {("M", "a.txt"), ("A", "b.txt")}
        files.show_diff("a.txt")
        await _wait(pilot, lambda: "+right" in str(files.query_one("#diff").render()), "the diff")
        assert "-left" in str(files.query_one("#diff").render())


async def test_tool_cards_link_to_their_checkpoint(make_agent, workspace):
    from workbench.tui.widgets.conversation_specs import CardSpec, history_specs, live_checkpoint_link

    agent = make_agent([Turn().tool("write", {"path": "n.txt", "content": "x"}, call_id="w1"),
                        Turn().tool("read", {"path": "n.txt"}, call_id="r1"), Turn().text("ok")])
    await agent.run("go")
    cp = next(e for e in agent.manager.entries if e.get("type") == "custom")
    cards = {s.call_id: s for s in history_specs(agent.messages) if isinstance(s, CardSpec)}
    assert cards["w1"].checkpoint == f"✎1 · {cp['id']}"
    assert cards["r1"].checkpoint is None  # a read changes nothing: no checkpoint, no link
    assert live_checkpoint_link(agent.manager, "w1") == f"✎1 · {cp['id']}"


async def test_a_bang_command_in_the_tui_is_checkpointed(tmp_path, workspace):
    from tests.runtime.scripted import ScriptedProvider
    from tests.tui.conftest import make_app
    from workbench.runtime.agent import AgentSession
    from workbench.runtime.approvals import ApprovalBroker
    from workbench.sessions.manager import SessionManager
    from workbench.tui.backend import RuntimeBackend

    manager = SessionManager.create(workspace, sessions_dir=tmp_path / "sessions")
    agent = AgentSession(manager, ScriptedProvider([]), model="scripted-model", mode="yolo")
    app = make_app(RuntimeBackend(agent, ApprovalBroker()), cwd=workspace)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            app.prompt.text = "!rm keep.txt && echo made > made.txt"
            await pilot.press("enter")
            await _wait(pilot, lambda: any(m.get("role") == "bashExecution" for m in agent.messages), "the command")
        entries = list(manager.entries)
        cp, bash = entries[-2], entries[-1]
        assert cp["data"]["kind"] == "command" and bash["parentId"] == cp["id"]
        assert cp["data"]["files"] == [{"status": "D", "path": "keep.txt"}, {"status": "A", "path": "made.txt"}]
        assert cp["data"]["base"] != cp["data"]["tree"]  # taken before the command ran: it can be rewound
    finally:
        manager.close()
