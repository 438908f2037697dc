"""Tool calls that change files are checkpointed; restoring an entry brings its files back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.checkpoints.conftest import git, tree_digest
from tests.runtime.scripted import Turn
from workbench.checkpoints import CHECKPOINT_TYPE, Timeline, open_repo
from workbench.checkpoints.rewind import apply_restore, direct_append, plan_restore


def _script() -> list[Turn]:
    return [
        Turn().tool("write", {"path": "new.txt", "content": "created later\n"}),
        Turn().tool("edit", {"path": "notes.md", "oldText": "first", "newText": "second"}),
        Turn().tool("bash", {"command": "rm keep.txt && echo gone"}),
        Turn().tool("read", {"path": "notes.md"}),
        Turn().text("done"),
    ]


def _entries(agent):
    return list(agent.manager.entries)


def _tool_results(agent) -> list[dict]:
    return [e for e in _entries(agent) if e.get("type") == "message" and e["message"].get("role") == "toolResult"]


async def _run(make_agent) -> object:
    agent = make_agent(_script())
    await agent.run("change some files")
    return agent


def _edit_args_ok(agent) -> None:
    results = _tool_results(agent)
    assert not any(r["message"]["isError"] for r in results), [r["message"]["content"] for r in results]


async def test_write_edit_bash_are_checkpointed_before_their_results(make_agent, workspace):
    agent = await _run(make_agent)
    _edit_args_ok(agent)
    entries = _entries(agent)
    by_id = {e["id"]: e for e in entries}
    checkpoints = [e for e in entries if e.get("type") == "custom" and e.get("customType") == CHECKPOINT_TYPE]
    assert [c["data"]["tool"] for c in checkpoints] == ["write", "edit", "bash"]  # read changes nothing
    assert [c["data"]["files"] for c in checkpoints] == [
        [{"status": "A", "path": "new.txt"}], [{"status": "M", "path": "notes.md"}],
        [{"status": "D", "path": "keep.txt"}]]
    for c in checkpoints:
        child = next(e for e in entries if e.get("parentId") == c["id"])
        assert child["message"]["role"] == "toolResult"
        assert child["message"]["toolCallId"] == c["data"]["toolCallId"]
        assert child["message"]["details"]["checkpoint"] == {"entry": c["id"], "files": 1}  # the card's link
        assert by_id[c["parentId"]]["message"]["role"] == "assistant"
        assert len(c["data"]["tree"]) == 40 and c["data"]["base"] != c["data"]["tree"]


async def test_restore_brings_a_deleted_file_back_and_removes_a_later_one(make_agent, workspace):
    agent = await _run(make_agent)
    manager = agent.manager
    repo = open_repo(workspace)
    user = next(e for e in _entries(agent) if e.get("type") == "message" and e["message"]["role"] == "user")
    write_result = _tool_results(agent)[0]

    # At the write's result: new.txt exists, notes.md still "first", keep.txt still there.
    plan = await plan_restore(repo, Timeline(manager.entries), write_result["id"])
    assert {(f.status, f.path) for f in plan.files} == {("M", "notes.md"), ("A", "keep.txt")}
    assert not plan.conflicts
    result = await apply_restore(repo, plan, manager, direct_append)
    assert (workspace / "keep.txt").read_text() == "keep me\n"
    assert (workspace / "notes.md").read_text() == "first\n"
    assert (workspace / "new.txt").read_text() == "created later\n"
    assert len(result.entry_ids) == 2

    # At the first user message: before any tool ran, so new.txt goes away too.
    plan = await plan_restore(repo, Timeline(manager.entries), user["id"])
    assert {(f.status, f.path) for f in plan.files} == {("D", "new.txt")}
    assert not plan.exact  # known from the first checkpoint's starting state
    await apply_restore(repo, plan, manager, direct_append)
    assert not (workspace / "new.txt").exists()
    assert sorted(p.name for p in workspace.iterdir()) == ["keep.txt", "notes.md"]


async def test_undo_of_a_restore_from_the_leaf_it_left(make_agent, workspace):
    agent = await _run(make_agent)
    manager = agent.manager
    repo = open_repo(workspace)
    leaf_before = manager.leaf_id
    first = _tool_results(agent)[0]["id"]
    after_run = tree_digest(workspace)
    await apply_restore(repo, await plan_restore(repo, Timeline(manager.entries), first), manager, direct_append)
    assert tree_digest(workspace) != after_run
    # The leaf the restore left now has the files as they were: restoring it undoes the restore.
    plan = await plan_restore(repo, Timeline(manager.entries), leaf_before)
    assert {(f.status, f.path) for f in plan.files} == {("M", "notes.md"), ("D", "keep.txt")}
    await apply_restore(repo, plan, manager, direct_append)
    assert tree_digest(workspace) == after_run


async def test_a_file_changed_outside_the_agent_is_a_conflict_kept_unless_forced(make_agent, workspace):
    agent = await _run(make_agent)
    manager = agent.manager
    repo = open_repo(workspace)
    (workspace / "notes.md").write_text("my own edit\n")  # the user, in an editor
    (workspace / "mine.txt").write_text("a file of the user's\n")
    first = _tool_results(agent)[0]["id"]
    plan = await plan_restore(repo, Timeline(manager.entries), first)
    # Both would be overwritten/removed by the restore: both are conflicts, kept by default.
    assert [f.path for f in plan.conflicts] == ["mine.txt", "notes.md"]
    assert "outside the agent" in next(f for f in plan.files if f.path == "notes.md").agents
    assert {f.path for f in plan.to_apply(False)} == {"keep.txt"}
    result = await apply_restore(repo, plan, manager, direct_append)
    assert sorted(f.path for f in result.kept) == ["mine.txt", "notes.md"]
    assert (workspace / "notes.md").read_text() == "my own edit\n"
    assert (workspace / "mine.txt").exists() and (workspace / "keep.txt").exists()

    # Changed again outside: a conflict again; forced, the restore overwrites it.
    (workspace / "notes.md").write_text("edited again\n")
    plan = await plan_restore(repo, Timeline(manager.entries), first)
    assert [f.path for f in plan.conflicts] == ["notes.md"]
    await apply_restore(repo, plan, manager, direct_append, force=True)
    assert (workspace / "notes.md").read_text() == "first\n"


async def test_ignored_files_and_the_projects_git_are_never_touched(make_agent, workspace, tmp_path):
    git(workspace, "init", "-q")
    (workspace / ".gitignore").write_text("build/\n*.log\n")
    (workspace / "sub").mkdir()
    (workspace / "sub" / ".gitignore").write_text("secret.txt\n")  # nested rules count too
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "base")
    (workspace / "notes.md").write_text("staged change\n")
    git(workspace, "add", "notes.md")  # the project's index holds something of its own
    (workspace / "notes.md").write_text("first\n")
    git(workspace, "stash", "-q")
    git_before = tree_digest(workspace / ".git")

    script = [
        Turn().tool("bash", {"command": "mkdir -p build && echo a > build/out.bin && echo b > x.log "
                                        "&& echo c > sub/secret.txt && echo d > sub/tracked.txt"}),
        Turn().text("ok"),
    ]
    agent = make_agent(script)
    await agent.run("build")
    cp = [e for e in agent.manager.entries if e.get("customType") == CHECKPOINT_TYPE]
    assert [f["path"] for f in cp[0]["data"]["files"]] == ["sub/tracked.txt"]

    repo = open_repo(workspace)
    user = next(e for e in agent.manager.entries if e.get("type") == "message")
    plan = await plan_restore(repo, Timeline(agent.manager.entries), user["id"])
    assert [(f.status, f.path) for f in plan.files] == [("D", "sub/tracked.txt")]
    await apply_restore(repo, plan, agent.manager, direct_append)
    assert (workspace / "build" / "out.bin").exists() and (workspace / "x.log").exists()
    assert (workspace / "sub" / "secret.txt").exists() and not (workspace / "sub" / "tracked.txt").exists()
    assert tree_digest(workspace / ".git") == git_before
    assert not str(repo.git_dir).startswith(str(workspace))


async def test_checkpoint_ignore_globs_and_the_size_limit(make_agent, workspace, tmp_path, monkeypatch):
    home = Path(tmp_path / "home")
    monkeypatch.setenv("WORKBENCH_HOME", str(home))
    home.mkdir()
    (home / "config.toml").write_text('[checkpoints]\nignore = ["*.tmp"]\nmax_file_mb = 0.001\n')
    script = [Turn().tool("bash", {"command": "echo x > a.tmp && head -c 5000 /dev/zero > big.bin && echo s > small.txt"}),
              Turn().text("ok")]
    agent = make_agent(script)
    await agent.run("go")
    cp = [e for e in agent.manager.entries if e.get("customType") == CHECKPOINT_TYPE]
    assert [f["path"] for f in cp[0]["data"]["files"]] == ["small.txt"]
    assert cp[0]["data"]["skipped"] == [{"path": "big.bin", "size": 5000}]
    assert str(home) in str(open_repo(workspace).git_dir)


async def test_git_missing_turns_checkpoints_off_with_one_message(make_agent, workspace, monkeypatch):
    monkeypatch.setenv("PATH", str(workspace / "nowhere"))
    script = [Turn().tool("write", {"path": "a.txt", "content": "x"}), Turn().text("ok")]
    agent = make_agent(script)
    assert agent.checkpoints.problem is not None and "git was not found" in agent.checkpoints.problem
    await agent.run("go")
    assert (workspace / "a.txt").read_text() == "x"
    assert not [e for e in agent.manager.entries if e.get("customType") == CHECKPOINT_TYPE]


async def test_snapshots_changes_touch_and_the_size_limit(workspace, tmp_path):
    import os
    import zlib

    from workbench.checkpoints.shadow import ShadowRepo

    repo = ShadowRepo(workspace, tmp_path / "home", max_file_mb=0.01)
    (workspace / "early.bin").write_bytes(b"y" * 30_000)  # there before the first snapshot: never read
    first = await repo.snapshot()
    assert first.skipped == [("early.bin", 30_000)]
    (workspace / "notes.md").write_text("changed\n")
    os.utime(workspace / "keep.txt", (1, 1))  # touched only: not a change
    (workspace / "d").mkdir()
    (workspace / "d" / "new.txt").write_text("new\n")
    (workspace / "big.bin").write_bytes(b"x" * 20_000)  # over the 0.01 MB limit
    second = await repo.snapshot()
    assert second.previous == first.tree
    changes = await repo.changes_since(first.tree, second)
    assert [(c.status, c.path) for c in changes] == [("A", "d/new.txt"), ("M", "notes.md")]
    assert second.skipped == [("big.bin", 20_000), ("early.bin", 30_000)]
    blobs = [zlib.decompress(p.read_bytes()) for p in (repo.git_dir / "objects").glob("??/*")]
    assert blobs and not any(b"x" * 100 in b or b"y" * 100 in b for b in blobs)  # no copy of either stays
    (workspace / "notes.md").unlink()
    (workspace / "d" / "new.txt").write_text("again\n")
    (workspace / "big.bin").write_bytes(b"small now\n")  # under the limit again: captured
    third = await repo.snapshot()
    assert [(c.status, c.path) for c in await repo.changes_since(second.tree, third)] == [
        ("A", "big.bin"), ("M", "d/new.txt"), ("D", "notes.md")]
    assert third.skipped == [("early.bin", 30_000)]


async def test_a_users_bang_command_is_checkpointed_and_can_be_undone(make_agent, workspace):
    import subprocess

    from workbench.context.shell import bash_execution_message

    agent = make_agent([Turn().tool("write", {"path": "new.txt", "content": "x\n"}), Turn().text("ok")])
    await agent.run("write")
    before_command = agent.manager.leaf_id
    await agent.checkpoints.before_user_command(agent)
    subprocess.run(["bash", "-c", "rm keep.txt && echo changed > notes.md"], cwd=workspace, check=True)
    await agent.record_bash_execution(bash_execution_message("rm keep.txt && echo changed > notes.md", "", 0,
                                                             cancelled=False, truncated=False))
    entries = list(agent.manager.entries)
    cp, bash = entries[-2], entries[-1]
    assert cp["customType"] == CHECKPOINT_TYPE and cp["data"]["kind"] == "command"
    assert cp["data"]["files"] == [{"status": "D", "path": "keep.txt"}, {"status": "M", "path": "notes.md"}]
    assert bash["message"]["role"] == "bashExecution" and bash["parentId"] == cp["id"]
    repo = open_repo(workspace)
    plan = await plan_restore(repo, Timeline(agent.manager.entries), before_command)
    assert not plan.conflicts  # the user's own command is checkpointed: not a change outside
    await apply_restore(repo, plan, agent.manager, direct_append)
    assert (workspace / "keep.txt").read_text() == "keep me\n" and (workspace / "notes.md").read_text() == "first\n"

    # Without before_user_command: what changed since the last checkpoint is the command's.
    subprocess.run(["bash", "-c", "echo more > more.txt"], cwd=workspace, check=True)
    await agent.record_bash_execution(bash_execution_message("echo more > more.txt", "", 0,
                                                             cancelled=False, truncated=False))
    cp = list(agent.manager.entries)[-2]
    assert cp["data"]["kind"] == "command" and cp["data"]["files"] == [{"status": "A", "path": "more.txt"}]
