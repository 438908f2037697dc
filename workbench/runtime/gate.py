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

INVALID_JSON_KEY = "__invalid_json__"

Verdict = Literal["run", "error", "denied"]


@dataclass
class GateOutcome:
    verdict: Verdict
    message: str = ""                 # the tool result text when not run
    decision: ApprovalDecision | None = None
    saved_rule: str | None = None
    approved_paths: list[Path] = field(default_factory=list)


def _policy_module() -> Any:
    from workbench.tools import permissions

    return permissions


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
    def __init__(self, *, mode: str, allow: list[str], ask: list[str], deny: list[str],
                 approvals: ApprovalBroker | None, grants: Any = None) -> None:
        self.mode = mode
        self.allow = list(allow)
        self.ask = list(ask)
        self.deny = list(deny)
        self.session_allow: list[str] = []  # "allow for this session" answers
        self.approvals = approvals
        self.grants = grants                # GrantStore: where "always" saves
        self._policy: Any = None

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._policy = None

    def policy(self) -> Any:
        if self._policy is None:
            perms = _policy_module()
            self._policy = perms.PermissionPolicy.from_strings(
                self.mode, allow=self.allow + self.session_allow, ask=self.ask, deny=self.deny)
        return self._policy

    def add_session_rule(self, rule: str) -> None:
        if rule not in self.session_allow:
            self.session_allow.append(rule)
            self._policy = None

    @staticmethod
    def check_arguments(registry: Any, name: str, args: Any) -> str | None:
        """An error text for the model, or None when the call is well formed."""
        if registry.get(name) is None:
            known = ", ".join(sorted(t.name for t in registry.tools()))
            return f"Unknown tool {name!r}. Available tools: {known}."
        if isinstance(args, dict) and INVALID_JSON_KEY in args:
            return (f"The arguments for {name} were not valid JSON: {args[INVALID_JSON_KEY]!r}. "
                    "Send a JSON object matching the tool's parameters.")
        if not isinstance(args, dict):
            return f"The arguments for {name} must be a JSON object."
        errors = registry.validate(name, args)
        if errors:
            return f"Invalid arguments for {name}: " + "; ".join(errors)
        return None

    async def decide(self, tool: Tool, args: dict[str, Any], ctx: ToolContext, *, call_id: str,
                     session_id: str | None, agent: str | None,
                     on_request: Callable[[ApprovalRequest], None],
                     on_resolved: Callable[[ApprovalRequest, ApprovalDecision, str | None], None]) -> GateOutcome:
        perms = _policy_module()
        from workbench.tools.paths import outside_paths

        decision = self.policy().decide(tool, args, ctx)
        if decision.action == "deny":
            return GateOutcome("denied", decision.reason)
        try:
            outside = outside_paths(tool, args, ctx)
        except Exception as exc:  # a path the tool cannot even resolve: the tool reports it itself
            outside = []
            del exc
        if decision.action == "allow" and not outside:
            return GateOutcome("run")
        if outside and self.mode == "yolo":
            return GateOutcome("run", approved_paths=outside)

        scope = None if outside else perms.narrowest_rule(tool, args)
        if self.approvals is None:
            return GateOutcome("denied", headless_denial(tool, scope, outside, ctx.workspace))

        preview = None
        try:
            p = tool.preview(args, ctx)
            preview = p.to_dict() if p is not None else None
        except Exception as exc:  # a preview must never stop the question being asked
            preview = {"kind": "text", "text": f"(no preview: {exc})"}
        reason = decision.reason if decision.action == "ask" else ""
        if outside:
            reason = "outside the workspace: " + ", ".join(str(p) for p in outside)
        req = ApprovalRequest(
            request_id=new_request_id(), session_id=session_id, agent=agent, tool=tool.name,
            call_id=call_id, args=args, preview=preview, scope=scope, reason=reason,
            outside_paths=[str(p) for p in outside],
        )
        on_request(req)
        answer = await self.approvals.request(req)
        saved = None
        if answer.kind == "deny":
            on_resolved(req, answer, None)
            return GateOutcome("denied", denial_text(answer.feedback), decision=answer)
        if scope is not None and answer.kind == "session":
            self.add_session_rule(scope)
        elif scope is not None and answer.kind == "always":
            self.add_session_rule(scope)
            if self.grants is not None:
                self.grants.add("allow", scope)
                saved = scope
        on_resolved(req, answer, saved)
        return GateOutcome("run", decision=answer, saved_rule=saved, approved_paths=outside)
