"""`-p` with a playbook: --var and --journey, the events in jsonl, the matcher model through a
replay script, resuming with -c brings the state back, and bad flags exit 2 before any file."""

import json

from workbench import config
from workbench.cli import main
from workbench.playbook.matcher import MATCHER_TOOL
from workbench.providers.replay import ScriptBuilder

from tests.playbook.helpers import write_playbook


def _script(tmp_path, builder, name="s.json"):
    path = tmp_path / name
    path.write_text(builder.build().to_json())
    return str(path)


def _events(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _session_lines():
    files = list((config.data_home() / "sessions").rglob("*.jsonl"))
    assert len(files) == 1
    return [json.loads(x) for x in files[0].read_text().splitlines()]


def test_var_and_journey_flags_and_the_model_matcher(tmp_path, capsys):
    ws = tmp_path / "ws"
    write_playbook(ws)
    script = _script(tmp_path, ScriptBuilder()
                     .turn().tool_call(MATCHER_TOOL, {"scores": [{"n": i, "score": 0.0, "reason": "no"} for i in range(1, 5)]})
                     .turn().text("Bumped."))
    code = main(["-p", "let's go", "--cwd", str(ws), "--provider", "replay", "--replay-script", script,
                 "--var", "ticket=WB-7", "--var", "note=a=b", "--journey", "release", "--output-format", "jsonl"])
    out = capsys.readouterr().out
    assert code == 0, out
    events = _events(out)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "journey_transitioned" and kinds.index("guidelines_matched") < kinds.index("turn_started")
    start = events[0]
    assert (start["journey_id"], start["from_step"], start["to_step"], start["source"]) == ("release", None, "bump", "user")
    matched = next(e for e in events if e["type"] == "guidelines_matched")
    assert matched["matcher"] == "model" and matched["matched"] == []
    assert events[-1]["type"] == "run_completed" and events[-1]["text"] == "Bumped."
    lines = _session_lines()
    states = [x["data"] for x in lines if x.get("customType") == "workbench.playbook.state"]
    assert states[-1]["variables"] == {"ticket": "WB-7", "note": "a=b"}
    assert states[-1]["journey"] == {"id": "release", "step": "bump", "path": ["bump"], "status": "active"}
    record = next(x["data"] for x in lines if x.get("customType") == "workbench.playbook.turn")
    assert record["metadata"]["llm_calls"] == 2 and record["variables"] == {"ticket": "WB-7", "note": "a=b"}

    # -c: the journey and variables come back; a pattern moves the journey on
    script = _script(tmp_path, ScriptBuilder().turn().text("Testing."), "s2.json")
    code = main(["-p", "version bumped", "-c", "--cwd", str(ws), "--provider", "replay", "--replay-script", script,
                 "--output-format", "jsonl"])
    events = _events(capsys.readouterr().out)
    assert code == 0
    moved = next(e for e in events if e["type"] == "journey_transitioned")
    assert (moved["from_step"], moved["to_step"], moved["source"]) == ("bump", "test", "pattern")
    matched = next(e for e in events if e["type"] == "guidelines_matched")
    assert matched["matcher"] == "patterns-only" and "no matcher answer" in matched["matcher_note"]
    assert [m["id"] for m in matched["matched"]] == ["tests-first"]  # the test step's guideline
    assert _session_lines()[-1]["data"]["variables"]["ticket"] == "WB-7"


def test_bad_flags_exit_2_before_any_session_file(tmp_path, capsys):
    ws = tmp_path / "ws"
    write_playbook(ws)
    script = _script(tmp_path, ScriptBuilder().turn().text("x"))
    base = ["-p", "hi", "--cwd", str(ws), "--provider", "replay", "--replay-script", script]
    assert main(base + ["--journey", "nope"]) == 2
    assert "unknown journey 'nope'; known journeys: release" in capsys.readouterr().err
    assert main(base + ["--var", "novalue"]) == 2
    assert "--var 'novalue': write it as KEY=VALUE" in capsys.readouterr().err
    assert not list((config.data_home() / "sessions").rglob("*.jsonl"))


def test_a_broken_playbook_is_reported_and_the_run_goes_on(tmp_path, capsys):
    ws = tmp_path / "ws"
    write_playbook(ws, '[[guidelines]]\nid = "x"\ncondition = "c"\n')
    script = _script(tmp_path, ScriptBuilder().turn().text("fine"))
    assert main(["-p", "hi", "--cwd", str(ws), "--provider", "replay", "--replay-script", script]) == 0
    captured = capsys.readouterr()
    assert captured.out == "fine\n"
    assert "workbench: playbook: " in captured.err and "guidelines[0].action: Field required" in captured.err
