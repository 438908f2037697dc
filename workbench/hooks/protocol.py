"""What a hook answers (the Claude Code convention, so existing scripts carry over):

- exit 0 and nothing (or plain text) on stdout: allow;
- exit 0 and a JSON object on stdout: {"decision": "allow" | "deny", "reason": "...",
  "additional_context": "..."};
- exit 2: deny, the reason on stderr;
- any other exit code, a signal, bad JSON or a timeout: a failure, handled by the hook's
  `failure` policy.
Everything a hook prints is untrusted text: it is cut to a size and passed on as plain text.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass

from workbench.hooks.process import ProcessOutcome

MAX_TEXT = 8_000  # characters of reason / additional_context kept for the model and the screen


@dataclass(frozen=True)
class Answer:
    kind: str  # "allow" | "deny" | "failed"
    reason: str = ""
    additional_context: str = ""
    reason_code: str = ""
    error: str = ""


def cut(text: str, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[:limit] + f"… [cut: {len(text) - limit:,} more characters]"


def _tail(text: str, limit: int = 500) -> str:
    text = text.strip()
    return text if len(text) <= limit else "…" + text[-limit:]


def interpret(outcome: ProcessOutcome, timeout: float) -> Answer:
    if outcome.start_error:
        return Answer("failed", error=outcome.start_error)
    if outcome.timed_out:
        return Answer("failed", error=f"timed out after {timeout:g}s (the hook and its processes were killed)")
    code = outcome.exit_code
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return Answer("failed", error=f"killed by signal {name}")
    if code == 2:
        return Answer("deny", reason=cut(outcome.stderr) or "(the hook gave no reason on stderr)",
                      reason_code="exit_code_2")
    if code != 0:
        detail = _tail(outcome.stderr) or _tail(outcome.stdout)
        return Answer("failed", error=f"exited with code {code}" + (f": {detail}" if detail else ""))
    out = outcome.stdout.strip()
    if not out.startswith("{"):
        return Answer("allow")  # plain text is the hook's own business
    try:
        data = json.loads(out)
    except ValueError as exc:
        if outcome.truncated:
            return Answer("failed", error="printed more than 1 MB on stdout: the JSON answer was cut and cannot be read")
        return Answer("failed", error=f"printed invalid JSON on stdout ({exc.msg} at line {exc.lineno} "
                                      f"column {exc.colno}): {_tail(out, 200)}")
    if not isinstance(data, dict):
        return Answer("failed", error="printed JSON that is not an object")
    decision = data.get("decision", "allow")
    if decision not in ("allow", "deny"):
        return Answer("failed", error=f'"decision" must be "allow" or "deny", not {json.dumps(decision)[:80]}')
    reason = data.get("reason")
    context = data.get("additional_context")
    if reason is not None and not isinstance(reason, str):
        return Answer("failed", error='"reason" must be a string')
    if context is not None and not isinstance(context, str):
        return Answer("failed", error='"additional_context" must be a string')
    code_str = data.get("reason_code")
    return Answer(decision, reason=cut(reason or ""), additional_context=cut(context or ""),
                  reason_code=code_str if isinstance(code_str, str) and code_str else
                  ("json_deny" if decision == "deny" else ""))
