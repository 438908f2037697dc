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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from textual.color import Color, ColorParseError
from textual.theme import Theme

from workbench.config import read_toml, user_themes_dir, validation_problems

BUNDLED_DIR = Path(__file__).resolve().parent / "themes"


class ThemeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    dark: bool = True
    primary: str
    secondary: str | None = None
    accent: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    boost: str | None = None
    luminosity_spread: float = 0.15
    text_alpha: float = 0.95
    variables: dict[str, str] = Field(default_factory=dict)

    @field_validator("primary", "secondary", "accent", "warning", "error", "success", "foreground",
                     "background", "surface", "panel", "boost")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                Color.parse(value)
            except ColorParseError:
                raise ValueError(f"'{value}' is not a colour (use #rrggbb, rgb(...) or a colour name)") from None
        return value

    def to_theme(self) -> Theme:
        data = self.model_dump(exclude={"variables"})
        return Theme(**data, variables=dict(self.variables))


@dataclass(frozen=True)
class ThemeProblem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}{f':{self.line}' if self.line else ''}: {self.message}"


def load_theme_file(path: Path) -> tuple[Theme | None, list[ThemeProblem]]:
    data, problems = read_toml(path)
    if problems:
        return None, [ThemeProblem(p.path, p.line, p.message) for p in problems]
    if data is None:
        return None, [ThemeProblem(path, None, "file not found")]
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
            theme, found = load_theme_file(path)
            problems.extend(found)
            if theme is not None:
                themes[theme.name] = theme
                files[path.resolve()] = theme.name
    return themes, files, problems
