"""Themes as TOML data files -> `textual.theme.Theme`.

Bundled themes live in `themes/` at the repository root (the package reaches them through the
`workbench/tui/themes` link, which is also installed as package data); users add their own in
`workbench.config.user_themes_dir()`. A user theme with a bundled theme's name replaces it.
A broken file is reported as a `ThemeProblem` (file, line, message) and never replaces a theme
that works.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from typing import Any

from textual.theme import Theme

from workbench.config import read_toml, user_themes_dir

BUNDLED_DIR = Path(__file__).resolve().parent / "themes"


@dataclass(frozen=True)
class ThemeProblem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}{f':{self.line}' if self.line else ''}: {self.message}"


def _bundled_theme(data: dict[str, Any]) -> Theme | None:
    """A bundled theme without pydantic (its import costs the first frame ~0.1 s): the files we
    ship are checked against `ThemeFile` by the tests. None if it does not fit (then validated)."""
    fields = {k: v for k, v in data.items() if k != "variables"}
    variables = data.get("variables", {})
    if not isinstance(fields.get("name"), str) or not isinstance(variables, dict):
        return None
    try:
        return Theme(**fields, variables={str(k): str(v) for k, v in variables.items()})
    except (TypeError, ValueError):
        return None


def load_theme_file(path: Path, *, trusted: bool = False) -> tuple[Theme | None, list[ThemeProblem]]:
    """One theme file -> Theme, or the problems that name its file and line. `trusted`: a bundled
    file, read without validation when it fits."""
    data, problems = read_toml(path)
    if problems:
        return None, [ThemeProblem(p.path, p.line, p.message) for p in problems]
    if data is None:
        return None, [ThemeProblem(path, None, "file not found")]
    if trusted:
        theme = _bundled_theme(data)
        if theme is not None:
            return theme, []
    from pydantic import ValidationError

    from workbench.config import validation_problems
    from workbench.tui.theme_schema import ThemeFile

    try:
        return ThemeFile.model_validate(data).to_theme(), []
    except ValidationError as exc:
        text = path.read_text(encoding="utf-8")
        return None, [ThemeProblem(p.path, p.line, f"{p.key}: {p.message}" if p.key else p.message)
                      for p in validation_problems(path, text, exc)]


def theme_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Bundled first, then the user's: later directories win on a name clash."""
    dirs = [BUNDLED_DIR, user_themes_dir()]
    return dirs + list(extra or [])


def load_themes(dirs: list[Path]) -> tuple[dict[str, Theme], dict[Path, str], list[ThemeProblem]]:
    """All themes in the directories: name -> Theme, file -> name, and the problems found."""
    themes: dict[str, Theme] = {}
    files: dict[Path, str] = {}
    problems: list[ThemeProblem] = []
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.toml")):
            theme, found = load_theme_file(path, trusted=d == BUNDLED_DIR)
            problems.extend(found)
            if theme is not None:
                themes[theme.name] = theme
                files[path.resolve()] = theme.name
    return themes, files, problems
