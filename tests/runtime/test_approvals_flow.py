import asyncio

from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision
from tests.runtime.conftest import file_messages, of_type
from tests.runtime.scripted import Turn


def answering(broker: ApprovalBroker, *decisions: ApprovalDecision):
    """A fake UI answering each request in turn; returns the requests it saw."""
    seen = []
    queue = list(decisions)

    def on_request(req):
        if req.done or req.request_id in {r.request_id for r in seen}:
            return
        seen.append(req)
        asyncio.get_running_loop().call_soon(broker.resolve, req.request_id, queue.pop(0))

    broker.add_listener(on_request)
    return seen


async def test_once_runs_and_asks_again_next_time(make_agent, workspace):
    broker = ApprovalBroker()
    seen = answering(broker, ApprovalDecision("once"), ApprovalDecision("once"))
    agent = make_agent([
        Turn().tool("write", {"path": "a.txt", "content": "A\n"}, "c1"),
        Turn().tool("write", {"path": "b.txt", "content": "B\n"}, "c2"),
        Turn().text("done"),
    ], mode="ask", approvals=broker)
    await agent.run("write two files")
    assert (workspace / "a.txt").read_text() == "A\n" and (workspace / "b.txt").read_text() == "B\n"
    assert len(seen) == 2
    req = of_type(agent, "tool_approval_requested")[0]
    assert req.name == "write" and req.args == {"path": "a.txt", "content": "A\n"}
    assert req.preview is not None and "+A" in req.preview["text"]  # a diff computed before running
    assert req.scope == "edit(a.txt)"
    assert [e.decision for e in of_type(agent, "tool_approval_resolved")] == ["once", "once"]


async def test_session_grant_stops_asking_for_the_same_kind_of_call(make_agent, workspace):
    broker = ApprovalBroker()
    seen = answering(broker, ApprovalDecision("session"), ApprovalDecision("session"))
    agent = make_agent([
        Turn().tool("bash", {"command": "printf one"}, "c1"),
        Turn().tool("bash", {"command": "printf one; printf two"}, "c2"),
        Turn().tool("bash", {"command": "printf one%s -x"}, "c3"),
        Turn().text("done"),
    ], mode="ask", approvals=broker)
    await agent.run("go")
    # a chain is a different kind of call: asked again; the same command with more flags is not
    assert [r.scope for r in seen] == ["bash(printf one*)", "bash(printf one; printf two)"]
    assert seen[0].preview["kind"] == "command" and "printf one" in seen[0].preview["text"]
    outputs = [m["content"][0]["text"] for m in file_messages(agent) if m["role"] == "toolResult"]
    assert "one" in outputs[0] and "onetwo" in outputs[1] and "one-x" in outputs[2]
    assert agent.session_rules == ["bash(printf one*)", "bash(printf one; printf two)"]


async def test_always_saves_the_narrowest_rule_shown_before_saving(make_agent, workspace, tmp_path):
    import tomllib

    from workbench.tools.grants import GrantStore

    (workspace / ".workbench").mkdir()
    project = workspace / ".workbench" / "config.toml"
    project.write_text('# my settings\n[ui]\ntheme = "x"\n')
    grants = GrantStore(workspace, user_file=tmp_path / "user.toml", project_file=project)
    broker = ApprovalBroker()
    seen = answering(broker, ApprovalDecision("always"))
    agent = make_agent([Turn().tool("bash", {"command": "npm test -- --watch"}, "c1"), Turn().text("ok")],
                       mode="ask", approvals=broker, grants=grants)
    await agent.run("test")
    assert seen[0].scope == "bash(npm test*)"
    saved = tomllib.loads(project.read_text())
    assert saved["approvals"]["allow"] == ["bash(npm test*)"] and saved["ui"]["theme"] == "x"
    assert of_type(agent, "tool_approval_resolved")[0].saved_rule == "bash(npm test*)"


async def test_deny_sends_feedback_to_the_model_and_runs_nothing(make_agent, workspace):
    broker = ApprovalBroker()
    answering(broker, ApprovalDecision("deny", "use the staging db instead"))
    agent = make_agent([Turn().tool("write", {"path": "x.txt", "content": "x"}, "c1"), Turn().text("ok")],
                       mode="ask", approvals=broker)
    await agent.run("go")
    assert not (workspace / "x.txt").exists()
    tr = [m for m in file_messages(agent) if m["role"] == "toolResult"][0]
    assert tr["isError"]
    assert tr["content"][0]["text"] == "The user denied this tool call. Feedback: use the staging db instead"
    assert of_type(agent, "tool_result_received")[0].status == "denied"


async def test_nobody_to_ask_denies_with_the_flag_that_allows_it(make_agent, workspace):
    agent = make_agent([
        Turn().tool("bash", {"command": "npm test"}, "c1").tool("edit", {"path": "hello.txt", "oldText": "hello", "newText": "bye"}, "c2"),
        Turn().text("ok"),
    ], mode="ask", approvals=None)
    await agent.run("go")
    bash_r, edit_r = [m["content"][0]["text"] for m in file_messages(agent) if m["role"] == "toolResult"]
    assert "headless" in bash_r and "--approve yolo" in bash_r and "--allow 'bash(npm test*)'" in bash_r
    assert "--approve edits" in edit_r and "--allow 'edit(hello.txt)'" in edit_r
    assert (workspace / "hello.txt").read_text() == "hello world\n"


async def test_plan_mode_refuses_side_effects_with_an_explanation(make_agent, workspace):
    agent = make_agent([Turn().tool("read", {"path": "hello.txt"}, "c1").tool("bash", {"command": "rm hello.txt"}, "c2"),
                        Turn().text("plan")], mode="plan", approvals=ApprovalBroker())
    await agent.run("go")
    read_r, bash_r = [m for m in file_messages(agent) if m["role"] == "toolResult"]
    assert not read_r["isError"] and bash_r["isError"] and "plan mode" in bash_r["content"][0]["text"]
    assert (workspace / "hello.txt").exists()


async def test_a_path_outside_the_workspace_is_asked_for_exactly(make_agent, workspace, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret\n")
    broker = ApprovalBroker()
    seen = answering(broker, ApprovalDecision("once"))
    agent = make_agent([Turn().tool("read", {"path": str(outside)}, "c1"), Turn().text("ok")],
                       mode="ask", approvals=broker)
    await agent.run("read it")
    assert seen[0].outside_paths == [str(outside.resolve())]
    tr = [m for m in file_messages(agent) if m["role"] == "toolResult"][0]
    assert not tr["isError"] and "secret" in tr["content"][0]["text"]


async def test_interrupt_while_waiting_for_approval_withdraws_the_request(make_agent):
    broker = ApprovalBroker()
    agent = make_agent([Turn().tool("bash", {"command": "echo hi"}, "c1")], mode="ask", approvals=broker)
    task = agent.start("go")
    while not broker.pending():
        await asyncio.sleep(0.005)
    await agent.interrupt()
    await task
    assert broker.pending() == []
    assert of_type(agent, "tool_result_received")[0].status == "interrupted"
    assert of_type(agent, "run_completed")[0].stop == "interrupted"
