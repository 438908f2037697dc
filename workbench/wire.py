"""Wire constants shared by the JSON-RPC server (workbench/rpc/) and the Python SDK (workbench/sdk/).

Kept in a module of its own, importing nothing, so the SDK can use them without loading the runtime.
Codes follow shared/seeds/meerkat-api-reference.md ("Error code reference").
"""

from __future__ import annotations

CONTRACT_VERSION = "0.1.0"  # the RPC contract: 0.x clients need the same minor

# Stable error code string -> JSON-RPC error code (the seed's table).
RPC_CODES: dict[str, int] = {
    "SESSION_NOT_FOUND": -32001,
    "SESSION_BUSY": -32002,
    "SESSION_NOT_RUNNING": -32003,
    "DUPLICATE_INPUT": -32004,
    "REQUEST_CANCELLED": -32005,
    "PROVIDER_ERROR": -32010,
    "BUDGET_EXHAUSTED": -32011,
    "HOOK_DENIED": -32012,
    "AGENT_ERROR": -32013,
    "CAPABILITY_UNAVAILABLE": -32020,
    "SKILL_NOT_FOUND": -32021,
    "SKILL_RESOLUTION_FAILED": -32022,
    "INVALID_PARAMS": -32602,
    "INTERNAL_ERROR": -32603,
    # workbench's own, mapped as its CLI exit codes are: another process holds the file (busy, from
    # the caller's view); a file that cannot be read as a session (its message names file and line)
    "SESSION_LOCKED": -32002,
    "SESSION_FILE_INVALID": -32603,
}

# JSON-RPC 2.0's own codes, for envelopes that never reached a method.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

# Protocol-level code strings carried in `data.code` for the errors above.
PROTOCOL_CODE_STRINGS: dict[int, str] = {
    PARSE_ERROR: "PARSE_ERROR",
    INVALID_REQUEST: "INVALID_REQUEST",
    METHOD_NOT_FOUND: "METHOD_NOT_FOUND",
}


def code_string_for(rpc_code: int) -> str:
    """The stable code string for a JSON-RPC error code (the reverse of RPC_CODES: the seed's
    code where several share one)."""
    for name, value in RPC_CODES.items():
        if value == rpc_code:
            return name
    return PROTOCOL_CODE_STRINGS.get(rpc_code, "INTERNAL_ERROR")


def compatible(server_version: str, client_version: str = CONTRACT_VERSION) -> bool:
    """0.x: the same major and minor; 1.0 and later: the same major."""
    try:
        smaj, smin = (int(x) for x in server_version.split(".")[:2])
        cmaj, cmin = (int(x) for x in client_version.split(".")[:2])
    except ValueError:
        return False
    if smaj != cmaj:
        return False
    return smaj >= 1 or smin == cmin
