"""Slash commands: the names, their argument hints and help, and completion.

The same table feeds the prompt's completion, the command palette and the help screen, so the
three never disagree. What each command does lives in the app (`WorkbenchApp.run_slash`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class SlashCommand:
    name: str
    args: str
    help: str
    needs_idle: bool = False  # not offered while the agent runs
    needs_session: bool = False  # needs a session stored on disk


COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("new", "", "start a new session", needs_idle=True),
    SlashCommand("resume", "[id-prefix]", "list recent sessions, or open one", needs_idle=True),
    SlashCommand("tree", "", "show the session's entries", needs_session=True),
    SlashCommand("fork", "", "fork the session at the current leaf into a new file", needs_idle=True,
                 needs_session=True),
    SlashCommand("rewind", "[entry-id]", "restore files (and/or the conversation) to the entry selected in "
                 "the Session pane, after a preview", needs_idle=True, needs_session=True),
    SlashCommand("label", "[text]", "label the current leaf (empty clears)", needs_session=True),
    SlashCommand("name", "<name>", "name this session", needs_session=True),
    SlashCommand("model", "<model>", "switch model"),
    SlashCommand("mode", "ask|edits|plan|yolo", "set the approval mode"),
    SlashCommand("compact", "[instructions]", "summarise older messages to free context", needs_idle=True),
    SlashCommand("budget", "tokens=N cost=USD turns=N tool_calls=N time=SECONDS", "set limits for this session"),
    SlashCommand("theme", "<name>", "switch theme"),
    SlashCommand("export", "[html|md] [file]", "export the conversation (Markdown, or one HTML file)"),
    SlashCommand("grants", "", "saved approval rules"),
    SlashCommand("mcp", "[restart|enable|disable NAME]", "MCP servers: their state and tools; act on one"),
    SlashCommand("hooks", "", "configured hooks, their source files and last runs; the sandbox's state"),
    SlashCommand("mob", "[demo|FILE.toml]", "start a mob (demo: offline, no API key), or focus the mob pane"),
    SlashCommand("context", "", "context files, skills and the whole system prompt (read-only view)"),
    SlashCommand("agent", "[NAME|-]", "the playbook's agents; switch to one (- for none)"),
    SlashCommand("var", "[KEY VALUE|-KEY]", "context variables: list, set one, or unset one"),
    SlashCommand("journey", "[start ID|complete|stop]", "the journeys as graphs (current step, path taken); "
                 "start, complete or stop one"),
    SlashCommand("why", "", "why: the playbook's explanation of the turn in view (w in the Conversation pane)"),
    SlashCommand("reload", "", "read context files, skills and prompt templates again", needs_idle=True),
    SlashCommand("help", "", "keys and commands"),
    SlashCommand("quit", "", "quit the workbench"),
)

BY_NAME = {c.name: c for c in COMMANDS}


def parse(text: str) -> tuple[str, str] | None:
    """`/name rest` -> (name, rest); None if the text is not a slash command."""
    if not text.startswith("/") or text.startswith("//"):
        return None
    head, _, rest = text[1:].partition(" ")
    return head.strip().lower(), rest.strip()


def matches(prefix: str, extra: Sequence[SlashCommand] = ()) -> list[SlashCommand]:
    """Commands whose name starts with the typed prefix (text after the slash, before a space);
    `extra`: the project's skills (`skill:NAME`) and prompt templates, after the built-ins."""
    if not prefix.startswith("/") or " " in prefix or "\n" in prefix:
        return []
    typed = prefix[1:].lower()
    return [c for c in (*COMMANDS, *extra) if c.name.lower().startswith(typed)]


def _common_prefix(names: list[str]) -> str:
    common = names[0]
    for n in names[1:]:
        while not n.startswith(common):
            common = common[:-1]
    return common


def complete(text: str, choices: Callable[[str], list[str]] | None = None,
             extra: Sequence[SlashCommand] = ()) -> str | None:
    """The completion for the prompt's text: the common prefix of the matching command names (a
    full name + space when only one matches), or after `/command ` of the matching arguments
    that `choices(command)` offers; None when nothing would change."""
    parsed = parse(text)
    if choices is not None and parsed is not None and " " in text and "\n" not in text:
        name, typed = parsed
        options = [c for c in choices(name) if c.startswith(typed)] if name in BY_NAME else []
        if not options:
            return None
        done = f"/{name} " + (options[0] if len(options) == 1 else _common_prefix(options))
        return done if done != text else None
    found = matches(text, extra)
    if not found:
        return None
    if len(found) == 1:
        done = f"/{found[0].name} "
        return done if done != text else None
    out = "/" + _common_prefix([c.name for c in found])
    return out if out != text else None


def parse_budget(arg: str) -> dict[str, float | None]:
    """`tokens=200k cost=1.5 turns=off` -> {"tokens": 200000, "cost": 1.5, "turns": None}."""
    out: dict[str, float | None] = {}
    aliases = {"tokens": "tokens", "cost": "cost", "turns": "turns", "tool_calls": "tool_calls",
               "tools": "tool_calls", "time": "duration", "duration": "duration"}
    for part in arg.split():
        key, sep, raw = part.partition("=")
        key = aliases.get(key.strip().lower(), "")
        if not sep or not key:
            raise ValueError(f"'{part}': expected one of tokens=, cost=, turns=, tool_calls=, time=")
        raw = raw.strip().lower().lstrip("$")
        if raw in ("off", "none", "-"):
            out[key] = None
            continue
        mult = 1.0
        if raw.endswith("k"):
            mult, raw = 1_000.0, raw[:-1]
        elif raw.endswith("m") and key != "duration":
            mult, raw = 1_000_000.0, raw[:-1]
        elif raw.endswith("m") and key == "duration":
            mult, raw = 60.0, raw[:-1]
        elif raw.endswith("s") and key == "duration":
            raw = raw[:-1]
        try:
            value = float(raw) * mult
        except ValueError:
            raise ValueError(f"'{part}': '{raw}' is not a number") from None
        if value <= 0:
            raise ValueError(f"'{part}': a limit must be above 0 (use {key}=off to remove it)")
        out[key] = value
    if not out:
        raise ValueError("nothing to set: e.g. /budget tokens=200k cost=2 turns=30 time=10m")
    return out
