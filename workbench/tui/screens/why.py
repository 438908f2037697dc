"""The "why" view: what the playbook did for one turn, from the session's own record of it.

Each user turn that ran the playbook leaves a `workbench.playbook.turn` custom entry (its shape is
the contract in docs/playbooks.md): the guidelines matched (score, reason, pattern or model), the
ones skipped and why, the journey before and after and the transition, the context variables, the
exact text injected into the system prompt, and the ProcessingMetadata. This screen shows one turn
at a time; ←/→ move between the turns of the active path. Everything in a record is text from a
file (and from a model's reasons): drawn as plain text, never markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from workbench.playbook.state import turn_records
from workbench.tui.backend import message_text
from workbench.tui.sanitize import one_line, sanitize

METADATA_ROWS = (("total_time_ms", "total", "ms"), ("llm_time_ms", "LLM", "ms"),
                 ("guideline_matching_time_ms", "guideline matching", "ms"),
                 ("tool_execution_time_ms", "tool execution", "ms"), ("llm_calls", "LLM calls", ""),
                 ("tokens_used", "tokens used", ""))


@dataclass(frozen=True)
class WhyTurn:
    """A user message on the active path and the playbook's record of its turn (None: none ran)."""

    entry_id: str
    text: str
    record: dict[str, Any] | None


def turns_on_path(manager: Any, upto: str | None = None) -> list[WhyTurn]:
    """Every user message of the active path (or of the path from the root to `upto`, an entry on
    any branch), oldest first, each with its turn record: the one whose `prompt_entry_id` names
    it."""
    branch = manager.get_branch(upto)
    records: dict[str, dict[str, Any]] = {}
    # from the whole file: a run's record comes after its prompt, so the path up to a selected
    # prompt does not hold it (an entry id names one prompt in the whole session)
    for entry in turn_records(manager):
        data = entry["data"]
        if isinstance(data.get("prompt_entry_id"), str):
            records[data["prompt_entry_id"]] = data
    turns = []
    for entry in branch:
        msg = entry.get("message") if entry.get("type") == "message" else None
        if isinstance(msg, dict) and msg.get("role") == "user":
            eid = str(entry.get("id"))
            turns.append(WhyTurn(eid, message_text(msg), records.get(eid)))
    return turns


def turn_for_entry(turns: list[WhyTurn], manager: Any, entry_id: str | None) -> int:
    """The index of the turn an entry belongs to: the last user message at or before it on the
    path (an assistant answer or a tool result belongs to the prompt that started it)."""
    if not turns:
        return 0
    if entry_id is None:
        return len(turns) - 1
    if not manager.has_entry(entry_id):
        return len(turns) - 1
    upto = set(manager.get_branch_ids(entry_id))  # the path from the root to the entry
    found = [i for i, t in enumerate(turns) if t.entry_id in upto]
    return found[-1] if found else 0


def _text(value: Any, width: int = 0) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return one_line(text, width) if width else sanitize(text)


def _journey_words(state: Any) -> str:
    if not isinstance(state, dict) or not state.get("id"):
        return "none"
    path = [str(s) for s in state.get("path") or [] if s]
    taken = f" · path {' → '.join(path)}" if path else ""
    return f"{state.get('id')} at {state.get('step') or '—'} ({state.get('status') or 'active'}){taken}"


def _score(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"


def why_content(turn: WhyTurn, index: int, total: int, *, running: bool = False) -> Content:
    """One turn's explanation, section by section (`running`: this turn's run has not ended, so
    its record is not written yet)."""
    parts: list[Content | str | tuple[str, str]] = []

    def head(title: str) -> None:
        parts.extend(["\n", (title, "bold $accent"), "\n"])

    parts += [(f"turn {index + 1} of {total}", "bold"), ("  you: ", "$foreground 55%"),
              (_text(turn.text, 100) or "(empty message)", "italic"), (f"  · entry {turn.entry_id[:8]}\n", "$foreground 55%")]
    rec = turn.record
    if rec is None and running:
        parts += ["\n", ("This turn is still running", "bold"),
                  (" — its record is written when the run ends; open the why view again then.", "$foreground 55%")]
        return Content.assemble(*parts)
    if rec is None:
        parts += ["\n", ("No playbook ran for this turn", "bold"),
                  (" — the session had no playbook then (no guidelines or journeys in playbook.toml), or the "
                   "message was a steering or follow-up message inside a run.", "$foreground 55%")]
        return Content.assemble(*parts)
    if rec.get("agent"):
        parts += [("agent ", "$foreground 55%"), (_text(rec["agent"], 40), "bold"), "\n"]
    matcher = rec.get("matcher")
    head("Matching")
    if matcher == "patterns-only":
        note = rec.get("matcher_note")
        parts += [(" patterns only ", "bold reverse $warning"), " ",
                  (_text(note, 200) if note else "no matcher model was reachable", "$warning"),
                  ("\n only guidelines and transitions with `match` patterns could apply; the others were "
                   "not judged.", "$foreground 55%"), "\n"]
    else:
        parts += [("by patterns, then one matcher-model call for the rest", "$foreground"), "\n"]
    matched = [m for m in rec.get("matched") or [] if isinstance(m, dict)]
    head(f"Matched guidelines ({len(matched)})")
    if not matched:
        parts.append(("  none\n", "$foreground 55%"))
    for m in matched:
        source = str(m.get("source") or "?")
        parts += [("  ✓ ", "$success"), (_text(m.get("id", "?"), 40), "bold"),
                  (f"  score {_score(m.get('score'))}", ""), (f"  {source}", "$accent" if source == "pattern" else
                                                               "$secondary"),
                  (f"  priority {m.get('priority', 0)}", "$foreground 55%"), "\n"]
        if m.get("reason"):
            parts += [("      ", ""), (_text(m["reason"], 300), "italic"), "\n"]
    tools = [t for t in rec.get("tools") or [] if isinstance(t, str)]
    if tools:
        parts += [("  tools the guidelines enabled for this turn: ", "$foreground 55%"),
                  (", ".join(_text(t, 40) for t in tools), "bold"), "\n"]
    skipped = [s for s in rec.get("skipped") or [] if isinstance(s, dict)]
    head(f"Skipped ({len(skipped)})")
    if not skipped:
        parts.append(("  none\n", "$foreground 55%"))
    for s in skipped:
        parts += [("  – ", "$foreground 55%"), (_text(s.get("id", "?"), 40), "bold"), ("  ", ""),
                  (_text(s.get("reason") or "no reason given", 300), "$foreground 55%"), "\n"]
    head("Journey")
    before, after = rec.get("journey_before"), rec.get("journey_after")
    parts += [("  before  ", "$foreground 55%"), _journey_words(before), "\n",
              ("  after   ", "$foreground 55%"), _journey_words(after), "\n"]
    tr = rec.get("transition")
    if isinstance(tr, dict):
        src, dst = tr.get("from"), tr.get("to")
        move = (f"started at {dst}" if not src else f"stopped at {src}" if not dst else f"{src} → {dst}")
        parts += [("  transition  ", "$foreground 55%"), (f"{_text(tr.get('journey', '?'), 40)}: {_text(move, 80)}", "bold"),
                  (f"  by {_text(tr.get('source') or '?', 20)}", "$accent")]
        if tr.get("reason"):
            parts += [("  ", ""), (_text(tr["reason"], 200), "italic")]
        parts.append("\n")
    else:
        parts.append(("  no transition this turn\n", "$foreground 55%"))
    variables = rec.get("variables") if isinstance(rec.get("variables"), dict) else {}
    head(f"Context variables ({len(variables)})")
    if not variables:
        parts.append(("  none  (/var KEY VALUE sets one)\n", "$foreground 55%"))
    for key, value in sorted(variables.items()):
        parts += [("  ", ""), (_text(key, 40), "bold"), (" = ", "$foreground 55%"), (_text(value, 200), ""), "\n"]
    injected = rec.get("injected")
    head("Injected into the system prompt for this turn")
    if isinstance(injected, str) and injected.strip():
        for line in sanitize(injected).splitlines():
            parts += [("  │ ", "$foreground 55%"), (line, ""), "\n"]
    else:
        parts.append(("  nothing (no guideline matched and no journey step was current)\n", "$foreground 55%"))
    meta = rec.get("metadata") if isinstance(rec.get("metadata"), dict) else {}
    head("Processing metadata")
    for key, label, unit in METADATA_ROWS:
        value = meta.get(key)
        shown = f"{value:,}{' ' + unit if unit else ''}" if isinstance(value, (int, float)) else "—"
        parts += [(f"  {label:<20}", "$foreground 55%"), (shown, "bold"), "\n"]
    return Content.assemble(*parts).rstrip()


class WhyScreen(Screen[None]):
    """Full screen, read-only; ←/→ (or [ and ]) step through the turns of the active path."""

    BINDINGS = [
        Binding("left,[", "move(-1)", "Earlier turn", id="why.earlier"),
        Binding("right,]", "move(1)", "Later turn", id="why.later"),
        Binding("escape,q,w", "close", "Close", id="why.close"),
    ]
    DEFAULT_CSS = """
    WhyScreen { layout: vertical; }
    WhyScreen #why-box { height: 1fr; border: round $accent; border-title-style: bold; padding: 0 1; }
    WhyScreen #why-body { height: auto; }
    """

    def __init__(self, turns: list[WhyTurn], index: int, *, running: bool = False) -> None:
        super().__init__()
        self.turns = turns
        self.index = max(0, min(index, len(turns) - 1))
        self.running = running  # the newest turn's run is under way

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="why-box") as box:
                box.border_title = "Why — the playbook for this turn"
                box.border_subtitle = "←/→ earlier/later turn · Esc close"
                yield Static(id="why-body")

    def on_mount(self) -> None:
        self._show()
        self.query_one("#why-box").focus()

    def _show(self) -> None:
        body = self.query_one("#why-body", Static)
        if not self.turns:
            body.update(Content.assemble(("No turns yet", "bold"),
                                         (" — send a message; each turn that runs the playbook is explained here.",
                                          "$foreground 55%")))
            return
        last = self.index == len(self.turns) - 1
        body.update(why_content(self.turns[self.index], self.index, len(self.turns), running=self.running and last))
        self.query_one("#why-box", VerticalScroll).scroll_home(animate=False)

    def action_move(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < len(self.turns):
            self.index = target
            self._show()
        else:
            self.app.bell()

    def action_close(self) -> None:
        self.dismiss(None)
