"""Project trust: whether configuration that came with a repository may act for the user.

A cloned repository can carry `.workbench/config.toml`, `.mcp.json`, hooks... Until the user
trusts the project, that configuration may only tighten (see `project_settings`), and nothing it
names runs. Trust is remembered in `<config dir>/trust.json`, keyed by the project's resolved path,
with a sha256 of every project file: an edited, added or removed file asks again. A user can also
list projects in their own config (`[trust] projects = [...]`); a project file cannot list itself.

Subsystems that read project files add the file to `PROJECT_FILES` and a describer to
`_describers()`, so the trust dialog shows everything trusting would enable.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from workbench import config
from workbench.private import write_private

# Project-supplied config files, relative to the workspace. One list: owners add theirs here.
PROJECT_FILES: tuple[str, ...] = (
    ".workbench/config.toml",
    ".mcp.json",
    ".workbench/playbook.toml",
)


@dataclass(frozen=True)
class TrustItem:
    source: Path  # the project file that asks for it
    kind: str     # "setting" | "mcp_server" | "hook" | ...
    summary: str  # what it would do, verbatim: a command line, a URL, "approvals.mode = \"yolo\""


def trust_file() -> Path:
    return config.config_home() / "trust.json"


def _key(workspace: Path) -> str:
    return str(Path(workspace).expanduser().resolve())


def project_files(workspace: Path) -> list[Path]:
    """The project-supplied config files that exist in `workspace` today."""
    root = Path(workspace)
    return [root / rel for rel in PROJECT_FILES if (root / rel).is_file()]


def _digests(workspace: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    root = Path(workspace)
    for rel in PROJECT_FILES:
        try:
            out[rel] = hashlib.sha256((root / rel).read_bytes()).hexdigest()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            continue
        except OSError:
            out[rel] = "unreadable"  # never equal to a recorded digest
    return out


def _read_records() -> dict[str, Any]:
    try:
        data = json.loads(trust_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or corrupt: nothing is trusted (trust() rewrites it whole)
    projects = data.get("projects") if isinstance(data, dict) else None
    return projects if isinstance(projects, dict) else {}


def _write_records(records: dict[str, Any]) -> None:
    write_private(trust_file(), json.dumps({"version": 1, "projects": records}, indent=2, sort_keys=True) + "\n")


def _listed_in_user_config(workspace: Path) -> bool:
    data, _problems = config.read_toml(config.user_config_file())  # problems: reported by load_settings
    section = (data or {}).get("trust")
    listed = section.get("projects") if isinstance(section, dict) else None
    if not isinstance(listed, list):
        return False
    key = _key(workspace)
    for entry in listed:
        if isinstance(entry, str) and entry.strip():
            try:
                if _key(Path(entry)) == key:
                    return True
            except (OSError, RuntimeError):
                continue
    return False


def is_trusted(workspace: Path, *, override: bool = False) -> bool:
    """True with `override` (headless `--trust-project`), when the user's config lists the
    workspace, or when trust.json records it with the digests its project files have now."""
    if override or _listed_in_user_config(workspace):
        return True
    record = _read_records().get(_key(workspace))
    if not isinstance(record, dict):
        return False
    return record.get("files") == _digests(workspace)


def trust(workspace: Path) -> None:
    """Record the workspace as trusted with its project files as they are now."""
    records = _read_records()
    records[_key(workspace)] = {"files": _digests(workspace), "trusted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    _write_records(records)


def untrust(workspace: Path) -> None:
    records = _read_records()
    if records.pop(_key(workspace), None) is not None:
        _write_records(records)


def describe_settings(workspace: Path) -> list[TrustItem]:
    """The project config's settings that wait for trust (what trusting would change)."""
    return [TrustItem(path, "setting", summary) for path, summary in config.untrusted_project_settings(Path(workspace))]


def _describers() -> list[Callable[[Path], list[TrustItem]]]:
    # Each subsystem that reads a project file contributes what it would start or change.
    from workbench.hooks.config import describe_hooks
    from workbench.mcp.trust import describe as describe_mcp
    from workbench.playbook.loader import describe_trust as describe_playbook

    return [describe_settings, describe_mcp, describe_hooks, describe_playbook]


def describe(workspace: Path) -> list[TrustItem]:
    """Everything trusting `workspace` would enable, one line each (empty: nothing to trust)."""
    items: list[TrustItem] = []
    for describer in _describers():
        items.extend(describer(Path(workspace)))
    return items


def notice(workspace: Path, items: list[TrustItem], *, trusted: bool) -> list[str]:
    """Plain lines telling the user what the project's configuration does in this run: with
    `trusted`, what trusting enabled; else what was ignored and how to trust it. Values are the
    file's own text: display them through a sanitizer."""
    if not items:
        return []
    if trusted:
        head = f"project {workspace} is trusted; its configuration applies:"
    else:
        head = (f"project {workspace} is not trusted: ignoring what its configuration would widen "
                f"(trust it with --trust-project, or list it under [trust] projects in "
                f"{config.user_config_file()}):")
    return [head] + [f"  {relative_source(workspace, item)}: {item.summary}" for item in items]


def relative_source(workspace: Path, item: TrustItem) -> str:
    """The item's file as the user knows it: relative to the project when it is inside it."""
    try:
        return str(Path(item.source).relative_to(Path(workspace)))
    except ValueError:
        return str(item.source)
