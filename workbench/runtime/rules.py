"""The approval policy a session starts with: rules from every config file plus the CLI flags.

`config.load_settings` deep-merges the user and project files, so a project `[approvals] allow`
list would replace the user's. Rules must add up instead (and remember where each came from), so
the runtime builds its policy with `PermissionPolicy.load`, which reads both files itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from workbench.errors import InvalidParams


def load_policy(cwd: str | Path, *, mode: str | None = None, allow: Iterable[str] = (),
                ask: Iterable[str] = (), deny: Iterable[str] = (), registry: Any = None) -> Any:
    """A `PermissionPolicy` from the user config, the project's `.workbench/config.toml` under
    `cwd` and the given flags (the mode: `mode`, else project, else user, else "ask").

    A rule that does not parse raises InvalidParams naming the file or flag: skipping it silently
    could drop a deny rule the user relies on."""
    from workbench.tools.permissions import PermissionPolicy, RuleError

    try:
        policy = PermissionPolicy.load(Path(cwd), mode=mode or None, allow=list(allow), ask=list(ask),
                                       deny=list(deny), registry=registry)
    except RuleError as exc:
        raise InvalidParams(f"bad approval rule in --allow/--ask/--deny: {exc}") from None
    except ValueError as exc:  # an unknown mode
        raise InvalidParams(f"approval mode: {exc}") from None
    if policy.problems:
        raise InvalidParams("bad approval rules in config: " + "; ".join(policy.problems))
    return policy
