"""Entry point: the TUI, headless print mode, and the `sessions` / `mob` subcommands.

Heavy modules are imported only by the branch that needs them, so `workbench sessions list`
never pays for Textual and the TUI starts as fast as it can.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from workbench import __version__


_ran_headless = False  # main() ran `-p PROMPT`: entry() may leave at once (workbench/fast_exit.py)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--provider", choices=["anthropic", "openai", "replay"], help="model provider")
    p.add_argument("--model", metavar="NAME", help="model name, e.g. claude-sonnet-4-5")
    p.add_argument("--replay-script", metavar="FILE", help="script for --provider replay")
    p.add_argument("--thinking", choices=["off", "minimal", "low", "medium", "high"], help="thinking level")
    p.add_argument("--approve", choices=["ask", "edits", "plan", "yolo"], help="approval mode")
    p.add_argument("--allow", action="append", default=[], metavar="RULE", help="allow rule, e.g. 'bash(git status*)'")
    p.add_argument("--deny", action="append", default=[], metavar="RULE", help="deny rule, e.g. 'read(**/.env)'")
    p.add_argument("--max-tokens", type=int, metavar="N")
    p.add_argument("--max-cost", type=float, metavar="USD")
    p.add_argument("--max-turns", type=int, metavar="N")
    p.add_argument("--max-tool-calls", type=int, metavar="N")
    p.add_argument("--max-duration", type=float, metavar="SECONDS")
    p.add_argument("--system-prompt", metavar="TEXT",
                   help="replace the default system prompt (context files and skills still follow it)")
    p.add_argument("--no-context-files", action="store_true",
                   help="do not add AGENTS.md / CLAUDE.md files to the system prompt")
    p.add_argument("--idle-timeout", type=float, metavar="SECONDS",
                   help="end a model answer that sends nothing for this long (default 120; pings don't count)")
    p.add_argument("--cwd", metavar="DIR", help="workspace directory (default: the current directory)")
    p.add_argument("--trust-project", action="store_true",
                   help="trust the project's own configuration (.workbench/config.toml, .mcp.json, hooks) "
                        "for this run; without it a project file may only tighten")
    p.add_argument("--no-hooks", action="store_true", help="run no hook this time (docs/hooks.md)")
    p.add_argument("--disable-hook", action="append", default=[], metavar="ID", help="skip the hook with this id")
    p.add_argument("--sandbox", action="store_true",
                   help='run bash under bubblewrap, as [sandbox] mode = "workspace" does')


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="A keyboard-driven terminal workbench for AI agents.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument("-p", "--print", dest="prompt", metavar="PROMPT",
                        help="run headless on PROMPT and print the final text")
    parser.add_argument("--output-format", choices=["text", "jsonl"], default=None,
                        help="with -p: the final text (default), or one JSON event per line")
    parser.add_argument("-c", "--continue", dest="continue_recent", action="store_true",
                        help="continue the most recent session of this directory")
    parser.add_argument("-r", "--resume", nargs="?", const="", default=None, metavar="ID-PREFIX|PATH",
                        help="open the resume picker, or the session with that id prefix or path")
    parser.add_argument("--session", metavar="ID-PREFIX|PATH", help="headless: continue this session")
    parser.add_argument("--mob", metavar="FILE.toml", help="open the workbench on a new mob")
    parser.add_argument("--output-schema", metavar="FILE.json",
                        help="headless: the final answer must be JSON valid against this JSON Schema")
    parser.add_argument("--structured-output-retries", type=int, default=2, metavar="N",
                        help="with --output-schema: how often the model may try again (default 2)")
    parser.add_argument("--image", action="append", default=[], metavar="FILE",
                        help="headless: attach an image (PNG, JPEG, GIF, WebP) to the prompt; repeatable")
    parser.add_argument("--agent", metavar="NAME",
                        help="run as the playbook agent NAME ([[agents]] in .workbench/playbook.toml or the "
                             "user's playbook.toml; docs/playbooks.md)")
    _add_run_options(parser)
    from workbench.playbook.arguments import add_run_arguments

    add_run_arguments(parser)  # --var, --journey

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    skills = sub.add_parser("skills", help="list the skills the agent can use")
    sksub = skills.add_subparsers(dest="skills_command", metavar="ACTION", required=True)
    skl = sksub.add_parser("list", help="name, scope, path and description of each skill, and the problems")
    skl.add_argument("--json", action="store_true", help="one JSON object")
    skl.add_argument("--cwd", metavar="DIR", help="workspace directory (default: the current directory)")

    sessions = sub.add_parser("sessions", help="list and inspect sessions")
    ssub = sessions.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    sl = ssub.add_parser("list", help="list sessions of this directory (or all)")
    sl.add_argument("--all", action="store_true", help="sessions of every directory")
    sl.add_argument("--json", action="store_true", help="machine-readable output")
    sl.add_argument("--cwd", metavar="DIR")
    ss = ssub.add_parser("show", help="print a session's tree and context")
    ss.add_argument("target", metavar="ID-PREFIX|PATH")
    ss.add_argument("--leaf", metavar="ENTRY-ID|root", help="build the context at this entry")
    ss.add_argument("--json", action="store_true", help="one JSON object")
    ss.add_argument("--cwd", metavar="DIR")
    from workbench.checkpoints.arguments import add_parsers as add_checkpoint_parsers

    add_checkpoint_parsers(ssub)  # sessions files | restore

    mcp = sub.add_parser("mcp", help="MCP servers: their state, tools and trust")
    mcpsub = mcp.add_subparsers(dest="mcp_command", metavar="ACTION", required=True)
    mcl = mcpsub.add_parser("list", help="start every configured server, list its state and tools, stop")
    mcl.add_argument("--json", action="store_true", help="machine-readable output")
    mcl.add_argument("--cwd", metavar="DIR", help="workspace directory (default: the current directory)")
    mcl.add_argument("--trust-project", action="store_true",
                     help="also start the project's .mcp.json servers (trusted for this command only)")

    mob = sub.add_parser("mob", help="run, resume and list mobs (teams of agents)")
    msub = mob.add_subparsers(dest="mob_command", metavar="ACTION", required=True)
    mr = msub.add_parser("run", help="run a mob headless until its orchestrator finishes")
    mr.add_argument("definition", metavar="FILE.toml")
    mr.add_argument("-p", "--print", dest="prompt", metavar="TASK", required=True)
    mr.add_argument("--output-format", choices=["text", "jsonl"], default="text")
    _add_run_options(mr)
    mres = msub.add_parser("resume", help="resume a mob after its process ended")
    mres.add_argument("mob_id", metavar="MOB-ID")
    mres.add_argument("-p", "--print", dest="prompt", metavar="TASK")
    mres.add_argument("--output-format", choices=["text", "jsonl"], default="text")
    mres.add_argument("--headless", action="store_true", help="do not open the TUI")
    _add_run_options(mres)
    ml = msub.add_parser("list", help="list mobs")
    ml.add_argument("--json", action="store_true")

    from workbench.playbook.arguments import add_parser as add_playbook_parser

    add_playbook_parser(sub)  # playbook check

    from workbench.surfaces_cli import add_surface_commands

    add_surface_commands(sub, ssub, _add_run_options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from workbench.sdk_preload import likely_provider, preload

    # `-p`: the SDK import starts first, overlapping argparse, config, session and prompt set-up
    preload(likely_provider(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    args = parser.parse_args(argv)

    if args.command == "sessions" and args.sessions_command in ("files", "restore"):
        from workbench.checkpoints.cli import run as run_checkpoints_command

        return run_checkpoints_command(args)
    if args.command in ("rpc", "mcp-server", "web") or getattr(args, "sessions_command", None) == "export":
        from workbench.surfaces_cli import run_surface_command

        return run_surface_command(args)
    if args.command == "playbook":
        from workbench.playbook.cli import run_playbook_command

        return run_playbook_command(args)
    if args.command == "skills":
        from workbench.context.cli import run_skills_command

        return run_skills_command(args)
    if args.command == "sessions":
        from workbench.sessions.cli import run_sessions_command

        return run_sessions_command(args)
    if (args.command == "mob" and args.mob_command == "resume" and not args.headless and not args.prompt
            and sys.stdin.isatty() and sys.stdout.isatty()):
        problem = _mob_target_problem(args.mob_id)  # an unknown id never opens an empty screen
        if problem is not None:
            print(problem[1], file=sys.stderr)
            return problem[0]
        from workbench.tui.app import run_app  # reopened in the TUI's mob pane; headless without a terminal

        return run_app(args)
    if args.command == "mcp":
        from workbench.mcp.runs import run_mcp_command

        return run_mcp_command(args)
    if args.command == "mob":
        from workbench.mob.cli import run_mob_command

        return run_mob_command(args)
    if args.prompt is not None:
        from workbench.headless import run_headless

        global _ran_headless
        _ran_headless = True
        return run_headless(args)
    if args.output_format is not None:
        print("workbench: --output-format applies to headless runs: add -p PROMPT", file=sys.stderr)
        return 2
    if (args.agent or args.var or args.journey) and args.resume is None and not args.continue_recent:
        # a typo never opens the TUI: exit 2 naming what is known (a resumed session's own
        # workspace is checked when it opens)
        problem = _playbook_start_problem(args)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 2
    from workbench.tui.app import run_app

    return run_app(args)


def _playbook_start_problem(args: argparse.Namespace) -> str | None:
    """--agent, --var or --journey that the workspace's playbook does not know (or cannot parse)."""
    from pathlib import Path

    from workbench.errors import InvalidParams
    from workbench.playbook.loader import load_playbook
    from workbench.playbook.setup import check_options, options_from_args
    from workbench.text import sanitize

    cwd = Path(args.cwd or ".").expanduser().resolve()
    try:
        from workbench.config import load_settings
        from workbench.providers import resolve_provider_settings

        if resolve_provider_settings(load_settings(cwd).settings, args).is_demo:
            from workbench.demo_workspace import workspace_for_demo

            cwd = workspace_for_demo(args, cwd)  # the offline demo's session works (and has its playbook) there
        check_options(load_playbook(cwd, trust_override=bool(args.trust_project)), options_from_args(args))
    except InvalidParams as exc:
        return f"workbench: {sanitize(exc.message)}"
    return None


def _mob_target_problem(mob_id: str) -> tuple[int, str] | None:
    """`mob resume ID` before the TUI opens: (exit code, message) when no mob or several match."""
    from workbench.config import mobs_dir
    from workbench.errors import WorkbenchError
    from workbench.mob.log import resolve_mob

    try:
        resolve_mob(mobs_dir(), mob_id)
    except WorkbenchError as exc:
        return exc.exit_code, f"workbench: {exc.message}"
    return None


def entry() -> None:
    """The `workbench` command. A headless run leaves at once once its output and session are
    written (workbench/fast_exit.py); other commands exit normally."""
    code = main()
    if _ran_headless:
        from workbench.fast_exit import exit_now

        exit_now(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
