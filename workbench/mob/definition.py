"""A mob definition: the TOML file that says which profiles exist, how members are wired, the
topology mode and the limits (a subset of Meerkat's MobDefinition).

`load_definition(path)` and `parse_definition(text, source)` raise `MobDefinitionError`, whose
problems each name the file, the line and the key, so a typo never ends in a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench.config import ConfigProblem, parse_toml_text, read_toml_text

# Identities and profile names appear in file names, events and tool arguments: keep them plain.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_NAME = re.compile(NAME_PATTERN)


def is_valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MobSection(_Strict):
    id: str = Field(pattern=NAME_PATTERN)
    orchestrator: str = Field(pattern=NAME_PATTERN)  # the profile whose member receives the user's messages
    description: str = ""
    # A headless run whose member spawns failed fails too (exit 30), unless this says they may.
    allow_failed_spawns: bool = False


class Profile(_Strict):
    model: str | None = None  # None: the provider's default model
    provider: Literal["anthropic", "openai", "replay"] | None = None
    system_prompt: str = ""
    peer_description: str = ""  # what list_peers tells the other members about this one
    tools: list[str] = Field(default_factory=list)  # built-in tools; mob tools are added by role
    mcp: list[str] | None = None  # MCP servers whose tools members get (None: every configured server)
    skills: list[str] | None = None  # only these skills (workbench skills list); None: every skill
    thinking: Literal["off", "minimal", "low", "medium", "high"] = "off"
    # A playbook agent ([[agents]] in .workbench/playbook.toml) its members run as: its prompt,
    # tool allow-list, model and max_turns (workbench/mob/playbook.py).
    agent: str | None = Field(default=None, pattern=NAME_PATTERN)
    # Per-member limits for members of this profile (override [limits] *_per_member).
    max_tokens: int | None = Field(default=None, gt=0)
    max_cost: float | None = Field(default=None, gt=0)
    max_turns: int | None = Field(default=None, gt=0)


class RoleWire(_Strict):
    a: str = Field(pattern=NAME_PATTERN)
    b: str = Field(pattern=NAME_PATTERN)


class WiringSection(_Strict):
    auto_wire_orchestrator: bool = True  # every member is wired to the orchestrator's member
    role_wiring: list[RoleWire] = Field(default_factory=list)  # members of profile a <-> members of profile b


class TopologySection(_Strict):
    mode: Literal["strict", "advisory"] = "strict"


class LimitsSection(_Strict):
    # Shared by the whole mob.
    max_cost: float | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, gt=0)
    max_members: int | None = Field(default=None, gt=0)
    # Each member's own.
    max_tokens_per_member: int | None = Field(default=None, gt=0)
    max_cost_per_member: float | None = Field(default=None, gt=0)
    max_turns_per_member: int | None = Field(default=None, gt=0)


class MobDefinition(_Strict):
    mob: MobSection
    profiles: dict[str, Profile]
    wiring: WiringSection = Field(default_factory=WiringSection)
    topology: TopologySection = Field(default_factory=TopologySection)
    limits: LimitsSection = Field(default_factory=LimitsSection)

    @field_validator("profiles")
    @classmethod
    def _profile_names(cls, value: dict[str, Profile]) -> dict[str, Profile]:
        if not value:
            raise ValueError("define at least one profile, e.g. [profiles.lead]")
        bad = [name for name in value if not is_valid_name(name)]
        if bad:
            raise ValueError(f"invalid profile name(s) {bad}: use letters, digits, '_', '-', '.'")
        return value

    @property
    def id(self) -> str:
        return self.mob.id

    @property
    def orchestrator_profile(self) -> str:
        return self.mob.orchestrator

    def role_pairs(self) -> set[frozenset[str]]:
        return {frozenset((w.a, w.b)) for w in self.wiring.role_wiring}


class MobDefinitionError(Exception):
    """Every problem found in one definition file; each names file, line and key."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


_TABLE = re.compile(r"^\[+\s*([^\]]+?)\s*\]+")
_KEY = re.compile(r'^\s*("?)([A-Za-z0-9_.-]+)\1\s*=')


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each table header and `key =` line to its dotted path (first occurrence wins)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = _TABLE.match(line)
        if m:
            table = tuple(part.strip().strip('"') for part in m.group(1).split("."))
            lines.setdefault(table, no)
            continue
        km = _KEY.match(line)
        if km:
            path = table + tuple(km.group(2).split("."))
            lines.setdefault(path, no)
    return lines


def line_of(text: str, loc: tuple[Any, ...] | list[Any]) -> int | None:
    """The line of `loc`, or of its nearest enclosing key found (inline tables, list items)."""
    keys = _key_lines(text)
    path = tuple(str(p) for p in loc if not isinstance(p, int))
    while path:
        if path in keys:
            return keys[path]
        path = path[:-1]
    return None


def _problem(source: Path, text: str, loc: tuple[Any, ...], message: str) -> ConfigProblem:
    key = ".".join(str(p) for p in loc) or None
    return ConfigProblem(source, line_of(text, loc), key, message)


def _semantic_problems(d: MobDefinition, source: Path, text: str) -> list[ConfigProblem]:
    """Cross-references pydantic cannot see: names that must point at defined profiles."""
    problems = []
    names = sorted(d.profiles)
    from workbench.tools.registry import builtin_registry

    tools = set(builtin_registry().names())
    for profile_name, profile in d.profiles.items():
        for i, tool in enumerate(profile.tools):
            if tool not in tools:
                problems.append(_problem(source, text, ("profiles", profile_name, "tools", i),
                                         f"unknown tool {tool!r} (built-in tools: {', '.join(sorted(tools))})"))
    if d.mob.orchestrator not in d.profiles:
        problems.append(_problem(source, text, ("mob", "orchestrator"),
                                 f"no profile named {d.mob.orchestrator!r} (profiles: {', '.join(names)})"))
    for i, wire in enumerate(d.wiring.role_wiring):
        for side in ("a", "b"):
            role = getattr(wire, side)
            if role not in d.profiles:
                problems.append(_problem(source, text, ("wiring", "role_wiring", i, side),
                                         f"no profile named {role!r} (profiles: {', '.join(names)})"))
    return problems


def parse_definition(text: str, source: str | Path = "<mob definition>") -> MobDefinition:
    source = Path(source)
    data, toml_problems = parse_toml_text(source, text)  # BOM accepted, deep nesting refused
    if data is None:
        raise MobDefinitionError(toml_problems)
    text = text.removeprefix("\ufeff")
    try:
        definition = MobDefinition.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(source, text, tuple(err.get("loc", ())), err.get("msg", "invalid"))
                    for err in exc.errors()]
        raise MobDefinitionError(problems) from None
    problems = _semantic_problems(definition, source, text)
    if problems:
        raise MobDefinitionError(problems)
    return definition


def load_definition(path: str | Path) -> MobDefinition:
    path = Path(path)
    text, problems = read_toml_text(path)
    if text is None:
        raise MobDefinitionError(problems or [ConfigProblem(path, None, None, "cannot read: no such file")])
    return parse_definition(text, path)
