"""Playbooks in the TUI: `/agent`, `/var`, `/journey` (and its graph screen), the "why" view of a
turn, and the status line's `agent …` and `journey …` parts.

The playbook itself (matching, journeys, state kept in the session) is workbench/playbook's
`PlaybookRuntime`, the same one headless mode, RPC and mobs use; this module only reads it and
calls it for what the user asks, and says plainly when the session has no playbook.

Commands:
  /agent              list the playbook's agents (the current one marked)
  /agent NAME         switch to that agent; `/agent -` back to no agent profile
  /var                list the context variables
  /var KEY VALUE      set one (also `/var KEY=VALUE`, as `--var` writes it)
  /var -KEY           unset it
  /journey            the journeys as graphs (the active one first)
  /journey start ID | complete | stop
  /why                the why view of the turn in view (also `w` in the Conversation pane)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from workbench.tui.sanitize import one_line, safe_text

if TYPE_CHECKING:
    from workbench.tui.screens.why import WhyTurn

NO_PLAYBOOK = ("this session has no playbook: add guidelines, journeys or agents to .workbench/playbook.toml "
               "(or playbook.toml in your config dir) — docs/playbooks.md")
JOURNEY_WORDS = ("start", "complete", "stop")


def _demo_fast() -> bool:
    from workbench.providers.demo import demo_fast_from_env

    return demo_fast_from_env()


def _message(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__


class PlaybookUi:
    def __init__(self, app: Any) -> None:
        self.app = app
        self._last_prompt: str | None = None  # the prompt of the run under way (the demo tour follows it)
        self.tour_pause = 1.5  # seconds between a demo run's end and the tour's next prompt
        self._begun = False

    def begin(self) -> None:
        """A session is shown: on the first, apply --agent/--var/--journey (now that the app
        listens to its events) and put the playbook files' problems with the settings' problems;
        on a later one (/new, /resume) say there are problems in a notice."""
        rt = self.runtime
        if rt is None:
            return
        first = not self._begun
        self._begun = True
        for note in rt.apply_start_options():
            self.app.notify(note, title="Playbook", timeout=6)
        problems = list(rt.playbook.problems)
        if not problems:
            return
        if first:
            self.app.loaded.problems.extend(problems)  # shown in the start-up problems dialog
        else:
            self.app.notify(f"{len(problems)} problem(s) in the playbook files (the broken items were left out): "
                            "workbench playbook check lists them", title="Playbook", severity="warning",
                            timeout=8)

    # --- the offline demo's playbook tour -------------------------------------------------------------
    def on_event(self, event: Any) -> None:
        """After the offline demo's first run, send the tour's prompts one by one as each run ends
        normally (providers/demo_tour.py); anything else the user sends, or an interrupted or
        failed run, ends the tour."""
        etype = getattr(event, "type", "")
        if etype == "run_started":
            self._last_prompt = event.prompt
        elif etype == "run_completed" and getattr(self.app.backend, "demo", False):
            nxt = self._next_tour_prompt(event.stop)
            if nxt is not None:
                if self.app.clock.frozen or _demo_fast():
                    self.app.call_later(self._send_tour, nxt)
                else:
                    self.app.set_timer(self.tour_pause, lambda: self._send_tour(nxt))

    def _next_tour_prompt(self, stop: str) -> str | None:
        from workbench.providers.demo_tour import DEMO_JOURNEY, TOUR_PROMPTS
        from workbench.tui.startup import DEMO_PROMPT

        chain = (DEMO_PROMPT, *TOUR_PROMPTS)
        rt = self.runtime
        if stop != "end_turn" or self._last_prompt not in chain[:-1] or rt is None \
                or rt.playbook.journey(DEMO_JOURNEY) is None:  # the demo's own playbook only (not --cwd's)
            return None
        return chain[chain.index(self._last_prompt) + 1]

    def _send_tour(self, prompt: str) -> None:
        backend = self.app.backend
        if backend is None or backend.is_running or not getattr(backend, "demo", False) \
                or self.app.prompt.text.strip():
            return  # the user started something else meanwhile, or is typing: the tour ends
        self.app._send(prompt)

    # --- what the session has ----------------------------------------------------------------------
    @property
    def runtime(self) -> Any:
        """The session's PlaybookRuntime (None: no session, or a session without a playbook)."""
        return getattr(getattr(self.app.backend, "agent", None), "playbook", None)

    def _need_runtime(self) -> Any:
        rt = self.runtime
        if rt is None:
            raise ValueError(NO_PLAYBOOK)
        return rt

    def _idle(self, what: str) -> None:
        """A change of agent or journey waits for the run to end (the run's turn record and its
        own journey moves would race it); variables may change at any time (the next turn uses them)."""
        if self.app.backend is not None and self.app.backend.is_running:
            raise ValueError(f"{what} is not possible while the agent runs (Esc interrupts it)")

    def _changed(self, message: str) -> None:
        self.app.notify(message, timeout=3)
        self.app.refresh_now()

    def argument_choices(self, command: str) -> list[str]:
        """What Tab completes after `/agent `, `/var `, `/journey `."""
        rt = self.runtime
        if rt is None:
            return []
        if command == "agent":
            return [a.name for a in rt.playbook.agents] + ["-"]
        if command == "var":
            return sorted(rt.state.variables) + [f"-{k}" for k in sorted(rt.state.variables)]
        if command == "journey":
            return ["complete", "stop"] + [f"start {j.id}" for j in rt.playbook.journeys]
        return []

    # --- /agent ----------------------------------------------------------------------------------------
    def agent(self, arg: str) -> None:
        rt = self._need_runtime()
        name = arg.strip()
        if not name:
            self._list_agents(rt)
            return
        self._idle("switching agents")
        if name == "-":
            rt.set_agent(None)
            self._changed("No agent profile: the session's own settings apply")
            return
        if rt.playbook.agent(name) is None:
            known = ", ".join(a.name for a in rt.playbook.agents) or "none (add [[agents]] to playbook.toml)"
            raise ValueError(f"no agent '{one_line(name, 40)}'; agents: {known}")
        try:
            rt.set_agent(name)
        except Exception as exc:  # e.g. its provider cannot be set up: the session keeps its agent
            raise ValueError(f"could not switch to {name}: {_message(exc)}") from None
        self._changed(f"Agent {name}")

    def _list_agents(self, rt: Any) -> None:
        agents = rt.playbook.agents
        current = rt.state.agent
        text = Text()
        if not agents:
            text.append("No agents in the playbook. Add [[agents]] to .workbench/playbook.toml (docs/playbooks.md).",
                        style="dim")
        for a in agents:
            here = a.name == current
            text.append("● " if here else "  ", style="bold")
            text.append_text(safe_text(one_line(a.name, 30), "bold"))
            model = getattr(a, "model", None)
            if model:
                text.append(f"  {one_line(str(model), 30)}", style="dim")
            desc = getattr(a, "description", "")
            if desc:
                text.append("  ")
                text.append_text(safe_text(one_line(desc, 90)))
            text.append("\n")
        if agents:
            text.append("\n/agent NAME switches · /agent - goes back to no profile", style="dim")
        self._text_screen("Agents", text)

    # --- /var ------------------------------------------------------------------------------------------
    def var(self, arg: str) -> None:
        rt = self._need_runtime()
        arg = arg.strip()
        if not arg:
            self._list_vars(rt)
            return
        if arg.startswith("-"):
            key = arg[1:].strip()
            if not key:
                raise ValueError("give the variable to unset, e.g. /var -env")
            if key not in rt.state.variables:
                raise ValueError(f"no variable '{one_line(key, 40)}' is set")
            rt.unset_var(key)
            self._changed(f"Unset {key}")
            return
        key, sep, value = arg.partition("=") if "=" in arg.split(" ", 1)[0] else arg.partition(" ")
        key, value = key.strip(), value.strip()
        if not sep or not value:
            if key in rt.state.variables:  # `/var KEY`: its value
                self.app.notify(f"{key} = {one_line(str(rt.state.variables[key]), 200)}", timeout=5)
                return
            raise ValueError(f"give a value: /var {key or 'KEY'} VALUE (or /var -{key or 'KEY'} to unset)")
        try:
            rt.set_var(key, value)
        except Exception as exc:
            raise ValueError(_message(exc)) from None
        self._changed(f"{key} = {one_line(value, 80)}")

    def _list_vars(self, rt: Any) -> None:
        variables = rt.state.variables
        text = Text()
        if not variables:
            text.append("No context variables. /var KEY VALUE sets one; guidelines and journey steps that need "
                        "a variable (required_context) wait until it is set.", style="dim")
        for key, value in sorted(variables.items()):
            text.append_text(safe_text(one_line(key, 40), "bold"))
            text.append(" = ", style="dim")
            text.append_text(safe_text(one_line(str(value), 200)))
            text.append("\n")
        if variables:
            text.append("\n/var KEY VALUE sets · /var -KEY unsets", style="dim")
        self._text_screen("Context variables", text)

    # --- /journey --------------------------------------------------------------------------------------
    def journey(self, arg: str) -> None:
        rt = self._need_runtime()
        word, _, rest = arg.strip().partition(" ")
        word, rest = word.lower(), rest.strip()
        if not word:
            self.show_journeys()
            return
        if word not in JOURNEY_WORDS:
            raise ValueError("expected /journey, /journey start ID, /journey complete or /journey stop")
        self._idle(f"/journey {word}")
        if word == "start":
            self._start(rt, rest)
        else:
            self._finish(rt, word)

    def _start(self, rt: Any, journey_id: str) -> None:
        if not journey_id:
            ids = ", ".join(j.id for j in rt.playbook.journeys) or "none (add [[journeys]] to playbook.toml)"
            raise ValueError(f"give a journey: /journey start ID; journeys: {ids}")
        if rt.playbook.journey(journey_id) is None:
            ids = ", ".join(j.id for j in rt.playbook.journeys) or "none"
            raise ValueError(f"no journey '{one_line(journey_id, 40)}'; journeys: {ids}")
        try:
            rt.start_journey(journey_id)
        except Exception as exc:  # e.g. another journey is active
            raise ValueError(_message(exc)) from None
        self._changed(f"Journey {journey_id} started — {rt.status_text() or 'see /journey'}")

    def _finish(self, rt: Any, how: str) -> None:
        state = rt.state.journey
        if state is None or getattr(state, "status", "active") != "active":
            raise ValueError("no journey is active (/journey start ID starts one)")
        try:
            rt.complete_journey() if how == "complete" else rt.stop_journey()
        except Exception as exc:
            raise ValueError(_message(exc)) from None
        self._changed(f"Journey {state.journey_id} {'completed' if how == 'complete' else 'stopped'}")

    def show_journeys(self) -> None:
        from workbench.tui.journey_graph import JourneyPosition
        from workbench.tui.screens.journey import JourneyScreen

        rt = self._need_runtime()
        journeys = list(rt.playbook.journeys)
        if not journeys:
            raise ValueError("the playbook has no journeys: add [[journeys]] to .workbench/playbook.toml "
                             "(docs/playbooks.md)")
        active = JourneyPosition.of(rt.state.journey)

        def chosen(result: tuple[str, str] | None) -> None:
            if result is None:
                return
            how, journey_id = result
            try:
                self._idle(f"/journey {how}")
                self._start(rt, journey_id) if how == "start" else self._finish(rt, how)
            except ValueError as exc:
                self.app.notify(f"/journey: {exc}", severity="error")

        self.app.push_screen(JourneyScreen(journeys, active), chosen)

    # --- the why view ----------------------------------------------------------------------------------
    def turns(self) -> list[WhyTurn]:
        from workbench.tui.screens.why import turns_on_path

        manager = getattr(self.app.backend, "manager", None)
        return [] if manager is None else turns_on_path(manager)

    def why(self, from_end: int | None = None, entry_id: str | None = None) -> None:
        """The why view at a turn: counted from the newest (0 is the last user message shown), or
        the turn an entry belongs to; the newest when neither is given."""
        from workbench.tui.screens.why import WhyScreen, turn_for_entry, turns_on_path

        manager = getattr(self.app.backend, "manager", None)
        if manager is None:
            raise ValueError("no session is open")
        if entry_id is not None:  # the path through that entry (it may be on another branch)
            turns = turns_on_path(manager, entry_id)
            index = turn_for_entry(turns, manager, entry_id)
        else:
            turns = turns_on_path(manager)
            index = len(turns) - 1 - (from_end or 0)
        running = bool(self.app.backend.is_running) and entry_id is None  # the active path's newest turn runs
        self.app.push_screen(WhyScreen(turns, max(0, index), running=running))

    def turn_in_view(self) -> int | None:
        from workbench.tui.widgets.conversation_turns import turn_in_view

        return turn_in_view(self.app.conversation)

    def _text_screen(self, title: str, text: Text) -> None:
        from workbench.tui.screens.dialogs import TextScreen

        self.app.push_screen(TextScreen(title, text))


def status_parts(agent: str | None, journey: str) -> list[tuple[str, str]]:
    """The status line's playbook parts: `agent reviewer`, `journey release · 2/5 run the tests`."""
    parts: list[tuple[str, str]] = []
    if agent:
        parts += [("  agent ", "$foreground 70%"), (one_line(agent, 24), "bold $secondary")]
    if journey:
        text = one_line(journey, 60)
        head, _, rest = text.partition(" ")
        parts += [("  ", ""), (head + " ", "$foreground 70%") if head == "journey" else (text, "bold $accent")]
        if head == "journey":
            parts.append((rest, "bold $accent"))
    return parts


class PlaybookCommands:
    """Mixed into WorkbenchApp: the playbook's slash commands and the Conversation pane's `w`,
    handed to the app's PlaybookUi (`self.playbook_ui`)."""

    playbook_ui: PlaybookUi

    def _slash_agent(self, arg: str) -> None:
        self.playbook_ui.agent(arg)

    def _slash_var(self, arg: str) -> None:
        self.playbook_ui.var(arg)

    def _slash_journey(self, arg: str) -> None:
        self.playbook_ui.journey(arg)

    def _slash_why(self, arg: str) -> None:
        self.playbook_ui.why(self.playbook_ui.turn_in_view())

    def on_conversation_why_wanted(self, message: Any) -> None:
        self._why(from_end=message.from_end)

    def on_session_tree_why_wanted(self, message: Any) -> None:
        self._why(entry_id=message.entry_id)

    def _why(self, **where: Any) -> None:
        try:
            self.playbook_ui.why(**where)
        except ValueError as exc:
            self.notify(f"why: {exc}", severity="warning")  # type: ignore[attr-defined]
