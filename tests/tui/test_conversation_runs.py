"""Runs of finished blocks (conversation_run.py) look and behave as the blocks' own widgets would."""

import pytest
from textual.theme import BUILTIN_THEMES, Theme

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from tests.tui.test_snapshots import HISTORY
from workbench.config import LoadedSettings, Settings
from workbench.tui.widgets.conversation import build_block
from workbench.tui.widgets.conversation_run import BlockRun
from workbench.tui.widgets.conversation_specs import CardSpec


def pane_rows(app):
    """The conversation pane's rows on screen, text and styles, as the terminal gets them."""
    region = app.conversation.region
    rows = app.screen._compositor.render_strips()[region.y:region.bottom]
    return [list(row.crop(region.x, region.right)) for row in rows]


def run_cells(app, run):
    """The run's rows on screen, cell by cell: (character, style)."""
    region = run.region
    rows = app.screen._compositor.render_strips()[region.y:region.bottom]
    return [[(char, segment.style) for segment in row.crop(region.x, region.right) for char in segment.text]
            for row in rows]


async def as_own_widgets(app, pilot):
    """Replace the pane's runs by one widget per block (what runs stand in for)."""
    conv = app.conversation
    runs = [w for w in conv.blocks if isinstance(w, BlockRun)]
    specs = [spec for run in runs for spec in run.specs()]
    await conv.remove_children(runs)
    await conv.mount_all([build_block(spec, conv.clock) for spec in specs], before=conv._newer_marker)
    conv.scroll_home(animate=False, immediate=True)
    await pilot.pause()


async def loaded(app, pilot):
    while not app.conversation.total_blocks:
        await pilot.pause(0.01)
    app.conversation.release_anchor()
    app.conversation.scroll_home(animate=False, immediate=True)
    await pilot.pause()


# Textual's ansi-dark: ANSI colours, sent as they are; "mixed": ANSI colours in a truecolour theme, which the
# ANSI-to-truecolour filter converts (runs skip the filter only for rows it would leave as they are).
MIXED = Theme("mixed", primary="ansi_bright_blue", warning="ansi_yellow", error="ansi_red", success="ansi_green",
              foreground="#d0d0d0", background="#101418", surface="#181c20", panel="#20262c", dark=True)


@pytest.mark.parametrize("theme", ["workbench-light", "high-contrast", "gruvbox", "ansi-dark", "mixed"])
async def test_a_run_draws_its_blocks_exactly_as_their_own_widgets_in_every_theme(theme):
    # opened in the dark theme, then switched: the run draws again in the new colours
    app = make_app(FakeBackend(history=HISTORY))
    async with app.run_test(size=(120, 48)) as pilot:
        await loaded(app, pilot)
        dark = pane_rows(app)
        if theme in ("ansi-dark", "mixed"):  # not one of ours
            app.register_theme(BUILTIN_THEMES.get(theme, MIXED))
        app.theme = theme
        await pilot.pause()
        in_runs = pane_rows(app)
        assert in_runs != dark
        await as_own_widgets(app, pilot)
        assert pane_rows(app) == in_runs


async def test_the_block_under_the_mouse_lights_up_as_its_own_widget_does():
    app = make_app(FakeBackend(history=HISTORY))
    async with app.run_test(size=(120, 48)) as pilot:
        app.theme = "textual-dark"  # its $boost, the hover background, is not transparent
        await loaded(app, pilot)
        (run,) = [w for w in app.conversation.blocks if isinstance(w, BlockRun)]
        card = next(i for i, spec in enumerate(run.specs()) if isinstance(spec, CardSpec))
        plain = pane_rows(app)
        await pilot.hover(run, offset=(10, run.spans()[card][1]))
        await pilot.pause()
        lit = pane_rows(app)
        assert lit != plain
        await pilot.hover(app.query_one("#status"))  # leaving the run puts it out
        await pilot.pause()
        assert pane_rows(app) == plain
        await as_own_widgets(app, pilot)
        assert pane_rows(app) == plain
        first_card = app.conversation.blocks[card]
        await pilot.hover(first_card, offset=(10, 0))
        await pilot.pause()
        assert pane_rows(app) == lit


async def test_runs_hold_whole_pages_so_a_long_history_mounts_few_widgets():
    turns = [{"role": "user", "content": [{"type": "text", "text": f"question {t}"}]} for t in range(400)]
    app = make_app(FakeBackend(history=turns), settings=LoadedSettings(Settings()))
    async with app.run_test(size=(120, 48)) as pilot:
        await loaded(app, pilot)
        conv = app.conversation
        assert conv.total_blocks == 400
        mounted = sum(len(w.specs()) for w in conv.blocks)
        assert mounted >= 46 // 2  # a screen and more of messages...
        assert len(conv.blocks) <= mounted // 4  # ...in a handful of widgets


async def test_text_in_finished_history_is_selected_with_the_mouse_and_copied():
    """Dragging over a run selects its blocks' text, not the frames drawn around them; the selection
    is drawn in the screen's selection style, and ctrl+c copies it."""
    app = make_app(FakeBackend(history=HISTORY))
    async with app.run_test(size=(120, 48)) as pilot:
        await loaded(app, pilot)
        (run,) = [w for w in app.conversation.blocks if isinstance(w, BlockRun)]
        plain = run_cells(app, run)
        await pilot.mouse_down(run, offset=(0, 2))  # the first tool card: a bordered block
        await pilot.hover(run, offset=(5, 5))
        await pilot.mouse_up(run, offset=(9, 8))  # into the answer's heading
        await pilot.pause()
        assert app.screen.get_selected_text() == (
            "✓ read  src/cache.py  · done\n ▶ result · 3 lines\n✗ bash  $ pytest -q tests/test_cache.py  · failed\n"
            " ▶ error · 2 lines\n\n\nThe cause")
        selected = run_cells(app, run)
        changed = [y for y, (before, after) in enumerate(zip(plain, selected)) if before != after]
        assert changed == list(range(2, 9))  # the run's rows 2 to 8, no others
        assert selected[2][:2] == plain[2][:2]  # the card's border and padding keep their look
        (char, before), (_, after) = plain[2][2], selected[2][2]
        assert char == "✓" and after.bgcolor != before.bgcolor  # its text is drawn selected...
        assert after.color == before.color  # ...in its own colour (the selection's is "transparent")
        await pilot.press("ctrl+c")
        assert app.clipboard.startswith("✓ read  src/cache.py") and app.clipboard.endswith("The cause")
        app.screen.clear_selection()
        await pilot.pause()
        assert run_cells(app, run) == plain


async def test_a_run_reused_for_other_blocks_drops_its_selection():
    app = make_app(FakeBackend(history=HISTORY))
    async with app.run_test(size=(120, 48)) as pilot:
        await loaded(app, pilot)
        (run,) = [w for w in app.conversation.blocks if isinstance(w, BlockRun)]
        await pilot.mouse_down(run, offset=(2, 2))
        await pilot.mouse_up(run, offset=(9, 8))
        await pilot.pause()
        assert run in app.screen.selections
        run.reuse(run.specs()[:2])
        await pilot.pause()
        assert run not in app.screen.selections and app.screen.get_selected_text() is None


async def test_tags_a_model_writes_are_shown_as_text_in_history_and_while_streaming():
    """Rich and Textual render no HTML: with markdown-it's html on, a `<read-files>` block or a `<b>`
    in an answer (or a compaction summary) vanished from the screen. It is shown as written."""
    from workbench.runtime import events as ev

    answer = "Done.\n\n<read-files>\nsrc/cli.ts\n</read-files>\n\nthen <b>this</b> stays"
    history = [{"role": "user", "content": [{"type": "text", "text": "go"}]},
               {"role": "assistant", "content": [{"type": "text", "text": answer}]}]
    app = make_app(FakeBackend(history=history))
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(app, pilot)
        shown = "\n".join("".join(seg.text for seg in row) for row in pane_rows(app))
        assert "<read-files>" in shown and "src/cli.ts" in shown and "</read-files>" in shown
        assert "then <b>this</b> stays" in shown
    app = make_app(FakeBackend())  # the same text streaming in a live answer block
    async with app.run_test(size=(120, 30)) as pilot:
        await app.conversation.handle(ev.TextDelta(delta=answer))
        for _ in range(10):
            await pilot.pause(0.02)
        rows = "\n".join("".join(seg.text for seg in row) for row in pane_rows(app))
        assert "<read-files>" in rows and "src/cli.ts" in rows and "then <b>this</b> stays" in rows
