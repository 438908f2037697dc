"""Issue 13 item 11: the side panes use the terminal's room, resize from the keyboard, are
remembered, and `d` shows a diff side by side in the Approvals pane."""

import tomllib

import pytest

from tests.tui.conftest import make_app, requests_waiting, write_request
from tests.tui.fakes import FakeBackend
from workbench.config import first_frame_settings, user_config_file
from workbench.config_write import ConfigWriteError, set_user_setting
from workbench.tools.tomledit import set_scalar
from workbench.tui import pane_widths as pw


def columns(app):
    return app.session_pane.region.width, app.query_one("#side").region.width, app.query_one("#center").region.width


async def test_panes_grow_with_a_wide_terminal_and_keep_the_classic_widths_at_160():
    for size, expected in (((160, 48), (34, 52)), ((200, 50), (42, 65)), ((240, 60), (51, 78))):
        app = make_app(FakeBackend())
        async with app.run_test(size=size) as pilot:
            await pilot.pause(0.1)
            session, side, center = columns(app)
            assert (session, side) == expected
            assert session + side + center == size[0]


async def test_d_shows_the_diff_side_by_side_in_the_approvals_pane_at_160_columns():
    async with requests_waiting((160, 48), write_request()) as (app, pilot, _):
        await pilot.press("f4")
        await pilot.pause(0.1)
        await pilot.press("d")
        await pilot.pause(0.1)
        assert app.approvals.side  # it used to say "Too narrow" whatever the terminal
        assert app.approvals.content_region.width >= 80
        assert columns(app)[2] >= pw.CENTER_MIN
        await pilot.press("d")
        await pilot.pause(0.1)
        assert not app.approvals.side and columns(app)[:2] == (34, 52)  # back to its width


async def test_d_still_says_too_narrow_on_a_small_terminal():
    async with requests_waiting((100, 30), write_request()) as (app, pilot, _):
        await pilot.press("f4")
        await pilot.pause(0.1)
        await pilot.press("d")
        await pilot.pause(0.1)
        assert not app.approvals.side
        assert any("Too narrow" in str(n.message) for n in app._notifications)


async def test_alt_arrows_move_a_panes_edge_and_the_widths_are_remembered():
    app = make_app(FakeBackend())
    async with app.run_test(size=(200, 50)) as pilot:
        app.sizer.save_delay = 0.01
        await pilot.pause(0.1)
        await pilot.press("alt+left", "alt+left", "alt+left")  # the prompt has focus: the side column widens
        await pilot.pause(0.1)
        assert columns(app)[1] == 65 + 3 * pw.STEP
        app.session_pane.body.focus()  # the Session pane: its own edge
        await pilot.press("alt+left")
        await pilot.pause(0.1)
        assert columns(app)[0] == 42 - pw.STEP
        for _ in range(50):  # the file is written in a worker thread
            await pilot.pause(0.05)
            if user_config_file().exists() and "session_width" in user_config_file().read_text():
                break
    ui = tomllib.loads(user_config_file().read_text())["ui"]
    assert ui["side_width"] == pytest.approx(71 / 200 * 100, abs=0.1)
    assert ui["session_width"] == pytest.approx(40 / 200 * 100, abs=0.1)
    again = make_app(FakeBackend(), first_frame=first_frame_settings(None))
    async with again.run_test(size=(200, 50)) as pilot:
        await pilot.pause(0.1)
        assert columns(again)[:2] == (40, 71)


async def test_the_conversation_keeps_its_minimum_however_far_the_edge_moves():
    app = make_app(FakeBackend())
    async with app.run_test(size=(160, 48)) as pilot:
        app.sizer.save_delay = 60
        await pilot.pause(0.1)
        await pilot.press(*["alt+left"] * 40)
        await pilot.pause(0.1)
        assert columns(app)[2] >= pw.CENTER_MIN
        assert any("cannot move further" in str(n.message) for n in app._notifications)


def test_a_setting_is_saved_keeping_the_files_comments_and_layout(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("# mine\n[ui]\ntheme = \"nord\"  # the dark one\n\n[budget]\nmax_turns = 5\n")
    set_user_setting("ui", "theme", "gruvbox", path)
    assert path.read_text() == "# mine\n[ui]\ntheme = \"gruvbox\"  # the dark one\n\n[budget]\nmax_turns = 5\n"
    set_user_setting("ui", "side_width", 40.5, path)
    assert tomllib.loads(path.read_text())["ui"] == {"theme": "gruvbox", "side_width": 40.5}
    fresh = tmp_path / "new" / "config.toml"
    set_user_setting("ui", "theme", "nord", fresh)
    assert tomllib.loads(fresh.read_text()) == {"ui": {"theme": "nord"}}
    assert fresh.stat().st_mode & 0o777 == 0o600


def test_a_broken_config_file_is_left_alone(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[ui\ntheme = 1\n")
    with pytest.raises(ConfigWriteError, match="not valid TOML"):
        set_user_setting("ui", "theme", "nord", path)
    assert path.read_text() == "[ui\ntheme = 1\n"
    path.write_text("ui = 3\n")
    with pytest.raises(ConfigWriteError, match="not a table"):
        set_user_setting("ui", "theme", "nord", path)


def test_set_scalar_adds_the_key_under_an_existing_table():
    assert set_scalar("[ui]\n# c\n", ("ui",), "theme", "x") == "[ui]\ntheme = \"x\"\n# c\n"
    assert set_scalar("a = 1\n", ("ui",), "w", 3) == "a = 1\n\n[ui]\nw = 3\n"


def test_snapshot_side_by_side_diff_at_200_columns(snap_compare):
    from tests.tui.test_snapshots import DIFF, approval, build

    app = build()

    async def before(pilot):
        await app.on_runtime_event(approval("r1", "edit", {"path": "src/app.py"}, {"kind": "diff", "text": DIFF}))
        app.approvals.focus()
        await pilot.press("d")
        app.refresh_now()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(200, 50), run_before=before)
