"""One helper every surface uses to give a session its playbook: `session_playbook(cwd, args)`
loads the files and checks `--agent NAME`, `--var KEY=VALUE` and `--journey ID` before any session
exists (a typo exits 2 naming what is known); the session applies them when it attaches the
runtime (`AgentSession(playbook=...)` or `attach_playbook`), on top of the state a resumed session
had. A resumed session's own agent, variables and journey come back first; the flags then change
only what they name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from workbench.errors import InvalidParams
from workbench.playbook.loader import load_playbook
from workbench.playbook.model import Playbook
from workbench.playbook.runtime import VAR_NAME, PlaybookRuntime


@dataclass(frozen=True)
class StartOptions:
    agent: str | None = None
    variables: tuple[tuple[str, str], ...] = ()
    journey: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.agent or self.variables or self.journey)


def parse_vars(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """`KEY=VALUE` items (the value may contain '='; it may be empty)."""
    out: list[tuple[str, str]] = []
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise InvalidParams(f"--var {item!r}: write it as KEY=VALUE")
        if not VAR_NAME.match(key):
            raise InvalidParams(f"--var {item!r}: invalid variable name {key!r} (letters, digits, '_', '.', '-', "
                                "starting with a letter or '_')")
        out.append((key, value))
    return tuple(out)


def check_options(pb: Playbook, options: StartOptions) -> None:
    """Unknown agent or journey, a bad variable: InvalidParams naming the known ones (exit 2)."""
    parse_vars(f"{k}={v}" for k, v in options.variables)
    if options.agent and pb.agent(options.agent) is None:
        from workbench.playbook.agents import unknown_agent_message

        raise InvalidParams(unknown_agent_message(options.agent, pb.agents))
    if options.journey and pb.journey(options.journey) is None:
        known = ", ".join(j.id for j in pb.journeys)
        raise InvalidParams(f"unknown journey {options.journey!r}; " + (
            f"known journeys: {known}" if known else
            "no journeys are defined (add [[journeys]] to .workbench/playbook.toml or <config dir>/playbook.toml)"))


def options_from_args(args: Any) -> StartOptions:
    return StartOptions(agent=getattr(args, "agent", None) or None,
                        variables=parse_vars(getattr(args, "var", None) or ()),
                        journey=getattr(args, "journey", None) or None)


def session_playbook(cwd: Path | str, args: Any = None, *, trust_project: bool | None = None,
                     playbook: Playbook | None = None, options: StartOptions | None = None) -> PlaybookRuntime:
    """The runtime for a session in `cwd`; raises InvalidParams for a bad --agent/--var/--journey
    (from `args`, or `options` as SessionService's callers give them)."""
    if trust_project is None:
        trust_project = bool(getattr(args, "trust_project", False))
    pb = playbook if playbook is not None else load_playbook(Path(cwd), trust_override=trust_project)
    if options is None:
        options = options_from_args(args) if args is not None else StartOptions()
    check_options(pb, options)
    runtime = PlaybookRuntime(pb)
    runtime.start_options = options
    return runtime


def apply_start(runtime: PlaybookRuntime, options: StartOptions) -> list[str]:
    """Apply the flags to the state the session has now; returns notices for the user."""
    notes: list[str] = []
    state = runtime.state
    if options.agent and state.agent != options.agent:
        runtime.set_agent(options.agent)
    for key, value in options.variables:
        if runtime.state.variables.get(key) != value:
            runtime.set_var(key, value)
    if options.journey:
        js = runtime.state.journey
        if js is not None and js.active:
            if js.journey_id == options.journey:
                notes.append(f"journey {js.journey_id} goes on at step {js.step} (it was active in this session)")
            else:
                notes.append(f"--journey {options.journey} not started: journey {js.journey_id} is active in this "
                             f"session (at step {js.step}); stop it first (/journey stop)")
        else:
            runtime.start_journey(options.journey)
    return notes
