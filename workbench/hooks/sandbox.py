"""The bash sandbox: a command under bubblewrap with the filesystem read-only, the workspace and
a private /tmp writable, no network (unless `network = true`), the user's secrets hidden and
secret-looking environment variables removed.

`[sandbox] mode = "workspace"` turns it on for the bash tool and the `!command` runner (both ask
`Sandbox.prepare`). When bwrap is missing or cannot create namespaces the sandbox *refuses*: the
command does not run and the message says why and how to fix it — unless the user set
`fallback = "unsandboxed"`, and then the status line says so in red. Never a silent fallback.
"""

from __future__ import annotations

import os
import sys
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from workbench.tools.env import scrubbed_env

# $HOME paths that hold credentials (hidden when they exist; the list is configurable).
DEFAULT_HIDDEN: tuple[str, ...] = (
    "~/.ssh", "~/.aws", "~/.gnupg", "~/.azure", "~/.kube", "~/.docker", "~/.netrc", "~/.git-credentials",
    "~/.npmrc", "~/.pypirc", "~/.config/gcloud", "~/.config/gh", "~/.password-store", "~/.vault-token",
)
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install "
                "bubblewrap; Arch: sudo pacman -S bubblewrap)")
NAMESPACE_HINT = ("allow unprivileged user namespaces (e.g. sudo sysctl -w kernel.unprivileged_userns_clone=1, or on "
                  "Ubuntu 24.04+ sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0); inside a container, "
                  "run it with --security-opt seccomp=unconfined or --privileged")
OFF_HINT = 'or set [sandbox] fallback = "unsandboxed" to run commands unconfined (the status line will say so)'


@dataclass(frozen=True)
class SandboxPolicy:
    mode: str = "off"                  # "off" | "workspace"
    network: bool = False
    pass_env: tuple[str, ...] = ()
    hidden: tuple[str, ...] = DEFAULT_HIDDEN
    fallback: str = "refuse"           # "refuse" | "unsandboxed"

    @classmethod
    def from_settings(cls, s: Any, *, force_on: bool = False) -> "SandboxPolicy":
        """From `[sandbox]` (config_schema.SandboxSettings); `--sandbox` turns it on."""
        if s is None:
            return cls(mode="workspace" if force_on else "off")
        return cls(mode="workspace" if force_on else s.mode, network=s.network, pass_env=tuple(s.pass_env),
                   hidden=DEFAULT_HIDDEN if s.hidden is None else tuple(s.hidden), fallback=s.fallback)


@dataclass(frozen=True)
class Prepared:
    """How to start one command: argv and env, or a refusal to show instead of running it."""

    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    sandboxed: bool = False
    refusal: str | None = None
    label: str = ""  # "sandboxed" | "unsandboxed: <why>" | ""
    inner: list[str] = field(default_factory=list)  # the command itself, without bwrap (sandboxed only)


class Sandbox:
    def __init__(self, policy: SandboxPolicy, workspace: Path, *, bwrap: str | None = None,
                 env: Mapping[str, str] | None = None, protect: Sequence[Path] = (), persistent: bool = True) -> None:
        self.policy = policy
        self.workspace = Path(workspace).resolve()
        self._env = dict(os.environ if env is None else env)
        self._bwrap = bwrap if bwrap is not None else shutil.which("bwrap", path=self._env.get("PATH"))
        self._protect = [Path(p) for p in protect]  # e.g. the workbench's config and data dirs
        self._problem: str | None | bool = False     # False: not probed yet
        self.persistent = persistent  # commands start in one long-lived sandbox (sandbox_server.py)
        self._args: list[str] | None = None

    # --- state -----------------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        return self.policy.mode == "workspace"

    def problem(self) -> str | None:
        """Why bwrap cannot run here (None: it can). Probed once, with the flags commands use."""
        if self._problem is False:
            self._problem = self._probe()
        return self._problem  # type: ignore[return-value]

    @property
    def active(self) -> bool:
        """Commands really run inside bwrap."""
        return self.enabled and self.problem() is None

    @property
    def unsandboxed_fallback(self) -> bool:
        """On, bwrap unusable, and the user chose to run commands unconfined anyway."""
        return self.enabled and self.problem() is not None and self.policy.fallback == "unsandboxed"

    def status_text(self) -> str | None:
        """A line for the status bar (None when the sandbox is off)."""
        if not self.enabled:
            return None
        problem = self.problem()
        if problem is None:
            return "sandbox: workspace" + (" + network" if self.policy.network else ", no network")
        if self.policy.fallback == "unsandboxed":
            return f"sandbox unavailable: bash runs UNSANDBOXED ({problem})"
        return f"sandbox unavailable: bash refused ({problem})"

    def refusal(self) -> str:
        problem = self.problem()
        hint = INSTALL_HINT if self._bwrap is None else NAMESPACE_HINT
        return (f"The sandbox is on ([sandbox] mode = \"workspace\"), but {problem}, so the command was not run. "
                f"To fix it, {hint}; {OFF_HINT}.")

    # --- running ---------------------------------------------------------------------------

    def prepare(self, argv: Sequence[str], env: Mapping[str, str]) -> Prepared:
        """argv/env for a shell command under the configured sandbox (unchanged when it is off)."""
        if not self.enabled:
            return Prepared(list(argv), dict(env))
        if self.problem() is not None:
            if self.policy.fallback == "unsandboxed":
                return Prepared(list(argv), dict(env), label=f"unsandboxed: {self.problem()}")
            return Prepared(refusal=self.refusal())
        clean = scrubbed_env(env, pass_env=self.policy.pass_env)
        return Prepared([self._bwrap or "bwrap", *self.bwrap_args(), "--", *argv], clean, sandboxed=True,
                        label="sandboxed", inner=list(argv))

    def server(self) -> Any:
        """The long-lived sandbox of this configuration (workbench/hooks/sandbox_server.py), or
        None when commands should start their own bwrap (the sandbox is not active, or
        `persistent` is off). Needs a running event loop."""
        if not self.persistent or not self.active:
            return None
        from workbench.hooks.sandbox_server import server_for

        argv = [self._bwrap or "bwrap", *self.bwrap_args()]
        return server_for(tuple(argv), argv)

    def bwrap_args(self) -> list[str]:
        """The flags, worked out once: the paths to hide are those that exist when the session's
        sandbox starts (the long-lived sandbox is made once anyway)."""
        if self._args is None:
            self._args = self._bwrap_args()
        return list(self._args)

    def _bwrap_args(self) -> list[str]:
        ws = str(self.workspace)
        args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        for runtime in _python_runtime():  # the supervisor is this Python: a venv under /tmp stays visible
            if _under(runtime, Path("/tmp")) and not _under(runtime, self.workspace):
                args += ["--ro-bind", str(runtime), str(runtime)]
        args += ["--bind", ws, ws, "--unshare-pid", "--die-with-parent", "--new-session"]
        if not self.policy.network:
            args.append("--unshare-net")
        for path in self.hidden_paths():
            args += ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null", str(path)]
        return args + ["--chdir", ws]

    def hidden_paths(self) -> list[Path]:
        """Existing paths to hide (after the workspace is bound, so one inside it is hidden too);
        a path holding the workspace itself is left alone (it would hide the workspace)."""
        home = self._env.get("HOME") or str(Path.home())
        out: list[Path] = []
        for raw in (*self.policy.hidden, *map(str, self._protect)):
            p = Path(home + raw[1:] if raw == "~" or raw.startswith("~/") else raw)
            if not p.is_absolute():
                continue
            for candidate in dict.fromkeys((p, Path(os.path.realpath(p)))):
                if not candidate.exists() or candidate in out:
                    continue
                if candidate == self.workspace or candidate in self.workspace.parents:
                    continue
                if _under(candidate, Path("/tmp")) and not _under(candidate, self.workspace):
                    continue  # the private /tmp already hides it
                out.append(candidate)
        return out

    def _probe(self) -> str | None:
        if self._bwrap is None:
            return "bwrap (bubblewrap) is not installed"
        base = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--unshare-pid",
                "--die-with-parent", "--new-session"] + ([] if self.policy.network else ["--unshare-net"])
        try:
            done = subprocess.run([self._bwrap, *base, "--", "true"], capture_output=True, timeout=10,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"bwrap could not be started ({exc})"
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            return "bwrap cannot create its namespaces here" + (f" ({why[-1][:200]})" if why else "")
        return None


def _python_runtime() -> list[Path]:
    """Where the running Python lives (the sandbox's supervisor runs `sys.executable`): its
    environment and installation, and the folder of the interpreter the executable links to."""
    found = [Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent]
    return [p for p in dict.fromkeys(found) if p.is_dir()]


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def sandbox_for(settings: Any, workspace: Path, *, force_on: bool = False) -> Sandbox:
    """The session's sandbox from its settings; the workbench's own config and data are hidden."""
    from workbench import config

    policy = SandboxPolicy.from_settings(getattr(settings, "sandbox", None), force_on=force_on)
    return Sandbox(policy, workspace, protect=(config.config_home(), config.data_home()))
