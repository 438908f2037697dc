"""Issue 12 item 5: read-deny rules hold for every tool that reveals names or content, symlink
loops and unreadable entries are tool errors or skipped with a note — never a crash."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.runtime.scripted import ScriptedProvider, Turn
from workbench.cli import build_parser
from workbench.headless import run_headless
from workbench.tools.base import ToolContext
from workbench.tools.permissions import PermissionPolicy, read_denier
from workbench.tools.registry import builtin_registry


@pytest.fixture
def secret_ws(ws: Path) -> Path:
    (ws / ".env").write_text("SECRET=hunter2\n")
    (ws / "app.py").write_text("print('SECRET not here')\n")
    (ws / "sub").mkdir()
    (ws / "sub" / ".env").write_text("SECRET=nested\n")
    (ws / "innocent.txt").symlink_to(".env")  # a link to the secret: hidden by where it leads
    return ws


def _ctx(ws: Path, tool: str, *deny: str) -> ToolContext:
    policy = PermissionPolicy.load(ws, deny=list(deny), user_file=ws / "none.toml", project_file=ws / "none2.toml")
    ctx = ToolContext(workspace=ws)
    ctx.read_denied = read_denier(policy, builtin_registry().get(tool), ctx)
    return ctx


async def _call(name: str, ctx: ToolContext, **args):
    return await builtin_registry().execute(name, args, ctx)


async def test_grep_find_ls_hide_what_a_read_deny_rule_denies(secret_ws):
    grep = await _call("grep", _ctx(secret_ws, "grep", "read(**/.env)"), pattern="SECRET")
    assert "hunter2" not in grep.content and "nested" not in grep.content
    assert "app.py:1:" in grep.content
    assert "hidden by the deny rule read(**/.env)" in grep.content
    find = await _call("find", _ctx(secret_ws, "find", "read(**/.env)"), pattern="*")
    assert ".env" not in find.content.split("\n\n")[0] and "innocent.txt" not in find.content
    assert "app.py" in find.content and "3 entries hidden" in find.content
    ls = await _call("ls", _ctx(secret_ws, "ls", "read(**/.env)"), path=".")
    assert ".env" not in ls.content.split("\n\n")[0] and "innocent.txt" not in ls.content
    assert "app.py" in ls.content and "sub/" in ls.content
    # a grep aimed at the link itself is hidden too
    one = await _call("grep", _ctx(secret_ws, "grep", "read(**/.env)"), pattern="SECRET", path="innocent.txt")
    assert "hunter2" not in one.content
    # without the rule everything shows (the test can fail)
    assert "hunter2" in (await _call("grep", ToolContext(workspace=secret_ws), pattern="SECRET")).content


async def test_a_tools_own_deny_rule_hides_entries_too(secret_ws):
    grep = await _call("grep", _ctx(secret_ws, "grep", "grep(sub/**)"), pattern="SECRET")
    assert "nested" not in grep.content and "hunter2" in grep.content


def test_headless_grep_does_not_print_the_denied_file(secret_ws, tmp_path):
    provider = ScriptedProvider([Turn().tool("grep", {"pattern": "SECRET"}, "c1"), Turn().text("done")])
    args = build_parser().parse_args(["-p", "find secrets", "--output-format", "jsonl", "--cwd", str(secret_ws),
                                      "--deny", "read(**/.env)"])
    import io
    out, err = io.StringIO(), io.StringIO()
    assert run_headless(args, stdout=out, stderr=err, provider=provider) == 0, err.getvalue()
    assert "hunter2" not in out.getvalue() and "nested" not in out.getvalue()
    assert "app.py:1:" in out.getvalue()


@pytest.fixture
def loop_ws(ws: Path) -> Path:
    (ws / "a").symlink_to("b")
    (ws / "b").symlink_to("a")
    (ws / "real.txt").write_text("needle\n")
    (ws / "d").mkdir()
    (ws / "d" / "self").symlink_to("self")
    return ws


async def test_symlink_loops_are_tool_errors_or_skipped_with_a_note(loop_ws):
    ctx = ToolContext(workspace=loop_ws)
    read = await _call("read", ctx, path="a")
    assert read.is_error and "symbolic link loop" in read.content
    grep = await _call("grep", ctx, pattern="needle")
    assert not grep.is_error and "real.txt:1:" in grep.content and "a (symbolic link loop)" in grep.content
    find = await _call("find", ctx, pattern="*")
    assert not find.is_error and "real.txt" in find.content and "d/self (symbolic link loop)" in find.content
    ls = await _call("ls", ctx, path=".")
    assert not ls.is_error and "a -> (symbolic link loop)" in ls.content
    lsa = await _call("ls", ctx, path="a")
    assert lsa.is_error and "symbolic link loop" in lsa.content
    write = await _call("write", ctx, path="a", content="x")
    assert write.is_error
    edit = await _call("edit", ctx, path="a", oldText="x", newText="y")
    assert edit.is_error and "symbolic link loop" in edit.content


def test_a_symlink_loop_does_not_end_a_headless_run(loop_ws):
    """It ended the whole run with exit 30: the policy resolved the path outside the registry."""
    import io
    provider = ScriptedProvider([Turn().tool("read", {"path": "a"}, "c1").tool("grep", {"pattern": "needle"}, "c2"),
                                 Turn().text("done")])
    args = build_parser().parse_args(["-p", "x", "--output-format", "jsonl", "--cwd", str(loop_ws)])
    out, err = io.StringIO(), io.StringIO()
    assert run_headless(args, stdout=out, stderr=err, provider=provider) == 0, err.getvalue()
    results = [json.loads(l) for l in out.getvalue().splitlines() if '"tool_result_received"' in l]
    assert len(results) == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
async def test_unreadable_entries_are_skipped_with_a_note(ws):
    (ws / "locked").mkdir()
    (ws / "locked" / "f").write_text("needle\n")
    (ws / "secret.txt").write_text("needle\n")
    (ws / "ok.txt").write_text("needle\n")
    os.chmod(ws / "locked", 0)
    os.chmod(ws / "secret.txt", 0)
    try:
        ctx = ToolContext(workspace=ws)
        grep = await _call("grep", ctx, pattern="needle")
        assert "ok.txt:1:" in grep.content and "secret.txt (" in grep.content and "locked/ (" in grep.content
        ls = await _call("ls", ctx, path="locked")
        assert ls.is_error and "cannot list" in ls.content
    finally:
        os.chmod(ws / "locked", 0o700)
        os.chmod(ws / "secret.txt", 0o600)


async def test_bash_never_sees_provider_keys_unless_the_user_lists_them(ws, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-leak")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-leak")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-leak")
    monkeypatch.setenv("PLAIN_SETTING", "visible")
    ctx = ToolContext(workspace=ws)
    cmd = 'echo "a=$ANTHROPIC_API_KEY o=$OPENAI_API_KEY g=$GITHUB_TOKEN p=$PLAIN_SETTING"'
    out = await _call("bash", ctx, command=cmd)
    assert "a= o= g= p=visible" in out.content and "leak" not in out.content
    # listed by the user ([sandbox] pass_env): kept, sandbox off or on
    off = SimpleNamespace(enabled=False, policy=SimpleNamespace(pass_env=("GITHUB_TOKEN",)),
                          prepare=lambda argv, env: SimpleNamespace(refusal=None, argv=argv, env=env, label=""))
    ctx = ToolContext(workspace=ws, extra={"sandbox": off})
    out = await _call("bash", ctx, command=cmd)
    assert "g=ghp-leak" in out.content and "a= o=" in out.content


async def test_racing_symlink_never_lets_a_write_out_of_the_workspace(tmp_path):
    """A folder on the path swapped for a symlink to outside between the check and the open:
    confinement holds (O_NOFOLLOW from a directory fd), and a lost race is a tool error."""
    import asyncio
    import threading
    import time

    ws = tmp_path / "ws"
    outside = tmp_path / "outside"
    ws.mkdir(), outside.mkdir()
    sub, parked = ws / "sub", ws / "parked"
    sub.mkdir()
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            try:
                os.rename(sub, parked)
                os.symlink(outside, sub)
                os.unlink(sub)
                os.rename(parked, sub)
            except OSError:
                pass

    racer = threading.Thread(target=swap, daemon=True)
    racer.start()
    ctx = ToolContext(workspace=ws)
    registry = builtin_registry()
    outcomes = {"ok": 0, "error": 0}
    end = time.monotonic() + 1.5
    n = 0
    try:
        while time.monotonic() < end:
            n += 1
            for name, args in (("write", {"path": "sub/f.txt", "content": f"x{n}"}),
                               ("write", {"path": "sub/deeper/g.txt", "content": "y"})):
                result = await registry.execute(name, args, ctx)  # never raises
                outcomes["error" if result.is_error else "ok"] += 1
                assert "Traceback" not in result.content
    finally:
        stop.set()
        racer.join(5)
    assert list(outside.iterdir()) == [], "a write landed outside the workspace"
    assert outcomes["ok"] > 0 and sum(outcomes.values()) > 20


def test_write_bytes_nofollow_refuses_links_anywhere_on_the_path(tmp_path):
    from workbench.tools.nofollow import SymlinkRace, write_bytes_nofollow

    (tmp_path / "out").mkdir()
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "link").symlink_to(tmp_path / "out")
    (tmp_path / "ws" / "file-link").symlink_to(tmp_path / "out" / "target")
    with pytest.raises(SymlinkRace):
        write_bytes_nofollow(tmp_path / "ws" / "link" / "f", b"x")
    with pytest.raises(SymlinkRace):
        write_bytes_nofollow(tmp_path / "ws" / "file-link", b"x")
    assert list((tmp_path / "out").iterdir()) == []
    assert write_bytes_nofollow(tmp_path / "ws" / "new" / "dir" / "f", b"abc") == 3
    assert (tmp_path / "ws" / "new" / "dir" / "f").read_bytes() == b"abc"


async def test_a_symlink_swapped_in_after_the_check_is_refused(tmp_path, monkeypatch):
    """The race made certain: the folder becomes a link to outside right after the path check
    (write reads the old text for its diff in between)."""
    from workbench.tools.builtin import write as write_module

    ws, outside = tmp_path / "ws", tmp_path / "outside"
    ws.mkdir(), outside.mkdir()
    (ws / "sub").mkdir()
    real_current_text = write_module.current_text

    def swap_then_read(path):
        (ws / "sub").rename(ws / "parked")
        (ws / "sub").symlink_to(outside)
        return real_current_text(path)

    monkeypatch.setattr(write_module, "current_text", swap_then_read)
    result = await builtin_registry().execute("write", {"path": "sub/f.txt", "content": "pwned"},
                                              ToolContext(workspace=ws))
    assert result.is_error and "symbolic link" in result.content
    assert list(outside.iterdir()) == []


async def test_bang_commands_never_see_provider_keys_unless_the_user_lists_them(ws, monkeypatch):
    from types import SimpleNamespace

    from workbench.context.shell import parse_shell_escape, run_shell_escape

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-leak")
    monkeypatch.setenv("NPM_TOKEN", "npm-kept")
    escape = parse_shell_escape('!echo "a=$ANTHROPIC_API_KEY n=$NPM_TOKEN"')
    msg = await run_shell_escape(escape, ws)
    assert "a= n=" in msg["output"] and "leak" not in msg["output"]
    off = SimpleNamespace(policy=SimpleNamespace(pass_env=("NPM_TOKEN",)),
                          prepare=lambda argv, env: SimpleNamespace(refusal=None, argv=argv, env=env))
    msg = await run_shell_escape(escape, ws, sandbox=off)
    assert "a= n=npm-kept" in msg["output"]
