import asyncio
from pathlib import Path

import pytest

from workbench.mob.environment import MobEnvironment
from workbench.mob.replay import replay_factory


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text("release notes\nversion 1.0\n")
    return ws


def replay_env(tmp_path: Path, workspace: Path, scripts: dict, **kw) -> MobEnvironment:
    return MobEnvironment(cwd=workspace, provider_factory=replay_factory(scripts, delay_scale=0), mobs_dir=tmp_path / "mobs",
                          sessions_dir=tmp_path / "sessions", **kw)


async def wait_until(handle, predicate, timeout: float = 10.0):
    """Wait, following the mob's events (never polling), until predicate() holds."""
    async def follow():
        async for _ in handle.events.subscribe():
            if predicate():
                return
    if predicate():
        return
    await asyncio.wait_for(follow(), timeout)
