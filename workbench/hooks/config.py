"""`[[hooks]]` from the user's config.toml and, in a trusted project, the project's.

Each file is read on its own (a merged config would let the project's list replace the user's)
and a hook keeps the file it came from, for `/hooks` and the trust dialog. A project's hooks come
with a cloned repository, so they are loaded only when `workbench.trust.is_trusted` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from workbench import config


@dataclass(frozen=True)
class HookEntry:
    """HookEntryConfig: one configured hook and where it came from."""

    id: str
    point: str
    command: str
    source: Path
    match: str | None = None
    priority: int = 0
    mode: str = "foreground"      # HookExecutionMode: foreground blocks, background does not
    timeout: float = 30.0
    failure: str = "fail_open"    # HookFailurePolicy
    capability: str = "observe"   # HookCapability: only guardrail hooks can deny
    project: bool = False         # from the project's config (needs trust)


@dataclass(frozen=True)
class HookRunOverrides:
    """Per-run changes (`--no-hooks`, `--disable-hook ID`)."""

    disabled: bool = False
    disable_ids: frozenset[str] = frozenset()


@dataclass
class LoadedHooks:
    entries: list[HookEntry] = field(default_factory=list)
    problems: list[config.ConfigProblem] = field(default_factory=list)
    untrusted: list[HookEntry] = field(default_factory=list)  # project hooks waiting for trust


def _entries_of(path: Path, data: dict[str, Any] | None, *, project: bool) -> tuple[list[HookEntry], list[config.ConfigProblem]]:
    if not data or "hooks" not in data:
        return [], []
    from pydantic import ValidationError

    from workbench.config_schema import HookSettings, validation_problems

    raw = data["hooks"]
    if not isinstance(raw, list):
        return [], [config.ConfigProblem(path, config._line_of_key(_text(path), ["hooks"]), "hooks",
                                         "must be an array of tables: write each hook as [[hooks]]")]
    out: list[HookEntry] = []
    problems: list[config.ConfigProblem] = []
    for index, item in enumerate(raw):
        try:
            hs = HookSettings.model_validate(item)
        except ValidationError as exc:
            for p in validation_problems(path, _text(path), exc):
                problems.append(config.ConfigProblem(p.path, p.line, f"hooks[{index}]" + (f".{p.key}" if p.key else ""),
                                                     p.message))
            continue
        out.append(HookEntry(id=hs.id, point=hs.point, command=hs.command, source=path, match=hs.match,
                             priority=hs.priority, mode=hs.mode, timeout=hs.timeout, failure=hs.failure,
                             capability=hs.capability, project=project))
    return out, problems


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def project_hooks(workspace: Path) -> tuple[list[HookEntry], list[config.ConfigProblem]]:
    """The hooks the project's config asks for, trusted or not (for the trust dialog)."""
    path = config.project_config_file(Path(workspace))
    data, _problems = config._validate_file(path)  # an invalid file applies nothing (load_settings says why)
    return _entries_of(path, data, project=True)


def load_hooks(workspace: Path, *, trust_override: bool = False) -> LoadedHooks:
    """The user's hooks, then the project's when the project is trusted; ids are unique (a later
    duplicate is a problem, not a silent replacement)."""
    user_path = config.user_config_file()
    data, _problems = config._validate_file(user_path)  # as load_settings: an invalid file applies nothing
    entries, more = _entries_of(user_path, data, project=False)
    loaded = LoadedHooks(entries, more)
    proj, proj_problems = project_hooks(workspace)
    if proj:
        if _trusted(Path(workspace), trust_override):
            loaded.entries.extend(proj)
        else:
            loaded.untrusted.extend(proj)
    loaded.problems.extend(p for p in proj_problems if (p.key or "").startswith("hooks"))
    seen: dict[str, HookEntry] = {}
    unique: list[HookEntry] = []
    for entry in loaded.entries:
        if entry.id in seen:
            loaded.problems.append(config.ConfigProblem(
                entry.source, None, "hooks", f"hook id {entry.id!r} is already used by a hook in {seen[entry.id].source}; "
                "this one is not loaded"))
            continue
        seen[entry.id] = entry
        unique.append(entry)
    loaded.entries = unique
    return loaded


def _trusted(workspace: Path, override: bool) -> bool:
    try:
        from workbench import trust
    except ImportError:  # before project trust exists nothing from a project runs
        return override
    return trust.is_trusted(workspace, override=override)


def describe_hooks(workspace: Path) -> list[Any]:
    """The trust dialog's lines for the project's hooks: each exact command, and when it runs."""
    from workbench.trust import TrustItem

    entries, _problems = project_hooks(workspace)
    items = []
    for e in entries:
        when = e.point + (f" ({e.match})" if e.match else "")
        items.append(TrustItem(e.source, "hook", f"hook {e.id} at {when}: sh -c {e.command}"))
    return items


def active(entries: Iterable[HookEntry], overrides: HookRunOverrides) -> list[HookEntry]:
    if overrides.disabled:
        return []
    return [e for e in entries if e.id not in overrides.disable_ids]
