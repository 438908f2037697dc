import pytest

from workbench.errors import SessionNotFound, WorkbenchError
from workbench.runtime.budget import BudgetLimits
from workbench.runtime.service import CreateSessionRequest, SessionService
from tests.runtime.scripted import ScriptedProvider, Turn


def factory(scripts: list[list[Turn]]):
    def make(name, model):
        return ScriptedProvider(scripts.pop(0), model=model or "scripted-model")
    return make


async def test_create_run_read_list_archive_and_reopen(workspace, sessions_dir):
    svc = SessionService(sessions_dir=sessions_dir, cwd=workspace,
                         provider_factory=factory([[Turn().text("first")], [], [Turn().text("resumed")]]))
    a = await svc.create_session(CreateSessionRequest(prompt="hi", labels={"team": "x"}, mode="yolo",
                                                      limits=BudgetLimits(max_turns=5)))
    b = await svc.create_session(CreateSessionRequest(prompt="later", run_now=False))
    state = svc.read(a.id)
    assert state.turns == 1 and state.last_result.text == "first" and state.labels == {"team": "x"}
    assert svc.read(b.id).last_result is None
    assert [s.session_id for s in svc.list(labels={"team": "x"})] == [a.id]
    assert [s.session_id for s in svc.list(limit=1, offset=1)] == [b.id]
    with pytest.raises(WorkbenchError) as info:
        await svc.interrupt(a.id)
    assert info.value.code == "SESSION_NOT_RUNNING"
    sub = svc.subscribe(a.id)
    assert [e.type for e in sub.drain()][-1] == "run_completed"

    path = a.manager.path
    await svc.archive(a.id)
    with pytest.raises(SessionNotFound):
        svc.read(a.id)
    again = await svc.open_session(path)
    assert again.id == a.id and again.usage.output_tokens == 5
    assert svc.read(a.id).labels == {"team": "x"}
    result = await svc.start_turn(a.id[:8], "more")
    assert result.text == "resumed"
    await svc.close()


async def test_unknown_session_prefix_is_not_found(workspace, sessions_dir):
    svc = SessionService(sessions_dir=sessions_dir, cwd=workspace, provider_factory=factory([]))
    with pytest.raises(SessionNotFound) as info:
        await svc.open_session("no-such-id")
    assert info.value.exit_code == 10
