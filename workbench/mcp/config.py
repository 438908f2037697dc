"""Where MCP servers are configured, in the formats people already have.

- `<workspace>/.mcp.json` (the project's, Claude Code's format) — comes with a cloned repository,
  so its servers start only once the project is trusted (workbench.trust);
- `<config dir>/mcp.json` (the user's, same format);
- `[mcp.servers.NAME]` tables in the user's config.toml: the same fields plus `enabled`,
  `timeout` (seconds per call, default 60), `startup_timeout` (default 30) and
  `read_only_tools` (tool names offered in plan mode).

A server is `{"command": ..., "args": [...], "env": {...}}` (stdio) or
`{"type": "http" | "sse", "url": ..., "headers": {...}}`. `${VAR}` and `${VAR:-default}` are
expanded in command, args, env, url and headers when the server starts. The same name in several
places: config.toml wins over the user's mcp.json, which wins over the project's .mcp.json (the
user's own definition is never replaced by a file that came with a repository).

A broken file is reported with its path and line (`MCPConfigProblem`) and skipped; the servers of
the other files still start. One bad server entry skips only that server.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from workbench import config as wb_config

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_STARTUP_TIMEOUT_S = 30.0
Transport = Literal["stdio", "http", "sse"]
Source = Literal["project", "user", "settings"]
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_KNOWN = {"type", "command", "args", "env", "url", "headers", "enabled", "timeout", "startup_timeout",
          "read_only_tools", "cwd"}


@dataclass(frozen=True)
class MCPConfigProblem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class MCPServerConfig:
    name: str
    transport: Transport
    source: Source
    path: Path                       # the file it came from
    command: str = ""
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)       # unexpanded, as written
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)   # unexpanded, as written
    cwd: str | None = None
    enabled: bool = True
    timeout: float = DEFAULT_TIMEOUT_S
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT_S
    read_only_tools: tuple[str, ...] = ()

    @property
    def from_project(self) -> bool:
        return self.source == "project"

    def summary(self) -> str:
        """What it runs, exactly as configured (variables unexpanded, env/header values masked):
        the line the trust dialog and `/mcp` show."""
        from workbench.mcp.secrets import MASK

        if self.transport == "stdio":
            line = " ".join([_shell_word(self.command), *(_shell_word(a) for a in self.args)])
            if self.env:
                line = " ".join(f"{k}={MASK}" for k in self.env) + " " + line
            return line
        line = f"{self.transport} {self.url}"
        if self.headers:
            line += " (headers: " + ", ".join(f"{k}: {MASK}" for k in self.headers) + ")"
        return line

    def secret_values(self, environ: dict[str, str] | None = None) -> list[str]:
        """Every env and header value, as written and as expanded: what must never be shown."""
        environ = os.environ if environ is None else environ
        out: list[str] = []
        for value in [*self.env.values(), *self.headers.values()]:
            if not _VAR.search(value):  # `${TOKEN}` as written is a name, not the secret
                out.append(value)
            try:
                out.append(expand(value, environ))
            except UnsetVariable:
                pass
            if value.lower().startswith("bearer "):  # the token alone too
                if not _VAR.search(value):
                    out.append(value[7:])
                try:
                    out.append(expand(value[7:], environ))
                except UnsetVariable:
                    pass
        return [v for v in out if v]


@dataclass(frozen=True)
class Expanded:
    """A server's launch parameters with `${VAR}` expanded (never stored, never shown)."""

    command: str
    args: list[str]
    env: dict[str, str]
    url: str
    headers: dict[str, str]


class UnsetVariable(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def expand(text: str, environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """`${VAR}` → its value (UnsetVariable when unset and no default), `${VAR:-default}` → the
    value, or the default when VAR is unset or empty."""
    env = os.environ if environ is None else environ

    def one(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        value = env.get(name)
        if default is not None:
            return value if value else default
        if value is None:
            raise UnsetVariable(name)
        return value

    return _VAR.sub(one, text)


def expand_server(cfg: MCPServerConfig, environ: dict[str, str] | None = None) -> Expanded:
    """Raises ValueError naming the field and the variable when one is unset."""
    def field_(what: str, text: str) -> str:
        try:
            return expand(text, environ)
        except UnsetVariable as exc:
            raise ValueError(f"{what} uses ${{{exc.name}}}, which is not set (write ${{{exc.name}:-default}} "
                             "for a default)") from None

    return Expanded(
        command=field_("command", cfg.command),
        args=[field_(f"args[{i}]", a) for i, a in enumerate(cfg.args)],
        env={k: field_(f"env.{k}", v) for k, v in cfg.env.items()},
        url=field_("url", cfg.url),
        headers={k: field_(f"headers.{k}", v) for k, v in cfg.headers.items()},
    )


def _shell_word(word: str) -> str:
    import shlex

    return shlex.quote(word) if word else "''"


# --- files ---------------------------------------------------------------------------------------

def project_file(workspace: Path) -> Path:
    return Path(workspace) / ".mcp.json"


def user_file() -> Path:
    return wb_config.config_home() / "mcp.json"


@dataclass
class MCPConfig:
    servers: list[MCPServerConfig] = field(default_factory=list)
    problems: list[MCPConfigProblem] = field(default_factory=list)

    def get(self, name: str) -> MCPServerConfig | None:
        return next((s for s in self.servers if s.name == name), None)


def _line_of(text: str, needle: str) -> int | None:
    """The first line holding `"needle"` (a server's key in a JSON file)."""
    quoted = json.dumps(needle)
    for no, line in enumerate(text.splitlines(), start=1):
        if quoted in line:
            return no
    return None


def _entry(name: str, raw: Any, source: Source, path: Path) -> MCPServerConfig:
    """One server entry; ValueError with what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("must be an object with a command or a url")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN))}")
    kind = raw.get("type")
    if kind is None:
        kind = "http" if "url" in raw and "command" not in raw else "stdio"
    if kind == "streamable-http":
        kind = "http"
    if kind not in ("stdio", "http", "sse"):
        raise ValueError(f"type must be \"stdio\", \"http\" or \"sse\", got {kind!r}")

    def strings(key: str, value: Any, kind_: type) -> Any:
        if kind_ is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{key} must be a list of strings")
            return tuple(value)
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ValueError(f"{key} must be an object of string values")
        return dict(value)

    def number(key: str, default: float) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{key} must be a positive number of seconds, got {value!r}")
        return float(value)

    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"enabled must be true or false, got {enabled!r}")
    common = dict(name=name, transport=kind, source=source, path=path, enabled=enabled,
                  timeout=number("timeout", DEFAULT_TIMEOUT_S),
                  startup_timeout=number("startup_timeout", DEFAULT_STARTUP_TIMEOUT_S),
                  read_only_tools=strings("read_only_tools", raw.get("read_only_tools", []), list))
    if kind == "stdio":
        command = raw.get("command")
        if not isinstance(command, str) or not command.strip():
            raise ValueError("a stdio server needs a \"command\" (a string)")
        cwd = raw.get("cwd")
        if cwd is not None and not isinstance(cwd, str):
            raise ValueError("cwd must be a string")
        return MCPServerConfig(command=command, args=strings("args", raw.get("args", []), list),
                               env=strings("env", raw.get("env", {}), dict), cwd=cwd, **common)  # type: ignore[arg-type]
    url = raw.get("url")
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"an {kind} server needs a \"url\" (a string)")
    return MCPServerConfig(url=url, headers=strings("headers", raw.get("headers", {}), dict), **common)  # type: ignore[arg-type]


def read_json_file(path: Path, source: Source) -> tuple[list[MCPServerConfig], list[MCPConfigProblem]]:
    """The servers of one .mcp.json-format file, and its problems (file and line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as exc:
        return [], [MCPConfigProblem(path, None, f"cannot read: {exc}")]
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [MCPConfigProblem(path, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno}); "
                                                      "none of its servers start")]
    if not isinstance(data, dict) or not isinstance(data.get("mcpServers", {}), dict):
        return [], [MCPConfigProblem(path, 1, "expected {\"mcpServers\": {\"NAME\": {...}}}")]
    servers, problems = [], []
    for name, raw in (data.get("mcpServers") or {}).items():
        try:
            servers.append(_entry(str(name), raw, source, path))
        except ValueError as exc:
            problems.append(MCPConfigProblem(path, _line_of(text, str(name)), f"server {name!r}: {exc}"))
    return servers, problems


def read_settings_servers(path: Path) -> tuple[list[MCPServerConfig], list[MCPConfigProblem]]:
    """`[mcp.servers.NAME]` tables of a config.toml."""
    data, toml_problems = wb_config.read_toml(path)
    problems = [MCPConfigProblem(p.path, p.line, p.message) for p in toml_problems]
    mcp = (data or {}).get("mcp")
    if mcp is None:
        return [], problems
    servers_raw = mcp.get("servers", {}) if isinstance(mcp, dict) else None
    if not isinstance(servers_raw, dict):
        return [], problems + [MCPConfigProblem(path, None, "mcp.servers must be a table of servers")]
    text = path.read_text(encoding="utf-8")
    servers = []
    for name, raw in servers_raw.items():
        try:
            servers.append(_entry(str(name), raw, "settings", path))
        except ValueError as exc:
            line = wb_config._line_of_key(text, ["mcp", "servers", str(name)])
            problems.append(MCPConfigProblem(path, line, f"[mcp.servers.{name}]: {exc}"))
    return servers, problems


def load_mcp_config(workspace: Path) -> MCPConfig:
    """Every configured server (the project's included: whether they may start is the pool's and
    trust's business), the user's definitions winning over the project's on the same name."""
    out = MCPConfig()
    by_name: dict[str, MCPServerConfig] = {}
    for servers, problems in (read_json_file(project_file(workspace), "project"),
                              read_json_file(user_file(), "user"),
                              read_settings_servers(wb_config.user_config_file())):
        out.problems.extend(problems)
        for server in servers:
            by_name[server.name] = server
    out.servers = list(by_name.values())
    return out
