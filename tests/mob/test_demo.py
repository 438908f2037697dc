"""The offline demo mob beyond its script: members you spawn work, report back and retire offline;
a headless run stopped with Ctrl-C is recorded stopped and `mob resume` finishes it."""

import asyncio
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from workbench.mob.demo import DEMO_TASK, demo_definition, demo_handle
from workbench.mob.environment import provider_factory

ROOT = Path(__file__).resolve().parents[2]


def peer_messages(handle):
    return [(e.sender, e.recipient, e.text) for e in handle.events.history() if e.type == "peer_message"]


async def test_members_spawned_later_work_report_back_and_retire(tmp_path, workspace):
    h = await demo_handle(workspace, delay_scale=0, mobs_dir=tmp_path / "mobs", sessions_dir=tmp_path / "s")
    try:
        await h.run(DEMO_TASK)
        # QA: `s`, scout, Enter said "no replay script for member 'scout-1'".
        await h.spawn("scout", "scout-1", "find the release notes")
        await asyncio.wait_for(h.wait_idle(), 10)
        sender, recipient, text = peer_messages(h)[-1]
        assert (sender, recipient) == ("scout-1", "lead")
        assert "find the release notes" in text and "notes.txt" in text  # it listed the workspace
        assert "Thanks, scout-1" in h.session("lead").last_result.text
        assert h.member("scout-1").status == "idle" and h.member("scout-1").tokens > 0
        # a reviewer spawned without a task waits; a message from you gets an answer to the lead
        await h.spawn("reviewer", "reviewer-1")
        assert h.member("reviewer-1").status == "idle" and h.member("reviewer-1").turns == 0
        await h.send("reviewer-1", "check the version number")
        await asyncio.wait_for(h.wait_idle(), 10)
        assert peer_messages(h)[-1][:2] == ("reviewer-1", "lead")
        assert "check the version number" in peer_messages(h)[-1][2]
        # you can talk to the lead after its script has ended
        await h.send("lead", "what now?")
        await asyncio.wait_for(h.wait_idle(), 10)
        assert "offline demo" in h.session("lead").last_result.text
        await h.retire("scout-1")
        assert "scout-1" in h.retired() and h.retired()["scout-1"].tokens > 0
    finally:
        h.close()


async def test_workers_answer_each_others_reports_without_a_ping_pong(tmp_path, workspace):
    h = await demo_handle(workspace, delay_scale=0, mobs_dir=tmp_path / "mobs", sessions_dir=tmp_path / "s")
    try:
        await h.run(DEMO_TASK)
        before = len(peer_messages(h))
        await h.spawn("reviewer", "r1")
        await h.spawn("reviewer", "r2")
        await h.wire("r1", "r2")
        await h.send_peer("lead", "r1", "check r2's work")
        await asyncio.wait_for(h.wait_idle(), 10)
        await h.send_peer("r1", "r2", "your numbers look right")
        await asyncio.wait_for(h.wait_idle(), 10)  # r2 acknowledges in text; nobody replies forever
        assert "Thanks, r1" in h.session("r2").last_result.text
        assert [m[:2] for m in peer_messages(h)[before:]] == [("lead", "r1"), ("r1", "lead"), ("r1", "r2")]
    finally:
        h.close()


def test_the_cli_and_resume_build_the_same_demo_members():
    # `workbench mob run demo` and `mob resume` of a demo mob use the provider choice in the log.
    factory = provider_factory({"name": "replay", "demo": True}, io.StringIO())
    profiles = demo_definition().profiles
    provider, model = factory("scout-1", "scout", profiles["scout"])
    assert model == "replay" and provider.exhausted  # nothing scripted: it improvises from the start
    scripted, _ = factory("scout", "scout", profiles["scout"])
    assert not scripted.exhausted


def _mob(args, home):
    from workbench.cli import build_parser
    from workbench.mob.cli import run_mob_command

    out, err = io.StringIO(), io.StringIO()
    code = run_mob_command(build_parser().parse_args(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_ctrl_c_in_a_headless_run_records_the_mob_stopped_and_resume_finishes_it(tmp_path, workspace, monkeypatch):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update(WORKBENCH_HOME=str(home), WORKBENCH_REPLAY_DELAY_SCALE="3", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from workbench.cli import main; sys.exit(main())",
                             "mob", "run", "demo", "-p", DEMO_TASK, "--cwd", str(workspace)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        for line in proc.stderr:  # wait until the lead has spawned its helpers, mid-demo
            if "+ scout" in line:
                break
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    monkeypatch.setenv("WORKBENCH_REPLAY_DELAY_SCALE", "0")
    code, out, _ = _mob(["mob", "list", "--json"], home)
    [mob] = json.loads(out)
    assert code == 0 and mob["state"] == "stopped"
    code, out, err = _mob(["mob", "resume", mob["mob_id"]], home)
    assert code == 0, err
    assert "offline demo mob" in out  # the lead got to its conclusion
    code, out, _ = _mob(["mob", "list", "--json"], home)
    assert json.loads(out)[0]["state"] == "completed"
