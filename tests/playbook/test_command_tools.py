"""Configured command tools run for real: stdin JSON, results, timeouts, retries, allow_failure,
schema errors, the environment and the sandbox."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from workbench.hooks.sandbox import Sandbox, SandboxPolicy
from workbench.playbook.command_tools import CommandTool, CommandToolSpec, RetryConfig
from workbench.tools.base import ToolContext
from workbench.tools.registry import ToolRegistry

CITY = {"type": "object", "properties": {"city": {"type": "string", "minLength": 2},
                                          "days": {"type": "integer", "maximum": 7}},
        "required": ["city"], "additionalProperties": False}


def tool(command, **kw) -> CommandTool:
    kw.setdefault("parameters", CITY)
    return CommandTool(CommandToolSpec(name=kw.pop("name", "weather"), description="d", command=command, **kw))


def ctx(ws: Path, **kw) -> ToolContext:
    return ToolContext(workspace=ws, **kw)


async def test_arguments_arrive_as_json_on_stdin_and_json_stdout_is_the_result(tmp_path):
    t = tool("""python3 -c 'import json,sys; a=json.load(sys.stdin); print(json.dumps({"forecast": a["city"] + " sun"}))'""")
    result = await t.run({"city": "Paris"}, ctx(tmp_path))
    assert not result.is_error
    assert json.loads(result.content) == {"forecast": "Paris sun"}
    assert result.details["json"] is True and result.details["exitCode"] == 0 and result.details["attempts"] == 1


async def test_text_stdout_and_argv_commands_run_in_the_workspace(tmp_path):
    (tmp_path / "marker").write_text("here\n")
    result = await tool(["cat", "marker"]).run({"city": "Oslo"}, ctx(tmp_path))
    assert result.content == "here" and "json" not in result.details
    empty = await tool("true").run({"city": "Oslo"}, ctx(tmp_path))
    assert empty.content == "(no output)" and not empty.is_error


async def test_schema_errors_name_the_field_before_anything_runs(tmp_path):
    t = tool("touch ran")
    registry = ToolRegistry([t])
    errors = registry.validate("weather", {"city": "P", "days": 9, "wind": True})
    text = "; ".join(errors)
    assert "argument 'city'" in text and "too short" in text
    assert "argument 'days'" in text and "maximum" in text
    assert "unknown argument 'wind'" in text
    assert registry.validate("weather", {}) == ["weather: missing required argument 'city'"]
    result = await registry.execute("weather", {"days": 2}, ctx(tmp_path))
    assert result.is_error and "missing required argument 'city'" in result.content
    direct = await t.run({"city": 3}, ctx(tmp_path))
    assert direct.is_error and "argument 'city'" in direct.content
    assert not (tmp_path / "ran").exists()


async def test_nested_fields_are_named_by_their_path(tmp_path):
    schema = {"type": "object", "properties": {"items": {"type": "array", "items": {
        "type": "object", "properties": {"qty": {"type": "integer"}}, "required": ["qty"]}}}}
    t = tool("cat", parameters=schema)
    errors = t.validate_arguments({"items": [{"qty": 1}, {"qty": "x"}, {}]})
    assert "argument 'items[1].qty': 'x' is not of type 'integer'" in errors
    assert "missing required argument 'items[2].qty'" in errors


async def test_timeout_kills_the_whole_process_group(tmp_path):
    t = tool("sleep 30 & echo $! > child.pid; wait", timeout_secs=0.3)
    started = time.monotonic()
    result = await t.run({"city": "Rome"}, ctx(tmp_path))
    assert time.monotonic() - started < 5
    assert result.is_error and "timed out after 0.3 s" in result.content
    assert result.details["timedOut"] is True and result.details["timeoutMs"] == 300
    child = int((tmp_path / "child.pid").read_text())
    assert not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split(")")[1][:3]


async def test_retry_waits_the_backoff_delays_and_reports_each_retry(tmp_path):
    # fails twice (recording when each attempt started), then succeeds
    script = ('n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; '
              'python3 -c "import time; print(time.monotonic())" >> starts; '
              '[ $n -ge 3 ] && echo done || { echo "attempt $n broke" >&2; exit 1; }')
    t = tool(script, retry=RetryConfig(max_attempts=3, delay_ms=150, backoff_multiplier=2.0))
    seen = []
    result = await t.run({"city": "Lima"}, ctx(tmp_path, retrying=lambda *a: seen.append(a)))
    assert not result.is_error and result.content == "done" and result.details["attempts"] == 3
    assert [(a, m, d) for a, m, d, _ in seen] == [(2, 3, 150), (3, 3, 300)]
    assert seen[0][3] == "exited with code 1"
    starts = [float(x) for x in (tmp_path / "starts").read_text().split()]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert gaps[0] >= 0.15 and gaps[1] >= 0.30, gaps


async def test_retries_run_out_then_the_failure_is_an_error(tmp_path):
    t = tool("echo partial; echo broken >&2; exit 3", retry=RetryConfig(max_attempts=2, delay_ms=1))
    result = await t.run({"city": "Kyiv"}, ctx(tmp_path))
    assert result.is_error
    assert result.content.startswith("weather: The command exited with code 3 (after 2 attempts).")
    assert "stdout:\npartial" in result.content and "stderr:\nbroken" in result.content
    assert result.details["exitCode"] == 3 and result.details["failed"] is True


async def test_allow_failure_returns_the_failure_as_a_normal_result(tmp_path):
    t = tool("echo no such city >&2; exit 4", allow_failure=True)
    result = await t.run({"city": "Atlantis"}, ctx(tmp_path))
    assert not result.is_error
    assert result.content.startswith("The command exited with code 4.") and "no such city" in result.content
    assert result.details["allowedFailure"] is True
    slow = await tool("sleep 5", allow_failure=True, timeout_secs=0.2).run({"city": "Rome"}, ctx(tmp_path))
    assert not slow.is_error and "timed out" in slow.content and "timedOut" not in slow.details


async def test_provider_keys_stay_out_of_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-secret-value")
    monkeypatch.setenv("SOME_HARMLESS", "visible")
    result = await tool("env").run({"city": "Oslo"}, ctx(tmp_path))
    assert "sk-secret-value" not in result.content and "SOME_HARMLESS=visible" in result.content
    assert "WORKBENCH_TOOL=weather" in result.content


async def test_a_missing_program_is_a_clear_error(tmp_path):
    result = await tool(["/nonexistent/prog"]).run({"city": "Oslo"}, ctx(tmp_path))
    assert result.is_error and "could not start '/nonexistent/prog'" in result.content


def test_preview_shows_the_command_and_the_json_it_reads(tmp_path):
    preview = tool("./forecast.sh --json").preview({"city": "Oslo"}, ctx(tmp_path))
    assert preview.kind == "command" and preview.text.startswith("./forecast.sh --json\n# stdin:\n")
    assert '"city": "Oslo"' in preview.text
    assert tool("x").rule_subject({"city": "Oslo", "days": 2}) == '{"city":"Oslo","days":2}'


needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None or Sandbox(SandboxPolicy(mode="workspace"), Path("/")).problem() is not None,
    reason="bwrap cannot run here (.ci/run installs it)")


@needs_bwrap
async def test_a_configured_sandbox_confines_the_command(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    sb = Sandbox(SandboxPolicy(mode="workspace"), ws)
    t = tool(f"cat > inside.json; echo x > {tmp_path}/outside.txt; echo end")
    c = ctx(ws, extra={"sandbox": sb})
    assert t.sandbox_label(c) == "sandboxed"
    result = await t.run({"city": "Oslo"}, c)
    assert json.loads((ws / "inside.json").read_text()) == {"city": "Oslo"}
    assert not (tmp_path / "outside.txt").exists()
    assert result.details["sandbox"] == "sandboxed"
