"""PlaybookRuntime: one session's playbook, the API the TUI, headless, RPC and mobs use.

It holds the loaded Playbook and the session's PlaybookState (agent, context variables, journey),
writes every change as a `workbench.playbook.state` entry, and around each run: matches the
prompt (matching.py), emits `guidelines_matched` / `journey_transitioned`, hands the agent loop
the system-context block for that run, and at the run's end appends the turn's record
(explain.py). An AgentSession drives it through runtime/playbooking.py.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from typing import Any, Callable

from workbench.errors import InvalidParams
from workbench.playbook import journeys as jr
from workbench.playbook.explain import injected_block, metadata, turn_record
from workbench.playbook.matching import Judge, TurnOutcome, match_turn
from workbench.playbook.model import Journey, Playbook
from workbench.playbook.state import STATE_TYPE, TURN_TYPE, JourneyState, PlaybookState, state_at, turn_records

VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
MAX_VALUE = 4000


@dataclass
class _Turn:
    outcome: TurnOutcome
    injected: str
    started: float
    leaf_before: str | None
    llm_ms: float = 0.0
    tool_ms: float = 0.0
    llm_calls: int = 0
    tokens: int = 0
    turn_started: float | None = None


class PlaybookRuntime:
    def __init__(self, playbook: Playbook, *, judge: Judge | None = None) -> None:
        self.playbook = playbook
        self.state = PlaybookState()
        self.judge = judge  # the matcher model; None: patterns only (matcher.py builds one per session)
        self.manager: Any = None
        self._write: Callable[[Callable[[], str]], str] | None = None
        self._emit: Callable[[str, dict[str, Any]], None] | None = None
        self._turn: _Turn | None = None
        # called with the AgentProfile (or None) whenever the agent changes, restore included:
        # applying a profile to the session is workbench/playbook/agents.py's job
        self.on_agent: Callable[[Any], None] | None = None
        # --agent / --var / --journey (setup.py): applied once (apply_start_options)
        self.start_options: Any = None
        self.notices: list[str] = []  # for the user: what the start options could not do

    # --- wiring ----------------------------------------------------------------------------

    def bind(self, manager: Any, *, write: Callable[[Callable[[], str]], str] | None = None,
             emit: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        """Attach to a session file: state is read from its leaf and changes are appended to it
        (through `write`, e.g. AgentSession._persist_now, so they keep order with its writes).
        `emit(type, fields)` gets "guidelines_matched" and "journey_transitioned" (AgentSession
        turns them into runtime events: the playbook package stays below the runtime)."""
        self.manager = manager
        self._write = write
        self._emit = emit
        self.restore(manager)

    def apply_start_options(self) -> list[str]:
        """Apply --agent/--var/--journey (setup.py) once, on the state the session has now: a
        surface calls it once it listens to the session's events (else the first run does).
        Returns notices for the user (also kept in `notices`)."""
        options, self.start_options = self.start_options, None
        if options is None or options.empty:
            return []
        from workbench.playbook.setup import apply_start

        notes = apply_start(self, options)
        self.notices.extend(notes)
        return notes

    def restore(self, manager: Any | None = None, entry_id: str | None = None) -> PlaybookState:
        """The state at the manager's current leaf (or `entry_id`): after branching, resuming or
        switching sessions. Writes nothing."""
        if manager is not None:
            self.manager = manager
        self.state = state_at(self.manager, entry_id) if self.manager is not None else PlaybookState()
        if self.on_agent is not None:
            self.on_agent(self.playbook.agent(self.state.agent))
        return self.state

    def _commit(self, state: PlaybookState) -> None:
        self.state = state
        if self.manager is None:
            return
        data = state.to_json()

        def append() -> str:
            return self.manager.append_custom(STATE_TYPE, data)

        (self._write or (lambda f: f()))(append)

    def _publish(self, kind: str, fields: dict[str, Any]) -> None:
        if self._emit is not None:
            self._emit(kind, fields)

    def _journey_event(self, transition: dict[str, Any]) -> None:
        self._publish("journey_transitioned", {
            "journey_id": transition["journey"], "from_step": transition["from"], "to_step": transition["to"],
            "source": transition["source"], "reason": transition["reason"], "status": transition["status"]})

    # --- what the user changes -------------------------------------------------------------

    def set_var(self, key: str, value: str) -> None:
        if not VAR_NAME.match(key or ""):
            raise InvalidParams(f"invalid variable name {key!r}: letters, digits, '_', '.', '-', starting with a "
                                "letter or '_' (at most 64)")
        if len(value) > MAX_VALUE:
            raise InvalidParams(f"the value of {key} is {len(value)} characters; at most {MAX_VALUE}")
        self._commit(replace(self.state, variables={**self.state.variables, key: value}))

    def unset_var(self, key: str) -> None:
        if key not in self.state.variables:
            raise InvalidParams(f"no variable {key!r} is set" + (
                f" (set: {', '.join(sorted(self.state.variables))})" if self.state.variables else ""))
        self._commit(replace(self.state, variables={k: v for k, v in self.state.variables.items() if k != key}))

    def set_agent(self, name: str | None) -> None:
        profile = None
        if name is not None:
            profile = self.playbook.agent(name)
            if profile is None:
                from workbench.playbook.agents import unknown_agent_message

                raise InvalidParams(unknown_agent_message(name, self.playbook.agents))
        self._commit(replace(self.state, agent=name))
        if self.on_agent is not None:
            self.on_agent(profile)

    def start_journey(self, journey_id: str) -> JourneyState:
        journey = self.playbook.journey(journey_id)
        if journey is None:
            known = ", ".join(j.id for j in self.playbook.journeys) or "none are defined"
            raise InvalidParams(f"unknown journey {journey_id!r} (journeys: {known})")
        current = self.state.journey
        if current is not None and current.active:
            raise InvalidParams(f"journey {current.journey_id} is active (at {current.step}): "
                                "complete or stop it first")
        profile = self.playbook.agent(self.state.agent)
        if profile is not None and not profile.allows_journey(journey_id):
            raise InvalidParams(f"agent {profile.name} does not run journey {journey_id}")
        js = jr.start(journey)
        self._commit(replace(self.state, journey=js))
        self._journey_event(jr.transition_record(journey, None, js, "user", "started by the user"))
        return js

    def _end_journey(self, status: str, reason: str) -> JourneyState:
        js = self.state.journey
        if js is None or not js.active:
            raise InvalidParams("no journey is active")
        ended = replace(js, status=status)  # type: ignore[arg-type]
        self._commit(replace(self.state, journey=ended))
        self._journey_event({"journey": js.journey_id, "from": js.step,
                             "to": js.step if status == "completed" else None, "source": "user",
                             "reason": reason, "status": status})
        return ended

    def complete_journey(self) -> JourneyState:
        return self._end_journey("completed", "completed by the user")

    def stop_journey(self) -> JourneyState:
        return self._end_journey("stopped", "stopped by the user")

    # --- what the UI shows -----------------------------------------------------------------

    def journey_view(self) -> tuple[Journey, JourneyState] | None:
        """The journey to draw (active, or the last one that ended on this branch) and its state."""
        js = self.state.journey
        journey = self.playbook.journey(js.journey_id) if js is not None else None
        return (journey, js) if journey is not None and js is not None else None  # type: ignore[return-value]

    def status_text(self) -> str:
        """"journey release · 2/5 run the tests" while a journey is active, else ""."""
        js = self.state.journey
        journey = self.playbook.journey(js.journey_id) if js is not None and js.active else None
        if journey is None or js is None:
            return ""
        return f"journey {journey.id} · {jr.progress(journey, js)}"

    def explanation_for(self, entry_id: str) -> dict[str, Any] | None:
        """The turn record of the run a user or assistant entry belongs to: the last user message
        at or before it on its path, and the record naming that message."""
        if self.manager is None or not self.manager.has_entry(entry_id):
            return None
        prompt_id = None
        for eid in reversed(self.manager.get_branch_ids(entry_id)):
            if self.manager.entry_type(eid) != "message":
                continue
            entry = self.manager.get_entry(eid) or {}
            if (entry.get("message") or {}).get("role") == "user":
                prompt_id = eid
                break
        if prompt_id is None:
            return None
        for record in turn_records(self.manager, newest_first=True):
            if record["data"].get("prompt_entry_id") == prompt_id:
                return record["data"]
        return None

    # --- around a run (runtime/playbooking.py) ---------------------------------------------

    @property
    def active(self) -> bool:
        """Whether runs consult the playbook at all (an empty playbook and no state: no)."""
        return bool(self.playbook.guidelines or self.playbook.journeys or self.state.variables)

    def engaged(self, prompt: str) -> bool:
        """Whether a run on `prompt` is matched (an empty prompt: a mob member woken to go on)."""
        return self.active and bool(prompt.strip())

    async def begin_turn(self, prompt: str, context: dict[str, Any] | None = None) -> TurnOutcome | None:
        """Before the prompt is appended: match it, move the journey, tell the listeners."""
        self._turn = None
        self.apply_start_options()
        if not self.engaged(prompt):
            return None
        started = time.perf_counter()
        outcome = await match_turn(self.playbook, self.state, prompt, self.judge,
                                   agent=self.playbook.agent(self.state.agent), context=context)
        if outcome.transition is not None:
            # stored once the prompt is (prompt_appended): the state at the prompt's parent stays
            # as it was, so editing and resending the prompt matches it again from there
            self.state = replace(self.state, journey=outcome.journey_after)
            self._journey_event(outcome.transition)
        self._publish("guidelines_matched", {
            "matched": [m.to_json() for m in outcome.matched], "skipped": outcome.skipped,
            "matcher": outcome.matcher, "matcher_note": outcome.matcher_note,
            "guideline_matching_time_ms": int(round(outcome.matching_time_ms))})
        injected = injected_block(self.playbook, outcome, self.state.variables)
        leaf = getattr(self.manager, "leaf_id", None) if self.manager is not None else None
        self._turn = _Turn(outcome, injected, started, leaf)
        return outcome

    def prompt_appended(self) -> None:
        """The prompt is in the session: store the state the turn moved to, after it."""
        turn = self._turn
        if turn is not None and turn.outcome.transition is not None:
            self._commit(self.state)

    def request_block(self) -> str:
        """The system-context block for this run's requests ("" outside a run or when none)."""
        return self._turn.injected if self._turn is not None else ""

    def turn_tools(self) -> tuple[str, ...]:
        """Tools the matched guidelines bring in for this run."""
        return self._turn.outcome.tools if self._turn is not None else ()

    def observe(self, event: Any) -> None:
        """The run's events, for ProcessingMetadata: model turns (time, calls, tokens), tools."""
        turn = self._turn
        if turn is None:
            return
        kind = getattr(event, "type", None)
        if kind == "turn_started":
            turn.turn_started = time.perf_counter()
        elif kind == "turn_completed":
            if turn.turn_started is not None:
                turn.llm_ms += (time.perf_counter() - turn.turn_started) * 1000.0
                turn.turn_started = None
            turn.llm_calls += 1
            turn.tokens += event.usage.total_tokens
        elif kind in ("tool_execution_completed",):
            turn.tool_ms += event.duration_ms

    def end_turn(self) -> dict[str, Any] | None:
        """After the run (finished, failed or interrupted): append its record; returns it."""
        turn, self._turn = self._turn, None
        if turn is None:
            return None
        o = turn.outcome
        meta = metadata(total_ms=(time.perf_counter() - turn.started) * 1000.0, llm_ms=turn.llm_ms + o.llm_time_ms,
                        matching_ms=o.matching_time_ms, tool_ms=turn.tool_ms, llm_calls=turn.llm_calls + o.llm_calls,
                        tokens=turn.tokens + o.tokens)
        record = turn_record(o, self.state, prompt_entry_id=self._prompt_entry(turn.leaf_before),
                             injected=turn.injected, meta=meta)
        if self.manager is not None:
            (self._write or (lambda f: f()))(lambda: self.manager.append_custom(TURN_TYPE, record))
        return record

    def _prompt_entry(self, leaf_before: str | None) -> str | None:
        """The run's prompt: the first user message after where the leaf was when it began."""
        if self.manager is None or getattr(self.manager, "leaf_id", None) is None:
            return None
        ids = self.manager.get_branch_ids()
        start = ids.index(leaf_before) + 1 if leaf_before in ids else 0
        for eid in ids[start:]:
            if self.manager.entry_type(eid) == "message" and \
                    ((self.manager.get_entry(eid) or {}).get("message") or {}).get("role") == "user":
                return eid
        return None
