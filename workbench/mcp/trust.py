"""The project's MCP servers in the trust dialog: exactly what trusting the project would start.

Each `.mcp.json` server is one line with its command line or URL as written (variables not
expanded, env and header values masked); an entry that could not be read is listed too, so the
user sees the whole file's intent before saying yes.
"""

from __future__ import annotations

from pathlib import Path

from workbench.mcp.config import project_file, read_json_file


def describe(workspace: Path) -> list:
    from workbench.trust import TrustItem

    servers, problems = read_json_file(project_file(Path(workspace)), "project")
    items = [TrustItem(source=cfg.path, kind="mcp_server",
                       summary=f"starts MCP server {cfg.name!r}: {cfg.summary()}") for cfg in servers]
    items += [TrustItem(source=p.path, kind="mcp_server", summary=f"(will not start: {p})") for p in problems]
    return items
