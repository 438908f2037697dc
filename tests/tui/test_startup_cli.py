"""`workbench` from the command line with the deferred set-up: what must still happen before the
TUI starts, and a prompt typed the moment the screen appears reaches the model."""

import json
import os
import select
import sys
import time
from pathlib import Path

import pytest

from tests.test_terminal_e2e import _quit, _read_until, _spawn
from workbench.cli import build_parser
from workbench.providers.replay import ScriptBuilder
from workbench.tui import startup


def test_an_unknown_resume_prefix_exits_10_before_the_tui(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)

    def no_app(*a, **kw):
        raise AssertionError("the TUI was started")

    monkeypatch.setattr(startup, "make_app", no_app)
    assert startup.run(build_parser().parse_args(["-r", "ffffffff"])) == 10
    assert "ffffffff" in capsys.readouterr().err


def _session_lines(home: Path) -> list[dict]:
    files = list((home / "sessions").rglob("*.jsonl"))
    assert len(files) == 1, files
    return [json.loads(line) for line in files[0].read_text().splitlines() if line.strip()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux pty")
def test_a_prompt_typed_as_soon_as_the_screen_shows_reaches_the_model(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(ScriptBuilder().turn().text("Answer to the early prompt.").build().to_json())
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
    env.update(WORKBENCH_HOME=str(home), TERM="xterm-256color", COLUMNS="160", LINES="48")
    proc, master = _spawn(["--provider", "replay", "--replay-script", str(script)], work, env)
    try:
        _read_until(master, proc, b"Prompt", timeout=60)  # the first frame: type at once
        os.write(master, b"early bird\r")
        _read_until(master, proc, b"early prompt", timeout=60)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the answer is on disk once the run completes
            if select.select([master], [], [], 0.1)[0]:
                os.read(master, 65536)
            lines = list((home / "sessions").rglob("*.jsonl"))
            if lines and "early prompt" in lines[0].read_text():
                break
        assert _quit(proc, master) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    messages = [e["message"] for e in _session_lines(home) if e.get("type") == "message"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"][0]["text"] == "early bird"


def test_a_tui_that_crashes_exits_non_zero(tmp_path, monkeypatch):
    # issue 13 item 25: Textual prints the traceback and returns no result; the exit code says it failed
    from textual.app import App

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)

    class Headless(App):
        mob = None
        backend = None

        def run(self, **kw):
            return super().run(headless=True)

        def unused_start_parts(self):
            return {}

    class Crashing(Headless):
        def on_mount(self) -> None:
            raise RuntimeError("boom")

    class Quitting(Headless):
        def on_mount(self) -> None:
            self.exit()

    monkeypatch.setattr(startup, "make_app", lambda args, cwd: Crashing())
    assert startup.run(build_parser().parse_args([])) == 1
    monkeypatch.setattr(startup, "make_app", lambda args, cwd: Quitting())
    assert startup.run(build_parser().parse_args([])) == 0
