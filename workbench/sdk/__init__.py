"""workbench.sdk: the Python SDK of `workbench rpc` (after the seed's meerkat Python SDK).

    from workbench.sdk import WorkbenchClient, TextDelta

    async with WorkbenchClient() as client:
        session = await client.create_session("Hello!")
        async with session.stream("Tell me more") as events:
            async for event in events:
                match event:
                    case TextDelta(delta=chunk):
                        print(chunk, end="")

Imports nothing of workbench but the shared wire constants (workbench/wire.py): no runtime, no
Textual, so it loads fast.
"""

from workbench.sdk.client import DeferredSession, Session, WorkbenchClient
from workbench.sdk.errors import (BudgetExhaustedError, CapabilityUnavailableError, InvalidParamsError,
                                  ProviderError, RequestCancelledError, SessionBusyError, SessionNotFoundError,
                                  SkillNotFoundError, WorkbenchError)
from workbench.sdk.events import (BudgetExhausted, GuidelinesMatched, JourneyTransitioned, BudgetWarning, CompactionCompleted, CompactionFailed,
                                  CompactionStarted, Event, HookCompleted, HookDenied, HookFailed,
                                  HookStarted, MemberRetired, MembersUnwired, MembersWired,
                                  MemberSpawned, MemberStatusChanged, PeerMessage, Retrying, RunCompleted,
                                  RunFailed, RunStarted, SkillsResolved, TextComplete, TextDelta, ThinkingDelta,
                                  ToolApprovalRequested, ToolApprovalResolved, ToolCallRequested,
                                  ToolExecutionCompleted, ToolExecutionStarted, ToolExecutionTimedOut,
                                  ToolProgress, ToolResultReceived, ToolRetrying, ToolsPending, TurnCompleted, TurnStarted, UnknownEvent, UserMessage,
                                  parse_event)
from workbench.sdk.stream import EventStream
from workbench.sdk.types import Capability, RunResult, SessionInfo, Usage
from workbench.wire import CONTRACT_VERSION

__all__ = [
    "CONTRACT_VERSION", "WorkbenchClient", "Session", "DeferredSession", "EventStream",
    "RunResult", "Usage", "SessionInfo", "Capability",
    "WorkbenchError", "CapabilityUnavailableError", "SessionNotFoundError", "SessionBusyError",
    "SkillNotFoundError", "ProviderError", "BudgetExhaustedError", "InvalidParamsError", "RequestCancelledError",
    "Event", "UnknownEvent", "parse_event", "RunStarted", "RunCompleted", "RunFailed", "UserMessage",
    "TurnStarted", "TurnCompleted", "TextDelta", "TextComplete", "ThinkingDelta",
    "ToolCallRequested", "ToolApprovalRequested", "ToolApprovalResolved", "ToolExecutionStarted",
    "ToolExecutionCompleted", "ToolExecutionTimedOut", "ToolResultReceived",
    "BudgetWarning", "BudgetExhausted", "Retrying", "CompactionStarted", "CompactionCompleted", "CompactionFailed",
    "MemberSpawned", "MemberRetired", "MembersWired", "MembersUnwired", "MemberStatusChanged", "PeerMessage",
    "ToolProgress", "ToolRetrying", "ToolsPending", "HookStarted", "HookCompleted", "HookFailed", "HookDenied",
    "SkillsResolved", "GuidelinesMatched", "JourneyTransitioned",
]
