"""`workbench mob run/list` in-process: errors name file, line and key; the demo mob runs offline."""

import io
import json
import time
from datetime import datetime

from workbench.cli import build_parser
from workbench.mob.cli import run_mob_command
from workbench.mob.demo import DEMO_TASK, demo_handle


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = run_mob_command(build_parser().parse_args(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_invalid_definition_exits_2_naming_file_line_key(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    bad = tmp_path / "mob.toml"
    bad.write_text('[mob]\nid = "x"\norchestrator = "lead"\n[profiles.lead]\nmodle = "m"\n')
    code, out, err = _run(["mob", "run", str(bad), "-p", "go", "--cwd", str(tmp_path)])
    assert code == 2 and out == ""
    assert f"{bad}:5: profiles.lead.modle:" in err


def test_demo_mob_runs_headless_and_is_listed(tmp_path, monkeypatch, workspace):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_REPLAY_DELAY_SCALE", "0")
    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    code, out, err = _run(["mob", "run", "demo", "-p", DEMO_TASK, "--cwd", str(workspace),
                           "--output-format", "jsonl"])
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert {e["member"] for e in events if e["type"] == "turn_started"} == {"lead", "scout", "reviewer"}
    assert events[-1]["type"] in ("run_completed", "member_status_changed")
    code, out, _ = _run(["mob", "list", "--json"])
    mobs = json.loads(out)
    assert code == 0 and len(mobs) == 1 and mobs[0]["state"] == "completed" and mobs[0]["task"] == DEMO_TASK
    # `created` reads as `sessions list --json` gives its timestamps: ISO 8601 in UTC
    created = datetime.fromisoformat(mobs[0]["created"].replace("Z", "+00:00"))
    assert mobs[0]["created"].endswith("Z") and abs(time.time() - created.timestamp()) < 600
    code, out, _ = _run(["mob", "list"])
    header, row = out.splitlines()
    assert header.split() == ["CREATED", "MOB", "ID", "STATE", "MEMBERS", "TASK"]
    local = datetime.fromtimestamp(created.timestamp()).strftime("%Y-%m-%d %H:%M")
    assert row.startswith(local) and mobs[0]["mob_id"] in row and "completed" in row


async def test_demo_handle_for_the_tui(tmp_path, workspace):
    handle = await demo_handle(workspace, delay_scale=0, mobs_dir=tmp_path / "mobs", sessions_dir=tmp_path / "s")
    try:
        result = await handle.run(DEMO_TASK)
        assert "offline demo mob" in result.text
        assert [m.identity for m in handle.roster()] == ["lead", "reviewer"]
    finally:
        handle.close()


def test_mob_members_are_listed_under_their_mob(tmp_path, monkeypatch, workspace):
    """`sessions list --json` and the resume picker know which mob and member a session belongs to,
    and the picker groups the members under their orchestrator."""
    from workbench.sessions.store import SessionStore
    from workbench.tui.screens.resume import grouped

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_REPLAY_DELAY_SCALE", "0")
    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    code, _, err = _run(["mob", "run", "demo", "-p", DEMO_TASK, "--cwd", str(workspace)])
    assert code == 0, err
    [mob] = json.loads(_run(["mob", "list", "--json"])[1])
    infos = SessionStore.from_settings(str(workspace)).list(str(workspace))
    assert {(i.mob_id, i.mob_member) for i in infos} == {(mob["mob_id"], m) for m in ("lead", "scout", "reviewer")}
    rows = grouped(infos)
    assert rows[0][0].mob_member == "lead" and rows[0][1] == 0
    assert sorted(i.mob_member for i, depth in rows[1:] if depth == 1) == ["reviewer", "scout"]
    assert rows[0][0].to_json()["mob"] == {"id": mob["mob_id"], "member": "lead"}
