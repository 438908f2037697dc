"""Every test runs hermetically: its own WORKBENCH_HOME, and no real provider credentials, so a
developer's keys or config never leak into a test (and no test can reach a real API)."""

import pytest

_PROVIDER_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN",
                 "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")


@pytest.fixture(autouse=True)
def _hermetic_home(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path_factory.mktemp("workbench-home")))
    for name in _PROVIDER_ENV:
        monkeypatch.delenv(name, raising=False)
