"""Switching the shown session closes the old one, unless it belongs to a mob that keeps using it."""

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.sessions.manager import SessionManager


def Manager():
    m = SessionManager.in_memory("/tmp")
    m.closed = False

    def close():
        m.closed = True
    m.close = close
    return m


async def _switch(shared: bool):
    first, second = FakeBackend(), FakeBackend()
    first.manager, second.manager = Manager(), Manager()
    first.shared_session = shared
    app = make_app(first)
    async with app.run_test(size=(120, 40)) as pilot:
        app.switch_backend(second)
        await pilot.pause()
    return first.manager


async def test_switching_closes_the_old_session():
    assert (await _switch(shared=False)).closed


async def test_a_mob_members_session_stays_open_for_the_mob():
    assert not (await _switch(shared=True)).closed
