"""Theme files that would crash Textual are problems naming file and line, at start and on hot
reload (issue 13 item 25): NaN / 1e308 fractions, bad colours in [variables], markup in a name."""

from __future__ import annotations

import pytest

from tests.tui.conftest import make_app
from tests.tui.fakes import FakeBackend
from workbench.tui.themes import BUNDLED_DIR, load_theme_file

BROKEN = {
    "nan.toml": ('name = "n"\nprimary = "#112233"\nluminosity_spread = nan\n', 3, "luminosity_spread"),
    "huge.toml": ('name = "h"\nprimary = "#112233"\ntext_alpha = 1e308\n', 3, "text_alpha"),
    "variables.toml": ('name = "v"\nprimary = "#112233"\n[variables]\nborder = "not-a-colour"\n', 3, "border"),
    "style.toml": ('name = "s"\nprimary = "#112233"\n[variables]\nlink-style = "[bold]"\n', 3, "link-style"),
    "markup.toml": ('name = "[bold red]x[/]"\nprimary = "#112233"\n', 1, "name"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_theme_is_a_problem_with_file_and_line(tmp_path, name):
    text, line, what = BROKEN[name]
    path = tmp_path / name
    path.write_text(text)
    theme, problems = load_theme_file(path)
    assert theme is None and problems[0].line == line and what in str(problems[0])


def test_valid_variables_in_textual_s_own_forms_are_accepted(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text('name = "ok theme"\nprimary = "#112233"\nluminosity_spread = 0.3\n[variables]\n'
                    'footer-key-foreground = "ansi_magenta 50%"\nlink-style-hover = "not underline"\n'
                    'block-cursor-text-style = "b reverse"\nborder = "transparent"\n')
    theme, problems = load_theme_file(path)
    assert problems == [] and theme.name == "ok theme"


async def test_app_starts_with_broken_themes_and_hot_reload_keeps_the_current_one(tmp_path):
    themes = tmp_path / "themes"
    themes.mkdir()
    for name, (text, _, _) in BROKEN.items():
        (themes / name).write_text(text)
    mine = themes / "mine.toml"
    mine.write_text('name = "mine"\nprimary = "#445566"\n')
    app = make_app(FakeBackend(), themes_from=[BUNDLED_DIR, themes])
    async with app.run_test(size=(160, 48)) as pilot:
        app.theme = "mine"
        for name, (text, _, _) in BROKEN.items():
            if name != "markup.toml":  # the same file, edited into each broken form
                text = text.split("\n", 1)[1]
                text = 'name = "mine"\n' + text
            mine.write_text(text)
            assert not app.reload_theme_file(mine), name
        await pilot.pause(0.05)
        assert app.theme == "mine" and app.current_theme.primary == "#445566"
        assert app.is_running
