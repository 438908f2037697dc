import pytest

from workbench.tui.app import WorkbenchApp
from workbench.tui.clock import FrozenClock
from workbench.tui.themes import BUNDLED_DIR


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    # user config, themes and grants never come from the real home
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))


def make_app(backend=None, **kw) -> WorkbenchApp:
    kw.setdefault("clock", FrozenClock())
    kw.setdefault("themes_from", [BUNDLED_DIR])
    kw.setdefault("watch_themes", False)
    return WorkbenchApp(backend, **kw)
