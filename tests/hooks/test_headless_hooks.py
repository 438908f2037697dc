"""Hooks and the sandbox through the real CLI (`workbench -p`, a subprocess each)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.providers.replay import ScriptBuilder
from tests.runtime.test_headless import cli, env, write_script  # noqa: F401  (env is a fixture)

GUARD = '''
[[hooks]]
id = "no-rm"
point = "pre_tool_execution"
match = "bash"
capability = "guardrail"
command = """grep -q 'rm -rf' && { echo 'recursive deletes are off limits' >&2; exit 2; }; exit 0"""
'''


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


def user_config(env: dict, text: str) -> None:
    home = Path(env["WORKBENCH_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text)


def rm_script(tmp_path: Path) -> Path:
    return write_script(tmp_path / "s.json", ScriptBuilder().turn().tool_call("bash", {"command": "rm -rf build"})
                        .turn().text("could not delete"))


def test_a_guard_hook_denies_and_jsonl_shows_the_hook_events(tmp_path, env, ws):
    user_config(env, GUARD)
    p = cli(["-p", "clean", "--approve", "yolo", "--output-format", "jsonl", "--provider", "replay",
             "--replay-script", str(rm_script(tmp_path))], env, ws)
    events = [json.loads(line) for line in p.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert "hook_started" in types and types[-1] == "run_completed"
    denied = next(e for e in events if e["type"] == "hook_denied")
    assert denied["hook_id"] == "no-rm" and denied["point"] == "pre_tool_execution"
    assert denied["message"] == "recursive deletes are off limits" and denied["reason_code"] == "exit_code_2"
    assert p.returncode == 22  # the run ended right after a denial


def test_no_hooks_and_disable_hook(tmp_path, env, ws):
    user_config(env, GUARD)
    for flags in (["--no-hooks"], ["--disable-hook", "no-rm"]):
        p = cli(["-p", "clean", "--approve", "yolo", "--output-format", "jsonl", "--provider", "replay",
                 "--replay-script", str(rm_script(tmp_path)), *flags], env, ws)
        types = [json.loads(line)["type"] for line in p.stdout.splitlines()]
        assert "hook_started" not in types and p.returncode == 0, p.stderr


def test_run_started_denial_exits_22_with_the_reason(tmp_path, env, ws):
    user_config(env, r"""
[[hooks]]
id = "office-hours"
point = "run_started"
capability = "guardrail"
command = '''printf 'not before 9am \033[31mRED' >&2; exit 2'''
""")
    script = write_script(tmp_path / "s.json", ScriptBuilder().turn().text("never"))
    p = cli(["-p", "hi", "--provider", "replay", "--replay-script", str(script)], env, ws)
    assert p.returncode == 22
    assert "denied by hook office-hours at run_started: not before 9am" in p.stderr
    assert "\x1b" not in p.stderr  # the hook's escape sequence is not replayed to the terminal


def test_project_hooks_wait_for_trust(tmp_path, env, ws):
    (ws / ".workbench").mkdir()
    (ws / ".workbench" / "config.toml").write_text(
        '[[hooks]]\nid = "proj"\npoint = "run_started"\ncommand = "touch project-hook-ran"\n')
    script = write_script(tmp_path / "s.json", ScriptBuilder().turn().text("ok"))
    p = cli(["-p", "hi", "--provider", "replay", "--replay-script", str(script)], env, ws)
    assert p.returncode == 0, p.stderr
    assert not (ws / "project-hook-ran").exists()
    assert "the project's hooks (proj) do not run: the project is not trusted" in p.stderr


def test_a_broken_hook_table_is_a_config_error(tmp_path, env, ws):
    user_config(env, '[[hooks]]\nid = "x"\npoint = "before_everything"\ncommand = "true"\n')
    script = write_script(tmp_path / "s.json", ScriptBuilder().turn().text("ok"))
    p = cli(["-p", "hi", "--provider", "replay", "--replay-script", str(script)], env, ws)
    assert p.returncode == 2 and "config.toml" in p.stderr and "hooks.0.point" in p.stderr


def test_sandbox_flag_runs_bash_sandboxed_in_edits_mode(tmp_path, env, ws):
    from tests.hooks.test_sandbox import needs_bwrap

    if needs_bwrap.args[0]:
        pytest.skip(needs_bwrap.kwargs["reason"])
    script = write_script(tmp_path / "s.json", ScriptBuilder().turn().tool_call(
        "bash", {"command": "touch made-here; touch /usr/wb-headless-probe; echo $MY_SERVICE_API_KEY."})
        .turn().text("done"))
    env = {**env, "MY_SERVICE_API_KEY": "sk-should-not-leak"}
    p = cli(["-p", "go", "--sandbox", "--approve", "edits", "--output-format", "jsonl", "--provider", "replay",
             "--replay-script", str(script)], env, ws)
    assert p.returncode == 0, p.stderr
    events = [json.loads(line) for line in p.stdout.splitlines()]
    started = next(e for e in events if e["type"] == "tool_execution_started")
    assert started["sandbox"] == "sandboxed"
    done = next(e for e in events if e["type"] == "tool_execution_completed")
    assert "Read-only file system" in done["result"] and "sk-should-not-leak" not in done["result"]
    assert (ws / "made-here").exists() and not Path("/usr/wb-headless-probe").exists()
