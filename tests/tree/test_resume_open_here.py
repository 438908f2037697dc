"""The resume picker tells the session open in this process ("open here") from one another
process holds (locked): our own lock is not a reason to open read-only."""

from pathlib import Path

from textual.widgets import Static

from workbench.sessions.manager import SessionManager
from workbench.tui.screens.resume import ResumeChoice

from .test_resume import Host, picker, rows, settle


async def test_the_session_open_here_is_not_shown_as_locked(store_dir):
    ours = next(Path(store_dir).rglob("*dddd4444*.jsonl"))
    theirs = next(Path(store_dir).rglob("*bbbb2222*.jsonl"))
    mine = SessionManager.open(ours)  # this process has it open: it holds the lock
    other = SessionManager.open(theirs)  # stands in for another process
    try:
        screen = picker(store_dir, current_path=ours)
        app = Host(screen)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot, screen)
            await pilot.press(*"rename config")
            await settle(pilot, screen)
            [row] = rows(screen)
            assert "open here" in row and "locked" not in row
            preview = str(screen.query_one("#preview", Static).render())
            assert "open here" in preview and "read-only" not in preview
            await pilot.press("enter")
            await pilot.pause()
        assert app.result == ResumeChoice(ours, readonly=False)

        screen = picker(store_dir, current_path=ours)
        app = Host(screen)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot, screen)
            await pilot.press(*"flaky")
            await settle(pilot, screen)
            [row] = rows(screen)
            assert "locked" in row and "open here" not in row  # another process keeps its badge
            await pilot.press("enter")
            await pilot.pause()
        assert app.result == ResumeChoice(theirs, readonly=True)
    finally:
        mine.close()
        other.close()
