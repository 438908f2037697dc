import warnings

import pytest

from tests.fakes.http_server import FakeHTTPServer


@pytest.fixture
def serve():
    """serve(script) → a started FakeHTTPServer, stopped after the test."""
    servers: list[FakeHTTPServer] = []

    def start(script, **kw) -> FakeHTTPServer:
        srv = FakeHTTPServer(script, **kw).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


@pytest.fixture(autouse=True)
def _quiet_model_deprecations():
    # the SDK warns that older model ids are deprecated; irrelevant against a fake server
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*deprecated.*")
        yield


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch):
    for key in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY",
                "OPENAI_BASE_URL", "WORKBENCH_DEMO_FAST"):
        monkeypatch.delenv(key, raising=False)


async def collect(provider, request):
    """All events of one stream; (events, final message)."""
    events = [ev async for ev in provider.stream(request)]
    assert events and events[-1].kind == "done", "a stream ends with exactly one StreamDone"
    assert sum(1 for e in events if e.kind == "done") == 1
    return events, events[-1].message
