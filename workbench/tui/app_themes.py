"""Themes in the app: the bundled and user theme files, reloaded when edited, and the user's
choice saved to their config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import work

from workbench.tui.themes import load_theme_file, load_themes


class ThemeActions:
    """Mixed into WorkbenchApp (tui/app.py): uses its widgets, backend and state."""

    def _load_all_themes(self) -> None:
        themes, files, problems = load_themes(self._theme_dirs)
        for theme in themes.values():
            self.register_theme(theme)
        self._theme_files = files
        self.bundled_or_user_themes = set(themes)
        self.theme_problems.extend(problems)

    @work(exclusive=True, group="theme-watch")
    async def watch_theme_files(self) -> None:
        from watchfiles import awatch

        dirs = [str(d.resolve()) for d in self._theme_dirs if d.is_dir()]
        if not dirs:
            return
        async for changes in awatch(*dirs, debounce=200, step=50):
            for _change, raw in changes:
                path = Path(raw)
                if path.suffix == ".toml" and path.exists():
                    self.reload_theme_file(path)

    def _theme_changed(self, theme: Any) -> None:
        """A theme the user chose (/theme, the palette's picker) is kept in the user's config,
        written safely (config_write); one the settings applied is not written back."""
        if theme.name == self._theme_from_settings:
            return
        self._theme_from_settings = theme.name
        name = theme.name

        def save() -> None:
            from workbench.config_write import ConfigWriteError, set_user_setting

            try:
                set_user_setting("ui", "theme", name)
            except ConfigWriteError as exc:
                self.call_from_thread(self.notify, f"Theme {name} not saved: {exc}", severity="warning",
                                      timeout=8)

        self.run_worker(save, thread=True, exclusive=True, group="save-theme")

    def reload_theme_file(self, path: Path) -> bool:
        """Re-read one theme file; a broken file is reported and the current theme stays."""
        theme, problems = load_theme_file(path)
        if theme is None:
            for p in problems:
                self.notify(f"Theme not reloaded — {p}", title="Broken theme file", severity="error", timeout=8,
                            markup=False)  # the problem quotes the file's text
            return False
        self.register_theme(theme)
        self._theme_files[path.resolve()] = theme.name
        self.bundled_or_user_themes.add(theme.name)
        if theme.name == self.theme:
            self._watch_theme(self.theme)  # re-apply the edited colours
        self.notify(f"Theme {theme.name} reloaded", timeout=2)
        return True
