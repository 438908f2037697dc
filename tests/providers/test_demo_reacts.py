"""The offline demo reacts to what the user does: driven through the real agent runtime in `ask`
mode, with a fake UI answering each approval. It decides from the tool results in the request."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from workbench.providers.base import ProviderRequest
from workbench.providers.demo import DEMO_ENDED_TEXT, DEMO_FILE, _HELLO_V1, _NEW, demo_provider, demo_script
from workbench.providers.demo_outcomes import USER_DENIED, call_outcomes, plain_quote
from workbench.runtime.agent import AgentSession
from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision
from workbench.runtime.compaction import CompactionSettings
from workbench.runtime.gate import denial_text
from workbench.runtime.retry import RetryPolicy
from workbench.sessions.manager import SessionManager
from tests.providers.conftest import collect

ONCE = ApprovalDecision("once")
CLAIMS_EDITED = ("replaced one function", "The edited function", "Hello, workbench!")


def _answers(broker: ApprovalBroker, answers: dict[str, ApprovalDecision]) -> None:
    """A fake UI: answers each request by its tool's name."""
    seen: set[str] = set()

    def on_request(req):
        if req.done or req.request_id in seen:
            return
        seen.add(req.request_id)
        asyncio.get_running_loop().call_soon(broker.resolve, req.request_id, answers[req.tool])

    broker.add_listener(on_request)


@pytest.fixture
def run_demo(tmp_path: Path):
    managers = []

    async def run(answers: dict[str, ApprovalDecision] | None, prompts=("hi",), mode="ask"):
        workspace = tmp_path / "ws"
        workspace.mkdir(exist_ok=True)
        manager = SessionManager.create(workspace, sessions_dir=tmp_path / "sessions")
        managers.append(manager)
        broker = None
        if answers is not None:
            broker = ApprovalBroker()
            _answers(broker, answers)
        agent = AgentSession(manager, demo_provider(fast=True), model="replay", mode=mode, approvals=broker,
                             retry=RetryPolicy(base_delay=0.0), compaction=CompactionSettings(enabled=False))
        for prompt in prompts:
            await agent.run(prompt)
        return workspace, manager.build_context().messages  # as written to the session file

    yield run
    for manager in managers:
        manager.close()


def _assistant_texts(messages) -> list[str]:
    return ["".join(b.get("text", "") for b in m["content"] if b["type"] == "text")
            for m in messages if m["role"] == "assistant"]


def _calls(messages) -> list[str]:
    return [b["name"] for m in messages if m["role"] == "assistant" for b in m["content"] if b["type"] == "toolCall"]


def _after_result_of(messages, tool: str) -> list[str]:
    """The assistant texts that come after the result of `tool`'s call."""
    index = next(i for i, m in enumerate(messages) if m["role"] == "toolResult" and m["toolName"] == tool)
    return _assistant_texts(messages[index:])


async def test_approving_everything_plays_the_script_unchanged(run_demo):
    workspace, messages = await run_demo({"write": ONCE, "edit": ONCE, "bash": ONCE})
    script = demo_script()
    expected = ["".join(c.text or "" for c in turn.chunks) for turn in script.turns]
    assert _assistant_texts(messages) == expected
    assert _calls(messages) == ["ls", "find", "write", "read", "edit", "bash"]
    assert not any(m.get("isError") for m in messages if m["role"] == "toolResult")
    assert _NEW in (workspace / DEMO_FILE).read_text()


async def test_denying_the_edit_is_acknowledged_and_never_claimed(run_demo):
    workspace, messages = await run_demo({"write": ONCE, "edit": ApprovalDecision("deny"), "bash": ONCE})
    assert (workspace / DEMO_FILE).read_text() == _HELLO_V1  # the edit did not happen
    after = _after_result_of(messages, "edit")
    assert after[0].startswith(f"You denied the edit to `{DEMO_FILE}`.")
    assert "keeps its original `greet`" in after[0]
    joined = "\n".join(after)
    for claim in CLAIMS_EDITED:
        assert claim not in joined
    assert "you denied it, so `greet` is unchanged" in after[-1]
    assert "**bash** ran the script" in after[-1]  # the unchanged file still ran
    assert after[-1].endswith("`workbench --provider openai --model gpt-4.1`.")  # how to configure, last
    assert "offline demo" in after[-1] and "ANTHROPIC_API_KEY" in after[-1]
    bash_result = [m for m in messages if m["role"] == "toolResult" and m["toolName"] == "bash"][0]
    assert "Hello, workbench" in bash_result["content"][0]["text"] and "Hello, workbench!" not in bash_result["content"][0]["text"]


async def test_feedback_is_quoted_back_as_plain_text(run_demo):
    feedback = "[bold red]keep it[/] **as is**\x1b[31m, `please`"
    _, messages = await run_demo({"write": ONCE, "edit": ApprovalDecision("deny", feedback), "bash": ONCE})
    after = _after_result_of(messages, "edit")
    assert after[0].startswith(f"You denied the edit to `{DEMO_FILE}`, saying: ")
    # one code span, so Markdown shows it literally; the escape character is gone, the words stay
    assert "`` [bold red]keep it[/] **as is** [31m, `please` ``." in after[0]
    assert "\x1b" not in "\n".join(_assistant_texts(messages))


async def test_denying_the_write_stops_before_anything_that_needs_the_file(run_demo):
    workspace, messages = await run_demo({"write": ApprovalDecision("deny", "not in my repo")},
                                         prompts=("hi", "and now?"))
    assert not (workspace / DEMO_FILE).exists()
    assert _calls(messages) == ["ls", "find", "write"]  # no read, edit or bash
    after = _after_result_of(messages, "write")
    assert after[0].startswith(f"You denied writing `{DEMO_FILE}`, saying: `not in my repo`.")
    assert "I'll stop here" in after[0]
    assert f"you denied it, so `{DEMO_FILE}` was not created" in after[0]
    assert "Skipped, since they depended on what did not happen: reading it back, editing it, running it." in after[0]
    for claim in (*CLAIMS_EDITED, "created `hello.py`", "ran the script", "You can delete"):
        assert claim not in after[0]
    assert "offline demo" in after[0] and "OPENAI_BASE_URL" in after[0]
    assert after[1] == DEMO_ENDED_TEXT  # the next prompt: the demo is over


async def test_denying_the_command_says_nothing_ran(run_demo):
    _, messages = await run_demo({"write": ONCE, "edit": ONCE, "bash": ApprovalDecision("deny")})
    after = _after_result_of(messages, "bash")
    assert len(after) == 1
    assert after[0].startswith(f"You denied running `python3 {DEMO_FILE}`. So nothing was run.")
    assert "you denied it, so nothing ran" in after[0] and "ran the script" not in after[0]
    assert "**edit** replaced one function" in after[0] and "The edited function" in after[0]


async def test_a_refusal_with_nobody_to_ask_is_quoted_from_the_tool_result(run_demo):
    """Headless `ask` (no broker): the write is refused with the runtime's message, not a user denial."""
    workspace, messages = await run_demo(None)
    assert not (workspace / DEMO_FILE).exists()
    after = _after_result_of(messages, "write")
    assert after[0].startswith(f"Writing `{DEMO_FILE}` didn't go through (`write`): `Denied: write needs approval")
    assert "--approve edits" in after[0] and "You denied" not in after[0]
    assert _calls(messages) == ["ls", "find", "write"]


async def test_plan_mode_refusal_is_a_failure_not_a_denial(run_demo):
    workspace, messages = await run_demo({}, mode="plan")
    assert not (workspace / DEMO_FILE).exists()
    after = _after_result_of(messages, "write")
    assert "didn't go through (`write`)" in after[0] and "**write** did not create" in after[0]


def test_the_denial_text_the_demo_reads_is_the_runtimes():
    assert denial_text(None) == USER_DENIED
    [outcome] = call_outcomes([{"role": "toolResult", "toolCallId": "c", "toolName": "edit", "isError": True,
                                "content": [{"type": "text", "text": denial_text("  use tabs ")}]}])
    assert (outcome.denied, outcome.feedback, outcome.latest) == (True, "use tabs", True)


def test_plain_quote_is_one_literal_code_span():
    assert plain_quote("a `b` c") == "``a `b` c``"
    assert plain_quote("`x`") == "`` `x` ``"
    assert plain_quote("line one\nline\ttwo\x07") == "`line one line two`"
    assert plain_quote("x" * 500).endswith("…`") and len(plain_quote("x" * 500)) == 302


async def test_happy_path_provider_calls_match_the_scripted_turns():
    """Without any tool results to react to, the provider plays exactly the scripted turns."""
    p = demo_provider(fast=True)
    for turn in demo_script().turns:
        _, msg = await collect(p, ProviderRequest(model="replay", messages=[{"role": "user", "content": "hi"}]))
        assert "".join(b.get("text", "") for b in msg["content"]) == "".join(c.text or "" for c in turn.chunks)
