"""Stable error codes (shared/seeds/meerkat-api-reference.md, "Error code reference") and CLI exit codes."""

from __future__ import annotations

EXIT_CODES: dict[str, int] = {
    "OK": 0,
    "INTERNAL_ERROR": 1,
    "INVALID_PARAMS": 2,
    "SESSION_NOT_FOUND": 10,
    "SESSION_BUSY": 11,
    "SESSION_LOCKED": 11,  # another process holds the session file: busy, from the caller's view
    "SESSION_NOT_RUNNING": 12,
    "DUPLICATE_INPUT": 13,
    "REQUEST_CANCELLED": 14,
    "PROVIDER_ERROR": 20,
    "BUDGET_EXHAUSTED": 21,
    "HOOK_DENIED": 22,  # also a tool call denied by the user or a rule
    "AGENT_ERROR": 30,
    "CAPABILITY_UNAVAILABLE": 40,
    "SKILL_NOT_FOUND": 41,
    "SKILL_RESOLUTION_FAILED": 42,
    "SESSION_FILE_INVALID": 1,  # a session file that cannot be read: its message names file and line
}


class WorkbenchError(Exception):
    """An error with a stable code; `exit_code` is what the CLI exits with."""

    code: str = "INTERNAL_ERROR"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.details = details or {}

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.code, 1)


class InvalidParams(WorkbenchError):
    code = "INVALID_PARAMS"


class SessionNotFound(WorkbenchError):
    code = "SESSION_NOT_FOUND"


class SessionBusy(WorkbenchError):
    code = "SESSION_BUSY"


class ProviderFailure(WorkbenchError):
    code = "PROVIDER_ERROR"


class BudgetExhaustedError(WorkbenchError):
    code = "BUDGET_EXHAUSTED"


class AgentError(WorkbenchError):
    code = "AGENT_ERROR"


class HookDeniedError(WorkbenchError):
    """A guardrail hook denied run_started or pre_llm_request: the run ends (exit 22)."""

    code = "HOOK_DENIED"
