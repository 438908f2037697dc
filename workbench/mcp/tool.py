"""`MCPTool`: one tool of an MCP server in the workbench's tool registry.

Named `mcp__SERVER__TOOL` (names.py), with the server's description and JSON schema. It always
asks in `ask` and `edits` modes unless a rule allows it (the server's read-only / destructive
hints are shown in the approval, never trusted); in `plan` mode only the tools the user listed in
`read_only_tools` are offered (and they still ask). The approval preview shows the server, the
tool, the arguments as JSON and the annotations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.mcp.results import convert
from workbench.tools.base import Effect, Preview, Tool, ToolContext, ToolResult

if TYPE_CHECKING:
    from workbench.mcp.connection import RemoteTool, ServerConnection


@dataclass
class MCPPreview(Preview):
    """The approval preview of an MCP call (kind "mcp"): `text` holds the arguments as JSON."""

    server: str | None = None
    tool: str | None = None
    annotations: dict[str, Any] | None = None
    title: str | None = None


def _schema(raw: dict[str, Any]) -> dict[str, Any]:
    """The server's input schema as the providers want it: an object schema."""
    schema = dict(raw or {})
    if schema.get("type") != "object":
        schema["type"] = "object"
    schema.setdefault("properties", {})
    return schema


class MCPTool(Tool):
    always_ask = True

    def __init__(self, connection: ServerConnection, remote: RemoteTool, name: str) -> None:
        self.connection = connection
        self.remote = remote
        self.name = name
        cfg = connection.config
        self.read_only = remote.name in cfg.read_only_tools or name in cfg.read_only_tools
        # read_only_tools is the user's own statement; the server's readOnlyHint is not trusted
        self.effect = Effect.READ if self.read_only else Effect.EXEC
        self.hidden_in_plan = not self.read_only
        described = remote.description.strip() or remote.title or remote.name
        self.description = f"{described}\n\n(MCP tool '{remote.name}' of the server '{connection.name}')"
        self.parameters = _schema(remote.input_schema)
        self.timeout_s = cfg.timeout

    @property
    def server(self) -> str:
        return self.connection.name

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        from workbench.mcp.connection import ServerUnavailable

        progress = ctx.progress
        try:
            result = await self.connection.call(self.remote.name, args, timeout=self.timeout_s,
                                                progress=progress)
        except ServerUnavailable as exc:
            return ToolResult(f"{self.name}: {exc}", is_error=True,
                              details={"mcp": {"server": self.server, "tool": self.remote.name}})
        except TimeoutError:
            raise  # the registry reports it as this tool's time-out
        except Exception as exc:  # an MCP error answer (bad params, unknown tool...)
            message = self.connection.redact(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
            return ToolResult(f"{self.name}: the MCP server '{self.server}' answered with an error: {message}",
                              is_error=True, details={"mcp": {"server": self.server, "tool": self.remote.name}})
        return convert(result, server=self.server, tool=self.remote.name, redact=self.connection.redact)

    def preview(self, args: dict[str, Any], ctx: ToolContext) -> Preview | None:
        return MCPPreview(kind="mcp", text=json.dumps(args, indent=2, ensure_ascii=False, sort_keys=False),
                          server=self.server, tool=self.remote.name,
                          annotations=dict(self.remote.annotations) or None, title=self.remote.title)

    def summary(self, args: dict[str, Any]) -> str:
        text = json.dumps(args, ensure_ascii=False, separators=(", ", ": "))
        return text if len(text) <= 120 else text[:117] + "..."

    def paths(self, args: dict[str, Any]) -> list[str]:
        return []  # what a server touches is its own business: every call asks instead

    def rule_subject(self, args: dict[str, Any]) -> str:
        return ""
