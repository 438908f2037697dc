"""The pool in headless runs (`-p`, `workbench mob run`) and `workbench mcp list`.

A headless run has no later turn for a slow server to join, so it waits for the servers to
settle first — each bounded by its own `startup_timeout` — and then starts with the tools that
are ready, saying on stderr which servers failed and why. Project servers need a trusted project
or `--trust-project`. Nothing printed here holds an env or header value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from workbench.text import sanitize

if TYPE_CHECKING:
    from workbench.mcp.pool import MCPClientPool, MCPServerStatus


def _err(stream: TextIO, text: str) -> None:
    stream.write(text.rstrip("\n") + "\n")
    stream.flush()


async def start_for_run(cwd: Path, *, trust_override: bool, err: TextIO) -> MCPClientPool | None:
    """A started, settled pool for a headless run (None when no server is configured)."""
    from workbench.mcp.config import load_mcp_config

    config = load_mcp_config(cwd)
    for problem in config.problems:
        _err(err, f"workbench: mcp config: {sanitize(str(problem))}")
    if not config.servers:
        return None  # the pool's machinery stays unimported: most runs have no server
    from workbench.mcp.pool import MCPClientPool, project_trusted

    pool = MCPClientPool(config, cwd, trusted=project_trusted(cwd, override=trust_override))
    pool.start()
    await pool.wait_ready()
    for status in pool.status():
        if status.state == "failed":
            _err(err, f"workbench: MCP server {status.name} failed: {sanitize(status.error or 'unknown error')}")
        elif status.state == "untrusted":
            _err(err, f"workbench: MCP server {status.name} (from {status.path}) not started: the project is "
                      "not trusted (--trust-project trusts it for this run)")
    return pool


def render_list(statuses: list[MCPServerStatus], problems: list[Any], *, trusted: bool) -> str:
    """`workbench mcp list` as text: one block per server, the tools it offers."""
    lines: list[str] = []
    for problem in problems:
        lines.append(f"config problem: {problem}")
    if not statuses:
        lines.append("No MCP servers configured. Add them to .mcp.json (project), "
                     "<config dir>/mcp.json or [mcp.servers.NAME] in config.toml (see docs/mcp.md).")
    for s in statuses:
        where = f"{s.source}: {s.path}"
        lines.append(f"{s.describe()}")
        lines.append(f"    {s.summary}")
        lines.append(f"    from {where}{'' if s.trusted else ' (project not trusted)'}")
        if s.tools:
            lines.append("    tools: " + ", ".join(s.tools))
        if s.warning:
            lines.append(f"    warning: {s.warning}")
        for line in s.stderr[-5:]:
            lines.append(f"    stderr: {line}")
    return sanitize("\n".join(lines))


async def list_command(cwd: Path, *, as_json: bool, trust_override: bool, out: TextIO) -> int:
    from workbench.mcp.pool import MCPClientPool

    pool = MCPClientPool.from_workspace(cwd, trust_override=trust_override)
    try:
        pool.start()
        await pool.wait_ready()
        statuses = pool.status()
        if as_json:
            data = {"workspace": str(cwd), "project_trusted": pool.trusted,
                    "problems": [{"path": str(p.path), "line": p.line, "message": p.message} for p in pool.problems],
                    "servers": [s.to_json() for s in statuses]}
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            out.write(render_list(statuses, pool.problems, trusted=pool.trusted) + "\n")
        out.flush()
    finally:
        await pool.aclose()
    return 0


def run_mcp_command(args: Any) -> int:
    import asyncio
    import os
    import sys

    cwd = Path(getattr(args, "cwd", None) or os.getcwd()).expanduser().resolve()
    try:
        return asyncio.run(list_command(cwd, as_json=bool(args.json), trust_override=bool(args.trust_project),
                                        out=sys.stdout))
    except KeyboardInterrupt:
        return 130
