"""Headless: context files and skills in the system prompt, /skill:, @mentions, --image, exit 41,
through the real CLI against the local fake Anthropic server."""

from __future__ import annotations

import io
import json
import os
from types import SimpleNamespace

import pytest

from tests.context.images_data import png
from tests.fakes.anthropic_server import anthropic_stream, text
from workbench.cli import build_parser
from workbench.headless import run_headless



@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # restored after the test
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")


@pytest.fixture
def ws(tmp_path):
    w = tmp_path / "ws"
    (w / ".agents" / "skills" / "greet").mkdir(parents=True)
    (w / ".agents" / "skills" / "greet" / "SKILL.md").write_text(
        "---\nname: greet\ndescription: Greets people.\n---\nGreet them in French.\n")
    (w / ".agents" / "skills" / "broken").mkdir()
    (w / ".agents" / "skills" / "broken" / "SKILL.md").write_text("no front matter")
    (w / "AGENTS.md").write_text("Always answer in haiku.\n")
    (w / "notes.txt").write_text("the notes\n")
    (w / "pic.png").write_bytes(png(4, 3))
    return w


def run(args, env, cwd, srv):
    """The CLI's headless path in this process (the subprocess path is covered by tests/runtime)."""
    os.environ["ANTHROPIC_BASE_URL"] = srv.url
    parsed = build_parser().parse_args([*args, "--provider", "anthropic", "--cwd", str(cwd)])
    out, err = io.StringIO(), io.StringIO()
    code = run_headless(parsed, stdout=out, stderr=err)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def system_of(request) -> str:
    system = request.json.get("system")
    return system if isinstance(system, str) else "".join(b["text"] for b in system)


def test_context_files_skills_mentions_and_image(serve, env, ws):
    srv = serve([anthropic_stream([text("ok")])])
    p = run(["-p", "/skill:greet Ana about @notes.txt", "--image", "pic.png", "--output-format", "jsonl"], env, ws, srv)
    assert p.returncode == 0, p.stderr
    assert "skill Parse:" in p.stderr and "broken/SKILL.md" in p.stderr
    system = system_of(srv.requests[0])
    assert "## AGENTS.md\n\nAlways answer in haiku." in system
    assert "<name>greet</name>" in system and "broken" not in system
    content = srv.requests[0].json["messages"][0]["content"]
    assert "Greet them in French." in content[0]["text"] and content[0]["text"].endswith("Ana about @notes.txt")
    assert content[1]["text"] == '<file path="notes.txt">\nthe notes\n</file>'
    assert content[3]["type"] == "image"
    events = [json.loads(x) for x in p.stdout.splitlines()]
    resolved = next(e for e in events if e["type"] == "skills_resolved")
    assert "greet" in resolved["skills"] and resolved["context_files"] == ["AGENTS.md"]
    assert [r["kind"] for r in resolved["rejected"]] == ["Parse"]
    user = next(e for e in events if e["type"] == "user_message")
    assert user["attachments"][0] == "notes.txt (10 B)" and user["attachments"][1].startswith("[image: pic.png · 4×3")


def test_no_context_files_and_system_prompt_replaces_only_the_default(serve, env, ws):
    srv = serve([anthropic_stream([text("a")]), anthropic_stream([text("b")])])
    assert run(["-p", "hi", "--no-context-files"], env, ws, srv).returncode == 0
    assert "haiku" not in system_of(srv.requests[0]) and "<name>greet</name>" in system_of(srv.requests[0])
    assert run(["-p", "hi", "--system-prompt", "You are terse."], env, ws, srv).returncode == 0
    system = system_of(srv.requests[1])
    assert system.startswith("You are terse.\n\n") and "haiku" in system and "expert coding assistant" not in system


def test_unknown_skill_exits_41_and_sends_nothing(serve, env, ws):
    srv = serve([anthropic_stream([text("never")])])
    p = run(["-p", "/skill:nope do it"], env, ws, srv)
    assert p.returncode == 41
    assert "no skill named 'nope'" in p.stderr
    assert srv.requests == []


def test_missing_mention_is_a_note_and_bad_image_exits_2(serve, env, ws):
    srv = serve([anthropic_stream([text("ok")])])
    p = run(["-p", "look at @missing.py"], env, ws, srv)
    assert p.returncode == 0 and "@missing.py: no such file" in p.stderr
    (ws / "fake.png").write_text("text")
    p = run(["-p", "x", "--image", "fake.png"], env, ws, srv)
    assert p.returncode == 2 and "not a PNG, JPEG, GIF or WebP" in p.stderr
    assert len(srv.requests) == 1
