"""The pool against real SDK servers: discovery, calls, results, errors, progress, time-outs,
cancellation, list_changed, crashes and servers that hang at start-up."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.mcp.conftest import http_server, pool_of, stdio_server
from workbench.tools.base import ToolContext
from workbench.tools.registry import ToolRegistry, builtin_registry


def ctx(tmp_path: Path, **kw) -> ToolContext:
    return ToolContext(workspace=tmp_path, **kw)


async def eventually(condition, timeout: float = 5.0) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return bool(condition())


async def ready_pool(*servers, **kw):
    pool = pool_of(*servers, **kw)
    registry = builtin_registry()
    pool.attach(registry)
    pool.start()
    await pool.wait_ready(timeout=60)
    return pool, registry


async def test_http_discovery_names_descriptions_and_schemas(http_toolbox):
    url, _ = http_toolbox
    pool, registry = await ready_pool(http_server("remote box", url))
    try:
        [status] = pool.status()
        assert status.state == "ready", status
        assert "mcp__remote_box__echo" in registry and "read" in registry  # built-ins stay
        echo = registry.get("mcp__remote_box__echo")
        assert echo.description.startswith("Echo the text back.")
        assert echo.parameters["properties"]["text"]["type"] == "string"
        assert echo.parameters["required"] == ["text"]
        spec = next(s for s in registry.specs() if s.name == "mcp__remote_box__echo")
        assert spec.parameters == echo.parameters
        assert pool.counts() == (1, 1)
    finally:
        await pool.aclose()


async def test_http_results_text_structured_image_resources_errors_and_cut(http_toolbox, tmp_path):
    url, _ = http_toolbox
    pool, registry = await ready_pool(http_server("r", url))
    try:
        run = lambda name, args: registry.execute(f"mcp__r__{name}", args, ctx(tmp_path))
        r = await run("echo", {"text": "hello"})
        assert (r.content, r.is_error, r.images) == ("hello", False, None)
        r = await run("add", {"a": 2, "b": 3})
        assert '"sum": 5' in r.content and not r.is_error
        r = await run("picture", {})
        assert r.images == [{"type": "image", "data": r.images[0]["data"], "mimeType": "image/png"}]
        assert r.content == "[image image/png, 72 B]"
        r = await run("broken", {"reason": "disk on fire"})
        assert r.is_error and "disk on fire" in r.content
        r = await run("resources", {})
        assert "[resource file:///notes.txt (text/plain)]\nthe notes" in r.content
        assert "[resource link file:///big.csv: big.csv]" in r.content
        r = await run("flood", {"lines": 5000})
        assert r.content.endswith("]") and "[output cut: 5000 lines" in r.content
        assert len(r.content.encode()) < 52 * 1024
        r = await run("nosuch", {})
        assert r.is_error and "unknown tool" in r.content
    finally:
        await pool.aclose()


async def test_progress_reaches_the_context_callback(http_toolbox, tmp_path):
    url, _ = http_toolbox
    pool, registry = await ready_pool(http_server("r", url))
    seen = []
    try:
        r = await registry.execute("mcp__r__slow", {"seconds": 0.2},
                                   ctx(tmp_path, progress=lambda v, t, m: seen.append((v, t, m))))
        assert r.content == "slept"
        assert seen[0] == (0.0, 4.0, "step 1 of 4") and len(seen) == 4
    finally:
        await pool.aclose()


async def test_a_hanging_call_times_out_and_the_server_is_told_to_cancel(http_toolbox, tmp_path):
    url, marker = http_toolbox
    marker.unlink(missing_ok=True)
    pool, registry = await ready_pool(http_server("r", url, timeout=0.5))
    try:
        started = time.monotonic()
        r = await registry.execute("mcp__r__hang", {}, ctx(tmp_path))
        assert r.is_error and "timed out after 0.5 seconds" in r.content and r.details == {"timedOut": True}
        assert time.monotonic() - started < 5
        # the protocol's notifications/cancelled reached the server's handler
        assert await eventually(marker.exists) and marker.read_text() == "cancelled"
        assert pool.status()[0].state == "ready"  # one slow call does not fail the server
        assert (await registry.execute("mcp__r__echo", {"text": "still here"}, ctx(tmp_path))).content == "still here"
    finally:
        await pool.aclose()


async def test_cancelling_a_call_sends_the_protocol_cancel(http_toolbox, tmp_path):
    url, marker = http_toolbox
    marker.unlink(missing_ok=True)
    pool, registry = await ready_pool(http_server("r", url))
    try:
        task = asyncio.ensure_future(registry.execute("mcp__r__hang", {}, ctx(tmp_path)))
        await asyncio.sleep(0.5)
        task.cancel()  # what Esc does: the runtime cancels the tool's task
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await eventually(marker.exists) and marker.read_text() == "cancelled"
    finally:
        await pool.aclose()


async def test_list_changed_refreshes_the_registry(http_toolbox, tmp_path):
    url, _ = http_toolbox
    pool, registry = await ready_pool(http_server("r", url))
    try:
        version = registry.version
        if "mcp__r__extra" not in registry:  # the shared server may have grown in another test
            r = await registry.execute("mcp__r__grow", {}, ctx(tmp_path))
            assert r.content == "grown"
            assert await eventually(lambda: "mcp__r__extra" in registry) and registry.version > version
        assert (await registry.execute("mcp__r__extra", {}, ctx(tmp_path))).content == "extra!"
    finally:
        await pool.aclose()


async def test_stdio_server_call_image_and_secrets_never_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("BOX_TOKEN", "tok-1234567")
    pool, registry = await ready_pool(stdio_server("box", env={"API_TOKEN": "${BOX_TOKEN}"}),
                                      workspace=tmp_path)
    try:
        status = pool.status()[0]
        assert status.state == "ready" and len(status.tools) >= 11
        assert "tok-1234567" not in repr(status) and "API_TOKEN=••••" in status.summary
        r = await registry.execute("mcp__box__env", {"key": "API_TOKEN"}, ctx(tmp_path))
        assert r.content == "••••"  # the server received it; the model and the screen never see it
        r = await registry.execute("mcp__box__picture", {}, ctx(tmp_path))
        assert r.images and r.images[0]["mimeType"] == "image/png"
    finally:
        await pool.aclose()


async def test_a_crash_fails_the_server_and_ends_its_pending_calls_with_its_name(tmp_path):
    pool, registry = await ready_pool(stdio_server("box"), workspace=tmp_path)
    try:
        pending = asyncio.ensure_future(registry.execute("mcp__box__hang", {}, ctx(tmp_path)))
        await asyncio.sleep(0.2)
        crashed = await registry.execute("mcp__box__crash", {}, ctx(tmp_path))
        assert crashed.is_error and "MCP server 'box'" in crashed.content
        other = await asyncio.wait_for(pending, 10)
        assert other.is_error and "MCP server 'box' went away during the call" in other.content
        status = pool.status()[0]
        assert status.state == "failed" and "exited" in (status.error or "")
        assert not any(n.startswith("mcp__box__") for n in registry.names())  # its tools left
        again = await registry.execute("mcp__box__echo", {"text": "x"}, ctx(tmp_path))
        assert again.is_error and "unknown tool" in again.content
        await pool.restart("box")  # /mcp restart
        await pool.wait_ready(timeout=60)
        assert pool.status()[0].state == "ready"
        assert (await registry.execute("mcp__box__echo", {"text": "back"}, ctx(tmp_path))).content == "back"
    finally:
        await pool.aclose()


async def test_a_server_hanging_at_start_up_blocks_nothing_and_fails_on_its_timeout(tmp_path):
    pool = pool_of(stdio_server("stuck", "--hang-start", startup_timeout=0.5),
                   stdio_server("gone", "--stderr", "fatal: no config", "--hang-start", startup_timeout=0.5),
                   workspace=tmp_path)
    registry = ToolRegistry()
    pool.attach(registry)
    started = time.monotonic()
    pool.start()
    assert time.monotonic() - started < 0.05  # start returns at once
    assert registry.pending() == ["stuck", "gone"] and pool.counts() == (0, 2)
    try:
        await pool.wait_ready(timeout=30)
        by = {s.name: s for s in pool.status()}
        assert by["stuck"].state == "failed" and "did not start within 0.5s" in by["stuck"].error
        assert by["gone"].stderr == ["fatal: no config"]
        assert registry.pending() == []
    finally:
        await pool.aclose()


async def test_a_missing_command_and_an_unset_variable_fail_with_a_reason(tmp_path):
    from workbench.mcp.config import MCPServerConfig

    missing = MCPServerConfig(name="missing", transport="stdio", source="user", path=Path("/c"),
                              command="/nonexistent/mcp-server")
    unset = stdio_server("unset", env={"K": "${WORKBENCH_TEST_UNSET_VAR}"})
    pool, _ = await ready_pool(missing, unset, workspace=tmp_path)
    try:
        by = {s.name: s for s in pool.status()}
        assert by["missing"].state == "failed" and "not found" in by["missing"].error
        assert by["unset"].state == "failed" and "${WORKBENCH_TEST_UNSET_VAR}" in by["unset"].error
    finally:
        await pool.aclose()


async def test_disable_enable_and_untrusted_project_servers(tmp_path, http_toolbox):
    url, _ = http_toolbox
    project = http_server("proj", url, source="project", path=tmp_path / ".mcp.json")
    pool = pool_of(http_server("r", url), project, workspace=tmp_path, trusted=False)
    registry = ToolRegistry()
    pool.attach(registry)
    pool.start()
    await pool.wait_ready(timeout=60)
    try:
        by = {s.name: s for s in pool.status()}
        assert by["proj"].state == "untrusted" and not by["proj"].trusted
        assert pool.counts() == (1, 1)
        with pytest.raises(PermissionError):
            await pool.enable("proj")
        await pool.disable("r")
        assert pool.status()[0].state == "disabled" and not registry.names()
        await pool.enable("r")
        await pool.wait_ready(timeout=60)
        assert "mcp__r__echo" in registry
        pool.trust_granted()
        await pool.wait_ready(timeout=60)
        assert "mcp__proj__echo" in registry and pool.counts() == (2, 2)
        with pytest.raises(KeyError, match="no MCP server named 'nope'"):
            await pool.restart("nope")
    finally:
        await pool.aclose()


async def test_a_malformed_message_is_reported_and_the_server_still_works(tmp_path):
    pool, registry = await ready_pool(stdio_server("noisy", "--garbage"), workspace=tmp_path)
    try:
        status = pool.status()[0]
        assert status.state == "ready"
        assert status.warning is not None and status.warning.startswith("malformed message from the server ignored")
        assert (await registry.execute("mcp__noisy__echo", {"text": "ok"}, ctx(tmp_path))).content == "ok"
    finally:
        await pool.aclose()
