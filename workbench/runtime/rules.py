"""The approval policy a session starts with: rules from every config file plus the CLI flags.

`config.load_settings` deep-merges the user and project files, so a project `[approvals] allow`
list would replace the user's. Rules must add up instead (and remember where each came from), so
the runtime builds its policy with `PermissionPolicy.load`, which reads both files itself.

Two kinds of broken config, two outcomes:
- a file that parses but holds a rule that doesn't: headless, the agent does not start
  (InvalidParams naming the file and the rule) — skipping the rule could drop a deny the user
  relies on; where someone can answer (the TUI), the file counts as unreadable (below) and the
  problem is reported, so the rest of the app works (issue 13: each broken part falls back alone);
- a file that cannot be parsed at all (a TOML syntax error): its rules are unknown, so the agent
  starts in a strict mode where every tool call asks, reads included, and only this session's
  answers allow (`PermissionPolicy.unreadable`). The gate loads the files again before each
  decision while strict, so fixing the file ends the strict mode without a restart.
Headless runs stop on either (exit 2): nobody could answer the questions.

Settings are read once, when a run starts; the strict reload above is the only re-read, and it
never widens the mode. What the agent could write to change them mid-run (.workbench/, the user
config folder, …) is a protected path: its writes ask, showing the change (workbench.tools.protected).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from workbench.errors import InvalidParams
from workbench.tools.permissions import PermissionPolicy, RuleError


_MODE_RANK = {"plan": 0, "ask": 1, "edits": 2, "yolo": 3}


class ConfigPolicy(PermissionPolicy):
    """A PermissionPolicy that remembers how it was loaded, so a strict one can load again."""

    load_args: dict[str, Any]
    loaded_mode: str

    def reloaded(self) -> PermissionPolicy | None:
        """A fresh policy once every config file reads and its rules parse, else None. A mode the
        user chose since loading and this session's grants carry over."""
        try:
            fresh = _load(**self.load_args)
        except InvalidParams:
            return None
        if fresh.unreadable or fresh.problems:
            return None
        if self.mode != self.loaded_mode:
            fresh.mode = self.mode
        elif _MODE_RANK.get(fresh.mode, 0) > _MODE_RANK.get(self.mode, 0):
            # a file fixed (or written) mid-run never widens the mode this run started with: the
            # user sees a wider mode only at the next start (issue 12: settings take effect after
            # the user sees them)
            fresh.mode = self.mode
        for rule in self.session_grants:
            fresh.grant(rule)
        return fresh


def strict_notice(policy: Any) -> list[tuple[Path, str]]:
    """(file, what it means) for each config file whose approval rules are unknown, and each
    approval setting that was left out (lenient loading)."""
    seen: dict[Path, str] = {}
    for problem in getattr(policy, "unreadable", ()):
        if isinstance(problem, _BrokenRules):
            continue
        seen.setdefault(Path(problem.path), "approval rules unknown (the file does not parse): every "
                        "tool call asks, reads included, until it is fixed")
    out = list(seen.items())
    for problem in getattr(policy, "lenient_problems", ()):
        out.append((Path(problem.path), problem.message))
    return out


class _BrokenRules:
    """A config file with a rule that does not parse, loaded leniently: its rules count as unknown
    (every call asks, as for a file that does not parse) and the problem is reported."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message


def _lenient(policy: ConfigPolicy) -> ConfigPolicy:
    """Each broken approval setting falls back alone: a bad mode to the other file's or "ask" (the
    safe default), a bad rule to the strict mode for its file (skipping it could drop a deny)."""
    policy.lenient_problems = []
    for text in policy.problems:
        path, _, what = text.partition(": approvals.")
        if what.startswith("mode:"):  # reported by the settings' validation, with its line
            continue
        broken = _BrokenRules(path, f"approvals.{what} — the approval rules of this file are unknown: "
                                    "every tool call asks, reads included, until it is fixed")
        policy.lenient_problems.append(broken)
        policy.unreadable.append(broken)
    return policy


def _load(cwd: Path, mode: str | None, allow: list[str], ask: list[str], deny: list[str], registry: Any,
          trust_project: bool = False) -> ConfigPolicy:
    try:
        policy = ConfigPolicy.load(cwd, mode=mode, allow=allow, ask=ask, deny=deny, registry=registry,
                                   trust_project=trust_project)
    except RuleError as exc:
        raise InvalidParams(f"bad approval rule in --allow/--ask/--deny: {exc}") from None
    except ValueError as exc:  # an unknown mode
        raise InvalidParams(f"approval mode: {exc}") from None
    policy.load_args = {"cwd": cwd, "mode": mode, "allow": allow, "ask": ask, "deny": deny, "registry": registry,
                        "trust_project": trust_project}
    policy.loaded_mode = policy.mode
    return policy


def load_policy(cwd: str | Path, *, mode: str | None = None, allow: Iterable[str] = (),
                ask: Iterable[str] = (), deny: Iterable[str] = (), registry: Any = None,
                trust_project: bool = False, lenient: bool = False) -> Any:
    """A `PermissionPolicy` from the user config, the project's `.workbench/config.toml` under
    `cwd` and the given flags (the mode: `mode`, else project, else user, else "ask").

    A rule that does not parse raises InvalidParams naming the file or flag: skipping it silently
    could drop a deny rule the user relies on. With `lenient` (someone can answer: the TUI, a mob
    in it) the agent starts instead, strict for that file, and `strict_notice` reports it. A file
    that does not parse at all gives a strict policy (see the module docstring)."""
    policy = _load(Path(cwd), mode or None, list(allow), list(ask), list(deny), registry, trust_project)
    if policy.problems and lenient:  # someone can answer: the strict mode asks instead of stopping
        return _lenient(policy)
    if policy.problems:
        raise InvalidParams("bad approval rules in config: " + "; ".join(policy.problems))
    return policy
