"""MCP tests drive real servers written with the SDK's MCPServer (tests/mcp/servers/toolbox.py),
over stdio and over streamable HTTP on 127.0.0.1 (port 0). The HTTP server is started once per
test process (its start-up costs the SDK's import time) and shared; stdio servers are started by
the pool under test, one process each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.mcp.config import MCPConfig, MCPServerConfig
from workbench.mcp.pool import MCPClientPool

TOOLBOX = Path(__file__).resolve().parent / "servers" / "toolbox.py"


def stdio_server(name: str, *args: str, **kw) -> MCPServerConfig:
    return MCPServerConfig(name=name, transport="stdio", source=kw.pop("source", "user"),
                           path=kw.pop("path", Path("/config/mcp.json")), command=sys.executable,
                           args=(str(TOOLBOX), *args), **kw)


def http_server(name: str, url: str, **kw) -> MCPServerConfig:
    return MCPServerConfig(name=name, transport="http", source=kw.pop("source", "user"),
                           path=kw.pop("path", Path("/config/mcp.json")), url=url, **kw)


def pool_of(*servers: MCPServerConfig, workspace: Path | None = None, trusted: bool = True) -> MCPClientPool:
    return MCPClientPool(MCPConfig(servers=list(servers)), workspace or Path.cwd(), trusted=trusted)


@pytest.fixture(scope="session")
def http_toolbox(tmp_path_factory):
    """A toolbox over streamable HTTP: (url, the file its hang tool writes when cancelled)."""
    marker_dir = tmp_path_factory.mktemp("toolbox-http")
    env = dict(os.environ, TOOLBOX_HANG_MARKER=str(marker_dir / "cancelled"))
    proc = subprocess.Popen([sys.executable, str(TOOLBOX), "--http", "--name", "remote"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("PORT "), f"the HTTP toolbox did not start: {line!r}"
        yield f"http://127.0.0.1:{int(line.split()[1])}/mcp", marker_dir / "cancelled"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
