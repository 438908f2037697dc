"""A theme file's schema (validated with pydantic; see themes.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator
from textual.color import Color, ColorParseError
from textual.theme import Theme


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
