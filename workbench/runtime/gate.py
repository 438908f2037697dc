"""The gate every tool call passes before it runs: arguments, permission rules, approval.

Order: unknown tool / malformed JSON / invalid arguments → an error result to the model; then the
permission policy (mode + allow/ask/deny rules, with this session's grants added to allow); then
paths outside the workspace (asked for that exact path); then, if anything needs asking, the
approval broker — or, when nobody can answer (headless), a denial that names the flag allowing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

from workbench.runtime.approvals import ApprovalBroker, ApprovalDecision, ApprovalRequest, new_request_id
from workbench.tools.base import Effect, Tool, ToolContext

Verdict = Literal["run", "error", "denied"]


@dataclass
class GateOutcome:
    verdict: Verdict
    message: str = ""                 # the tool result text when not run
    decision: ApprovalDecision | None = None
    saved_rule: str | None = None
    approved_paths: list[Path] = field(default_factory=list)


def shell_quote(rule: str) -> str:
    return "'" + rule.replace("'", "'\\''") + "'"


def headless_denial(tool: Tool, rule: str | None, outside: list[Path], workspace: Path) -> str:
    """Why a call was refused with nobody to ask, and the flags that would allow it."""
    if outside:
        where = ", ".join(str(p) for p in outside)
        return (f"Denied: {tool.name} touches {where}, outside the workspace {workspace}, and there is "
                "no one to approve it in headless mode. Re-run with --approve yolo to allow it.")
    flags = []
    if tool.effect == Effect.WRITE:
        flags.append("--approve edits")
    flags.append("--approve yolo")
    if rule:
        flags.append(f"--allow {shell_quote(rule)}")
    return (f"Denied: {tool.name} needs approval and there is no one to approve it in headless mode. "
            f"Re-run with {' or '.join(flags)} to allow it.")


def denial_text(feedback: str | None) -> str:
    text = "The user denied this tool call."
    if feedback and feedback.strip():
        text += f" Feedback: {feedback.strip()}"
    return text


class Gate:
    def __init__(self, policy: Any, *, approvals: ApprovalBroker | None, grants: Any = None) -> None:
        self.policy = policy                # workbench.tools.permissions.PermissionPolicy
        self.approvals = approvals
        self.grants = grants                # GrantStore: where "always" saves

    @property
    def mode(self) -> str:
        return self.policy.mode

    def set_mode(self, mode: str) -> None:
        self.policy.mode = mode

    @property
    def session_allow(self) -> list[str]:
        return [str(r) for r in self.policy.session_grants]

    @staticmethod
    def check_arguments(registry: Any, name: str, args: Any) -> str | None:
        """An error text for the model (unknown tool, malformed JSON, schema problems), or None."""
        errors = registry.validate(name, args)
        return "Invalid tool call: " + "; ".join(errors) if errors else None

    async def decide(self, tool: Tool, args: dict[str, Any], ctx: ToolContext, *, call_id: str,
                     session_id: str | None, agent: str | None,
                     on_request: Callable[[ApprovalRequest], None],
                     on_resolved: Callable[[ApprovalRequest, ApprovalDecision, str | None], None]) -> GateOutcome:
        from workbench.tools.grants import GrantError
        from workbench.tools.permissions import narrowest_rule

        if getattr(self.policy, "unreadable", None) and hasattr(self.policy, "reloaded"):
            fresh = self.policy.reloaded()  # strict until the broken config file is fixed
            if fresh is not None:
                self.policy = fresh
        decision = self.policy.decide(tool, args, ctx)
        outside = list(decision.outside)
        if decision.action == "deny":
            return GateOutcome("denied", decision.reason)
        if decision.action == "allow":
            return GateOutcome("run", approved_paths=outside)

        scope = narrowest_rule(tool, args, ctx)
        if self.approvals is None:
            return GateOutcome("denied", headless_denial(tool, scope, outside, ctx.workspace))

        try:
            p = tool.preview(args, ctx)
            preview = p.to_dict() if p is not None else None
        except Exception as exc:  # a preview must never stop the question being asked
            preview = {"kind": "text", "text": f"(no preview: {type(exc).__name__}: {exc})"}
        req = ApprovalRequest(
            request_id=new_request_id(), session_id=session_id, agent=agent, tool=tool.name,
            call_id=call_id, args=args, preview=preview, scope=scope, reason=decision.reason,
            outside_paths=[str(p) for p in outside],
        )
        on_request(req)
        answer = await self.approvals.request(req)
        saved = None
        if answer.kind == "deny":
            on_resolved(req, answer, None)
            return GateOutcome("denied", denial_text(answer.feedback), decision=answer)
        if answer.kind in ("session", "always"):
            self.policy.grant(scope)
        if answer.kind == "always" and self.grants is not None:
            try:
                self.grants.add(scope, "project", "allow")  # the project's .workbench/config.toml
                saved = scope
            except (GrantError, OSError):  # e.g. that file does not parse: the answer still holds this session
                saved = None
        on_resolved(req, answer, saved)
        return GateOutcome("run", decision=answer, saved_rule=saved, approved_paths=outside)
