"""Issue 13 item 3: every end of a run (Esc, a stop, a failure) resolves and clears its pending
approvals, in the pane and in a mob's list; nothing stale is left to answer."""

from workbench.config import LoadedSettings, Settings
from workbench.runtime.agent import AgentSession
from workbench.runtime.approvals import ApprovalBroker, ApprovalRequest
from workbench.sessions.manager import SessionManager
from workbench.tui.app import WorkbenchApp
from workbench.tui.backend import RuntimeBackend

from ..runtime.scripted import ScriptedProvider, Turn


async def wait_for(pilot, check, what):
    for _ in range(150):
        if check():
            return
        await pilot.pause(0.02)
    raise AssertionError(what)


async def test_escape_while_an_approval_waits_clears_it_from_the_pane(tmp_path):
    manager = SessionManager.create(tmp_path, sessions_dir=tmp_path / "sessions")
    provider = ScriptedProvider([Turn().tool("bash", {"command": "echo hi"}), Turn().text("done")])
    broker = ApprovalBroker()
    agent = AgentSession(manager, provider, model="scripted-model", approvals=broker, persist_in_thread=False)
    app = WorkbenchApp(RuntimeBackend(agent, broker), settings=LoadedSettings(Settings()), watch_themes=False)
    async with app.run_test(size=(160, 48)) as pilot:
        app.prompt.text = "run it"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.approvals.queue, "the approval never showed")
        await pilot.press("f5", "escape")  # interrupt from the prompt
        await wait_for(pilot, lambda: not app.backend.is_running, "the run never stopped")
        await wait_for(pilot, lambda: not app.approvals.queue, "the withdrawn request stayed in the pane")
        assert app.approvals.border_subtitle == ""  # no "1 waiting"
        assert not broker.pending()
        assert not any("Could not answer" in str(n.message) for n in app._notifications)
    manager.close()


async def test_a_request_withdrawn_before_its_event_is_shown_never_appears(tmp_path):
    import asyncio

    broker = ApprovalBroker()
    withdrawn: list[str] = []
    broker.on_withdrawn(withdrawn.append)
    req = ApprovalRequest("apr-x", None, "worker", "bash", "c1", {"command": "ls"}, None, None)
    waiting = asyncio.ensure_future(broker.request(req))
    await asyncio.sleep(0)
    answered = ApprovalRequest("apr-y", None, None, "bash", "c2", {"command": "ls"}, None, None)
    answer = asyncio.ensure_future(broker.request(answered))
    await asyncio.sleep(0)
    waiting.cancel()
    from workbench.runtime.approvals import ApprovalDecision

    broker.resolve("apr-y", ApprovalDecision("once"))
    await answer
    await asyncio.sleep(0)
    assert withdrawn == ["apr-x"]  # the answered one is not "withdrawn"
    assert broker.pending() == []
