"""The shape of each `playbook.toml` item, checked by pydantic (strict: TOML has types, and a
priority of "5" is a mistake worth naming), then turned into model.py's frozen dataclasses."""

from __future__ import annotations

import re
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workbench.playbook.model import Guideline, Journey, JourneyStep, MatchPattern, PlaybookSettings, Transition

ID = r"^[A-Za-z0-9_.:-]+$"


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _patterns(value: Any) -> list[str]:
    """`match` is one string or a list of them; each must compile."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("must be a string or a list of strings (keywords or regular expressions)")
    for item in items:
        if not item.strip():
            raise ValueError("an empty pattern would match every message")
        try:
            MatchPattern.compile(item)
        except re.error as exc:
            raise ValueError(f"{item!r} is not a valid regular expression: {exc}") from None
    return items


class SettingsItem(_Item):
    matcher_model: str | None = Field(default=None, min_length=1)
    relevance_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    max_matches: int = Field(default=5, ge=1, le=100)

    def build(self) -> PlaybookSettings:
        return PlaybookSettings(self.matcher_model, self.relevance_threshold, self.max_matches)


class GuidelineItem(_Item):
    id: str = Field(min_length=1, max_length=64, pattern=ID)
    condition: str = Field(min_length=1)
    action: str = Field(min_length=1)
    priority: int = 0
    tools: list[str] = Field(default_factory=list)
    required_context: list[str] = Field(default_factory=list)
    enabled: bool = True
    journey: str | None = None
    step: str | None = None
    match: Any = Field(default_factory=list)
    starts_journey: str | None = None

    _check_match = field_validator("match", mode="before")(lambda cls, v: _patterns(v))

    @model_validator(mode="after")
    def _step_needs_journey(self) -> "GuidelineItem":
        if self.step is not None and self.journey is None:
            raise ValueError("step needs journey: name the journey the step belongs to")
        return self

    def build(self, source: Any, where: Callable[[list[Any]], int | None]) -> Guideline:
        line = where([])
        return Guideline(id=self.id, condition=self.condition, action=self.action, priority=self.priority,
                         tools=tuple(self.tools), required_context=tuple(self.required_context),
                         enabled=self.enabled, journey=self.journey, step=self.step,
                         match=tuple(MatchPattern.compile(p) for p in self.match),
                         starts_journey=self.starts_journey, source=source, line=line)


class TransitionItem(_Item):
    to: str = Field(min_length=1)
    condition: str = ""
    priority: int = 0
    match: Any = Field(default_factory=list)

    _check_match = field_validator("match", mode="before")(lambda cls, v: _patterns(v))

    @model_validator(mode="after")
    def _needs_a_test(self) -> "TransitionItem":
        if not self.condition.strip() and not self.match:
            raise ValueError("a transition needs a condition (for the matcher model) or match patterns")
        return self

    def build(self) -> Transition:
        return Transition(self.to, self.condition, self.priority, tuple(MatchPattern.compile(p) for p in self.match))


class StepItem(_Item):
    id: str = Field(min_length=1, max_length=64, pattern=ID)
    name: str | None = None
    description: str = ""
    guidelines: list[str] = Field(default_factory=list)
    required_context: list[str] = Field(default_factory=list)
    is_terminal: bool = False
    transitions: list[TransitionItem] = Field(default_factory=list)

    @model_validator(mode="after")
    def _terminal_ends(self) -> "StepItem":
        if self.is_terminal and self.transitions:
            raise ValueError("a terminal step ends the journey: it cannot have transitions")
        return self

    def build(self, line: int | None) -> JourneyStep:
        return JourneyStep(self.id, self.name or self.id, self.description, tuple(self.guidelines),
                           tuple(self.required_context), self.is_terminal,
                           tuple(t.build() for t in self.transitions), line)


class JourneyItem(_Item):
    id: str = Field(min_length=1, max_length=64, pattern=ID)
    name: str | None = None
    description: str = ""
    initial_step: str | None = None
    steps: list[StepItem] = Field(min_length=1)

    def graph_problems(self) -> list[tuple[list[Any], str]]:
        """(where inside the journey, message) for each step id used twice, an initial_step or a
        transition's `to` naming no step: the journey is left out, each place named."""
        ids = [s.id for s in self.steps]
        known = ", ".join(dict.fromkeys(ids))
        out: list[tuple[list[Any], str]] = []
        for i, step in enumerate(self.steps):
            if step.id in ids[:i]:
                out.append((["steps", i, "id"], f"step id {step.id!r} is used twice in this journey"))
        if self.initial_step is not None and self.initial_step not in ids:
            out.append((["initial_step"], f"{self.initial_step!r} is not one of its steps ({known})"))
        for i, step in enumerate(self.steps):
            for k, t in enumerate(step.transitions):
                if t.to not in ids:
                    out.append((["steps", i, "transitions", k, "to"],
                                f"step {step.id!r} has a transition to {t.to!r}, which is not one of its steps ({known})"))
        return out

    def build(self, source: Any, where: Callable[[list[Any]], int | None]) -> Journey:
        steps = tuple(s.build(where(["steps", i, "guidelines"])) for i, s in enumerate(self.steps))
        return Journey(self.id, self.name or self.id, self.description, self.initial_step or self.steps[0].id,
                       steps, source=source, line=where([]))
