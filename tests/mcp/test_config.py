"""MCP configuration: Claude Code's .mcp.json, the user's mcp.json and [mcp.servers.*], ${VAR}
expansion, and broken files reported with file and line while the rest still loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench import config as wb_config
from workbench.mcp.config import expand, expand_server, load_mcp_config, UnsetVariable
from workbench.mcp.names import tool_name, unique
from workbench.mcp.secrets import MASK, Redactor


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_all_three_sources_load_and_the_user_wins_on_a_shared_name(tmp_path):
    ws = tmp_path / "ws"
    write(ws / ".mcp.json", json.dumps({"mcpServers": {
        "github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                   "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}},
        "shared": {"command": "project-version"},
        "docs": {"type": "http", "url": "https://example.invalid/mcp", "headers": {"Authorization": "Bearer x"}},
    }}, indent=2))
    write(wb_config.config_home() / "mcp.json", json.dumps({"mcpServers": {"shared": {"command": "user-version"}}}))
    write(wb_config.user_config_file(), '[mcp.servers.db]\ncommand = "db-mcp"\nargs = ["--ro"]\n'
          'enabled = false\ntimeout = 5\nstartup_timeout = 2\nread_only_tools = ["query"]\n')
    cfg = load_mcp_config(ws)
    assert not cfg.problems
    by = {s.name: s for s in cfg.servers}
    assert by["github"].source == "project" and by["github"].args == ("-y", "@modelcontextprotocol/server-github")
    assert by["shared"].command == "user-version" and by["shared"].source == "user"
    assert by["docs"].transport == "http" and by["docs"].headers == {"Authorization": "Bearer x"}
    db = by["db"]
    assert (db.source, db.enabled, db.timeout, db.startup_timeout, db.read_only_tools) == \
        ("settings", False, 5.0, 2.0, ("query",))
    assert by["github"].timeout == 60.0 and by["github"].startup_timeout == 30.0


def test_broken_json_names_file_and_line_and_the_other_files_still_load(tmp_path):
    ws = tmp_path / "ws"
    write(ws / ".mcp.json", '{\n  "mcpServers": {\n    "a": {"command": "x",}\n  }\n}\n')
    write(wb_config.config_home() / "mcp.json", json.dumps({"mcpServers": {"fine": {"command": "ok"}}}))
    cfg = load_mcp_config(ws)
    assert [s.name for s in cfg.servers] == ["fine"]
    [problem] = cfg.problems
    assert problem.path == ws / ".mcp.json" and problem.line == 3
    assert str(problem).startswith(f"{ws / '.mcp.json'}:3: invalid JSON")


def test_one_bad_entry_skips_only_that_server_with_its_line(tmp_path):
    ws = tmp_path / "ws"
    write(ws / ".mcp.json", json.dumps({"mcpServers": {
        "good": {"command": "ok"},
        "noargs": {"command": "x", "args": "not-a-list"},
        "nourl": {"type": "http"},
        "weird": {"command": "x", "colour": "red"},
    }}, indent=2))
    write(wb_config.user_config_file(), '[mcp.servers.slow]\ncommand = "x"\ntimeout = -1\n')
    cfg = load_mcp_config(ws)
    assert [s.name for s in cfg.servers] == ["good"]
    messages = {p.message.split(":")[0]: p for p in cfg.problems}
    assert messages["server 'noargs'"].line == 6 and "args must be a list of strings" in str(messages["server 'noargs'"])
    assert "needs a \"url\"" in str(messages["server 'nourl'"])
    assert "unknown field(s) colour" in str(messages["server 'weird'"])
    assert messages["[mcp.servers.slow]"].line == 1 and "timeout must be a positive number" in str(messages["[mcp.servers.slow]"])


def test_a_broken_config_toml_is_reported_and_json_servers_still_load(tmp_path):
    ws = tmp_path / "ws"
    write(ws / ".mcp.json", json.dumps({"mcpServers": {"p": {"command": "x"}}}))
    write(wb_config.user_config_file(), '[mcp.servers.x]\ncommand = "unterminated\n')
    cfg = load_mcp_config(ws)
    assert [s.name for s in cfg.servers] == ["p"]
    assert cfg.problems and cfg.problems[0].line == 2


def test_variables_expand_with_defaults_and_an_unset_one_is_named():
    env = {"HOME": "/home/me", "EMPTY": ""}
    assert expand("${HOME}/x", env) == "/home/me/x"
    assert expand("${NOPE:-fallback}", env) == "fallback"
    assert expand("${EMPTY:-used}", env) == "used"
    assert expand("plain $HOME", env) == "plain $HOME"
    with pytest.raises(UnsetVariable):
        expand("${NOPE}", env)


def test_expand_server_expands_every_field_and_names_the_field_of_an_unset_variable(tmp_path, monkeypatch):
    from tests.mcp.conftest import http_server, stdio_server

    monkeypatch.setenv("TOKEN", "s3cret-value")
    cfg = stdio_server("s", "--key=${TOKEN}", env={"API": "${TOKEN}", "MODE": "${MODE:-fast}"})
    got = expand_server(cfg)
    assert got.args[-1] == "--key=s3cret-value" and got.env == {"API": "s3cret-value", "MODE": "fast"}
    remote = http_server("r", "https://${HOST:-localhost}/mcp", headers={"Authorization": "Bearer ${TOKEN}"})
    got = expand_server(remote)
    assert got.url == "https://localhost/mcp" and got.headers["Authorization"] == "Bearer s3cret-value"
    with pytest.raises(ValueError, match=r"env.X uses \$\{MISSING\}"):
        expand_server(stdio_server("s", env={"X": "${MISSING}"}))


def test_summary_shows_the_exact_command_and_masks_env_and_header_values(monkeypatch):
    from tests.mcp.conftest import http_server, stdio_server

    monkeypatch.setenv("TOKEN", "s3cret-value")
    cfg = stdio_server("s", "--flag", "two words", env={"API_KEY": "${TOKEN}"})
    line = cfg.summary()
    assert line.startswith(f"API_KEY={MASK} ") and line.endswith("--flag 'two words'")
    assert "s3cret" not in line and "${TOKEN}" not in line
    remote = http_server("r", "https://h/mcp", headers={"Authorization": "Bearer ${TOKEN}"})
    assert remote.summary() == f"http https://h/mcp (headers: Authorization: {MASK})"
    assert "s3cret-value" in remote.secret_values()


def test_redactor_hides_every_secret_longest_first():
    r = Redactor(["abc123", "abc123-long", "no"])
    assert r("key=abc123-long and abc123, no") == f"key={MASK} and {MASK}, no"


def test_tool_names_are_sanitised_bounded_and_unique():
    assert tool_name("github", "create_issue") == "mcp__github__create_issue"
    assert tool_name("my server!", "do.it") == "mcp__my_server___do_it"
    long = tool_name("s" * 40, "t" * 40)
    assert len(long) == 64 and long != tool_name("s" * 40, "t" * 41)
    taken = {"mcp__a__b"}
    assert unique("mcp__a__b", taken) == "mcp__a__b_2"


def test_saved_grants_with_globs_on_mcp_names_load_back_and_apply(tmp_path):
    from workbench.tools.base import Effect, ToolContext
    from workbench.tools.grants import GrantStore
    from workbench.tools.permissions import PermissionPolicy

    store = GrantStore(tmp_path)
    assert store.add("mcp__github__*", "user", "allow")
    assert store.add("mcp__*__delete*", "user", "deny")
    policy = PermissionPolicy.load(tmp_path)
    from workbench.tools.base import Tool

    class FakeMCP(Tool):  # what MCPTool declares, without a server behind it
        effect = Effect.EXEC
        always_ask = True

        def __init__(self, name: str) -> None:
            self.name = name

        async def run(self, args, ctx):
            raise AssertionError("never run")

        def paths(self, args):
            return []

    tool = FakeMCP
    ctx = ToolContext(workspace=tmp_path)
    assert policy.decide(tool("mcp__github__create_issue"), {}, ctx).action == "allow"
    assert policy.decide(tool("mcp__github__delete_repo"), {}, ctx).action == "deny"
    asked = policy.decide(tool("mcp__db__query"), {}, ctx)
    assert asked.action == "ask" and "MCP tools ask before they run" in asked.reason
