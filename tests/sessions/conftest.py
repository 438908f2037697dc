from __future__ import annotations

import json
from pathlib import Path

import pytest

# a copy of shared/fixtures/pi-sessions (pi's own files and expected results), so a clean clone can test
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pi-sessions"


def load_expected(name: str) -> dict:
    return json.loads((FIXTURES / "expected" / name).read_text())


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


class FixedFactory:
    """An EntryFactory with predictable ids and timestamps."""

    def __init__(self, start_ms: int = 1_795_247_708_000):
        from workbench.sessions import EntryFactory

        self.counter = 0
        self.ms = start_ms
        outer = self

        def now() -> str:
            from datetime import datetime, timezone

            outer.ms += 1
            dt = datetime.fromtimestamp(outer.ms / 1000, tz=timezone.utc)
            return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{outer.ms % 1000:03d}Z"

        def new_id(taken) -> str:
            while True:
                outer.counter += 1
                candidate = f"{outer.counter:08x}"
                if candidate not in taken:
                    return candidate

        self.factory = EntryFactory(now=now, new_id=new_id, new_session_id=lambda: f"00000000-0000-4000-8000-{outer.counter:012d}")
