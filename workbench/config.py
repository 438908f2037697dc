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
from typing import TYPE_CHECKING, Any

import platformdirs

if TYPE_CHECKING:
    from workbench.config_schema import Settings

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
# Settings model: pydantic models in config_schema.py, imported on first use (pydantic costs the
# first frame ~0.1 s, and the first frame needs only the theme and keys: `first_frame_settings`)
# ---------------------------------------------------------------------------

_SCHEMA_NAMES = frozenset({"Settings", "ProviderSettings", "ApprovalSettings", "BudgetSettings", "UiSettings",
                           "SessionSettings", "validation_problems", "ProviderName", "ApprovalMode",
                           "ThinkingLevel"})


def __getattr__(name: str) -> Any:
    if name in _SCHEMA_NAMES:
        from workbench import config_schema
        return getattr(config_schema, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEFAULT_THEME = "workbench-dark"


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
    # project settings not applied because the project is not trusted: (file, "key = value")
    ignored: list[tuple[Path, str]] = field(default_factory=list)
    trusted: bool = True  # False: the project file could only tighten


_TOML_LINE = re.compile(r"at line (\d+)")


def _line_of_key(text: str, dotted: list[str]) -> int | None:
    """Best-effort line number of a key path inside a TOML document. An item of a list
    (`approvals.allow.1`) is reported on the line of its key."""
    dotted = list(dotted)
    while len(dotted) > 1 and str(dotted[-1]).isdigit():
        dotted.pop()
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


_MAX_TOML_DEPTH = 100  # arrays/tables nested deeper than this are refused before tomllib recurses


def _too_deep_line(text: str) -> int | None:
    """The line where `[`/`{` nesting (outside strings and comments) first passes the limit, or
    None. tomllib parses nesting by recursion: a `x = [[[[…` × 5000 would be a RecursionError."""
    depth = line = 0
    quote = ""
    index, length = 0, len(text)
    line = 1
    while index < length:
        ch = text[index]
        if ch == "\n":
            line += 1
        elif quote:
            if ch == "\\" and quote == '"':
                index += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            newline = text.find("\n", index)
            index = length if newline < 0 else newline
            continue
        elif ch in "[{":
            depth += 1
            if depth > _MAX_TOML_DEPTH:
                return line
        elif ch in "]}":
            depth = max(0, depth - 1)
        index += 1
    return None


def parse_toml_text(path: Path, text: str) -> tuple[dict[str, Any] | None, list[ConfigProblem]]:
    """Parse TOML text read from `path`; a syntax error becomes a problem naming file and line.
    A leading UTF-8 byte order mark (some Windows editors write one) is accepted."""
    text = text.removeprefix("\ufeff")
    if "[[[[" in text or "{{{{" in text or text.count("[") + text.count("{") > _MAX_TOML_DEPTH:
        deep = _too_deep_line(text)
        if deep is not None:
            return None, [ConfigProblem(path, deep, None,
                                        f"invalid TOML: arrays or tables nested more than {_MAX_TOML_DEPTH} deep")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        return None, [ConfigProblem(path, int(m.group(1)) if m else None, None, f"invalid TOML: {exc}")]
    except RecursionError:  # nesting the scan above did not see (it is deliberately simple)
        return None, [ConfigProblem(path, None, None, "invalid TOML: nested too deeply")]


def read_toml_text(path: Path) -> tuple[str | None, list[ConfigProblem]]:
    """A TOML file's text; invalid UTF-8 is a problem naming the line it is on."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [ConfigProblem(path, None, None, f"cannot read: {exc.strerror or exc}")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [ConfigProblem(path, line, None,
                                    f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column {column}): save the file as UTF-8")]


def read_toml(path: Path) -> tuple[dict[str, Any] | None, list[ConfigProblem]]:
    """Parse one TOML file; a syntax error becomes a problem naming file and line."""
    text, problems = read_toml_text(path)
    if text is None:
        return None, problems
    return parse_toml_text(path, text)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _validate_file(path: Path) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """The file's valid part and every problem of the rest: each broken setting (a bad value, an
    unknown key or section) is left out alone, so its default applies and the file's other
    settings still do. A file that does not parse at all gives {} and its syntax error."""
    data, problems = read_toml(path)
    if data is None:
        return {}, problems
    from pydantic import ValidationError

    from workbench.config_schema import Settings, validation_problems

    text = path.read_text(encoding="utf-8")
    for _ in range(50):  # each pass drops what the last validation found broken
        try:
            Settings.model_validate(data)
            return data, problems
        except ValidationError as exc:
            found = validation_problems(path, text, exc)
            problems.extend(p for p in found if p not in problems)
            locs = [tuple(str(x) for x in err.get("loc", ())) for err in exc.errors()]
            if not _drop_broken(data, locs):
                return {}, problems
    return {}, problems


def _drop_broken(data: dict[str, Any], locs: list[tuple[str, ...]]) -> bool:
    """Remove the settings at `locs` (a whole key of a section; an item of [keys]); False when
    nothing could be removed (the caller then gives up on the file)."""
    removed = False
    for loc in locs:
        if not loc:
            continue
        section = data.get(loc[0])
        if len(loc) >= 2 and isinstance(section, dict) and loc[1] in section:
            del section[loc[1]]
            removed = True
        elif loc[0] in data:
            del data[loc[0]]
            removed = True
    return removed


def config_files(cwd: Path | None) -> list[Path]:
    """Where settings are read from, in order (a later file overrides an earlier one)."""
    return [user_config_file()] + ([project_config_file(Path(cwd))] if cwd is not None else [])


def load_settings(cwd: Path | None = None, *, strict: bool = False, trust_override: bool = False) -> LoadedSettings:
    """User config, then project config. Each broken setting is reported and left out alone (its
    default applies); a file that does not parse at all is skipped whole.

    Until the project is trusted (`workbench.trust`; `trust_override`: headless `--trust-project`)
    its file may only tighten: what it would widen is left out and listed in `.ignored`."""
    files: list[Path] = []
    problems: list[ConfigProblem] = []
    ignored: list[tuple[Path, str]] = []
    merged: dict[str, Any] = {}
    trusted = True
    for path in config_files(cwd):
        if not path.exists():
            continue
        files.append(path)
        data, file_problems = _validate_file(path)
        problems.extend(file_problems)
        if path != user_config_file() and data:
            from workbench import trust

            trusted = trust.is_trusted(Path(cwd), override=trust_override)  # type: ignore[arg-type]
            if not trusted:
                data, lost = _untrusted_split(data)
                ignored.extend((path, summary) for _key, summary in lost)
        merged = _deep_merge(merged, data)
    if strict and problems:
        raise ConfigError(problems)
    from workbench.config_schema import Settings

    return LoadedSettings(Settings.model_validate(merged), problems, files, ignored, trusted)


def _untrusted_split(project: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """(what an untrusted project file keeps, what it loses), against the user's own config."""
    from workbench.project_settings import split_project

    user, _problems = read_toml(user_config_file())
    return split_project(project, user or {})


def untrusted_project_settings(cwd: Path) -> list[tuple[Path, str]]:
    """(file, "key = value") for each project setting that waits for trust. A file that does not
    parse contributes nothing (load_settings reports it, and applies none of it)."""
    path = project_config_file(cwd)
    data, _problems = read_toml(path)
    if not data:
        return []
    lost = _untrusted_split(data)[1]
    if lost and not _validate_file(path)[0]:
        return []  # invalid: none of it applies, trusted or not (load_settings says why)
    # [[hooks]] are listed one by one, each with its exact command, by workbench.hooks.config
    return [(path, summary) for key, summary in lost if key != "hooks"]


def trusted_project_data(cwd: Path, data: dict[str, Any] | None, *, trust_override: bool = False) -> dict[str, Any] | None:
    """A project file's raw data as the rest of the workbench may use it: whole when the project
    is trusted, else only what tightens."""
    if not data:
        return data
    from workbench import trust

    if trust.is_trusted(Path(cwd), override=trust_override):
        return data
    return _untrusted_split(data)[0]


@dataclass(frozen=True)
class FirstFrameSettings:
    """What the first frame needs — the theme and the key map — read from the same files without
    validating them. `load_settings` validates everything right after (in the start-up thread) and
    reports any problem; a value of the wrong type is simply not used here."""

    theme: str = DEFAULT_THEME
    keys: dict[str, str] = field(default_factory=dict)
    pane_widths: tuple[Any, Any] = (None, None)  # [ui] session_width, side_width (checked where used)


def first_frame_settings(cwd: Path | None = None) -> FirstFrameSettings:
    merged: dict[str, Any] = {}
    for path in config_files(cwd):
        data, _problems = read_toml(path)  # reported by load_settings
        if data is not None and path != user_config_file():
            data = trusted_project_data(Path(cwd), data)  # type: ignore[arg-type]  # no key bindings from a repo
        if data is not None:
            merged = _deep_merge(merged, data)
    ui = merged.get("ui")
    theme = ui.get("theme") if isinstance(ui, dict) else None
    keys = merged.get("keys")
    return FirstFrameSettings(
        theme=theme if isinstance(theme, str) else DEFAULT_THEME,
        keys={k: v for k, v in keys.items() if isinstance(v, str)} if isinstance(keys, dict) else {},
        pane_widths=(ui.get("session_width"), ui.get("side_width")) if isinstance(ui, dict) else (None, None),
    )
