"""QA defects in the app's own commands and notices."""

import asyncio

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend

SIZE = (160, 48)


async def test_print_inside_the_app_does_not_crash_it():
    # Textual captures stdout and calls App._flush(stderr=...): the app must not shadow it.
    app = make_app(FakeBackend())
    async with app.run_test(size=SIZE) as pilot:
        print("a library printing while the app runs")
        await pilot.pause()
        assert app.is_running
