"""A theme file's schema (validated with pydantic; see themes.py)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator
from rich.errors import StyleSyntaxError
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.theme import Theme


class ThemeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # a plain name: it is shown in menus, so no markup, escapes or odd characters
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9 _.+-]*$")
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
    # finite fractions: NaN or 1e308 here would break Textual's colour arithmetic at start
    luminosity_spread: float = Field(0.15, ge=0.0, le=1.0, allow_inf_nan=False)
    text_alpha: float = Field(0.95, ge=0.0, le=1.0, allow_inf_nan=False)
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

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: dict[str, str]) -> dict[str, str]:
        """Textual's CSS variables: `*-style*` ones take a text style ("bold", "not underline"),
        the others a colour with an optional alpha percentage ("ansi_default 50%")."""
        for name, item in value.items():
            if not _VARIABLE_NAME.match(name):
                raise ValueError(f"{name!r} is not a variable name (lower-case words joined by '-')")
            if "style" in name.split("-"):  # link-style, link-style-hover, block-cursor-text-style
                try:
                    Style.parse(item)
                except StyleSyntaxError:
                    raise ValueError(f"{name}: '{item}' is not a text style (e.g. bold, not underline)") from None
                continue
            colour, alpha = _COLOUR_ALPHA.match(item).groups()
            try:
                Color.parse(colour)
            except ColorParseError:
                raise ValueError(f"{name}: '{item}' is not a colour (use #rrggbb, rgb(...) or a colour name)") from None
        return value

    def to_theme(self) -> Theme:
        data = self.model_dump(exclude={"variables"})
        return Theme(**data, variables=dict(self.variables))


_VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_COLOUR_ALPHA = re.compile(r"^(.*?)(?:\s+(\d{1,3}(?:\.\d+)?)%)?$", re.S)
