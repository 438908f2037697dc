"""Mob members get every server's tools or those of their profile's `mcp = [...]`; the trust
dialog's list names each project server with its exact command; the status line and /mcp."""

from __future__ import annotations

import json
from types import SimpleNamespace

from tests.mcp.conftest import http_server, pool_of
from workbench import trust
from workbench.mob.definition import Profile
from workbench.mob.handle import MobHandle


async def test_mob_members_get_all_servers_or_their_profiles_list(http_toolbox, tmp_path):
    url, _ = http_toolbox
    pool = pool_of(http_server("one", url), http_server("two", url), workspace=tmp_path)
    handle = SimpleNamespace(env=SimpleNamespace(mcp_pool=pool, cwd=tmp_path, trust_project=False))  # an empty playbook
    try:
        everything = MobHandle._tools_for(handle, Profile(tools=["read"]), False)
        only_two = MobHandle._tools_for(handle, Profile(tools=["read"], mcp=["two"]), False)
        none = MobHandle._tools_for(handle, Profile(tools=["read"], mcp=[]), False)
        await pool.wait_ready(timeout=60)
        names = lambda r: {n.split("__")[1] for n in r.names() if n.startswith("mcp__")}
        assert names(everything) == {"one", "two"}
        assert names(only_two) == {"two"}
        assert names(none) == set() and "read" in none
    finally:
        await pool.aclose()


def test_trust_describe_lists_project_servers_exactly_and_masks_values(tmp_path, monkeypatch):
    monkeypatch.setenv("GH", "ghp_secret_token")
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                   "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GH}"}},
        "docs": {"type": "http", "url": "https://mcp.example.invalid/docs", "headers": {"Authorization": "Bearer x"}},
        "bad": {"args": []},
    }}))
    items = [i for i in trust.describe(tmp_path) if i.kind == "mcp_server"]
    summaries = [i.summary for i in items]
    assert summaries[0] == ("starts MCP server 'github': GITHUB_PERSONAL_ACCESS_TOKEN=•••• "
                            "npx -y @modelcontextprotocol/server-github")
    assert summaries[1] == "starts MCP server 'docs': http https://mcp.example.invalid/docs (headers: Authorization: ••••)"
    assert "will not start" in summaries[2] and "needs a \"command\"" in summaries[2]
    assert all(i.source == tmp_path / ".mcp.json" for i in items)
    assert not any("ghp_secret_token" in s for s in summaries)
    assert not trust.is_trusted(tmp_path)
    trust.trust(tmp_path)
    assert trust.is_trusted(tmp_path)
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"evil": {"command": "curl"}}}))
    assert not trust.is_trusted(tmp_path)  # an edited .mcp.json asks again


async def test_untrusted_project_servers_do_not_start_until_trusted(tmp_path):
    from workbench.mcp.pool import MCPClientPool

    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"p": {"command": "/nonexistent/never-run"}}}))
    pool = MCPClientPool.from_workspace(tmp_path)
    assert [s.state for s in pool.status()] == ["untrusted"]
    pool.start()
    await pool.wait_ready(timeout=5)
    assert [s.state for s in pool.status()] == ["untrusted"] and pool.counts() == (0, 0)
    await pool.aclose()
    trusted = MCPClientPool.from_workspace(tmp_path, trust_override=True)  # --trust-project
    assert [s.state for s in trusted.status()] == ["starting"]
    await trusted.aclose()


def test_status_line_and_mcp_listing_render():
    from workbench.mcp.pool import MCPServerStatus
    from workbench.tui.backend import Stats
    from workbench.tui.mcp_servers import status_lines
    from workbench.tui.widgets.meters import status_content

    assert "MCP" not in status_content(Stats(model="m")).plain
    assert "MCP 2/3" in status_content(Stats(model="m"), mcp=(2, 3)).plain
    ready = MCPServerStatus(name="gh", state="ready", source="user", path="/u/mcp.json", transport="stdio",
                            summary="gh-mcp", tools=["mcp__gh__a", "mcp__gh__b"])
    failed = MCPServerStatus(name="db", state="failed", source="settings", path="/u/config.toml", transport="stdio",
                             summary="db-mcp", error="the server exited", stderr=["\x1b[31mFATAL\x1b[0m no socket"])
    from rich.console import Console

    console = Console(width=100, record=True, color_system=None)
    console.print(status_lines([ready, failed], []))
    text = console.export_text()
    assert "gh  ready · 2 tools" in text and "tools: mcp__gh__a, mcp__gh__b" in text
    assert "db  failed: the server exited" in text and "stderr: ␛[31mFATAL␛[0m no socket" in text


def test_the_approval_shows_server_tool_hints_and_json():
    from rich.console import Console

    from workbench.tui.widgets.approvals import PendingApproval, describe

    req = PendingApproval("apr-1", "c1", "mcp__gh__create_issue", {"title": "bug", "labels": ["x"]}, None,
                          {"kind": "mcp", "server": "gh", "tool": "create_issue",
                           "text": '{\n  "title": "bug\\u001b[2J",\n  "labels": ["x"]\n}',
                           "annotations": {"read_only_hint": False, "destructive_hint": True}}, "mcp__gh__create_issue")
    console = Console(width=100, record=True, color_system=None)
    console.print(describe(req))
    text = console.export_text()
    assert "MCP server gh  tool create_issue" in text
    assert "the server says read-only: no, destructive: yes (hints, not verified)" in text
    assert '"labels": ["x"]' in text and "\x1b" not in text


async def test_rpc_sessions_get_the_pools_tools(http_toolbox, tmp_path):
    from workbench.runtime.service import CreateSessionRequest, SessionService

    url, _ = http_toolbox
    pool = pool_of(http_server("r", url), workspace=tmp_path)
    service = SessionService(tmp_path / "sessions", cwd=tmp_path, mcp_pool=pool)
    try:
        session = await service.create_session(CreateSessionRequest(provider="replay", run_now=False))
        await pool.wait_ready(timeout=60)
        assert "mcp__r__echo" in session.tools and "read" in session.tools
        session.manager.close()
    finally:
        await pool.aclose()
