"""The `sessions files` and `sessions restore` arguments: plain argparse, so building the
parser loads nothing of the checkpoint engine (workbench/checkpoints/cli.py runs them)."""

from __future__ import annotations

from typing import Any


def add_parsers(ssub: Any) -> None:
    sf = ssub.add_parser("files", help="list the files a session's tool calls changed (checkpoints)")
    sf.add_argument("target", metavar="ID-PREFIX|PATH")
    sf.add_argument("--entry", metavar="ENTRY-ID", help="the files changed at this entry and since it")
    sf.add_argument("--json", action="store_true", help="one JSON object")
    sf.add_argument("--cwd", metavar="DIR")
    sr = ssub.add_parser("restore", help="restore the workspace's files to their state at an entry")
    sr.add_argument("target", metavar="ID-PREFIX|PATH")
    sr.add_argument("--entry", metavar="ENTRY-ID", required=True)
    sr.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    sr.add_argument("--force", action="store_true", help="also overwrite files changed outside the agent")
    sr.add_argument("--json", action="store_true", help="one JSON object")
    sr.add_argument("--cwd", metavar="DIR")
