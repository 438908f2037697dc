"""The session tree and the resume picker inside the real WorkbenchApp, over the real runtime
(AgentSession + SessionManager on disk, a scripted provider that records every request)."""

import json
import os
import subprocess
import sys
from pathlib import Path


from workbench.cli import build_parser
from workbench.config import LoadedSettings, Settings, load_settings
from workbench.runtime.agent import AgentSession
from workbench.runtime.approvals import ApprovalBroker
from workbench.sessions.manager import SessionManager
from workbench.tui.app import WorkbenchApp
from workbench.tui.backend import RuntimeBackend
from workbench.tui.screens.resume import ResumeScreen
from workbench.tui.startup import build
from workbench.tui.tree import SessionTree

from ..runtime.scripted import ScriptedProvider, Turn

ROOT = Path(__file__).resolve().parents[2]


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def make_app(manager, provider, *, branch_summary="never", **kw) -> WorkbenchApp:
    settings = Settings()
    settings.ui.branch_summary = branch_summary
    agent = AgentSession(manager, provider, model="scripted-model", persist_in_thread=False)
    return WorkbenchApp(RuntimeBackend(agent, ApprovalBroker()), settings=LoadedSettings(settings),
                        watch_themes=False, **kw)


async def send(app, pilot, text: str) -> None:
    app.prompt.text = text
    app.prompt.focus()
    await pilot.press("enter")
    for _ in range(100):
        await pilot.pause(0.02)
        if not app.backend.is_running and app.backend.agent.last_result is not None:
            break


async def walk_to(pilot, tree: SessionTree, entry_id: str) -> None:
    for _ in range(40):
        if tree.view.selected_id == entry_id:
            return
        await pilot.press("up")
    raise AssertionError(f"never reached {entry_id}")


async def test_branch_edit_resend_makes_a_new_branch_and_the_agent_follows(tmp_path):
    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    provider = ScriptedProvider([Turn().text("one"), Turn().text("two"), Turn().text("two, again")])
    app = make_app(manager, provider)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        tree = app.session_tree
        assert tree is not None and tree.is_mounted  # mounted in the Session pane
        await send(app, pilot, "first question")
        app.backend.agent.last_result = None
        await send(app, pilot, "second question")
        second = next(e["id"] for e in manager.entries if e.get("type") == "message"
                      and e["message"]["role"] == "user" and "second" in str(e["message"]["content"]))
        app.run_slash("tree", "")
        await pilot.pause()
        assert app.focused is tree.lines
        tree.sync()
        await walk_to(pilot, tree, second)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.prompt.text == "second question"  # back in the prompt to edit
        assert app.focused is app.prompt
        # the conversation shows the path up to the branch point: the old second exchange is gone
        assert "second question" not in [m.get("content")[0]["text"] for m in app.backend.history()
                                         if m.get("role") == "user"]
        app.backend.agent.last_result = None
        await send(app, pilot, "second question, edited")
        # the model saw the new path only
        sent = [m for m in provider.requests[-1].messages if m["role"] == "user"]
        assert [m["content"][0]["text"] for m in sent] == ["first question", "second question, edited"]
        # the file holds both branches (the leaf marker, a `custom` entry, may sit in between);
        # the tree shows the branch point
        by_id = {e["id"]: e for e in lines(manager.path)[1:]}

        def message_parent(e):
            p = by_id[e["parentId"]]
            while p["type"] == "custom":
                p = by_id[p["parentId"]]
            return p["id"]

        parents = {e["message"]["content"][0]["text"]: message_parent(e) for e in by_id.values()
                   if e.get("type") == "message" and e["message"]["role"] == "user"}
        assert parents["second question"] == parents["second question, edited"]
        tree.sync()
        bp = tree.view.row_of(tree.view.index.pos[parents["second question"]])
        assert bp is not None and tree.view.rows[bp].children == 2
    path = manager.path
    manager.close()
    # the chosen leaf survives a restart: the file reopens at the edited branch's answer
    reopened = SessionManager.open(path, readonly=True)
    leaf_msg = reopened.get_entry(reopened.leaf_id)["message"]
    assert leaf_msg["content"][0]["text"] == "two, again"
    reopened.close()


async def test_moving_to_an_answer_survives_a_restart(tmp_path):
    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    app = make_app(manager, ScriptedProvider([Turn().text("one"), Turn().text("two")]))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        await send(app, pilot, "first")
        app.backend.agent.last_result = None
        await send(app, pilot, "second")
        first_answer = next(e["id"] for e in manager.entries if e.get("type") == "message"
                            and e["message"]["role"] == "assistant" and e["message"]["content"][0]["text"] == "one")
        app.action_focus_tree()
        await pilot.pause()
        app.session_tree.sync()
        await walk_to(pilot, app.session_tree, first_answer)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert [m["role"] for m in app.backend.agent.messages] == ["user", "assistant"]
    path = manager.path
    manager.close()
    reopened = SessionManager.open(path, readonly=True)
    assert reopened.build_context().messages[-1]["content"][0]["text"] == "one"
    reopened.close()


def runtime_args(*argv: str):
    return build_parser().parse_args(["--provider", "replay", *argv])


async def test_fork_from_the_tree_switches_to_a_new_file_with_parent_session(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    cwd = tmp_path / "proj"
    cwd.mkdir()
    parts = build(runtime_args(), cwd, load_settings(cwd))
    parts.pop("initial_prompt", None)
    backend = parts.pop("backend")
    backend.agent.manager.append_message({"role": "user", "content": [{"type": "text", "text": "hello"}],
                                          "timestamp": 1})
    original = backend.agent.manager.path
    app = WorkbenchApp(backend, watch_themes=False, **parts)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        app.action_focus_tree()
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause(0.3)
        new_path = app.backend.manager.path
        assert new_path != original
        assert lines(new_path)[0]["parentSession"] == str(Path(original).absolute())
        assert app.session_tree.manager is app.backend.manager
    app.backend.manager.close()


async def test_resume_by_picker_and_locked_session_opens_read_only(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    cwd = tmp_path / "proj"
    cwd.mkdir()
    from workbench.config import sessions_dir

    other = SessionManager.create(cwd, sessions_dir=sessions_dir())
    other.append_message({"role": "user", "content": [{"type": "text", "text": "an older task"}], "timestamp": 1})
    other_path = other.path  # `other` keeps its lock: another process has it open
    parts = build(runtime_args("-r"), cwd, load_settings(cwd))
    assert parts.pop("open_picker") is True
    app = WorkbenchApp(parts.pop("backend"), watch_themes=False, open_picker=True, **parts)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.5)
        assert isinstance(app.screen, ResumeScreen)
        for _ in range(20):  # the list loads in a thread; the new (empty) session is listed first
            await pilot.pause(0.1)
            if len(app.screen.shown) == 2:
                break
        await pilot.press("down")
        assert app.screen.selected.path == other_path
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert app.backend.manager.path == other_path and app.backend.readonly
        assert app.prompt.disabled
        assert "READ-ONLY" in str(app.session_tree.status.render())
        assert "READ-ONLY" in str(app.status.render())
        assert [m["role"] for m in app.backend.history()] == ["user"]
        # ctrl+f in the tree forks it into a session we can write
        app.action_focus_tree()
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause(0.3)
        assert not getattr(app.backend, "readonly", False) and not app.prompt.disabled
        assert lines(app.backend.manager.path)[0]["parentSession"] == str(other_path.absolute())
    app.backend.manager.close()
    other.close()


def test_resume_prefix_unknown_exits_10_and_known_resolves(tmp_path):
    env = {**os.environ, "WORKBENCH_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "--cwd", str(tmp_path), "-r", "zzzz9999"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 10
    assert "zzzz9999" in done.stderr and "Traceback" not in done.stderr


async def test_resume_prefix_opens_that_session(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    cwd = tmp_path / "proj"
    cwd.mkdir()
    from workbench.config import sessions_dir

    m = SessionManager.create(cwd, sessions_dir=sessions_dir())
    m.append_message({"role": "user", "content": [{"type": "text", "text": "resume me"}], "timestamp": 1})
    sid, path = m.session_id, m.path
    m.close()
    parts = build(runtime_args("-r", sid[:8]), cwd, load_settings(cwd))
    assert parts["backend"].manager.path == path
    assert "initial_prompt" not in parts and "open_picker" not in parts
    parts["backend"].manager.close()


def test_snapshot_app_with_the_tree_mounted(snap_compare, branched_copy):
    """The whole workbench at 160×48 with pi's branched fixture in the Session pane."""
    from workbench.tui.clock import FrozenClock
    from workbench.tui.themes import BUNDLED_DIR

    manager = SessionManager.open(branched_copy)
    agent = AgentSession(manager, ScriptedProvider([]), model="claude-sonnet-4-5", persist_in_thread=False)
    app = WorkbenchApp(RuntimeBackend(agent, ApprovalBroker()), clock=FrozenClock(), themes_from=[BUNDLED_DIR],
                       watch_themes=False)
    app.prompt.cursor_blink = False

    async def before(pilot):
        await pilot.pause(0.3)
        app.action_focus_tree()
        await pilot.pause(0.2)
        await pilot.press("up", "up")
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(160, 48), run_before=before)
    finally:
        manager.close()
