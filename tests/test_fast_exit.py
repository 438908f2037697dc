"""The `workbench` command's headless end (workbench/fast_exit.py): it leaves at once, and still
everything promised is there — the output, the exit code, every session entry on disk."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.anthropic_server import FakeHTTPServer, anthropic_error, anthropic_stream, text

ENTRY = "import sys; from workbench.cli import entry; sys.argv[0] = 'workbench'; entry()"


def _run(tmp_path: Path, srv: FakeHTTPServer, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, WORKBENCH_HOME=str(tmp_path / "home"), ANTHROPIC_API_KEY="k",
               ANTHROPIC_BASE_URL=srv.url)
    (tmp_path / "ws").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-c", ENTRY, "-p", "hi", "--provider", "anthropic", "--model",
                           "claude-sonnet-4-5", *extra], env=env, cwd=tmp_path / "ws", capture_output=True,
                          text=True, timeout=60)


def test_headless_exit_keeps_output_and_session(tmp_path):
    with FakeHTTPServer([anthropic_stream([text("Hello there")])]) as srv:
        p = _run(tmp_path, srv, "--output-format", "jsonl")
    assert p.returncode == 0, p.stderr
    events = [json.loads(line) for line in p.stdout.splitlines()]
    assert events[-1]["type"] == "run_completed"
    files = list((tmp_path / "home").rglob("*.jsonl"))
    assert len(files) == 1
    entries = [json.loads(line) for line in files[0].read_text().splitlines()]
    texts = [c.get("text") for e in entries if e.get("type") == "message"
             for c in (e["message"].get("content") or []) if isinstance(c, dict)]
    assert "Hello there" in texts  # the assistant's answer reached the file before the process left


def test_headless_exit_code_and_text_output(tmp_path):
    with FakeHTTPServer([anthropic_stream([text("Done.")])]) as srv:
        p = _run(tmp_path, srv)
    assert p.returncode == 0 and p.stdout == "Done.\n", p.stderr
    with FakeHTTPServer([anthropic_error(400, "invalid_request_error", "bad request")]) as srv:
        failed = _run(tmp_path, srv)
    assert failed.returncode != 0 and "bad request" in failed.stderr


def test_a_live_non_daemon_thread_gets_the_normal_exit(tmp_path):
    code = ("import threading, time\n"
            "from workbench.fast_exit import exit_now\n"
            "t = threading.Thread(target=lambda: (time.sleep(0.3), print('thread done', flush=True)))\n"
            "t.start()\n"
            "exit_now(3)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert p.returncode == 3 and "thread done" in p.stdout


def test_atexit_handlers_and_buffered_output_still_happen(tmp_path):
    code = ("import atexit, sys\n"
            "from workbench.fast_exit import exit_now\n"
            f"atexit.register(lambda: open({str(tmp_path / 'mark')!r}, 'w').write('ran'))\n"
            "sys.stdout.write('buffered, no newline')\n"
            "exit_now(0)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and p.stdout == "buffered, no newline"
    assert (tmp_path / "mark").read_text() == "ran"
