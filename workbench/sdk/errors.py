"""SDK errors: every one is a WorkbenchError with `code`, `message`, `details` (the seed's MeerkatError).

Server errors arrive as JSON-RPC errors whose `data.code` is the stable code string; client-side
codes are NOT_CONNECTED, CONNECTION_CLOSED, VERSION_MISMATCH, CAPABILITY_UNAVAILABLE,
STREAM_NOT_CONSUMED, INVALID_ARGS.
"""

from __future__ import annotations

from typing import Any


class WorkbenchError(Exception):
    def __init__(self, code: str, message: str, details: Any = None, capability_hint: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        self.capability_hint = capability_hint


class CapabilityUnavailableError(WorkbenchError):
    pass


class SessionNotFoundError(WorkbenchError):
    pass


class SessionBusyError(WorkbenchError):
    pass


class SkillNotFoundError(WorkbenchError):
    pass


class ProviderError(WorkbenchError):
    pass


class BudgetExhaustedError(WorkbenchError):
    pass


class InvalidParamsError(WorkbenchError):
    pass


class RequestCancelledError(WorkbenchError):
    pass


_BY_CODE: dict[str, type[WorkbenchError]] = {
    "CAPABILITY_UNAVAILABLE": CapabilityUnavailableError,
    "SESSION_NOT_FOUND": SessionNotFoundError,
    "SESSION_BUSY": SessionBusyError,
    "SESSION_LOCKED": SessionBusyError,  # another process holds the session file
    "SKILL_NOT_FOUND": SkillNotFoundError,
    "PROVIDER_ERROR": ProviderError,
    "BUDGET_EXHAUSTED": BudgetExhaustedError,
    "INVALID_PARAMS": InvalidParamsError,
    "REQUEST_CANCELLED": RequestCancelledError,
}


def error_from_wire(error: Any) -> WorkbenchError:
    """A JSON-RPC error object as the matching error class."""
    if not isinstance(error, dict):
        return WorkbenchError("INTERNAL_ERROR", f"malformed error from the server: {error!r}")
    data = error.get("data") if isinstance(error.get("data"), dict) else {}
    code = str(data.get("code") or "INTERNAL_ERROR")
    cls = _BY_CODE.get(code, WorkbenchError)
    return cls(code, str(error.get("message", "")), data.get("details"))
