"""Headless Ctrl-C keeps the partial answer, as Esc does in the TUI; headless error messages
quote files without their escape sequences (issue 13 item 26)."""

from __future__ import annotations

import io
import json
import os
import signal
from pathlib import Path

from tests.runtime.scripted import ScriptedProvider, Turn
from workbench.cli import build_parser
from workbench.headless import run_headless


class _PressesCtrlC(ScriptedProvider):
    """Streams "Half an ans", then the user presses Ctrl-C while the rest is awaited."""

    def __init__(self, gate) -> None:
        super().__init__([Turn().text("Half an ans").gate(gate)])

    async def _play(self, turn, request):
        async for event in super()._play(turn, request):
            yield event
            if getattr(event, "text", None) == "Half an ans":
                os.kill(os.getpid(), signal.SIGINT)


def _run(tmp_path, monkeypatch, *argv):
    import asyncio

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    ws = tmp_path / "ws"
    ws.mkdir(exist_ok=True)
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["--cwd", str(ws), *argv, "-p", "answer slowly"])
    code = run_headless(args, stdout=out, stderr=err, provider=_PressesCtrlC(asyncio.Event()))
    return code, out.getvalue(), err.getvalue()


def _stored_assistant(tmp_path: Path) -> dict:
    session = next((tmp_path / "home" / "sessions").rglob("*.jsonl"))
    entries = [json.loads(line) for line in session.read_text().splitlines()[1:]]
    return [e["message"] for e in entries if e["type"] == "message" and e["message"]["role"] == "assistant"][-1]


def test_ctrl_c_keeps_the_partial_answer_in_text_mode(tmp_path, monkeypatch):
    code, out, err = _run(tmp_path, monkeypatch)
    assert code == 130
    assert out == "Half an ans\n"
    assert "interrupted" in err and "Traceback" not in err
    stored = _stored_assistant(tmp_path)
    assert stored["stopReason"] == "aborted" and stored["content"] == [{"type": "text", "text": "Half an ans"}]


def test_ctrl_c_in_jsonl_mode_ends_the_run_with_its_events(tmp_path, monkeypatch):
    code, out, _ = _run(tmp_path, monkeypatch, "--output-format", "jsonl")
    assert code == 130
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["type"] == "run_completed" and events[-1]["stop"] == "interrupted"
    assert _stored_assistant(tmp_path)["content"] == [{"type": "text", "text": "Half an ans"}]


def test_a_replay_script_error_quoting_escapes_shows_them_visibly(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    script = tmp_path / "bad.json"
    script.write_text('{"turns": [{"\\u001b[31mX": 1}]}')
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["--cwd", str(tmp_path), "--provider", "replay", "--replay-script", str(script),
                                      "-p", "hi"])
    code = run_headless(args, stdout=out, stderr=err)
    assert code != 0 and "bad.json" in err.getvalue()
    assert "\x1b" not in err.getvalue() and "[31mX" in err.getvalue()
