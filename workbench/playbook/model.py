"""What a playbook holds, as frozen dataclasses (the seed agent-api-contracts.md's Guideline,
Journey, JourneyStep and Transition, as `playbook.toml` writes them).

Loading and checking them is workbench/playbook/loader.py; matching them turn by turn is
matching.py; the per-session state (variables, journey) is state.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.config import ConfigProblem

_WORDS_ONLY = re.compile(r"^[\w\s'-]+$")


@dataclass(frozen=True)
class MatchPattern:
    """One `match` entry: a keyword or phrase (letters, digits, spaces, - and ' only: matched as
    whole words, any case), or else a regular expression searched anywhere, any case."""

    text: str
    regex: re.Pattern[str]
    keyword: bool

    @classmethod
    def compile(cls, text: str) -> "MatchPattern":
        """Raises re.error for an invalid regular expression (the loader reports it)."""
        if _WORDS_ONLY.match(text):
            words = r"\s+".join(re.escape(w) for w in text.split())
            return cls(text, re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE), True)
        return cls(text, re.compile(text, re.IGNORECASE), False)

    def search(self, message: str) -> re.Match[str] | None:
        return self.regex.search(message)


def first_hit(patterns: tuple[MatchPattern, ...], message: str) -> tuple[MatchPattern, str] | None:
    """The first pattern that hits `message`, with the text it matched."""
    for pattern in patterns:
        m = pattern.search(message)
        if m is not None:
            return pattern, m.group(0)
    return None


_QUOTED = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def hit_reason(hit: tuple[MatchPattern, str]) -> str:
    """Why a pattern decided, with the pattern as the user wrote it (repr() doubled every
    backslash); line breaks are spelled out so the reason stays on one line."""
    pattern, text = hit
    return f"pattern '{pattern.text.translate(_QUOTED)}' matched '{text.translate(_QUOTED)}'"


@dataclass(frozen=True)
class Guideline:
    """When `condition` holds, do `action`. `match` patterns decide without a model call;
    `journey`/`step` restrict it to that journey (at that step); `starts_journey` starts one."""

    id: str
    condition: str
    action: str
    priority: int = 0
    tools: tuple[str, ...] = ()
    required_context: tuple[str, ...] = ()
    enabled: bool = True
    journey: str | None = None
    step: str | None = None
    match: tuple[MatchPattern, ...] = ()
    starts_journey: str | None = None
    source: Path = field(default=Path())
    line: int | None = None  # of its [[guidelines]] header, for messages


@dataclass(frozen=True)
class Transition:
    to: str
    condition: str
    priority: int = 0
    match: tuple[MatchPattern, ...] = ()


@dataclass(frozen=True)
class JourneyStep:
    id: str
    name: str
    description: str = ""
    guidelines: tuple[str, ...] = ()        # guideline ids injected while this step is current
    required_context: tuple[str, ...] = ()  # variables the step needs before it can move on
    is_terminal: bool = False               # reaching it completes the journey
    transitions: tuple[Transition, ...] = ()
    line: int | None = None                 # of its `guidelines` key (else its header), for messages


@dataclass(frozen=True)
class Journey:
    id: str
    name: str
    description: str
    initial_step: str
    steps: tuple[JourneyStep, ...]
    source: Path = field(default=Path())
    line: int | None = None

    def step(self, step_id: str | None) -> JourneyStep | None:
        for s in self.steps:
            if s.id == step_id:
                return s
        return None

    def index_of(self, step_id: str | None) -> int:
        """1-based position of the step in the file's order (the status line's "2/5"), 0 if absent."""
        for i, s in enumerate(self.steps, start=1):
            if s.id == step_id:
                return i
        return 0


@dataclass(frozen=True)
class PlaybookSettings:
    """`[playbook]`. matcher_model None: the session's own model; "off": patterns only."""

    matcher_model: str | None = None
    relevance_threshold: float = 0.5
    max_matches: int = 5


@dataclass(frozen=True)
class Playbook:
    settings: PlaybookSettings = PlaybookSettings()
    agents: tuple[Any, ...] = ()        # AgentProfile (workbench/playbook/agents.py)
    guidelines: tuple[Guideline, ...] = ()
    journeys: tuple[Journey, ...] = ()
    tools: tuple[Any, ...] = ()         # CommandToolSpec (workbench/playbook/command_tools.py)
    files: tuple[Path, ...] = ()        # the playbook files read, in order
    problems: tuple["ConfigProblem", ...] = ()
    notices: tuple["ConfigProblem", ...] = ()  # not errors: a project item replacing a user's one
    ignored: tuple[str, ...] = ()       # what was left out until the project is trusted, one line each

    @property
    def empty(self) -> bool:
        return not (self.agents or self.guidelines or self.journeys or self.tools)

    def guideline(self, gid: str) -> Guideline | None:
        for g in self.guidelines:
            if g.id == gid:
                return g
        return None

    def journey(self, jid: str | None) -> Journey | None:
        for j in self.journeys:
            if j.id == jid:
                return j
        return None

    def agent(self, name: str | None) -> Any | None:
        for a in self.agents:
            if getattr(a, "name", None) == name:
                return a
        return None
