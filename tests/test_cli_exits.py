"""Issue 13 items 7-10 and 14: runs that never end or end wrong, and the resume hint on exit."""

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.test_terminal_e2e import _env, _read_until, _spawn

ROOT = Path(__file__).resolve().parents[1]
TEAM = """[mob]
id = "release"
orchestrator = "lead"

[profiles.lead]
model = "claude-sonnet-4-5"
tools = ["read", "ls"]

[profiles.worker]
model = "claude-haiku-4-5"
tools = ["read"]
"""


def cli(args, tmp_path, **extra_env):
    env = {**_env(tmp_path / "home"), "PYTHONPATH": str(ROOT), **extra_env}
    return subprocess.run([sys.executable, "-m", "workbench.cli", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_no_terminal_is_a_clear_error_suggesting_p(tmp_path):
    started = time.monotonic()
    p = cli([], tmp_path)
    assert p.returncode == 2
    assert "no terminal" in p.stderr and "workbench -p" in p.stderr
    assert "Traceback" not in p.stderr and time.monotonic() - started < 30  # never spins


def test_output_format_without_p_is_invalid(tmp_path):
    p = cli(["--output-format", "jsonl"], tmp_path)
    assert p.returncode == 2 and "-p" in p.stderr


def test_anthropic_without_a_key_says_what_is_missing_and_exits_20(tmp_path):
    p = cli(["-p", "x", "--provider", "anthropic"], tmp_path)
    assert p.returncode == 20, p.stderr
    assert "ANTHROPIC_API_KEY" in p.stderr
    assert "TypeError" not in p.stderr and "Traceback" not in p.stderr


def test_a_mob_without_a_provider_fails_before_it_starts(tmp_path):
    (tmp_path / "team.toml").write_text(TEAM)
    p = cli(["mob", "run", "team.toml", "-p", "prepare the release"], tmp_path)
    assert p.returncode == 20, p.stderr
    assert "release" in p.stderr and "ANTHROPIC_API_KEY" in p.stderr and "--provider" in p.stderr
    assert not (tmp_path / "home" / "mobs").exists() or not any((tmp_path / "home" / "mobs").iterdir())


def test_a_mob_profile_whose_provider_has_no_key_is_named(tmp_path):
    (tmp_path / "team.toml").write_text(TEAM.replace('model = "claude-haiku-4-5"',
                                                     'model = "claude-haiku-4-5"\nprovider = "anthropic"'))
    # openai is configured (a local server), but the worker profile asks for anthropic, with no key
    p = cli(["mob", "run", "team.toml", "-p", "x"], tmp_path, OPENAI_BASE_URL="http://127.0.0.1:9/v1")
    assert p.returncode == 20, p.stderr
    assert "profile 'worker'" in p.stderr and "ANTHROPIC_API_KEY" in p.stderr


def _tui(args, cwd, home, keys=b"", needle=b"", timeout=60):
    """The real TUI in a pseudo-terminal; returns (exit code, everything it printed)."""
    proc, master = _spawn(args, cwd, _env(home))
    seen = b""
    try:
        if needle:
            seen += _read_until(master, proc, needle, timeout=timeout)
        if keys:
            os.write(master, keys)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        return proc.wait(timeout=5), seen
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)


def test_mob_resume_of_an_unknown_mob_exits_10_without_opening_the_tui(tmp_path):
    code, out = _tui(["mob", "resume", "nosuchmob"], tmp_path, tmp_path / "home")
    assert code == 10 and b"nosuchmob" in out and b"NO AGENT" not in out


def test_mob_resume_of_an_ambiguous_prefix_exits_2_listing_the_candidates(tmp_path):
    for name in ("release-1", "release-2"):
        log = tmp_path / "home" / "mobs" / name / "mob.jsonl"
        log.parent.mkdir(parents=True)
        log.write_text('{"type": "mob_created", "mob_id": "%s", "definition_id": "release", "created": 1, '
                       '"cwd": "/tmp", "definition": {}}\n' % name)
    code, out = _tui(["mob", "resume", "rel"], tmp_path, tmp_path / "home")
    assert code == 2 and b"ambiguous" in out and b"release-1" in out and b"release-2" in out


def test_on_exit_the_tui_says_how_to_resume(tmp_path):
    from workbench.providers.replay import ScriptBuilder

    script = tmp_path / "s.json"
    script.write_text(ScriptBuilder().turn().text("Hello there.").build().to_json())
    home = tmp_path / "home"
    proc, master = _spawn(["--provider", "replay", "--replay-script", str(script)], tmp_path, _env(home))
    try:
        _read_until(master, proc, b"Enter send", timeout=60)
        time.sleep(1.0)
        os.write(master, b"hi\r")
        _read_until(master, proc, b"Hello there", timeout=30)
        os.write(master, b"\x11")
        out = _read_until(master, proc, b"Resume with: workbench -r ", timeout=30)
        out += _read_until(master, proc, b"\n", timeout=5) if b"\n" not in out.split(b"Resume with")[-1] else b""
    finally:
        if proc.poll() is None:
            proc.wait(timeout=10)
        os.close(master)
    sid = next((home / "sessions").rglob("*.jsonl")).stem.split("_", 1)[1]
    prefix = out.split(b"Resume with: workbench -r ")[-1].split(b"\r")[0].split(b"\n")[0].decode()
    assert len(prefix) >= 8 and sid.startswith(prefix)


def test_a_broken_config_stops_p_and_mob_run_alike_and_its_text_is_shown_not_interpreted(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('[budget]\n"max_\\u001b[31mturns" = 3\n')  # a key holding ESC
    (tmp_path / "team.toml").write_text(TEAM)
    for args in (["-p", "hello"], ["mob", "run", "team.toml", "-p", "hello"]):
        p = cli(args, tmp_path)
        assert p.returncode == 2, (args, p.stderr)
        assert "workbench: config error:" in p.stderr and "turns: Extra inputs are not permitted" in p.stderr
        assert "\x1b" not in p.stderr and "␛[31m" in p.stderr, (args, p.stderr)  # the escape made visible
