from contextlib import asynccontextmanager

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


# --- approvals waiting in a running app (the layout, pane-width and typing tests share them) ---

def write_request(rid="r1"):
    """A write of hello.py waiting for approval, with its diff."""
    from workbench.runtime import events as ev

    return ev.ToolApprovalRequested(
        request_id=rid, id=f"c-{rid}", name="write", args={"path": "hello.py", "content": "x\n"},
        preview={"kind": "diff", "text": "--- /dev/null\n+++ b/hello.py\n@@ -0,0 +1 @@\n+x\n"})


def bash_request(rid="r1", command="ls"):
    """A bash command waiting for approval."""
    from workbench.runtime import events as ev

    return ev.ToolApprovalRequested(request_id=rid, id="c" + rid.removeprefix("r"), name="bash", args={"command": command},
                                    preview={"kind": "command", "text": command})


async def queued(app, pilot, n):
    """Until n approvals are in the queue (events take a moment under load)."""
    for _ in range(150):
        if len(app.approvals.queue) >= n:
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{len(app.approvals.queue)} approvals queued, expected {n}")


@asynccontextmanager
async def requests_waiting(size, *requests, **app_attrs):
    """A running app (FakeBackend) whose Approvals pane holds `requests`, queued in order:
    yields (app, pilot, backend). `app_attrs` are set on the app before it runs."""
    from tests.tui.fakes import FakeBackend

    backend = FakeBackend()
    app = make_app(backend)
    for name, value in app_attrs.items():
        setattr(app, name, value)
    async with app.run_test(size=size) as pilot:
        await backend.publish(*requests)
        await queued(app, pilot, len(requests))
        yield app, pilot, backend
