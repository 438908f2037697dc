from pathlib import Path

import pytest

from workbench.tools.base import ToolContext
from workbench.tools.registry import builtin_registry


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root


@pytest.fixture
def ctx(ws: Path) -> ToolContext:
    return ToolContext(workspace=ws)


@pytest.fixture
def registry():
    return builtin_registry()


@pytest.fixture
def run(registry, ctx):
    """Execute a built-in through the registry (validation + confinement + run)."""

    async def _run(name: str, **args):
        return await registry.execute(name, args, ctx)

    return _run
