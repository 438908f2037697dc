"""The environment a shell command gets: the workbench's own without its secrets.

Provider keys and other credentials live in the workbench's environment (ANTHROPIC_API_KEY, a
GITHUB_TOKEN...). A command the model runs must not see them: it could print them into the
conversation, and from there into a session file or a provider's logs. Names are matched
case-insensitively against shell-style globs; `pass_env` names the exceptions a user wants kept.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from typing import Iterable, Mapping

# The seed's shell_env rule: whatever looks like a credential stays out.
SECRET_PATTERNS: tuple[str, ...] = (
    "*_API_KEY", "*_TOKEN", "*_SECRET", "*_SECRET_KEY", "*_ACCESS_KEY", "*_PASSWORD",
    "ANTHROPIC_*", "OPENAI_API_KEY", "OPENAI_ORG*", "AWS_SESSION_TOKEN",
)
# Variables that are never secrets although a pattern above would match them.
_NEVER_SECRET = frozenset({"ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "ANTHROPIC_MODEL"})


@functools.lru_cache(maxsize=32)
def _matcher(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for all the globs (every sandboxed command checks every variable)."""
    return re.compile("|".join(fnmatch.translate(p.upper()) for p in patterns) or "(?!)")


def is_secret_name(name: str, patterns: Iterable[str] = SECRET_PATTERNS) -> bool:
    upper = name.upper()
    if upper in _NEVER_SECRET:
        return False
    return _matcher(tuple(patterns)).match(upper) is not None


def scrubbed_env(env: Mapping[str, str] | None = None, *, pass_env: Iterable[str] = (),
                 patterns: Iterable[str] = SECRET_PATTERNS) -> dict[str, str]:
    """A copy of `env` (default: this process's) without the variables that look like secrets,
    except those named in `pass_env` (exact names or globs)."""
    source = os.environ if env is None else env
    keep = _matcher(tuple(pass_env)) if pass_env else None
    pats = tuple(patterns)
    out: dict[str, str] = {}
    for name, value in source.items():
        if is_secret_name(name, pats) and (keep is None or keep.match(name.upper()) is None):
            continue
        out[name] = value
    return out


def removed_names(env: Mapping[str, str] | None = None, *, pass_env: Iterable[str] = ()) -> list[str]:
    """The names `scrubbed_env` would drop (for a status line or a doc; never the values)."""
    source = os.environ if env is None else env
    kept = scrubbed_env(source, pass_env=pass_env)
    return sorted(n for n in source if n not in kept)
