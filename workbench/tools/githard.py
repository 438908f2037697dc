"""An allow rule on git never runs code the repository supplies.

Git runs programs named in its configuration (`core.fsmonitor` on `git status`, hooks, pagers,
filters, `!` aliases …). A repository's own config (`.git/config`, its includes, the worktree
config) is not the user's: a cloned or agent-edited repository could turn `bash(git status*)` into
"run anything" (issue 12: a `core.fsmonitor = "touch /tmp/p"` written into `.git/config`). So:

- a bash command allowed without asking (by a rule or the mode) that runs git *asks* instead when
  the repository's local config sets a program-running key, or when the command line sets one
  (`git -c core.pager=… log`) or points git at another repository (`--git-dir`, `--exec-path`);
- and such a command runs with `core.fsmonitor=false` and `core.hooksPath=/dev/null` given on
  git's command-line level (`GIT_CONFIG_COUNT`, which beats every file), so hooks and the
  filesystem monitor can't run even if the config changes while the command runs.
The user's own (global, system) config is trusted and left alone; a call the user approved runs
as it is, hooks included.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Iterable, Mapping

from workbench.tools.globs import glob_match

# Keys whose value git runs as a program (or that enable transports that run one).
PROGRAM_KEYS = (
    "core.fsmonitor", "core.hookspath", "core.sshcommand", "core.pager", "core.editor", "core.askpass",
    "core.gitproxy", "core.alternaterefscommand", "core.worktree", "sequence.editor", "diff.external",
    "diff.*.textconv", "diff.*.command", "merge.*.driver", "filter.*.clean", "filter.*.smudge",
    "filter.*.process", "gpg.program", "gpg.*.program", "gpg.ssh.defaultkeycommand", "credential.helper",
    "credential.*.helper", "uploadpack.packobjectshook", "interactive.difffilter", "pager.*",
    "remote.*.uploadpack", "remote.*.receivepack", "protocol.*.allow", "protocol.allow", "alias.*",
    "submodule.*.update", "difftool.*.cmd", "mergetool.*.cmd", "web.browser", "browser.*.cmd",
    "man.*.cmd", "sendemail.*", "include.path", "includeif.*.path", "trace2.*", "core.sparsecheckout",
)
_HARMLESS_VALUES = {"", "false", "no", "off", "0"}
# Given on git's command-line level for every git a rule-allowed command starts.
HARDENING = (("core.fsmonitor", "false"), ("core.hooksPath", "/dev/null"))


def is_program_key(key: str) -> bool:
    key = key.lower()
    return any(glob_match(p, key, paths=False) for p in PROGRAM_KEYS)


def _hazard(key: str, value: str) -> bool:
    key = key.lower()
    if not is_program_key(key):
        return False
    if key.startswith("alias."):
        return value.lstrip().startswith("!")
    if key.startswith("submodule."):
        return value.lstrip().startswith("!")
    if key.startswith("protocol."):
        return value.strip().lower() == "always" and ("ext" in key or key == "protocol.allow")
    if key == "core.sparsecheckout":
        return False
    return value.strip().lower() not in _HARMLESS_VALUES


def repository_hazards(directory: Path) -> list[str]:
    """The program-running keys the repository at `directory` sets in its own config (local and
    worktree scope, includes followed), as `key = value`. [] when it is not a repository or git is
    missing; a config git cannot read is a hazard (its contents are unknown)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    try:
        done = subprocess.run(["git", "-C", str(directory), "config", "--list", "--show-scope", "-z"],
                              capture_output=True, env=env, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [f"(git config could not be read: {exc})"] if Path(directory, ".git").exists() else []
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace")
        if "not a git repository" in err or not err.strip():
            return []
        return [f"(the repository's config does not read: {err.strip().splitlines()[0][:200]})"]
    found: list[str] = []
    fields = done.stdout.decode("utf-8", "replace").split("\0")  # scope NUL key LF value NUL …
    for scope, entry in zip(fields[0::2], fields[1::2]):
        key, _, value = entry.partition("\n")
        if scope in ("local", "worktree") and _hazard(key, value):
            found.append(f"{key} = {value}")
    return found


_GIT_VALUE_OPTIONS = {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--config-env",
                      "--super-prefix", "--list-cmds"}


def command_line_hazards(words: Iterable[str]) -> tuple[list[str], list[str]]:
    """(hazards, extra repository directories) in one git invocation's words."""
    words = list(words)[1:]
    hazards: list[str] = []
    dirs: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if not w.startswith("-"):
            break
        name, eq, inline = w.partition("=")
        value = inline if eq else (words[i + 1] if i + 1 < len(words) and name in _GIT_VALUE_OPTIONS else "")
        if name == "-c":
            key, _, v = value.partition("=")
            if _hazard(key, v or "true"):
                hazards.append(f"-c {value}")
        elif name in ("--config-env", "--exec-path", "--git-dir", "--work-tree", "--super-prefix"):
            hazards.append(f"{name} {value}".strip())
        elif name == "-C":
            dirs.append(value)
        i += 1 if eq or name not in _GIT_VALUE_OPTIONS else 2
    return hazards, dirs


def hardened_env(env: Mapping[str, str]) -> dict[str, str]:
    """`env` plus HARDENING on git's command-line level (after any the environment already has)."""
    out = dict(env)
    try:
        count = int(out.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        count = 0
    for key, value in HARDENING:
        out[f"GIT_CONFIG_KEY_{count}"] = key
        out[f"GIT_CONFIG_VALUE_{count}"] = value
        count += 1
    out["GIT_CONFIG_COUNT"] = str(count)
    return out



def git_hazard(invocations: Iterable[object], cwd: Path) -> str | None:
    """Why a command running git must ask although a rule allows it, or None."""
    dirs: list[Path] = []
    for inv in invocations:
        words = getattr(inv, "words", ())
        if not words or os.path.basename(words[0]) != "git":
            continue
        hazards, extra = command_line_hazards(words)
        if hazards:
            return (f"git is given {hazards[0]} on its command line, which runs a program or another "
                    "repository's: an allow rule does not cover that.")
        dirs.extend(cwd / d for d in extra)
        dirs.append(cwd)
    for directory in dict.fromkeys(dirs):
        found = repository_hazards(directory)
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            return (f"the repository's own config sets {found[0]}{more}, which makes git run a program: "
                    "an allow rule does not run repository-supplied code, so this asks.")
    return None
