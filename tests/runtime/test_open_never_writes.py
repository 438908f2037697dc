"""Opening a session reads only (issue 13 item 22); a new session records its thinking level next
to its model, as pi's does (item 20)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.runtime.scripted import Turn
from workbench.sessions.manager import SessionManager

FIXTURES = Path(__file__).resolve().parents[1] / "sessions" / "fixtures" / "pi-sessions"


def _types(path: Path) -> list[str]:
    return [json.loads(line)["type"] for line in path.read_text().splitlines()[1:]]


async def test_a_new_session_writes_model_and_thinking_level_before_its_first_message(make_agent):
    agent = make_agent([Turn().text("hi")], thinking_level="low")
    await agent.run("hello")
    types = _types(agent.manager.path)
    assert types[:3] == ["model_change", "thinking_level_change", "message"]
    lines = [json.loads(line) for line in agent.manager.path.read_text().splitlines()[1:3]]
    assert (lines[0]["modelId"], lines[1]["thinkingLevel"]) == ("scripted-model", "low")
    assert lines[1]["parentId"] == lines[0]["id"]


async def test_a_new_session_without_a_chosen_level_still_records_it(make_agent):
    agent = make_agent([Turn().text("hi")])
    await agent.run("hello")
    first = [json.loads(line) for line in agent.manager.path.read_text().splitlines()[1:3]]
    assert [(e["type"], e.get("thinkingLevel")) for e in first] == [("model_change", None), ("thinking_level_change", "off")]


def _copy(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes((FIXTURES / name).read_bytes())
    return path


async def test_opening_with_another_model_writes_nothing_until_the_user_sends(tmp_path, make_agent):
    path = _copy(tmp_path, "v3-branched-session.jsonl")
    before = path.read_bytes()
    agent = make_agent([Turn().text("done")], manager=SessionManager.open(path), model="other-model",
                       thinking_level="medium")
    assert path.read_bytes() == before  # open: nothing written
    await agent.run("next")
    added = _types(path)[len(before.splitlines()) - 1:]
    assert added[:3] == ["model_change", "thinking_level_change", "message"]
    assert path.read_bytes().startswith(before)


def test_opening_and_quitting_leaves_the_file_untouched(tmp_path, make_agent):
    path = _copy(tmp_path, "v3-forked-session.jsonl")
    before = path.read_bytes()
    agent = make_agent([], manager=SessionManager.open(path), model="yet-another-model", thinking_level="high")
    agent.manager.close()
    assert path.read_bytes() == before


def test_a_v1_file_stays_v1_when_only_opened(tmp_path, make_agent):
    path = _copy(tmp_path, "v1-before-compaction.jsonl")
    before = path.read_bytes()
    agent = make_agent([], manager=SessionManager.open(path), model="other-model")
    agent.manager.close()
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.bak")) == []


async def test_a_v1_file_is_migrated_on_first_write_with_its_bytes_kept(tmp_path, make_agent):
    path = _copy(tmp_path, "v1-before-compaction.jsonl")
    before = path.read_bytes()
    agent = make_agent([Turn().text("ok")], manager=SessionManager.open(path), model="other-model")
    await agent.run("go on")
    assert (tmp_path / "v1-before-compaction.jsonl.v1.bak").read_bytes() == before
    assert json.loads(path.read_text().splitlines()[0])["version"] == 3
    assert _types(path)[-3:] == ["model_change", "message", "message"]


def test_labelling_is_an_act_that_writes_the_pending_model_change_first(tmp_path, make_agent):
    path = _copy(tmp_path, "v3-forked-session.jsonl")
    n = len(_types(path))
    manager = SessionManager.open(path)
    make_agent([], manager=manager, model="other-model")
    target = manager.entry_ids()[1]
    manager.set_label(target, "here")
    added = [json.loads(line) for line in path.read_text().splitlines()[1 + n:]]
    assert [e["type"] for e in added] == ["model_change", "label"]
    assert added[1]["parentId"] == added[0]["id"] and added[0]["modelId"] == "other-model"


def test_the_demo_never_plays_inside_a_resumed_session(tmp_path, monkeypatch):
    from workbench.cli import build_parser
    from workbench.config import load_settings
    from workbench.tui.startup import build

    for key in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    ws = tmp_path / "ws"
    ws.mkdir()
    path = tmp_path / "header-only.jsonl"
    path.write_text(json.dumps({"type": "session", "version": 3, "id": "0b5e7a1c-0000-4000-8000-000000000001",
                                "timestamp": "2026-11-21T07:55:08.429Z", "cwd": str(ws)}) + "\n")
    before = path.read_bytes()
    out = build(build_parser().parse_args(["-r", str(path)]), ws, load_settings(ws))
    assert out.get("startup_error") is None and out["sessions"].resolved.is_demo
    assert "initial_prompt" not in out
    out["backend"].agent.manager.close()
    assert path.read_bytes() == before
    # a new session still gets the demo
    fresh = build(build_parser().parse_args([]), ws, load_settings(ws))
    assert fresh.get("initial_prompt")
    fresh["backend"].agent.manager.close()
