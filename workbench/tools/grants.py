"""Saved "always" approvals: the `[approvals] allow` lists of the project and user config files.

Edits are surgical (see `tomledit`): the rest of the file — other settings, comments, layout —
stays as it was. Every edit is checked with `tomllib` before it is written: the new document
must parse and differ from the old one only in that list; otherwise nothing is written and a
`GrantError` says why. Files are replaced atomically; new files are created 0o600.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench import config
from workbench.tools.permissions import Rule
from workbench.tools.tomledit import TomlEditError, parses_to, read_for_edit, set_membership

Scope = Literal["project", "user"]
TABLE = ("approvals",)
KINDS = ("allow", "ask", "deny")


class GrantError(Exception):
    """A rule could not be saved or removed; the message names the file and the problem."""


@dataclass(frozen=True)
class Grant:
    rule: str
    scope: Scope
    path: Path


class GrantStore:
    def __init__(self, cwd: Path, *, user_file: Path | None = None, project_file: Path | None = None):
        self.cwd = Path(cwd)
        self.project_file = project_file or config.project_config_file(Path(cwd))
        self.user_file = user_file or config.user_config_file()

    def file_for(self, scope: Scope) -> Path:
        if scope not in ("project", "user"):
            raise ValueError(f"grant scope must be 'project' or 'user', got {scope!r} "
                             "(GrantStore.add/remove take the rule first: add(rule, scope, kind))")
        return self.project_file if scope == "project" else self.user_file

    def list(self, kind: str = "allow") -> list[Grant]:
        """The saved rules of `kind` (allow by default), project file first. Unreadable files
        contribute nothing (the settings loader reports them)."""
        out: list[Grant] = []
        for scope in ("project", "user"):
            path = self.file_for(scope)
            data, _problems = config.read_toml(path)
            section = (data or {}).get("approvals", {})
            entries = section.get(kind, []) if isinstance(section, dict) else []
            if isinstance(entries, list):
                out.extend(Grant(str(e), scope, path) for e in entries if isinstance(e, str))
        return out

    def add(self, rule: str, scope: Scope = "project", kind: str = "allow") -> bool:
        """Save `rule` into the `kind` list of the scope's file; False when it was already there.

        Also accepts `add(kind, rule)` (e.g. `add("allow", "bash(npm test*)")`, the form the
        runtime's gate uses): a kind name is never a rule worth saving, so the order is clear.
        """
        if rule in KINDS and scope not in ("project", "user"):
            rule, scope, kind = scope, "project", rule
        path = self.file_for(scope)
        if kind not in KINDS:
            raise ValueError(f"grant kind must be one of {', '.join(KINDS)}, got {kind!r}")
        text = str(Rule.parse(rule))  # refuse what the policy could not load back
        return self._change(path, kind, text, present=True)

    def remove(self, rule: str, scope: Scope | None = None, kind: str = "allow") -> bool:
        """Delete `rule` from the given scope's file (or both); False when it was in neither."""
        scopes: list[Scope] = [scope] if scope else ["project", "user"]
        changed = False
        for s in scopes:
            changed = self._change(self.file_for(s), kind, rule, present=False) or changed
        return changed

    def _change(self, path: Path, kind: str, rule: str, *, present: bool) -> bool:
        loaded = read_for_edit(path, GrantError, "before saving approvals")
        if loaded is None and not present:
            return False
        old_text, old = loaded or ("", {})
        section = old.get("approvals", {})
        current = section.get(kind, []) if isinstance(section, dict) else None
        if not isinstance(current, list):
            raise GrantError(f"{path}: approvals.{kind} is not a list; fix it before saving approvals")
        if (rule in current) == present:
            return False

        try:
            new_text = set_membership(old_text, TABLE, kind, rule, present)
        except TomlEditError as exc:
            raise GrantError(f"could not edit {path}: {exc}; edit approvals.{kind} by hand") from None
        expected = copy.deepcopy(old)
        target = expected.setdefault("approvals", {}).setdefault(kind, [])
        if present:
            target.append(rule)
        else:
            target[:] = [r for r in target if r != rule]
        if not parses_to(new_text, expected):
            raise GrantError(f"could not edit {path} safely (its layout is unusual); nothing was "
                             f"written. Edit approvals.{kind} by hand.")
        # The user's own "always" answer changes the project file's digest: keep the project
        # trusted when it was, or when nothing in it needed trust (else the saved rule waits for it).
        from workbench import trust

        keep_trust = path == self.project_file and (trust.is_trusted(self.cwd) or not trust.describe(self.cwd))
        _write_atomic(path, new_text)
        if keep_trust:
            trust.trust(self.cwd)
        return True


def _write_atomic(path: Path, text: str) -> None:
    from workbench.config_write import write_atomic

    write_atomic(path, text)
