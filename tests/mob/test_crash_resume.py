"""Kill `workbench mob run` mid-run (SIGKILL), resume it, and the mob finishes with nothing lost."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from workbench.mob.log import read_log
from workbench.mob.replay import dump_mob_scripts
from workbench.providers.replay import ScriptBuilder

ROOT = Path(__file__).resolve().parents[2]
FINAL = "All done: w1 surveyed, w2 confirmed."

DEFINITION = '''
[mob]
id = "crashy"
orchestrator = "lead"
[profiles.lead]
[profiles.worker]
tools = ["ls"]
[wiring]
role_wiring = [{ a = "worker", b = "worker" }]
'''


def _scripts():
    u = dict(input=10, output=5)
    # w2 first: w1 messages w2 as soon as it has listed the workspace, and a member starts working
    # only once its wires are made (spawned the other way round, a loaded machine let w1 send
    # before w2 existed: refused, and the run ended early).
    lead = (ScriptBuilder()
            .turn().tool_call("spawn_member", {"profile": "worker", "identity": "w2", "task": "confirm w1's survey"}, id="l2")
            .tool_call("spawn_member", {"profile": "worker", "identity": "w1", "task": "survey"}, id="l1")
            .usage(**u)
            .turn().text("Waiting for the workers.").usage(**u)
            .turn().text(FINAL).usage(**u)
            .build())
    w1 = (ScriptBuilder()
          .turn().tool_call("ls", {"path": "."}, id="a1").usage(**u)
          .turn().tool_call("send_message", {"to": "w2", "text": "I see a.txt"}, id="a2").usage(**u)
          .turn().text("Survey sent.").usage(**u)
          .build())
    # w2's second turn streams slowly: the test kills the process while it is under way.
    w2 = (ScriptBuilder()
          .turn().text("Waiting for w1.").usage(**u)
          .turn().text("Confirming")
          .tool_call("send_message", {"to": "lead", "text": "Confirmed: a.txt is there."}, id="b2",
                     delay_ms=30000).usage(**u)
          .turn().text("Reported.").usage(**u)
          .build())
    return {"lead": lead, "w1": w1, "w2": w2}


def _env(home: Path) -> dict:
    env = dict(os.environ)
    env["WORKBENCH_HOME"] = str(home)
    env["PYTHONPATH"] = str(ROOT)
    env.pop("ANTHROPIC_API_KEY", None)
    env.pop("OPENAI_API_KEY", None)
    return env


def test_sigkill_mid_run_then_resume(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "a.txt").write_text("a\n")
    (tmp_path / "mob.toml").write_text(DEFINITION)
    (tmp_path / "scripts.json").write_text(dump_mob_scripts(_scripts()))
    home = tmp_path / "home"
    cmd = [sys.executable, "-m", "workbench.cli", "mob", "run", str(tmp_path / "mob.toml"), "-p", "Survey",
           "--provider", "replay", "--replay-script", str(tmp_path / "scripts.json"),
           "--output-format", "jsonl", "--cwd", str(ws)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(home), text=True)
    mob_id = None
    try:
        deadline = time.monotonic() + 30
        for line in proc.stdout:
            event = json.loads(line)
            mob_id = mob_id or event.get("mob_id")
            # w2 has received w1's message and started streaming its slow turn.
            if event["type"] == "text_delta" and event["member"] == "w2" and event["delta"] == "Confirming":
                break
            assert time.monotonic() < deadline, "the mob never reached the kill point"
        else:
            raise AssertionError(f"run ended early: {proc.stderr.read()}")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL and mob_id

    log_path = home / "mobs" / mob_id / "mob.jsonl"
    before = log_path.read_bytes()
    assert [r["type"] for r in read_log(log_path).records].count("member_spawned") == 3

    env = _env(home)
    env["WORKBENCH_REPLAY_DELAY_SCALE"] = "0"
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "mob", "resume", mob_id[:12]],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == FINAL

    # The log only grew; the mob completed.
    after = log_path.read_bytes()
    assert after.startswith(before)
    records = read_log(log_path).records
    assert [r["state"] for r in records if r["type"] == "mob_state"][-1] == "completed"

    # Every member's conversation is whole: each scripted turn recorded once, in order, and every
    # peer message delivered exactly once.
    sessions = {}
    for rec in records:
        if rec["type"] == "member_spawned":
            lines = [json.loads(l) for l in Path(rec["session_path"]).read_text().splitlines()]
            sessions[rec["identity"]] = lines
    texts = {who: [b.get("text") or b.get("name") for e in lines[1:] if e["type"] == "message"
                   and e["message"]["role"] == "assistant" for b in e["message"]["content"]]
             for who, lines in sessions.items()}
    assert texts["w1"] == ["ls", "send_message", "Survey sent."]
    assert texts["w2"] == ["Waiting for w1.", "Confirming", "send_message", "Reported."]
    assert texts["lead"] == ["spawn_member", "spawn_member", "Waiting for the workers.", FINAL]
    # A member's message is recorded by its sender (the call's result) and its recipient, with
    # one id; the log holds none of them.
    sent = [e["message"]["details"]["messageId"] for lines in sessions.values() for e in lines
            if e["type"] == "message" and e["message"].get("toolName") == "send_message"]
    received = [e["details"]["messageId"] for lines in sessions.values() for e in lines
                if e["type"] == "custom_message"]
    assert sorted(sent) == sorted(received) and len(set(sent)) == len(sent) == 2
    assert not [r for r in records if r["type"] == "peer_message"]
    # Both sessions' files stayed valid JSON lines and still name the mob.
    assert all(lines[0]["mob"]["id"] == mob_id for lines in sessions.values())
