"""Issue 13 item 6: /fork and /label act on what the user sees as current (the last message),
never on a tree cursor left from earlier browsing or on a `[name]` entry."""

from types import SimpleNamespace

from workbench.sessions.manager import SessionManager

from ..runtime.scripted import ScriptedProvider, Turn
from .test_app_tree import make_app, send, walk_to


def last_message_id(manager) -> str:
    return next(e["id"] for e in reversed(manager.get_branch()) if e.get("type") == "message")


async def test_label_after_name_lands_on_the_last_message(tmp_path):
    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    app = make_app(manager, ScriptedProvider([Turn().text("an answer")]))
    async with app.run_test(size=(160, 48)) as pilot:
        await send(app, pilot, "a question")
        answer = last_message_id(manager)
        app.run_slash("name", "my session")
        app.run_slash("label", "checkpoint")
        await pilot.pause()
        assert manager.labels.get(answer) == "checkpoint"  # not the session_info entry of /name
    manager.close()


async def test_fork_uses_the_current_entry_not_a_stale_tree_cursor(tmp_path):
    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    app = make_app(manager, ScriptedProvider([Turn().text("one"), Turn().text("two")]))
    app.sessions = SimpleNamespace()  # /fork is offered; the fork's file is checked below
    async with app.run_test(size=(160, 48)) as pilot:
        await send(app, pilot, "first question")
        app.backend.agent.last_result = None
        await send(app, pilot, "second question")
        first = next(e["id"] for e in manager.entries if e.get("type") == "message"
                     and "first" in str(e["message"]["content"]))
        tree = app.session_tree
        app.run_slash("tree", "")
        await pilot.pause()
        tree.sync()
        await walk_to(pilot, tree, first)  # browse up, then go back to the prompt without choosing
        await pilot.press("f5")
        app.run_slash("fork", "")
        files = []
        for _ in range(100):
            await pilot.pause(0.02)
            files = [f for f in tmp_path.rglob("*.jsonl") if f != manager.path]
            if files:
                break
    manager.close()
    assert len(files) == 1
    forked = SessionManager.open(files[0], readonly=True)
    texts = [str(m["content"]) for m in forked.build_context().messages if m.get("role") == "user"]
    forked.close()
    assert any("second question" in t for t in texts)  # the whole conversation, not up to the cursor
