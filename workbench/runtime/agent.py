"""AgentSession: drives one session — model turn, tool calls, next turn — and tells the world.

Every step is published as a typed event on `self.events` and every message is appended to the
session file the moment it is complete (user, assistant, each toolResult), in pi's format, so a
crash or interrupt never loses what was already said.

Interruption and the time limits work on "phases": each model stream, approval wait and tool run
is its own task that `interrupt()` (or a deadline) cancels, after which the loop still owns the
partial state and records it: an aborted assistant message keeps the partial answer, a cancelled
tool gets an "interrupted" result. The run task itself is never cancelled by us.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
from pathlib import Path
from typing import Any, Iterable

from workbench.errors import (AgentError, BudgetExhaustedError, InvalidParams, ProviderFailure,
                              SessionBusy, WorkbenchError)
from workbench.providers import catalog
from workbench.providers.base import (Provider, ProviderError, ProviderRequest, StreamDone,
                                      TextDeltaEvent, ThinkingDeltaEvent)
from workbench.runtime import events as ev
from workbench.runtime.agent_profiles import TURN_LIMIT, AgentProfiles
from workbench.runtime.approvals import ApprovalBroker
from workbench.runtime.budget import BudgetLimits, BudgetTracker
from workbench.runtime.checkpointing import ToolCheckpoints
from workbench.runtime.compacting import Compacting
from workbench.runtime.compaction import CompactionSettings
from workbench.runtime.gate import Gate
from workbench.runtime.hooking import HookPoints
from workbench.runtime.persist import DurableAppender
from workbench.providers.deadlines import guarded, where_of
from workbench.runtime.phases import Phases, _Interrupted, _TimeUp
from workbench.runtime.playbooking import PlaybookTurns
from workbench.runtime.recording import Recording, _Partial
from workbench.runtime.retry import RetryPolicy, describe
from workbench.runtime.stream import EventStream
from workbench.runtime.structured import DEFAULT_RETRIES as DEFAULT_STRUCTURED_RETRIES
from workbench.runtime.structured import StructuredRun, check_schema
from workbench.runtime.structured import instruction as structured_instruction
from workbench.runtime.system_prompt import default_system_prompt
from workbench.runtime.tool_calls import ToolCalls
# Re-exported: the mob, headless and the TUI import these from here.
from workbench.runtime.messages import (now_ms, text_of, tool_result_message, usage_of,  # noqa: F401
                                        user_message)
from workbench.runtime.tool_calls import SKIPPED_BUDGET, SKIPPED_STEER  # noqa: F401

MODES = ("ask", "edits", "plan", "yolo")
THINKING_LEVELS = ("off", "minimal", "low", "medium", "high")
ABORTED_MESSAGE = "Request was aborted"  # what pi writes as errorMessage on an aborted message


def _structured(output_schema: dict[str, Any] | None, structured_output_retries: int) -> StructuredRun | None:
    if output_schema is None:
        return None
    return StructuredRun(check_schema(output_schema), max(0, structured_output_retries))


class AgentSession(ToolCalls, Recording, Compacting, Phases, HookPoints, PlaybookTurns, AgentProfiles):
    """One session's agent loop. The tool-call path (tool_calls.py), recording (recording.py),
    compaction (compacting.py), phases (phases.py) and hook points (hooking.py) are its mixins."""


    def __init__(
        self,
        manager: Any,
        provider: Provider,
        *,
        model: str | None = None,
        tools: Any = None,
        mode: str = "ask",
        allow: Iterable[str] = (),
        ask: Iterable[str] = (),
        deny: Iterable[str] = (),
        approvals: ApprovalBroker | None = None,
        grants: Any = None,
        policy: Any = None,
        limits: BudgetLimits | None = None,
        system_prompt: str | None = None,
        thinking_level: str | None = None,
        agent: str | None = None,
        retry: RetryPolicy | None = None,
        compaction: CompactionSettings | None = None,
        events: EventStream | None = None,
        tool_extra: dict[str, Any] | None = None,
        persist_in_thread: bool = True,
        checkpoints: Any = None,
        hooks: Any = None,
        project: Any = None,
        playbook: Any = None,
        spend_later: bool = False,
    ) -> None:
        if mode not in MODES:
            raise InvalidParams(f"approval mode must be one of {', '.join(MODES)}; got {mode!r}")
        self.manager = manager
        self.provider = provider
        self.events = events if events is not None else EventStream()
        self.agent = agent
        self.approvals = approvals
        if tools is None:
            from workbench.tools.registry import builtin_registry

            tools = builtin_registry()
        self.tools = tools
        self.limits = limits or BudgetLimits()
        self.retry = retry or RetryPolicy()
        self.compaction = compaction or CompactionSettings()
        self.tool_extra = dict(tool_extra or {})
        self.hooks = hooks  # a workbench.hooks.engine.HookEngine, or None
        self.persist_in_thread = persist_in_thread
        self._appender: DurableAppender | None = None
        self._catalog_cache: dict[str, Any] = {}
        self._default_prompt: tuple[Any, str] | None = None  # ((date, tools key), prompt)
        self.cwd = Path(manager.cwd)
        if policy is None:
            from workbench.tools.permissions import PermissionPolicy, RuleError

            try:
                policy = PermissionPolicy(mode, allow, ask, deny, registry=tools, source="settings")
            except RuleError as exc:
                raise InvalidParams(f"bad approval rule: {exc}") from None
        self._gate = Gate(policy, approvals=approvals, grants=grants)
        self.approved_paths: set[Path] = set()
        # File checkpoints around tool calls that may change files (runtime/checkpointing.py).
        self.checkpoints = checkpoints if checkpoints is not None else ToolCheckpoints.for_workspace(self.cwd)

        context = manager.build_context()
        self._context: list[dict[str, Any]] = list(context.messages)
        stored_model = (context.model or {}).get("modelId") if context.model else None
        self.model = model or stored_model or getattr(provider, "default_model", None) or "unknown"
        self.thinking_level = thinking_level or context.thinking_level or "off"
        if thinking_level is None and self.thinking_level not in THINKING_LEVELS:
            self.thinking_level = "off"
        self._custom_system_prompt = system_prompt
        # context files and skills (workbench/context ProjectContext): appended to the prompt
        self.project = project

        # What the session spent so far, every branch (money spent is spent): a resumed session
        # carries its tokens, cost, turns (assistant messages) and tool calls (tool results).
        # `spend_later` (the TUI): the stored messages are counted after the first paint
        # (count_stored_spend, recording.py), or before anything else reads or adds to them.
        self.usage = ev.Usage()
        self.cost_usd: float | None = 0.0
        self.session_turns = 0
        self.session_tool_calls = manager.count_messages("toolResult")
        self._budget = BudgetTracker(self.limits)
        self._stored_spend: tuple[int, str] | None = (len(manager), self.model)
        if not spend_later:
            self.count_stored_spend()
        self.context_tokens = self._estimate_context()

        if thinking_level is not None and thinking_level not in THINKING_LEVELS:
            raise InvalidParams(f"thinking level must be one of {', '.join(THINKING_LEVELS)}; got {thinking_level!r}")
        settings: list[Any] = []
        if stored_model != self.model or (context.model or {}).get("provider") != provider.name:
            settings.append(functools.partial(manager.append_model_change, provider.name, self.model))
        fresh = not manager.on_disk and len(manager) == 0
        if (thinking_level is not None and thinking_level != context.thinking_level) or fresh:
            # a new session records its thinking level next to its model, as pi's does
            settings.append(functools.partial(manager.append_thinking_level_change, self.thinking_level))
        for append in settings:
            # opening reads only: a resumed session gets these just before its next entry
            append() if fresh else manager.before_next_write(append)

        self.pending_steering: list[str] = []
        self._pending_bash: list[dict[str, Any]] = []
        self.pending_follow_ups: list[str] = []
        # Queued messages a run ended without delivering (interrupted, failed, out of budget), as
        # (kind, text), kind "steer" | "follow_up": handed back to the user (take_pending, pi puts
        # them back into the editor), never delivered later on their own.
        self.returned: list[tuple[str, str]] = []
        self.turns = 0        # this run
        self.tool_calls = 0   # this run
        self.last_result: ev.RunResult | None = None
        self._running = False
        self._task: asyncio.Task[ev.RunResult] | None = None
        self._phase: asyncio.Future[Any] | None = None
        self._interrupt = False
        self._tool_specs: list[Any] | None = None
        self._tool_specs_key: tuple[Any, ...] | None = None
        self._compaction_error: str | None = None  # why the last compaction failed
        self.playbook = playbook  # a workbench.playbook PlaybookRuntime, or None
        self._playbook_attach()

    # --- properties ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self.manager.session_id

    @property
    def mode(self) -> str:
        return self._gate.mode

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def context_window(self) -> int | None:
        info = self._model_info(self.model)
        return info.context_window if info is not None else None

    @property
    def last_message(self) -> dict[str, Any] | None:
        """The newest message in the context (e.g. the tool result just recorded)."""
        return self._context[-1] if self._context else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The context the next request will send (a copy)."""
        return list(self._context)

    @property
    def session_rules(self) -> list[str]:
        return list(self._gate.session_allow)

    @property
    def system_prompt(self) -> str:
        base = self._with_profile_prompt(self._base_system_prompt())
        return self.project.with_base(base) if self.project is not None else base

    def _base_system_prompt(self) -> str:
        """The default prompt, or --system-prompt's text in its place (context files still follow)."""
        if self._custom_system_prompt is not None:
            return self._custom_system_prompt
        # Built once a day (it names the date), not once a turn: the same text keeps the
        # provider's prompt cache warm too.
        today = datetime.date.today()
        specs = self._specs()
        if self._default_prompt is None or self._default_prompt[0] != (today, self._tool_specs_key):
            self._default_prompt = ((today, self._tool_specs_key), default_system_prompt(self.cwd, specs, today=today))
        return self._default_prompt[1]

    def _model_info(self, model: str) -> Any:
        """The catalog entry (None: unknown), looked up once per model name."""
        try:
            return self._catalog_cache[model]
        except KeyError:
            info = self._catalog_cache[model] = catalog.get_model(model)
            return info

    def _specs(self) -> list[Any]:
        # Rebuilt when the registry changed (MCP tools come and go) or plan mode was entered or
        # left (tools hidden in plan mode are not offered there).
        plan = self.mode == "plan"
        key = (getattr(self.tools, "version", 0), plan)
        if self._tool_specs is None or key != self._tool_specs_key:
            self._tool_specs = list(self.tools.specs(plan=True) if plan and hasattr(self.tools, "version")
                                    else self.tools.specs())
            self._tool_specs_key = key
        return self._tool_specs

    # --- configuration ---------------------------------------------------------------------

    def set_model(self, provider_name: str, model: str, provider: Provider | None = None) -> None:
        if provider is None and provider_name != self.provider.name:
            from workbench.providers import make_provider

            provider = make_provider(provider_name, model=model)
        if provider is not None:
            self.provider = provider
        self.model = model
        self._persist_now(functools.partial(self.manager.append_model_change, self.provider.name, model))

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise InvalidParams(f"approval mode must be one of {', '.join(MODES)}; got {mode!r}")
        self._gate.set_mode(mode)

    def set_thinking(self, level: str) -> None:
        if level not in THINKING_LEVELS:
            raise InvalidParams(f"thinking level must be one of {', '.join(THINKING_LEVELS)}; got {level!r}")
        self.thinking_level = level
        self._persist_now(functools.partial(self.manager.append_thinking_level_change, level))

    def set_limits(self, limits: BudgetLimits) -> None:
        self.limits = limits
        self._budget.limits = limits

    def reload_context(self) -> None:
        """Rebuild the context from the manager's current leaf (after the UI moved the leaf:
        a branch in the session tree); the next run continues from there."""
        if self._running:
            raise SessionBusy(f"session {self.id} is running; move the leaf after the run ends")
        self._context = list(self.manager.build_context().messages)
        self.context_tokens = self._estimate_context()

    # --- the user's own shell commands (`!command`) -------------------------------------------

    async def record_bash_execution(self, message: dict[str, Any]) -> None:
        """Add a `!command`'s bashExecution message to the file and the context; while a run is
        going it waits for the run's end (its messages must stay together)."""
        if self._running:
            self._pending_bash.append(message)
            return
        await self.checkpoints.after_user_command(self, str(message.get("command", "")))  # its ✎ checkpoint
        await self._append(message)

    def _take_bash(self) -> list[dict[str, Any]]:
        out, self._pending_bash = self._pending_bash, []
        return out

    # --- queues ----------------------------------------------------------------------------

    def steer(self, text: str) -> None:
        self.pending_steering.append(text)

    def follow_up(self, text: str) -> None:
        self.pending_follow_ups.append(text)

    def take_pending(self) -> list[str]:
        """Pop every queued or returned message (returned first, then steering) back to the editor."""
        out = [text for _, text in self.returned] + self.pending_steering + self.pending_follow_ups
        self.returned = []
        self.pending_steering = []
        self.pending_follow_ups = []
        return out

    def _return_pending(self) -> None:
        """The run is over: what is still queued was not delivered and never will be by itself."""
        self.returned += [("steer", t) for t in self.pending_steering]
        self.returned += [("follow_up", t) for t in self.pending_follow_ups]
        self.pending_steering = []
        self.pending_follow_ups = []

    # --- running ---------------------------------------------------------------------------

    def start(self, prompt: str, **options: Any) -> "asyncio.Task[ev.RunResult]":
        """`run` as a task (`interrupt` waits for it); the same options."""
        structured = _structured(options.pop("output_schema", None),
                                 options.pop("structured_output_retries", DEFAULT_STRUCTURED_RETRIES))
        self._check_content(options.get("content"), options.get("images"))
        self._claim()
        self._task = asyncio.ensure_future(self._run_claimed(prompt, structured=structured, **options))
        return self._task

    async def run(self, prompt: str, *, images: list[dict[str, Any]] | None = None,
                  output_schema: dict[str, Any] | None = None,
                  structured_output_retries: int = DEFAULT_STRUCTURED_RETRIES,
                  content: list[dict[str, Any]] | None = None, attachments: Iterable[str] = ()) -> ev.RunResult:
        """One run. With `output_schema` the final answer must be JSON valid against it
        (runtime/structured.py); `images` go into the user message next to the prompt.
        `content`: the user message's blocks when it carries attachments (text first, then
        attached files and images: workbench/context), `attachments` one line each for the UI."""
        structured = _structured(output_schema, structured_output_retries)
        self._check_content(content, images)
        self._claim()
        return await self._run_claimed(prompt, images=images, structured=structured, content=content,
                                       attachments=list(attachments))

    def _check_content(self, content: list[dict[str, Any]] | None, images: list[dict[str, Any]] | None = None) -> None:
        if images or (content and any(b.get("type") == "image" for b in content)):
            from workbench.context.images import check_model_accepts_images

            check_model_accepts_images(self.model)  # before anything is sent or written

    def _claim(self) -> None:
        if self._running:
            raise SessionBusy(f"session {self.id} is already running a turn",
                              details={"session_id": self.id})
        self._running = True
        self._interrupt = False

    async def interrupt(self) -> None:
        """Stop the run: the streaming answer is kept (aborted), a running tool is cancelled."""
        if not self._running:
            return
        self._interrupt = True
        phase = self._phase
        if phase is not None and not phase.done():
            phase.cancel()
        task = self._task
        if task is not None and task is not asyncio.current_task():
            await asyncio.wait((task,))

    def _emit(self, event: Any) -> None:
        self.events.publish(event)

    def _base(self) -> dict[str, Any]:
        return {"session_id": self.manager.session_id, "member": self.agent}

    async def _run_claimed(self, prompt: str, *, images: list[dict[str, Any]] | None = None,
                           structured: StructuredRun | None = None, content: list[dict[str, Any]] | None = None,
                           attachments: Iterable[str] = ()) -> ev.RunResult:
        try:
            return await self._run(prompt, images, structured, content, list(attachments))
        finally:
            self._playbook_end()
            for message in self._take_bash():  # `!commands` the user ran meanwhile, after the run
                await self._append(message)
            self._return_pending()
            self._running = False
            self._phase = None

    async def _run(self, prompt: str, images: list[dict[str, Any]] | None = None,
                   structured: StructuredRun | None = None, content: list[dict[str, Any]] | None = None,
                   attachments: list[str] | None = None) -> ev.RunResult:
        base = self._base()
        self.count_stored_spend()  # a run's counts add to the session's
        self.turns = 0
        self.tool_calls = 0
        self._budget.new_run()
        run_usage = ev.Usage()
        run_cost: float | None = 0.0
        last_text = ""
        stop = "end_turn"
        self._emit(ev.RunStarted(prompt=prompt, **base))
        self._say_pending_tools()
        if self.project is not None:
            self._emit(ev.SkillsResolved(**self.project.resolved(), **base))
        try:
            context = await self._interruptible(self._hook_run_started(prompt), "")
            # `prompt` itself when there is no schema: a mob's PeerText must keep its type
            text = prompt + structured_instruction(structured.schema) if structured else prompt
            await self._playbook_begin(prompt)  # matching needs the prompt; runtime/playbooking.py
            await self._append_user(text, "prompt", images, context, content=content, attachments=attachments)
            self._playbook_prompted()
            while True:
                if self._interrupt:
                    stop = "interrupted"
                    break
                exhausted = self._budget.exhausted()
                if exhausted is not None:
                    self._emit(exhausted.model_copy(update=base))
                    stop = "budget_exhausted"
                    break
                if self._turn_limit_reached():  # the agent profile's max_turns: stop in order
                    stop = TURN_LIMIT
                    break
                await self._maybe_compact()
                message = await self._model_turn()
                turn_usage = usage_of(message)
                run_usage = run_usage + turn_usage
                turn_cost = catalog.cost_usd(self._model_info(self.model), message.get("usage") or {})
                run_cost = None if (run_cost is None or turn_cost is None) else run_cost + turn_cost
                if message.get("stopReason") == "aborted":
                    last_text = text_of(message) or last_text
                    stop = "interrupted"
                    break
                last_text = text_of(message)
                for warning in self._budget.warnings():
                    self._emit(warning.model_copy(update=base))
                calls = [b for b in message.get("content") or () if b.get("type") == "toolCall"]
                if calls:
                    outcome = await self._run_tools(calls)
                    if outcome == "interrupted":
                        stop = "interrupted"
                        break
                    if outcome == "budget":
                        stop = "budget_exhausted"
                        break
                    await self._hook_turn_boundary(self.turns, run_usage, run_cost)
                    await self._deliver_steering()
                    continue
                await self._hook_turn_boundary(self.turns, run_usage, run_cost)
                if self.pending_steering:
                    await self._deliver_steering()
                    continue
                if self.pending_follow_ups:
                    text = self.pending_follow_ups.pop(0)
                    await self._append_user(text, "follow_up")
                    continue
                retry = structured.judge(last_text) if structured is not None else None
                if retry is not None:  # the answer did not fit the schema: say why and go on
                    await self._append_user(retry, "follow_up")
                    continue
                break
        except _TimeUp as exc:
            used = self._budget.elapsed() if exc.budget_type == "duration" else exc.limit
            self._emit(ev.BudgetExhausted(budget_type=exc.budget_type, used=float(used),
                                          limit=float(exc.limit), orderly=False, **base))
            what = "run" if exc.budget_type == "duration" else "model turn"
            err = BudgetExhaustedError(f"time limit exceeded: the {what} took longer than {exc.limit:g}s",
                                       details={"budget_type": exc.budget_type})
            await self._hook_run_failed(err.message, err.code, run_usage, run_cost)
            self._emit(ev.RunFailed(error=err.message, code=err.code, usage=run_usage, cost_usd=run_cost, **base))
            raise err from None
        except ProviderFailure as err:
            await self._hook_run_failed(err.message, err.code, run_usage, run_cost)
            self._emit(ev.RunFailed(error=err.message, code=err.code, usage=run_usage, cost_usd=run_cost, **base))
            raise
        except WorkbenchError as err:
            await self._hook_run_failed(err.message, err.code, run_usage, run_cost)
            self._emit(ev.RunFailed(error=err.message, code=err.code, usage=run_usage, cost_usd=run_cost, **base))
            raise
        except asyncio.CancelledError:
            self._emit(ev.RunFailed(error="the run was cancelled", code="REQUEST_CANCELLED",
                                    usage=run_usage, cost_usd=run_cost, **base))
            raise
        except Exception as exc:  # a bug or an unexpected failure: report it, never leave busy
            err = AgentError(f"the agent failed: {type(exc).__name__}: {exc}")
            await self._hook_run_failed(err.message, err.code, run_usage, run_cost)
            self._emit(ev.RunFailed(error=err.message, code=err.code, usage=run_usage, cost_usd=run_cost, **base))
            raise err from exc
        shaped: dict[str, Any] = {}
        if structured is not None:
            error = structured.error if structured.attempts else f"the run ended ({stop}) before a final answer"
            shaped = {"structured_output": structured.value, "extraction_error": error}
        result = ev.RunResult(session_id=self.id, text=last_text, turns=self.turns,
                              tool_calls=self.tool_calls, usage=run_usage, cost_usd=run_cost, **shaped)
        self.last_result = result
        await self._hook_run_completed(result, stop)
        self._emit(ev.RunCompleted(result=last_text, text=last_text, turns=self.turns,
                                   tool_calls=self.tool_calls, usage=run_usage, cost_usd=run_cost,
                                   stop=stop, **shaped, **base))
        return result

    def _pending_tools(self) -> list[str]:
        pending = getattr(self.tools, "pending", None)
        return list(pending()) if pending is not None else []

    def _say_pending_tools(self) -> None:
        """The run starts with the tools that are ready; say which sources (MCP servers) are not."""
        pending = self._pending_tools()
        if pending:
            names = ", ".join(pending)
            self._emit(ev.ToolsPending(sources=pending, message=(
                f"MCP server{'s' if len(pending) > 1 else ''} still starting: {names}; this turn runs "
                "without their tools (they join the next turn once ready)"), **self._base()))

    def _request_system_prompt(self) -> str:
        prompt = self.system_prompt
        pending = self._pending_tools()
        if pending:
            prompt += (f"\n\nNote: the MCP servers {', '.join(pending)} are still starting; their tools "
                       "are not available yet.")
        return prompt + self._playbook_block()

    # --- model turn ------------------------------------------------------------------------

    async def _model_turn(self) -> dict[str, Any]:
        base = self._base()
        self.turns += 1
        self._emit(ev.TurnStarted(turn_number=self.turns, **base))
        await self._interruptible(self._hook_pre_llm_request(self.turns, len(self._context)), None)
        compacted = False
        while True:
            partial = _Partial()
            request = ProviderRequest(model=self.model, messages=list(self._context),
                                      system_prompt=self._request_system_prompt(), tools=self._specs(),
                                      thinking_level=self.thinking_level, session_id=self.id)
            try:
                message = await self._phase_run(self._stream(request, partial), turn=True)
            except _Interrupted:
                return await self._record_aborted(partial, ABORTED_MESSAGE)
            except _TimeUp as exc:
                what = "run" if exc.budget_type == "duration" else "turn"
                await self._record_aborted(partial, f"The {what} time limit of {exc.limit:g}s was exceeded")
                raise
            except ProviderError as exc:
                await self._record_failed(exc, partial)
                details = {"kind": exc.kind, "status": exc.status}
                if exc.kind == "context_too_long":
                    if compacted:
                        raise ProviderFailure(
                            f"{describe(exc)}. It is still too long after compacting it: start a new session, "
                            "or fork the session from an earlier point.", details=details) from None
                    # Once per turn: summarise the older part, then send the turn again.
                    if not await self._compact_after_overflow(exc, details):
                        return await self._record_aborted(partial, ABORTED_MESSAGE)
                    compacted = True
                    continue
                raise ProviderFailure(describe(exc, getattr(exc, "_attempts", 1)), details=details) from None
            message = await self._record_assistant(message)
            if self.hooks is not None:
                usage = usage_of(message)
                await self._hook_post_llm_response(
                    self.turns, message, usage, catalog.cost_usd(self._model_info(self.model), message.get("usage") or {}),
                    text_of(message))
            return message

    async def _stream(self, request: ProviderRequest, partial: _Partial) -> dict[str, Any]:
        base = self._base()
        emit = self.events.publish
        max_attempts = self.retry.max_attempts
        attempt = 1
        while True:
            partial.blocks.clear()
            final: dict[str, Any] | None = None
            try:
                async for item in guarded(self.provider.stream(request), idle=self.retry.idle_timeout,
                                          attempt=self.retry.attempt_timeout, where=where_of(self.provider)):
                    if isinstance(item, TextDeltaEvent):
                        partial.add("text", item.text)
                        emit(ev.TextDelta(delta=item.text, **base))
                    elif isinstance(item, ThinkingDeltaEvent):
                        partial.add("thinking", item.text)
                        emit(ev.ThinkingDelta(delta=item.text, **base))
                    elif isinstance(item, StreamDone):
                        final = item.message
                if final is None:
                    raise ProviderError("connection", "the model's stream ended without a final message",
                                        partial=None)
                return final
            except ProviderError as exc:
                refused = self.retry.refuse_wait(exc) if exc.retryable else None
                if refused is not None:  # e.g. retry-after: 3600 — fail now, saying the server's wait
                    refused._attempts = attempt  # type: ignore[attr-defined]
                    raise refused from exc
                if not exc.retryable or attempt >= max_attempts:
                    exc._attempts = attempt  # type: ignore[attr-defined]
                    raise
                attempt += 1
                delay = self.retry.delay(attempt, exc)
                emit(ev.Retrying(attempt=attempt, max_attempts=max_attempts, error=str(exc),
                                 delay_ms=int(delay * 1000), kind=exc.kind, **base))
                if delay > 0:
                    await asyncio.sleep(delay)
