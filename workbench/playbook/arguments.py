"""The `playbook` subcommand's arguments: plain argparse, so building the parser loads nothing
of the playbook engine (workbench/playbook/cli.py runs it)."""

from __future__ import annotations

from typing import Any


def add_parser(sub: Any) -> None:
    pb = sub.add_parser("playbook", help="playbooks: guidelines, journeys, agents and configured tools")
    psub = pb.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    check = psub.add_parser("check", help="validate the playbooks and print what loaded")
    check.add_argument("--json", action="store_true", help="one JSON object")
    check.add_argument("--cwd", metavar="DIR", help="workspace directory (default: the current directory)")
    check.add_argument("--trust-project", action="store_true",
                       help="load the project's [[tools]] as a trusted project would")


def add_run_arguments(parser: Any) -> None:
    """`--var KEY=VALUE` and `--journey ID`, for the TUI and `-p` (docs/playbooks.md)."""
    parser.add_argument("--var", action="append", default=[], metavar="KEY=VALUE",
                        help="set a playbook context variable for the session (repeatable)")
    parser.add_argument("--journey", metavar="ID", help="start the playbook journey ID")
