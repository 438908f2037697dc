"""The tool contract: what a tool declares, what it receives and what it returns.

The runtime validates arguments against `parameters` before anything runs, asks for approval
using `effect` and `preview()`, then awaits `run()`. Interruption is task cancellation: a tool
that starts processes must kill them (the whole process group) when cancelled.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


class Effect(str, enum.Enum):
    READ = "read"    # reads the workspace, no side effects
    WRITE = "write"  # changes files
    EXEC = "exec"    # runs commands / anything else with side effects


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 1   # 1 = no retry
    backoff_s: float = 0.5


@dataclass
class ToolContext:
    workspace: Path  # the workspace root; paths resolve inside it
    # Paths outside the workspace the user approved for this exact call / this session.
    approved_paths: set[Path] = field(default_factory=set)
    session_id: str | None = None
    agent: str | None = None  # member identity inside a mob
    call_id: str | None = None  # the model's id of this tool call (a mob message is named after it)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the mob handle for mob tools
    # True when the call runs without the user having seen it (allowed by a rule or the mode):
    # bash then keeps git from running repository-supplied code (workbench.tools.githard).
    unattended: bool = False
    # Reports progress of a long call (value, total or None, message or None); the runtime
    # turns it into tool_progress events that update the tool card. None: nobody listens.
    progress: Callable[[float, float | None, str | None], None] | None = None
    # The deny rule (text) that hides a path from this call — its name and its content — else None;
    # tools that list or search (grep, find, ls) skip such entries. None: no rule hides anything.
    read_denied: Callable[[Path], str | None] | None = None
    # A tool that retries on its own (configured command tools) reports each retry before it
    # waits: (next attempt, max attempts, delay in ms, why the last one failed). The runtime turns
    # it into tool_retrying events for the tool card. None: nobody listens.
    retrying: Callable[[int, int, int, str], None] | None = None


@dataclass
class ToolResult:
    content: str                      # text sent back to the model
    is_error: bool = False
    details: dict[str, Any] | None = None  # stored in the toolResult message (`details`), e.g. {"diff": ...}
    # Images for the model (pi's image blocks: {"type": "image", "data": base64, "mimeType": ...})
    images: list[dict[str, Any]] | None = None


@dataclass
class Preview:
    """Shown in an approval request before anything runs."""

    kind: str  # "diff" | "command" | "path" | "text"
    text: str  # the unified diff, the exact command, ...
    path: str | None = None
    cwd: str | None = None
    old_text: str | None = None  # whole old / new file for side-by-side diffs
    new_text: str | None = None
    sandbox: str | None = None  # "sandboxed" / "unsandboxed: why" when a shell command's sandbox is on

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class Tool(abc.ABC):
    name: str = ""
    description: str = ""
    parameters: dict[str, Any] = {"type": "object", "properties": {}}
    effect: Effect = Effect.READ
    timeout_s: float | None = 120.0
    retry: RetryPolicy = RetryPolicy()
    # Asks in ask/edits modes even when its effect is READ, unless a rule allows it (MCP tools:
    # a server's own read-only hint is shown, not trusted).
    always_ask: bool = False
    # Left out of the tools offered to the model in plan mode (it would be refused there anyway).
    hidden_in_plan: bool = False

    @abc.abstractmethod
    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Do the work; raise nothing for expected failures, return is_error=True instead."""

    def validate_arguments(self, args: Any) -> list[str]:
        """Every problem with `args` against `parameters` ([] when the call may run), each naming
        the argument. The built-in tools use the small validator; a tool whose schema comes from
        a user (configured command tools) checks the whole of JSON Schema."""
        from workbench.tools.schema import validate

        return validate(self.parameters, args)

    def preview(self, args: dict[str, Any], ctx: ToolContext) -> Preview | None:
        """What the user sees before approving; computed without side effects."""
        return None

    def summary(self, args: dict[str, Any]) -> str:
        """A one-line argument summary for cards and tree rows, e.g. `src/cli.py:1-40`."""
        return ", ".join(f"{k}={v!r}" for k, v in args.items())[:120]

    def paths(self, args: dict[str, Any]) -> list[str]:
        """The paths this call touches (for workspace checks and approval rules)."""
        p = args.get("path")
        return [p] if isinstance(p, str) else []

    def sandbox_label(self, ctx: ToolContext) -> str | None:
        """How this call is confined, for the approval pane and the tool card: "sandboxed",
        "UNSANDBOXED (...)" when a configured sandbox is unavailable; None: no sandbox applies."""
        return None

    def sandboxed(self, ctx: ToolContext) -> bool:
        """True when this call runs confined to the workspace (bash under the sandbox): edits
        mode then lets it run without asking."""
        return self.sandbox_label(ctx) == "sandboxed"

    def rule_subject(self, args: dict[str, Any]) -> str:
        """What approval rules match against: the command for bash, the path for file tools."""
        paths = self.paths(args)
        return paths[0] if paths else ""
