"""Continuing pi's sessions sends what pi sends (issue 13, items 16–20).

The contexts come from pi's own files (the shared fixtures, and copies derived from them in
tmp_path); the request bodies are the ones the real SDKs send to the local fake servers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.fakes.anthropic_server import anthropic_stream, text
from tests.fakes.http_server import FakeHTTPServer
from tests.fakes.openai_server import openai_stream
from workbench.providers import make_provider
from workbench.providers.base import ProviderRequest
from workbench.sessions import SessionManager

from .conftest import FIXTURES, load_expected

NAMED = load_expected("named-ids.json")
BRANCHED = FIXTURES / "v3-branched-session.jsonl"
CLAUDE = "claude-sonnet-4-5"


def _context(path: Path, leaf: str) -> list[dict]:
    with SessionManager.open(path, readonly=True) as manager:
        return manager.build_context(leaf).messages


def _body(provider_name: str, model: str, messages: list[dict]) -> dict:
    """The JSON body the provider's SDK sends for `messages`."""
    stream = anthropic_stream([text("ok")]) if provider_name == "anthropic" else openai_stream(text="ok")
    with FakeHTTPServer([stream]) as srv:
        base = srv.url if provider_name == "anthropic" else srv.url + "/v1"
        provider = make_provider(provider_name, model=model, base_url=base, api_key="test-key")

        async def run() -> None:
            async for _ in provider.stream(ProviderRequest(model=model, messages=messages)):
                pass
        asyncio.run(run())
        return srv.requests[0].json


def _texts(body: dict) -> list[str]:
    out = []
    for msg in body["messages"]:
        content = msg["content"]
        if isinstance(content, str):
            out.append(content)
        else:
            out.extend(b["text"] for b in content or [] if b.get("type") == "text")
    return out


def _derived(tmp_path: Path, edit) -> Path:
    """A copy of the branched fixture with its lines passed through `edit(list[dict]) -> list[dict]`."""
    lines = [json.loads(line) for line in BRANCHED.read_text().splitlines() if line.strip()]
    path = tmp_path / "derived.jsonl"
    path.write_text("".join(json.dumps(entry, separators=(",", ":")) + "\n" for entry in edit(lines)))
    return path


SUMMARY = next(json.loads(l) for l in BRANCHED.read_text().splitlines() if '"branch_summary"' in l)["summary"]


@pytest.mark.parametrize("provider_name, model", [("anthropic", CLAUDE), ("openai", "gpt-4.1")])
def test_branch_summary_framing_is_pis(provider_name, model):
    # item 16: pi's BRANCH_SUMMARY_PREFIX + summary + "</summary>" (no newline before the tag)
    body = _body(provider_name, model, _context(BRANCHED, NAMED["u3"]))
    expected = ("The following is a summary of a branch that this conversation came back from:\n\n"
                f"<summary>\n{SUMMARY}</summary>")
    assert expected in _texts(body)
    # compaction keeps pi's own framing, with the newline
    assert not any(t.endswith("\n</summary>") and "branch" in t[:60] for t in _texts(body))


@pytest.mark.parametrize("provider_name, model", [("anthropic", CLAUDE), ("openai", "gpt-4.1")])
def test_bash_execution_output_is_kept_as_is_inside_the_fence(provider_name, model):
    # item 17: "3 passing\n" stays with its newline, then the closing fence on its own line
    body = _body(provider_name, model, _context(BRANCHED, NAMED["leafA"]))
    assert "Ran `npm test`\n```\n3 passing\n\n```" in _texts(body)
    assert not any("git status" in t for t in _texts(body))  # excludeFromContext


def test_foreign_thinking_goes_as_text_to_openai():
    # item 18: a1's thinking was made by Anthropic; pi sends it to another model as a text block
    body = _body("openai", "gpt-4.1", _context(BRANCHED, NAMED["leafA"]))
    assistant = next(m for m in body["messages"] if m["role"] == "assistant")
    assert assistant["content"] == "I should look at the arg parser first."
    assert assistant["tool_calls"][0]["id"] == "toolu_01"


def test_signed_thinking_of_the_same_model_stays_thinking():
    body = _body("anthropic", CLAUDE, _context(BRANCHED, NAMED["leafA"]))
    assert body["messages"][1]["content"][0] == {
        "type": "thinking", "thinking": "I should look at the arg parser first.", "signature": "sig-abc"}


def test_foreign_thinking_goes_as_text_to_anthropic(tmp_path):
    # item 18: the same turn, but made by another model (gpt-5 over openai-responses)
    def foreign(lines):
        for entry in lines:
            if entry["id"] == NAMED["a1"]:
                entry["message"].update(api="openai-responses", provider="openai", model="gpt-5")
        return lines
    body = _body("anthropic", CLAUDE, _context(_derived(tmp_path, foreign), NAMED["leafA"]))
    assert body["messages"][1]["content"][0] == {"type": "text", "text": "I should look at the arg parser first."}
    assert body["messages"][1]["content"][1]["type"] == "tool_use"


def test_unsigned_thinking_of_the_same_model_goes_as_text(tmp_path):
    # item 18: thinking without a signature (an aborted stream) from the very model: a text block
    def unsigned(lines):
        for entry in lines:
            if entry["id"] == NAMED["a1"]:
                del entry["message"]["content"][0]["thinkingSignature"]
        return lines
    body = _body("anthropic", CLAUDE, _context(_derived(tmp_path, unsigned), NAMED["leafA"]))
    assert body["messages"][1]["content"][0] == {"type": "text", "text": "I should look at the arg parser first."}


@pytest.mark.parametrize("provider_name, model", [("anthropic", CLAUDE), ("openai", "gpt-4.1")])
def test_a_tool_call_without_result_gets_pis_synthetic_result(tmp_path, provider_name, model):
    # item 19: the process was killed after a1 asked for `read`; the user typed again
    def killed(lines):
        kept = [entry for entry in lines if entry["id"] != NAMED["r1"]]
        for entry in kept:
            if entry["id"] == NAMED["a2"]:
                entry["parentId"] = NAMED["a1"]
        return kept
    body = _body(provider_name, model, _context(_derived(tmp_path, killed), NAMED["a2"]))
    if provider_name == "anthropic":
        result = body["messages"][2]["content"][0]
        assert (result["type"], result["tool_use_id"], result["is_error"]) == ("tool_result", "toolu_01", True)
        assert result["content"] == [{"type": "text", "text": "No result provided"}]
    else:
        tool = next(m for m in body["messages"] if m["role"] == "tool" and m["tool_call_id"] == "toolu_01")
        assert tool["content"] == "No result provided"
