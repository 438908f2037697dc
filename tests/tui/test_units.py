"""Pure helpers of the TUI: sanitising, formats, slash commands, diffs, themes."""

import pytest
from rich.console import Console

from workbench.tui import commands, format as fmt
from workbench.tui.diffview import side_by_side_rows
from workbench.tui.sanitize import one_line, safe_text, sanitize
from workbench.tui.themes import BUNDLED_DIR, load_theme_file, load_themes


def render(renderable) -> str:
    console = Console(width=80, force_terminal=True, color_system="truecolor")
    with console.capture() as cap:
        console.print(renderable)
    return cap.get()


def test_sanitize_shows_escapes_and_controls_visibly():
    assert sanitize("a\x1b[2Jb") == "a\u241b[2Jb"
    assert sanitize("\x1b]0;evil title\x07ok") == "\u241b]0;evil title\\x07ok"
    assert sanitize("x\x1bPpayload\x1b\\y") == "x\u241bPpayload\u241b\\y"
    assert sanitize("bell\x07") == "bell\\x07"
    assert sanitize("a\r\nb\rc") == "a\nb\nc"
    assert sanitize("tab\tkept\n") == "tab\tkept\n"
    assert sanitize("\x9b31m8bit") == "\\x9b31m8bit"


def test_model_and_tool_output_is_never_markup():
    text = safe_text("[bold red]x[/] \x1b[2J done")
    assert text.plain == "[bold red]x[/] \u241b[2J done"
    out = render(text)
    assert "[bold red]x[/]" in out
    assert "\x1b[2J" not in out


def test_one_line():
    assert one_line("a\n  b\tc", 80) == "a b c"
    assert one_line("x" * 10, 5) == "xxxx…"


def test_formats():
    assert fmt.tokens(999) == "999" and fmt.tokens(1234) == "1.2k" and fmt.tokens(250_000) == "250k"
    assert fmt.money(None) == "unpriced" and fmt.money(0) == "$0.00" and fmt.money(1.234) == "$1.23"
    assert fmt.money(0.0042) == "$0.0042"
    assert fmt.duration(0.25) == "250ms" and fmt.duration(83) == "1m23s"
    assert [fmt.level_class(p) for p in (69.9, 70, 89.9, 90)] == ["-ok", "-warning", "-warning", "-danger"]
    assert fmt.arg_summary("bash", {"command": "ls -la"}) == "$ ls -la"
    assert fmt.arg_summary("read", {"path": "a.py", "offset": 10, "limit": 5}) == "a.py:10-14"


def test_slash_parse_and_complete():
    assert commands.parse("/label  v1 ok ") == ("label", "v1 ok")
    assert commands.parse("plain text") is None
    assert commands.complete("/bu") == "/budget "
    assert commands.complete("/n") is None  # new, name: nothing in common to add
    assert commands.complete("/ne") == "/new "
    assert commands.complete("/zzz") is None
    assert [c.name for c in commands.matches("/t")] == ["tree", "theme"]


def test_parse_budget():
    assert commands.parse_budget("tokens=200k cost=$1.5 turns=off time=10m") == {
        "tokens": 200_000.0, "cost": 1.5, "turns": None, "duration": 600.0}
    with pytest.raises(ValueError, match="above 0"):
        commands.parse_budget("cost=0")
    with pytest.raises(ValueError, match="'x=1'"):
        commands.parse_budget("x=1")
    with pytest.raises(ValueError, match="not a number"):
        commands.parse_budget("turns=many")


def test_side_by_side_pairs_changes():
    diff = "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n keep\n-old1\n-old2\n+new1\n same\n"
    rows = side_by_side_rows(diff)
    assert rows[0].kind == "file" and rows[0].left == "a/f" and rows[0].right == "b/f"
    change = [r for r in rows if r.kind == "change"]
    assert [(r.left, r.right) for r in change] == [("old1", "new1"), ("old2", None)]
    assert [r.left for r in rows if r.kind == "same"] == ["keep", "same"]


def test_bundled_themes_load():
    themes, files, problems = load_themes([BUNDLED_DIR])
    assert problems == []
    assert {"workbench-dark", "workbench-light", "high-contrast", "nord", "gruvbox", "catppuccin-mocha"} <= set(themes)
    assert themes["workbench-light"].dark is False


def test_every_bundled_theme_passes_validation_and_the_unvalidated_read_gives_the_same_theme():
    """Bundled themes are read without pydantic on start-up: they must be exactly what validation gives."""
    paths = sorted(BUNDLED_DIR.glob("*.toml"))
    assert len(paths) >= 6
    for path in paths:
        validated, problems = load_theme_file(path)
        assert problems == [] and validated is not None, path
        fast, problems = load_theme_file(path, trusted=True)
        assert problems == [] and fast == validated, path


def test_a_bundled_file_that_does_not_fit_is_still_validated_and_reported(tmp_path):
    odd = tmp_path / "odd.toml"
    odd.write_text('name = "odd"\nprimary = "#123456"\ncolour = "red"\n')
    theme, problems = load_theme_file(odd, trusted=True)
    assert theme is None and problems[0].line == 3 and "colour" in problems[0].message


def test_broken_theme_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n\nprimary = "#12"\n')
    theme, problems = load_theme_file(bad)
    assert theme is None and problems[0].line == 3 and "primary" in problems[0].message
    syntax = tmp_path / "syntax.toml"
    syntax.write_text('name = "s"\nprimary = \n')
    theme, problems = load_theme_file(syntax)
    assert theme is None and problems[0].line == 2


async def test_meters_update_a_static_only_when_its_text_or_styles_change():
    from textual.app import App
    from textual.content import Content
    from textual.widgets import Static

    from workbench.tui.widgets.meters import update_if_changed

    class Host(App):
        def compose(self):
            yield Static(id="s")

    app = Host()
    async with app.run_test() as pilot:
        static = app.query_one("#s", Static)
        assert update_if_changed(static, Content.assemble("ctx ", ("42%", "bold")))
        assert not update_if_changed(static, Content.assemble("ctx ", ("42%", "bold")))  # same: no layout asked
        assert update_if_changed(static, Content.assemble("ctx ", ("42%", "bold $error")))  # same text, new style
        assert update_if_changed(static, Content.assemble("ctx ", ("43%", "bold $error")))
        await pilot.pause()
        assert static.render_line(0).text.startswith("ctx 43%")


def test_a_recorded_peer_message_reads_sender_to_recipient_without_the_models_header():
    from workbench.tui.widgets.conversation import user_content
    from workbench.tui.widgets.conversation_specs import UserSpec, history_specs

    recorded = {"role": "custom", "customType": "peer_message", "display": True,
                "content": "[message from reviewer]\nThe scout's listing checks out.",
                "details": {"sender": "reviewer", "recipient": "lead", "messageId": "m1"}}
    spec = history_specs([recorded])[0]
    assert spec == UserSpec("The scout's listing checks out.", "peer", "reviewer", "lead")
    assert user_content(spec.text, spec.kind, spec.sender, spec.recipient).plain == (
        "reviewer → lead The scout's listing checks out.")
    # sessions written before the recipient was recorded: say who sent it, no dangling arrow
    older = dict(recorded, details={"sender": "reviewer", "messageId": "m1"})
    spec = history_specs([older])[0]
    assert user_content(spec.text, spec.kind, spec.sender, spec.recipient).plain == (
        "from reviewer The scout's listing checks out.")
