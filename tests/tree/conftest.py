import json
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "pi-sessions"
BRANCHED = FIXTURES / "v3-branched-session.jsonl"
FORKED = FIXTURES / "v3-forked-session.jsonl"
NAMED = json.loads((FIXTURES / "expected" / "named-ids.json").read_text())


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))


@pytest.fixture
def named() -> dict[str, str]:
    return dict(NAMED)


@pytest.fixture
def branched_copy(tmp_path) -> Path:
    """The pi fixture copied into a scratch sessions dir (tests write to it)."""
    target = tmp_path / "sessions" / "--home-dev-projects-todo-cli--" / BRANCHED.name
    target.parent.mkdir(parents=True)
    shutil.copyfile(BRANCHED, target)
    return target


def fixture_entries(path: Path = BRANCHED) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines[1:]
