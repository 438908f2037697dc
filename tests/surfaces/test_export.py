"""`workbench sessions export` (HTML, Markdown, JSONL) of a branched session full of hostile text."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from workbench.sessions.manager import SessionManager

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


def _assistant(text: str, *, calls: list[dict] | None = None, thinking: str | None = None) -> dict:
    content: list[dict] = []
    if thinking:
        content.append({"type": "thinking", "thinking": thinking})
    content.append({"type": "text", "text": text})
    content += calls or []
    return {"role": "assistant", "content": content, "model": "m<b>x</b>", "stopReason": "toolUse" if calls else "stop",
            "usage": {"input": 1, "output": 1}, "timestamp": 1}


@pytest.fixture
def branched(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = Path(os.environ["WORKBENCH_HOME"])
    ws = tmp_path / "ws"
    ws.mkdir()
    m = SessionManager.create(ws, sessions_dir=home / "sessions")
    ids = {}
    ids["u1"] = m.append_message({"role": "user", "content": [{"type": "text", "text": "first " + HOSTILE}], "timestamp": 1})
    ids["a1"] = m.append_message(_assistant("answer " + HOSTILE, thinking="thinking " + HOSTILE, calls=[
        {"type": "toolCall", "id": "c1", "name": "edit", "arguments": {"path": "</pre><script>x</script>"}}]))
    ids["r1"] = m.append_message({"role": "toolResult", "toolCallId": "c1", "toolName": "edit",
                                  "content": [{"type": "text", "text": "edited " + HOSTILE}],
                                  "details": {"diff": "--- a\n+++ b\n@@ -1 +1 @@\n-old <script>\n+new </pre>"},
                                  "isError": False, "timestamp": 2})
    ids["u2"] = m.append_message({"role": "user", "content": [{"type": "text", "text": "branch one"}], "timestamp": 3})
    m.branch(ids["r1"])
    ids["u3"] = m.append_message({"role": "user", "content": [{"type": "text", "text": "branch two " + HOSTILE}],
                                  "timestamp": 4})
    ids["a3"] = m.append_message(_assistant("second answer"))
    m.set_label(ids["u2"], "<b>label</b>")
    path = m.path
    m.close()
    return path, ids


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command in a child process (one test goes through it end to end)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "workbench.cli", "sessions", "export", *args], capture_output=True,
                          text=True, timeout=60, env=env, cwd=cwd)


@pytest.fixture
def export(capsys):
    """The same command line through workbench.cli.main in this process (fast)."""
    from workbench.cli import main

    def run(*args: str) -> subprocess.CompletedProcess:
        code = main(["sessions", "export", *args])
        captured = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, captured.out, captured.err)

    return run


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


def test_html_of_the_whole_tree_escapes_everything_and_folds_branches(branched, tmp_path):
    path, ids = branched
    out = tmp_path / "s.html"
    p = cli(str(path), "--format", "html", "--all", "-o", str(out))
    assert p.returncode == 0, p.stderr
    html = out.read_text()
    doc = parse(html)
    assert "script" not in doc.tags and "img" not in doc.tags  # hostile markup never became elements
    assert not any(name.startswith("on") for name, _ in doc.attrs)
    text = "".join(doc.text)
    assert text.count('<script>alert("x")</script>') >= 4  # shown as text: user, answer, thinking, result
    assert "branch one" in text and "branch two" in text
    # two branches fold; the active one (the last written) is open
    branches = re.findall(r'<details class="branch"( open)?><summary>(.*?)</summary>', html)
    assert len(branches) == 2
    assert [bool(o) for o, _ in branches] == [False, True]
    assert "(active)" in branches[1][1]
    assert '<details class="thinking">' in html and '<details class="tool">' in html
    assert '<span class="add">+new &lt;/pre&gt;</span>' in html  # the diff, coloured, escaped
    assert "&lt;b&gt;label&lt;/b&gt;" in html
    # self-contained: no external asset or script at all
    assert not re.search(r'(src|href)="(?!data:)', html) and "<script" not in html
    assert "--background" not in html and "--bg: #16181D" in html  # the default theme's colours


def test_html_of_one_branch_and_the_theme(branched, export):
    path, ids = branched
    p = export(str(path), "--format", "html", "--leaf", ids["u2"], "--theme", "nord")
    assert p.returncode == 0, p.stderr
    text = "".join(parse(p.stdout).text)
    assert "branch one" in text and "branch two" not in text
    assert "#2E3440" in p.stdout.upper()  # nord's background


def test_markdown_and_jsonl(branched, tmp_path, export):
    path, ids = branched
    md = export(str(path), "--format", "md")
    assert md.returncode == 0 and "branch two" in md.stdout and "branch one" not in md.stdout
    full = export(str(path), "--format", "jsonl", "--all")
    assert full.stdout.splitlines() == path.read_text().splitlines()
    one = export(str(path), "--format", "jsonl", "--leaf", ids["u2"][:6])
    lines = [json.loads(x) for x in one.stdout.splitlines()]
    assert lines[0]["type"] == "session"
    assert [x["id"] for x in lines[1:5]] == [ids["u1"], ids["a1"], ids["r1"], ids["u2"]]
    # the branch file is a session file of its own
    copy = tmp_path / "copy.jsonl"
    copy.write_text(one.stdout)
    m = SessionManager.open(copy, readonly=True)
    assert [x["role"] for x in m.build_context().messages][-1] == "user"
    m.close()


def test_bad_input_is_a_clear_error(branched, tmp_path, export):
    path, _ = branched
    p = export("deadbeef")
    assert p.returncode == 10 and "no session" in p.stderr and "Traceback" not in p.stderr
    p = export(str(path), "--leaf", "zzzz")
    assert p.returncode == 2 and "no entry" in p.stderr
    p = export(str(path), "--format", "md", "--all")
    assert p.returncode == 2 and "--all" in p.stderr
    before = path.read_bytes()
    assert export(str(path), "--format", "html").returncode == 0
    assert path.read_bytes() == before  # exporting never writes the session
