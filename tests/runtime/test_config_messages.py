"""Config files that used to give a traceback or a message without a place (issue 13 items 25, 26)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from workbench.config import load_settings, user_config_file


def _write(tmp_path, monkeypatch, data: bytes) -> Path:
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    path = user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_deeply_nested_config_is_one_problem_with_its_line(tmp_path, monkeypatch):
    path = _write(tmp_path, monkeypatch, b'[approvals]\nmode = "ask"\n\nx = ' + b"[" * 5000 + b"]" * 5000 + b"\n")
    loaded = load_settings(tmp_path)
    assert [(p.path, p.line) for p in loaded.problems] == [(path, 4)]
    assert "nested" in loaded.problems[0].message


def test_deeply_nested_config_headless_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    path = _write(tmp_path, monkeypatch, b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n")
    env = {"WORKBENCH_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "-p", "hi"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert "Traceback" not in proc.stderr and f"{path}:1:" in proc.stderr


def test_a_byte_order_mark_is_accepted(tmp_path, monkeypatch):
    _write(tmp_path, monkeypatch, b'\xef\xbb\xbf[approvals]\nmode = "edits"\n')
    loaded = load_settings(tmp_path)
    assert loaded.problems == [] and loaded.settings.approvals.mode == "edits"


def test_invalid_utf8_names_its_line(tmp_path, monkeypatch):
    path = _write(tmp_path, monkeypatch, b'[approvals]\nmode = "ask"\nallow = ["read(\xff)"]\n')
    loaded = load_settings(tmp_path)
    assert [(p.path, p.line) for p in loaded.problems] == [(path, 3)]
    assert "UTF-8" in loaded.problems[0].message


def test_a_non_string_allow_item_names_its_line(tmp_path, monkeypatch):
    path = _write(tmp_path, monkeypatch, b'[approvals]\nmode = "ask"\nallow = ["read", 3]\n')
    loaded = load_settings(tmp_path)
    assert [(p.path, p.line, p.key) for p in loaded.problems] == [(path, 3, "approvals.allow.1")]
