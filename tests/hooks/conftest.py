from __future__ import annotations

from pathlib import Path

import pytest

from tests.runtime.conftest import make_agent, sessions_dir, workspace  # noqa: F401  (fixtures)
from workbench.hooks.config import HookEntry


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "wbhome"
    home.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    return home


def hook(id: str, point: str, command: str, **kw) -> HookEntry:
    return HookEntry(id=id, point=point, command=command, source=Path("/test/config.toml"), **kw)
