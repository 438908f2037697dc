"""Mob members share the workspace: their checkpoints go to one shadow repository, and a
restore's preview names which member changed what."""

from __future__ import annotations

from tests.runtime.scripted import Turn
from workbench.checkpoints import Timeline, open_repo
from workbench.checkpoints.rewind import plan_restore


async def test_two_members_one_shadow_repo_and_the_preview_names_them(make_agent, workspace):
    one = make_agent([Turn().tool("write", {"path": "a.txt", "content": "from one\n"}), Turn().text("ok")],
                     agent="worker-1")
    two = make_agent([Turn().tool("write", {"path": "b.txt", "content": "from two\n"}),
                      Turn().tool("edit", {"path": "a.txt", "oldText": "one", "newText": "two"}), Turn().text("ok")],
                     agent="worker-2")
    await one.run("write a")
    await two.run("write b, touch a")
    assert one.checkpoints.repo.git_dir == two.checkpoints.repo.git_dir
    cps = [e for e in one.manager.entries if e.get("type") == "custom"]
    assert cps[-1]["data"]["agent"] == "worker-1"

    repo = open_repo(workspace)
    user = next(e["id"] for e in one.manager.entries if e.get("type") == "message")
    plan = await plan_restore(repo, Timeline(one.manager.entries), user)
    by_path = {f.path: f for f in plan.files}
    assert set(by_path) == {"a.txt", "b.txt"}
    assert by_path["a.txt"].agents == ("worker-1", "worker-2")
    assert by_path["b.txt"].agents == ("worker-2",)
    assert not plan.conflicts  # another member's change is not a change outside the agents
