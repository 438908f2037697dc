"""The resume picker: listing, scope, grouping, search, preview, open/fork/rename/delete."""

from pathlib import Path

from textual.app import App
from textual.widgets import OptionList, Static

from workbench.sessions.manager import SessionManager
from workbench.sessions.store import SessionStore
from workbench.tui.screens.resume import ResumeChoice, ResumeScreen, fuzzy_score, grouped


class Host(App):
    def __init__(self, screen):
        super().__init__()
        self.picker = screen
        self.result = "unset"

    def on_mount(self):
        self.push_screen(self.picker, callback=self.done)

    def done(self, result):
        self.result = result


def picker(store_dir, **kw) -> ResumeScreen:
    return ResumeScreen(SessionStore(store_dir, use_cache=False), "/proj", **kw)


async def settle(pilot, screen):
    for _ in range(40):
        await pilot.pause(0.02)
        if not screen.loading and not any(w.is_running for w in screen.workers):
            break
    await pilot.pause()


def rows(screen) -> list[str]:
    options = screen.query_one("#sessions", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def test_fuzzy_score():
    assert fuzzy_score("verbose flag", "Add a --verbose flag") is not None
    assert fuzzy_score("vrbs", "verbose") is not None  # characters in order
    assert fuzzy_score("verbose zebra", "Add a --verbose flag") is None
    assert fuzzy_score("flag", "flag first") > fuzzy_score("flag", "a long text before the flag")


async def test_lists_this_folder_grouped_then_all(store_dir):
    screen = picker(store_dir)
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, screen)
        shown = rows(screen)
        assert len(shown) == 4
        # the fork sits right under its origin
        origin = next(i for i, r in enumerate(shown) if "Now tests" in r or "verbose" in r and "└─" not in r)
        assert "└─" in shown[origin + 1] and "Document" not in shown[origin]
        await pilot.press("ctrl+g")  # flat by recent activity: newest first
        assert "Rename the config module" in rows(screen)[0]
        await pilot.press("ctrl+a")
        await settle(pilot, screen)
        assert len(rows(screen)) == 5 and any("/other" in r for r in rows(screen))


async def test_search_matches_message_text_and_opens(store_dir):
    screen = picker(store_dir)
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, screen)
        await pilot.press(*"socket")  # only in an assistant answer, not in name or first message
        await settle(pilot, screen)
        assert len(rows(screen)) == 1 and "flaky test" in rows(screen)[0]
        preview = str(screen.query_one("#preview", Static).render())
        assert "Mocked the socket." in preview
        await pilot.press("enter")
        await pilot.pause()
    assert isinstance(app.result, ResumeChoice)
    assert app.result.path.name.endswith("bbbb2222-0000-0000-0000-000000000000.jsonl")
    assert not app.result.readonly and not app.result.fork


async def test_locked_session_opens_readonly_or_forks(store_dir):
    path = next(Path(store_dir).rglob("*dddd4444*.jsonl"))
    holder = SessionManager.open(path)  # another writer holds it
    try:
        screen = picker(store_dir)
        app = Host(screen)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot, screen)
            await pilot.press(*"rename config")
            await settle(pilot, screen)
            assert "locked" in rows(screen)[0]
            await pilot.press("enter")
            await pilot.pause()
        assert app.result == ResumeChoice(path, readonly=True)
        screen = picker(store_dir)
        app = Host(screen)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot, screen)
            await pilot.press(*"rename config", "ctrl+f")
            await pilot.pause()
        assert app.result == ResumeChoice(path, fork=True)
    finally:
        holder.close()


async def test_rename_and_delete_with_confirmation(store_dir):
    open_path = next(Path(store_dir).rglob("*aaaa1111*.jsonl"))
    screen = picker(store_dir, current_path=open_path)
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, screen)
        await pilot.press(*"rename config")
        await settle(pilot, screen)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press(*"config rename", "enter")
        await settle(pilot, screen)
        target = next(Path(store_dir).rglob("*dddd4444*.jsonl"))
        assert '"name":"config rename"' in target.read_text()
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("n")  # not confirmed: kept
        await pilot.pause()
        assert target.exists()
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, screen)
        assert not target.exists()
        # the open session can never be deleted
        await pilot.press(*["backspace"] * len("rename config"))
        await settle(pilot, screen)
        screen.query_one("#sessions", OptionList).highlighted = next(
            i for i, (info, _) in enumerate(screen.shown) if info.path == open_path)
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert open_path.exists() and app.screen is screen


def test_grouping_nests_forks_under_origin(store_dir):
    infos = SessionStore(store_dir, use_cache=False).list("/proj")
    order = [(info.id[:4], depth) for info, depth in grouped(infos)]
    assert ("cccc", 1) in order
    assert order[order.index(("cccc", 1)) - 1] == ("aaaa", 0)


async def test_the_best_match_comes_first_not_the_newest(tmp_path):
    from tests.tree.conftest import write_session

    sessions = tmp_path / "s"
    write_session(sessions, "/proj", "aaaa0000-0000-0000-0000-000000000001", 1,
                  [("Port the build script", "Done with a venv.")], name="Port to python3")
    write_session(sessions, "/proj", "aaaa0000-0000-0000-0000-000000000002", 9,  # newer
                  [("python3 docs need a tidy", "Tidied.")])
    screen = ResumeScreen(SessionStore(sessions, use_cache=False), "/proj")
    app = Host(screen)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, screen)
        await pilot.press(*"python3")
        await settle(pilot, screen)
        shown = rows(screen)
        assert len(shown) == 2 and "Port to python3" in shown[0]  # the name's match first, though older
