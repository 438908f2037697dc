"""`workbench rpc [run options]`: build the server (settings, provider choice, one SessionService,
one approval broker) and serve stdin/stdout until end of input.

The run options (--provider, --model, --replay-script, --approve, --allow, --deny, budget flags,
--cwd) are the defaults of every session the server creates; session/create may override
provider, model, approval mode, rules and budget per session.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from workbench.errors import EXIT_CODES, InvalidParams, WorkbenchError


def run_rpc(args: Any) -> int:
    log = sys.stderr
    try:
        return asyncio.run(_serve(args, log))
    except KeyboardInterrupt:
        return 130
    except WorkbenchError as exc:
        log.write(f"workbench rpc: {exc.message}\n")
        return exc.exit_code


def provider_factory(args: Any, settings: Any, log: Any) -> tuple[Any, dict[str, Any]]:
    """(factory(name, model) -> provider, the default choice) from flags, config and environment."""
    from workbench.providers import make_provider, resolve_provider_settings

    resolved = resolve_provider_settings(settings, args)
    if resolved.is_demo:
        log.write(f"workbench rpc: {resolved.reason}: sessions play the offline demo unless session/create "
                  "names a provider. Set ANTHROPIC_API_KEY or OPENAI_API_KEY, or pass --provider and --model.\n")
    scale_env = os.environ.get("WORKBENCH_REPLAY_DELAY_SCALE")
    scale = float(scale_env) if scale_env else None

    def factory(name: str | None, model: str | None) -> Any:
        if name is None or name == resolved.name:
            if model is None or model == resolved.model:
                return resolved.create(delay_scale=scale)
            return make_provider(resolved.name, model=model, base_url=resolved.base_url,
                                 replay_script=resolved.replay_script, delay_scale=scale)
        return make_provider(name, model=model or "", delay_scale=scale)

    choice = {"name": resolved.name, "model": resolved.model, "base_url": resolved.base_url,
              "replay_script": str(Path(resolved.replay_script).resolve()) if resolved.replay_script else None,
              "demo": resolved.is_demo}
    return factory, choice


def server_settings(args: Any, name: str, log: Any) -> tuple[Path, Any]:
    """The workspace and settings of a server; settings None when a config file has problems
    (each reported on `log` with its file and line: nobody could fix them mid-session)."""
    from workbench.config import load_settings

    cwd = Path(args.cwd or os.getcwd()).expanduser().resolve()
    if not cwd.is_dir():
        raise InvalidParams(f"--cwd {cwd} is not a directory")
    loaded = load_settings(cwd)
    for problem in loaded.problems:
        log.write(f"{name}: config error: {problem}\n")
    return cwd, (None if loaded.problems else loaded.settings)


async def _serve(args: Any, log: Any) -> int:
    from workbench.config import sessions_dir
    from workbench.rpc.capabilities import capabilities
    from workbench.rpc.mobs import MobMethods
    from workbench.rpc.params import Initialize
    from workbench.rpc.server import RpcServer, initialize_result, protocol_stdout
    from workbench.rpc.sessions import SessionMethods
    from workbench.runtime.approvals import ApprovalBroker
    from workbench.runtime.service import SessionService

    cwd, settings = server_settings(args, "workbench rpc", log)
    if settings is None:
        return EXIT_CODES["INVALID_PARAMS"]
    factory, choice = provider_factory(args, settings, log)

    approvals = ApprovalBroker()
    from workbench.mcp.pool import MCPClientPool

    # MCP servers start in the background; sessions get their tools as they become ready
    mcp_pool = MCPClientPool.from_workspace(cwd, trust_override=bool(getattr(args, "trust_project", False))) or None
    service = SessionService(sessions_dir(), approvals=approvals, settings=settings, cwd=cwd,
                             provider_factory=factory, mcp_pool=mcp_pool,
                             trust_project=bool(getattr(args, "trust_project", False)))
    server = RpcServer(protocol_stdout(), log=log)
    SessionMethods(server, service, settings, args)

    def mob_env() -> Any:
        from workbench.mob.environment import MobEnvironment, provider_factory as mob_factory
        from workbench.config import mobs_dir

        return MobEnvironment(cwd=cwd, provider_factory=mob_factory(choice, log), mobs_dir=mobs_dir(),
                              approvals=approvals, mode=args.approve, allow=tuple(args.allow or ()),
                              deny=tuple(args.deny or ()), max_cost=args.max_cost, max_tokens=args.max_tokens,
                              max_turns=args.max_turns, max_tool_calls=args.max_tool_calls,
                              max_duration=args.max_duration, mcp_pool=mcp_pool)

    MobMethods(server, mob_env, choice)

    async def initialize(_p: Initialize) -> dict[str, Any]:
        return initialize_result(capabilities(), list(server.methods) + ["$/cancelRequest"])

    server.register("initialize", Initialize, initialize)
    log.write(f"workbench rpc: ready (contract {__import__('workbench.wire').wire.CONTRACT_VERSION}); "
              "one JSON-RPC request per line on stdin\n")
    log.flush()
    try:
        await server.serve(0)
    finally:
        if mcp_pool is not None:
            await mcp_pool.aclose()
    return 0
