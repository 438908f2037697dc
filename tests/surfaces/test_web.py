"""`workbench web`: textual-serve on 127.0.0.1, answering HTTP."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_web_serves_the_page_on_loopback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "web", "--port", "0", "--cwd", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None else "")
        url = match.group(0)
        deadline = time.monotonic() + 20
        while True:
            try:
                reply = httpx.get(url + "/", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server never answered"
                time.sleep(0.1)
        assert reply.status_code == 200
        assert "<html" in reply.text.lower() and "textual" in reply.text.lower()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_web_refuses_a_bad_port(tmp_path):
    p = subprocess.run([sys.executable, "-m", "workbench.cli", "web", "--port", "70000"], capture_output=True,
                       text=True, timeout=60, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 2 and "--port" in p.stderr and "Traceback" not in p.stderr
