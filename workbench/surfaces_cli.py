"""The command line of the surfaces: `workbench rpc`, `workbench mcp-server`, `workbench web` and
`workbench sessions export`. Kept out of cli.py so the entry point stays a table of contents."""

from __future__ import annotations

import argparse
from typing import Any, Callable


def add_surface_commands(sub: Any, sessions_sub: Any, add_run_options: Callable[[argparse.ArgumentParser], None]) -> None:
    rpc = sub.add_parser("rpc", help="JSON-RPC 2.0 server over stdio (one JSON object per line)")
    add_run_options(rpc)
    mcp = sub.add_parser("mcp-server", help="serve workbench as MCP tools over stdio (workbench_run, ...)")
    add_run_options(mcp)
    web = sub.add_parser("web", help="serve the workbench in a browser (127.0.0.1 only)")
    web.add_argument("--port", type=int, default=8000, metavar="N", help="port (default 8000; 0 picks a free one)")
    web.add_argument("--cwd", metavar="DIR")

    ex = sessions_sub.add_parser("export", help="export a session as HTML, Markdown or JSONL")
    ex.add_argument("target", metavar="ID-PREFIX|PATH")
    ex.add_argument("--format", choices=["html", "md", "jsonl"], default="html")
    ex.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout; '-' is stdout too)")
    which = ex.add_mutually_exclusive_group()
    which.add_argument("--leaf", metavar="ENTRY-ID", help="the branch ending at this entry (default: the active one)")
    which.add_argument("--all", action="store_true", help="the whole tree, every branch (html and jsonl)")
    ex.add_argument("--theme", metavar="NAME", help="colours of this theme (default: the configured one)")
    ex.add_argument("--cwd", metavar="DIR")


def run_surface_command(args: Any) -> int:
    if args.command == "rpc":
        from workbench.rpc.cli import run_rpc

        return run_rpc(args)
    if args.command == "mcp-server":
        from workbench.rpc.mcp_server import run_mcp_server

        return run_mcp_server(args)
    if args.command == "web":
        from workbench.rpc.web import run_web

        return run_web(args)
    from workbench.export.cli import run_export

    return run_export(args)
