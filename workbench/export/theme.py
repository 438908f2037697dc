"""The colours of a theme for an export, read from the theme files without Textual.

Only colour values that look like CSS hex colours are taken: a theme file is data, and a value
like `red; } body { display: none` must never reach a style sheet.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "tui" / "themes"  # data files, no Textual import
_HEX = re.compile(r"^#[0-9a-fA-F]{3,8}$")
KEYS = ("primary", "secondary", "accent", "warning", "error", "success", "foreground", "background",
        "surface", "panel")
FALLBACK = {"primary": "#5FA8D3", "secondary": "#9B8AE6", "accent": "#E0A458", "warning": "#E5C07B",
            "error": "#E06C75", "success": "#98C379", "foreground": "#D7DAE0", "background": "#16181D",
            "surface": "#1E2128", "panel": "#262A33"}


def theme_colours(name: str | None) -> dict[str, str]:
    """The named theme's colours (a user theme of that name wins), the default dark theme's for
    anything missing or invalid."""
    from workbench.config import DEFAULT_THEME, user_themes_dir

    wanted = name or DEFAULT_THEME
    colours = dict(FALLBACK)
    for directory in (BUNDLED_DIR, user_themes_dir()):
        try:
            files = sorted(Path(directory).glob("*.toml"))
        except OSError:
            continue
        for path in files:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            if data.get("name") != wanted:
                continue
            for key in KEYS:
                value = data.get(key)
                if isinstance(value, str) and _HEX.match(value.strip()):
                    colours[key] = value.strip()
    return colours


def configured_theme(cwd: Path | None = None) -> str:
    from workbench.config import first_frame_settings

    return first_frame_settings(cwd).theme  # lenient: a broken config never stops an export
