"""Headless mode through the real CLI entry point (subprocess) and in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.providers.replay import ScriptBuilder

ROOT = Path(__file__).resolve().parents[2]


def write_script(path: Path, builder: ScriptBuilder) -> Path:
    path.write_text(builder.build().to_json())
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
    e["WORKBENCH_HOME"] = str(tmp_path / "home")
    e["PYTHONPATH"] = str(ROOT)
    return e


def cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_text_output_and_the_run_is_a_resumable_session(tmp_path, env, workspace):
    script = write_script(tmp_path / "s.json", ScriptBuilder().turn().tool_call("read", {"path": "hello.txt"})
                          .turn().text("The file says hello.\x1b[31m").usage(input=50, output=5))
    p = cli(["-p", "read hello.txt", "--provider", "replay", "--replay-script", str(script)], env, workspace)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "The file says hello.\u241b[31m\n"  # the escape is shown visibly, never sent raw
    files = list((tmp_path / "home" / "sessions").rglob("*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(x) for x in files[0].read_text().splitlines()]
    assert lines[0]["type"] == "session" and lines[0]["cwd"] == str(workspace)
    roles = [x["message"]["role"] for x in lines if x["type"] == "message"]
    assert roles == ["user", "assistant", "toolResult", "assistant"]

    # -c continues it
    script2 = write_script(tmp_path / "s2.json", ScriptBuilder().turn().text("again"))
    p = cli(["-p", "more", "-c", "--provider", "replay", "--replay-script", str(script2)], env, workspace)
    assert p.returncode == 0 and p.stdout == "again\n"
    assert len(list((tmp_path / "home" / "sessions").rglob("*.jsonl"))) == 1


def test_jsonl_prints_every_event_and_ends_with_run_completed(tmp_path, env, workspace):
    script = write_script(tmp_path / "s.json", ScriptBuilder().turn().text("hi ").text("there"))
    p = cli(["-p", "hello", "--output-format", "jsonl", "--provider", "replay", "--replay-script", str(script)],
            env, workspace)
    assert p.returncode == 0, p.stderr
    events = [json.loads(line) for line in p.stdout.splitlines()]
    assert [e["type"] for e in events] == ["run_started", "skills_resolved", "user_message", "turn_started", "text_delta",
                                           "text_delta", "text_complete", "turn_completed", "run_completed"]
    assert events[-1]["text"] == "hi there" and events[-1]["usage"]["output_tokens"] > 0
    assert all(e["session_id"] == events[0]["session_id"] for e in events)


@pytest.mark.parametrize("case, code", [
    ("bad_flag", 2), ("bad_config", 2), ("missing_session", 10), ("auth", 20), ("budget", 21), ("denied", 22),
])
def test_exit_codes(tmp_path, env, workspace, case, code):
    args = ["-p", "go", "--provider", "replay"]
    b = ScriptBuilder().turn().text("ok")
    if case == "bad_flag":
        args += ["--max-turns", "0"]
    elif case == "bad_config":
        (workspace / ".workbench").mkdir()
        (workspace / ".workbench" / "config.toml").write_text("[budget]\nmax_turns = 'many'\n")
    elif case == "missing_session":
        args += ["--session", "deadbeef"]
    elif case == "auth":
        b = ScriptBuilder().turn().error("auth", "Authentication failed (401): check ANTHROPIC_API_KEY", status=401)
    elif case == "budget":
        b = ScriptBuilder()
        for _ in range(5):
            b.turn().tool_call("ls", {})
        args += ["--max-turns", "2"]
    elif case == "denied":
        b = ScriptBuilder().turn().tool_call("bash", {"command": "rm -rf build"}).turn().text("I could not.")
        args += ["--approve", "ask"]
    args += ["--replay-script", str(write_script(tmp_path / "s.json", b))]
    p = cli(args, env, workspace)
    assert p.returncode == code, (p.stdout, p.stderr)
    if case == "bad_config":
        assert "config.toml:2" in p.stderr and "budget.max_turns" in p.stderr
    if case == "bad_flag":
        assert "--max-turns" in p.stderr
    if case == "missing_session":
        assert "deadbeef" in p.stderr
    if case == "auth":
        assert "ANTHROPIC_API_KEY" in p.stderr
    if case == "denied":
        assert "--allow 'bash(rm*)'" in p.stderr or "--allow 'bash(rm -rf" in p.stderr
        assert p.stdout == "I could not.\n"


def test_no_provider_runs_the_demo_and_says_so(tmp_path, env, workspace):
    env = dict(env, WORKBENCH_DEMO_FAST="1")
    p = cli(["-p", "hi", "--approve", "yolo", "--max-duration", "30"], env, workspace)
    assert "offline demo" in p.stderr
    assert p.returncode == 0, p.stderr
