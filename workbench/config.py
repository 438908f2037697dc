"""Settings (TOML + env) and the paths where the workbench reads and writes.

Layers: user config (`<config home>/config.toml`), then project config
(`<cwd>/.workbench/config.toml`), then CLI flags, each overriding the one before.
A broken file never raises a traceback at the user: `load_settings` returns the
problems as `ConfigProblem`s (file, line, key, message) next to the settings it
could still build, so the UI can show a clear message and carry on with defaults.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

APP_NAME = "workbench"


# ---------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------

def _env_home() -> Path | None:
    raw = os.environ.get("WORKBENCH_HOME")
    return Path(raw).expanduser().resolve() if raw else None


def data_home() -> Path:
    """Where sessions, caches and mob logs live."""
    return _env_home() or Path(platformdirs.user_data_dir(APP_NAME))


def config_home() -> Path:
    """Where config.toml, user themes and user grants live."""
    return _env_home() or Path(platformdirs.user_config_dir(APP_NAME))


def sessions_dir() -> Path:
    return data_home() / "sessions"


def mobs_dir() -> Path:
    return data_home() / "mobs"


def cache_dir() -> Path:
    return data_home() / "cache"


def user_config_file() -> Path:
    return config_home() / "config.toml"


def user_themes_dir() -> Path:
    return config_home() / "themes"


def project_config_file(cwd: Path) -> Path:
    return Path(cwd) / ".workbench" / "config.toml"


# ---------------------------------------------------------------------------
# Settings model
# ---------------------------------------------------------------------------

ProviderName = Literal["anthropic", "openai", "replay"]
ApprovalMode = Literal["ask", "edits", "plan", "yolo"]
ThinkingLevel = Literal["off", "minimal", "low", "medium", "high"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProviderSettings(_Section):
    name: ProviderName | None = None  # None: pick from the environment, else the offline demo
    model: str | None = None
    base_url: str | None = None
    thinking: ThinkingLevel = "off"
    replay_script: str | None = None  # a replay script file, for `name = "replay"`


class ApprovalSettings(_Section):
    mode: ApprovalMode = "ask"
    allow: list[str] = Field(default_factory=list)
    ask: list[str] = Field(default_factory=list)
    deny: list[str] = Field(default_factory=list)


class BudgetSettings(_Section):
    max_tokens: int | None = Field(default=None, gt=0)
    max_cost: float | None = Field(default=None, gt=0)
    max_turns: int | None = Field(default=100, gt=0)
    max_tool_calls: int | None = Field(default=None, gt=0)
    max_duration: float | None = Field(default=None, gt=0)  # seconds, whole run
    max_turn_duration: float | None = Field(default=None, gt=0)  # seconds, one model turn


class UiSettings(_Section):
    theme: str = "workbench-dark"
    branch_summary: Literal["ask", "never", "always"] = "ask"


class SessionSettings(_Section):
    pi_sessions_dir: str | None = None  # e.g. "~/.pi/agent/sessions" to resume pi's sessions


class Settings(_Section):
    provider: ProviderSettings = Field(default_factory=ProviderSettings)
    approvals: ApprovalSettings = Field(default_factory=ApprovalSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    sessions: SessionSettings = Field(default_factory=SessionSettings)
    keys: dict[str, str] = Field(default_factory=dict)  # binding id -> "key[,key...]"


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ConfigProblem:
    path: Path
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        if self.key:
            return f"{where}: {self.key}: {self.message}"
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """Raised only by `load_settings(strict=True)`; carries every problem found."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LoadedSettings:
    settings: Settings
    problems: list[ConfigProblem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # files that were read (in order)


_TOML_LINE = re.compile(r"at line (\d+)")


def _line_of_key(text: str, dotted: list[str]) -> int | None:
    """Best-effort line number of a key path inside a TOML document."""
    if not dotted:
        return None
    leaf = str(dotted[-1])
    table = ".".join(str(p) for p in dotted[:-1])
    current_table = ""
    fallback = None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = re.match(r"^\[+\s*([^\]]+?)\s*\]+", line)
        if m:
            current_table = m.group(1).strip().replace('"', "")
            if ".".join(str(p) for p in dotted) == current_table:
                return no
            continue
        km = re.match(r'^("?)([^"=\s]+)\1\s*=', line)
        if km and km.group(2) == leaf:
            if current_table == table:
                return no
            fallback = fallback or no
    return fallback


def read_toml(path: Path) -> tuple[dict[str, Any] | None, list[ConfigProblem]]:
    """Parse one TOML file; a syntax error becomes a problem naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [ConfigProblem(path, None, None, f"cannot read: {exc}")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        return None, [ConfigProblem(path, int(m.group(1)) if m else None, None, f"invalid TOML: {exc}")]


def validation_problems(path: Path, text: str, exc: ValidationError) -> list[ConfigProblem]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append(ConfigProblem(path, _line_of_key(text, loc), ".".join(loc) or None, err.get("msg", "invalid")))
    return out


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _validate_file(path: Path) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """Return the file's data if valid on its own, else {} and its problems."""
    data, problems = read_toml(path)
    if data is None:
        return {}, problems
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        return {}, validation_problems(path, path.read_text(encoding="utf-8"), exc)
    return data, []


def load_settings(cwd: Path | None = None, *, strict: bool = False) -> LoadedSettings:
    """User config, then project config. A broken file is skipped (defaults apply) and reported."""
    files: list[Path] = []
    problems: list[ConfigProblem] = []
    merged: dict[str, Any] = {}
    candidates = [user_config_file()]
    if cwd is not None:
        candidates.append(project_config_file(Path(cwd)))
    for path in candidates:
        if not path.exists():
            continue
        files.append(path)
        data, file_problems = _validate_file(path)
        problems.extend(file_problems)
        merged = _deep_merge(merged, data)
    if strict and problems:
        raise ConfigError(problems)
    return LoadedSettings(Settings.model_validate(merged), problems, files)
