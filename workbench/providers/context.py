"""pi AgentMessages → the three roles every model API knows (user / assistant / toolResult).

Mirrors pi's `convertToLlm`: a user-run shell command (bashExecution) becomes a user text message
unless it was marked excludeFromContext; custom messages, branch summaries and compaction
summaries become user text too. Providers then map these three roles to their wire format.
"""

from __future__ import annotations

from typing import Any


def content_text(content: Any) -> str:
    """The text of a content field that may be a string or a list of blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def user_blocks(content: Any) -> list[dict[str, Any]]:
    """A user content field as a list of text/image blocks."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in (content or []) if isinstance(b, dict) and b.get("type") in ("text", "image")]


def bash_execution_text(msg: dict[str, Any]) -> str:
    text = f"Ran `{msg.get('command', '')}`\n"
    output = msg.get("output") or ""
    text += f"```\n{output}\n```" if output else "(no output)"  # as is, as pi sends it
    if msg.get("cancelled"):
        text += "\n\n(command cancelled)"
    elif msg.get("exitCode") not in (0, None):
        text += f"\n\nCommand exited with code {msg.get('exitCode')}"
    if msg.get("truncated"):
        text += "\n\n[Output truncated]"
    return text


# pi's synthetic result for a tool call that never got one (transformMessages)
MISSING_RESULT_TEXT = "No result provided"


def is_same_model(msg: dict[str, Any], api: str, model: str | None) -> bool:
    """pi's isSameModel: an assistant message from the model the request goes to (same API and,
    when known, same model id): only then are its thinking blocks and signatures valid there."""
    return msg.get("api") == api and (model is None or msg.get("model") in (None, model))


def thinking_text(block: dict[str, Any]) -> str | None:
    """A thinking block pi sends as a plain text block (unsigned, or from another model):
    its text, or None when there is nothing to send (empty or redacted)."""
    text = block.get("thinking")
    if block.get("redacted") or not isinstance(text, str) or not text.strip():
        return None
    return text


def to_llm_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for msg in messages:
        role = msg.get("role")
        if role in ("user", "assistant", "toolResult"):
            out.append(msg)
        elif role == "bashExecution":
            if not msg.get("excludeFromContext"):
                out.append(_user(bash_execution_text(msg), msg))
        elif role == "custom":
            blocks = user_blocks(msg.get("content"))
            if blocks:
                out.append({"role": "user", "content": blocks, "timestamp": msg.get("timestamp", 0)})
        elif role == "branchSummary":
            out.append(_user("The following is a summary of a branch that this conversation came back from:\n\n"
                             f"<summary>\n{msg.get('summary', '')}</summary>", msg))  # pi: no newline before </summary>
        elif role == "compactionSummary":
            out.append(_user("The conversation history before this point was compacted into the following summary:\n\n"
                             f"<summary>\n{msg.get('summary', '')}\n</summary>", msg))
        # unknown roles are not model context (e.g. UI-only messages): skipped
    return out


def _user(text: str, source: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "text", "text": text}], "timestamp": source.get("timestamp", 0)}
