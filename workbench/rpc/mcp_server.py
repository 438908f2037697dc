"""`workbench mcp-server`: workbench as MCP tools over stdio (the seed's `rkat-mcp`), built with the
official `mcp` SDK, so Claude Code or any MCP client can hand work to workbench.

Tools: `workbench_run` (a prompt, in a new session or continuing one → the RunResult),
`workbench_sessions` (the stored sessions) and `workbench_session_read` (one session's active
branch). Nobody can answer an approval here, so in `ask` mode a tool call that needs one is
denied, and the result says how to allow it (approval_mode or allow on the next call, or the
server's --approve/--allow flags), as headless mode does.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, Literal

from workbench.errors import EXIT_CODES, InvalidParams, WorkbenchError

INSTRUCTIONS = ("workbench runs a coding agent on this machine. Call workbench_run with a prompt to hand it a "
                "task (it reads and edits files in its workspace); pass session_id to continue a session. "
                "Tool calls that need approval are denied unless approval_mode or allow permits them.")


def _allow_hint(denials: list[dict[str, Any]]) -> str:
    names = ", ".join(sorted({d["name"] for d in denials}))
    return (f"workbench denied {len(denials)} tool call(s) that needed approval ({names}): nobody can approve "
            "over MCP. To allow them, call workbench_run again with approval_mode=\"edits\" (file edits), "
            "approval_mode=\"yolo\" (everything), or allow=[\"bash(npm test*)\"]-style rules, or start "
            "`workbench mcp-server` with --approve or --allow.")


class WorkbenchTools:
    """The tools' behaviour, apart from MCP plumbing (tested directly and through the SDK's client)."""

    def __init__(self, service: Any, settings: Any, defaults: Any) -> None:
        self.service = service
        self.settings = settings
        self.defaults = defaults

    async def run(self, prompt: str, session_id: str | None = None, model: str | None = None,
                  provider: str | None = None, approval_mode: str | None = None, allow: list[str] | None = None,
                  max_cost: float | None = None, max_turns: int | None = None, max_tokens: int | None = None,
                  output_schema: dict[str, Any] | None = None) -> dict[str, Any]:
        from workbench.runtime.budget import BudgetLimits
        from workbench.runtime.service import CreateSessionRequest

        if not prompt.strip():
            raise InvalidParams("the prompt is empty")
        flags = {k: getattr(self.defaults, k, None) for k in ("max_tokens", "max_cost", "max_turns",
                                                              "max_tool_calls", "max_duration")}
        flags.update({k: v for k, v in (("max_cost", max_cost), ("max_turns", max_turns),
                                         ("max_tokens", max_tokens)) if v is not None})
        try:
            limits = BudgetLimits.from_settings(getattr(self.settings, "budget", None), **flags)
        except ValueError as exc:
            raise InvalidParams(str(exc)) from None
        mode = approval_mode or getattr(self.defaults, "approve", None)
        rules = [*(getattr(self.defaults, "allow", None) or []), *(allow or [])]
        deny = list(getattr(self.defaults, "deny", None) or [])
        if session_id:
            # the rules apply when the session is opened; a session already open keeps its rules
            # but takes the approval mode
            session = await self.service.open_session(session_id, mode=mode, allow=rules, deny=deny)
            if approval_mode:
                session.set_mode(approval_mode)
            session.set_limits(limits)
        else:
            session = await self.service.create_session(CreateSessionRequest(
                model=model, provider=provider, limits=limits, mode=mode, allow=rules, deny=deny, run_now=False))
        denials: list[dict[str, Any]] = []

        def watch(event: Any) -> None:
            if event.type == "tool_result_received" and event.status == "denied":
                denials.append({"id": event.id, "name": event.name})

        remove = session.events.add_listener(watch)
        try:
            options = {"output_schema": output_schema} if output_schema is not None else {}
            result = await session.run(prompt, **options)
        finally:
            remove()
        out = result.model_dump(mode="json")
        out["session_ref"] = str(session.manager.path) if session.manager.path else None
        if denials:
            out["denied"] = denials
            out["note"] = _allow_hint(denials)
        return out

    async def sessions(self, all_directories: bool = False, limit: int = 20) -> list[dict[str, Any]]:
        from workbench.config import sessions_dir
        from workbench.sessions.store import SessionStore

        rows = SessionStore(sessions_dir()).list(self.service.cwd, all_dirs=all_directories)
        return [{"session_id": i.id, "name": i.name, "cwd": i.cwd, "created": i.created.isoformat(),
                 "modified": i.modified.isoformat(), "message_count": i.message_count,
                 "first_message": i.first_message[:200], "path": str(i.path)} for i in rows[:max(0, limit)]]

    async def session_read(self, session_id: str) -> dict[str, Any]:
        from workbench.config import sessions_dir
        from workbench.export.markdown import export_markdown
        from workbench.sessions.manager import SessionManager
        from workbench.sessions.store import SessionStore

        path = SessionStore(sessions_dir()).resolve(session_id, self.service.cwd)
        manager = SessionManager.open(path, readonly=True, warm=False)
        try:
            context = manager.build_context()
            text = export_markdown(list(context.messages), session_id=manager.session_id, name=manager.name,
                                   cwd=manager.cwd, model=(context.model or {}).get("modelId"))
            return {"session_id": manager.session_id, "path": str(path), "cwd": manager.cwd,
                    "message_count": len(context.messages), "transcript": text}
        finally:
            manager.close()


def build_server(tools: WorkbenchTools) -> Any:
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    from workbench import __version__

    server = MCPServer("workbench", version=__version__, instructions=INSTRUCTIONS)

    async def call(coro: Any) -> Any:
        try:
            return await coro
        except WorkbenchError as exc:
            # the client sees a tool error with the stable code (isError result, not a crash)
            raise ToolError(f"{exc.code}: {exc.message}") from None

    @server.tool(description="Run a task with the workbench agent and return the RunResult (text, turns, "
                             "tool_calls, usage, cost_usd, session_id; structured_output with output_schema). "
                             "Pass session_id to continue a session.")
    async def workbench_run(prompt: str, session_id: str | None = None, model: str | None = None,
                            provider: Literal["anthropic", "openai", "replay"] | None = None,
                            approval_mode: Literal["ask", "edits", "plan", "yolo"] | None = None,
                            allow: list[str] | None = None, max_cost: float | None = None,
                            max_turns: int | None = None, max_tokens: int | None = None,
                            output_schema: dict[str, Any] | None = None) -> dict[str, Any]:
        return await call(tools.run(prompt, session_id, model, provider, approval_mode, allow, max_cost,
                                    max_turns, max_tokens, output_schema))

    @server.tool(description="List workbench sessions of the server's directory (or of every directory).")
    async def workbench_sessions(all_directories: bool = False, limit: int = 20) -> list[dict[str, Any]]:
        return await call(tools.sessions(all_directories, limit))

    @server.tool(description="Read a workbench session (id prefix or path): its active branch as Markdown.")
    async def workbench_session_read(session_id: str) -> dict[str, Any]:
        return await call(tools.session_read(session_id))

    return server


def run_mcp_server(args: Any) -> int:
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:
        return 130
    except WorkbenchError as exc:
        sys.stderr.write(f"workbench mcp-server: {exc.message}\n")
        return exc.exit_code


async def _serve(args: Any) -> int:
    from workbench.config import sessions_dir
    from workbench.rpc.cli import provider_factory, server_settings
    from workbench.runtime.service import SessionService

    cwd, settings = server_settings(args, "workbench mcp-server", sys.stderr)
    if settings is None:
        return EXIT_CODES["INVALID_PARAMS"]
    factory, _choice = provider_factory(args, settings, sys.stderr)
    service = SessionService(sessions_dir(), settings=settings, cwd=cwd, provider_factory=factory,
                             nobody_to_ask=True, trust_project=bool(getattr(args, "trust_project", False)))
    server = build_server(WorkbenchTools(service, settings, args))
    try:
        await server.run_stdio_async()
    finally:
        await service.close()
    return 0
