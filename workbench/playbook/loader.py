"""`load_playbook()`: `<config dir>/playbook.toml`, then `<workspace>/.workbench/playbook.toml`.

The project extends the user's playbook; an item with the same id (agent name, tool name) in both
is the project's, and a problem says so. A broken item is reported (file, line, key) and left out
alone; the rest loads. Nothing here raises at the user.

Trust: guidelines, journeys and agents are text the model reads (like AGENTS.md) and load from
any project; a project's `[[tools]]` run commands, so they load only in a trusted project, and an
untrusted project's agent cannot choose a provider. What was left out is listed in `ignored`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from workbench import config
from workbench.config import ConfigProblem
from workbench.playbook.schema import GuidelineItem, JourneyItem, SettingsItem
from workbench.playbook.agents import parse_agents, reference_problems
from workbench.playbook.command_tools import parse_tools
from workbench.playbook.model import Guideline, Journey, Playbook, PlaybookSettings
from workbench.playbook.toml_lines import key_after, line_of

PROJECT_PLAYBOOK = ".workbench/playbook.toml"
SECTIONS = ("playbook", "agents", "guidelines", "journeys", "tools")


def user_playbook_file() -> Path:
    return config.config_home() / "playbook.toml"


def project_playbook_file(workspace: Path) -> Path:
    return Path(workspace) / PROJECT_PLAYBOOK


def playbook_files(workspace: Path | None) -> list[Path]:
    """Where playbooks are read from, in order (a later file's items replace an earlier one's)."""
    return [user_playbook_file()] + ([project_playbook_file(Path(workspace))] if workspace is not None else [])


@dataclasses.dataclass
class _FileItems:
    path: Path
    text: str
    project: bool
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)
    guidelines: list[Guideline] = dataclasses.field(default_factory=list)
    journeys: list[Journey] = dataclasses.field(default_factory=list)
    agents: list[Any] = dataclasses.field(default_factory=list)
    tools: list[Any] = dataclasses.field(default_factory=list)
    problems: list[ConfigProblem] = dataclasses.field(default_factory=list)
    notices: list[ConfigProblem] = dataclasses.field(default_factory=list)


def _problem(f: _FileItems, loc: list[Any], message: str) -> None:
    key = _key_text(loc)
    f.problems.append(ConfigProblem(f.path, line_of(f.text, loc), key or None, message))


def _key_text(loc: list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validation(f: _FileItems, base: list[Any], exc: ValidationError) -> None:
    for err in exc.errors():
        loc = base + [p for p in err.get("loc", ()) if p != "__root__"]
        message = err.get("msg", "invalid").removeprefix("Value error, ")
        _problem(f, loc, message)


def _array(f: _FileItems, data: dict[str, Any], section: str) -> list[Any]:
    raw = data.get(section, [])
    if not isinstance(raw, list):
        _problem(f, [section], f"must be an array of tables: write each one as [[{section}]]")
        return []
    return raw


def _items(f: _FileItems, data: dict[str, Any], section: str, model: type[BaseModel], ident: str) -> list[Any]:
    """Each table of `[[section]]` checked alone; a later duplicate id in the same file is dropped."""
    built: list[Any] = []
    seen: set[str] = set()
    for index, raw in enumerate(_array(f, data, section)):
        if not isinstance(raw, dict):
            _problem(f, [section, index], "must be a table")
            continue
        try:
            item = model.model_validate(raw)
        except ValidationError as exc:
            _validation(f, [section, index], exc)
            continue
        wrong = item.graph_problems() if isinstance(item, JourneyItem) else []
        for rel, message in wrong:
            _problem(f, [section, index, *rel], f"{message}; journey {item.id!r} is not loaded")  # type: ignore[attr-defined]
        if wrong:
            continue
        key = getattr(item, ident)
        if key in seen:
            _problem(f, [section, index, ident], f"{ident} {key!r} is used twice in this file; the second is not loaded")
            continue
        seen.add(key)
        where = (lambda rel, index=index: line_of(f.text, [section, index, *rel]))
        built.append(item.build(f.path, where))  # type: ignore[attr-defined]
    return built


def _read_file(path: Path, *, project: bool) -> _FileItems | None:
    text, problems = config.read_toml_text(path)
    if text is None:
        if not problems:
            return None  # no such file
        f = _FileItems(path, "", project)
        f.problems.extend(problems)
        return f
    f = _FileItems(path, text.removeprefix("\ufeff"), project)
    data, problems = config.parse_toml_text(path, text)
    f.problems.extend(problems)
    if data is None:
        return f
    for key in data:
        if key not in SECTIONS:
            _problem(f, [key], f"unknown section; a playbook has {', '.join(SECTIONS)}")
    section = data.get("playbook", {})
    if not isinstance(section, dict):
        _problem(f, ["playbook"], "must be a table: [playbook]")
    elif section:
        f.settings = _settings(f, section)
    f.guidelines = _items(f, data, "guidelines", GuidelineItem, "id")
    f.journeys = _items(f, data, "journeys", JourneyItem, "id")
    for name, parse, target in (("agents", parse_agents, f.agents), ("tools", parse_tools, f.tools)):
        if name not in data:
            continue
        items, more = parse(data[name], path, f.text)
        target.extend(items)
        f.problems.extend(more)
    return f


def _settings(f: _FileItems, section: dict[str, Any]) -> dict[str, Any]:
    """The valid keys of [playbook]; each broken one reported and left out alone."""
    good: dict[str, Any] = {}
    for key, value in section.items():
        try:
            SettingsItem.model_validate({key: value})
        except ValidationError as exc:
            _validation(f, ["playbook"], exc)
            continue
        good[key] = value
    return good


def _merge(found: list[Any], new: list[Any], ident: str, kind: str, f: _FileItems) -> list[Any]:
    """Items of a later file replace an earlier file's with the same id; the user is told."""
    by_id = {getattr(item, ident): item for item in found}
    for item in new:
        key = getattr(item, ident)
        old = by_id.get(key)
        if old is not None:
            where = getattr(old, "source", None)
            line = getattr(old, "line", None)
            f.notices.append(ConfigProblem(f.path, getattr(item, "line", None), f"{kind}s",
                                            f"{kind} {key!r} replaces the one in {where}"
                                            + (f":{line}" if line else "")))
        by_id[key] = item
    return list(by_id.values())


def _untrusted(f: _FileItems, ignored: list[str]) -> None:
    """What an untrusted project's file may not do: run commands, choose providers."""
    for tool in f.tools:
        ignored.append(f"{f.path}: tool {getattr(tool, 'name', '?')} runs `{getattr(tool, 'command', '?')}` "
                       "(loads once the project is trusted)")
    f.tools = []
    if "matcher_model" in f.settings:
        ignored.append(f"{f.path}: [playbook] matcher_model = {f.settings.pop('matcher_model')!r} "
                       "(applies once the project is trusted)")
    agents = []
    for agent in f.agents:
        fields = {x.name for x in dataclasses.fields(agent)} if dataclasses.is_dataclass(agent) else set()
        if "provider" in fields and getattr(agent, "provider", None):
            ignored.append(f"{f.path}: agent {agent.name} provider = {agent.provider!r} "
                           "(applies once the project is trusted)")
            agent = dataclasses.replace(agent, provider=None)
        agents.append(agent)
    f.agents = agents


def _cross_check(guidelines: list[Guideline], journeys: list[Journey], problems: list[ConfigProblem],
                 texts: dict[Path, str]) -> tuple[list[Guideline], list[Journey]]:
    """References between items, across files: a guideline naming an unknown journey or step is
    left out; a step naming an unknown guideline drops that name."""
    by_journey = {j.id: j for j in journeys}
    kept: list[Guideline] = []
    for g in guidelines:
        wrong = None
        if g.journey is not None and g.journey not in by_journey:
            wrong = ("journey", f"no journey {g.journey!r} is defined")
        elif g.journey is not None and g.step is not None and by_journey[g.journey].step(g.step) is None:
            steps = ", ".join(s.id for s in by_journey[g.journey].steps)
            wrong = ("step", f"journey {g.journey!r} has no step {g.step!r} (its steps: {steps})")
        elif g.starts_journey is not None and g.starts_journey not in by_journey:
            wrong = ("starts_journey", f"no journey {g.starts_journey!r} is defined")
        if wrong:
            line = key_after(texts.get(g.source, ""), g.line, wrong[0])
            problems.append(ConfigProblem(g.source, line, f"guidelines.{g.id}.{wrong[0]}",
                                          f"{wrong[1]}; guideline {g.id!r} is not loaded"))
            continue
        kept.append(g)
    ids = {g.id for g in kept}
    fixed: list[Journey] = []
    for j in journeys:
        steps = []
        for s in j.steps:
            missing = [gid for gid in s.guidelines if gid not in ids]
            if missing:
                problems.append(ConfigProblem(j.source, s.line, f"journeys.{j.id}.steps.{s.id}.guidelines",
                                              f"no guideline {', '.join(repr(m) for m in missing)} is defined; "
                                              "the step goes on without it"))
                s = dataclasses.replace(s, guidelines=tuple(gid for gid in s.guidelines if gid in ids))
            steps.append(s)
        fixed.append(dataclasses.replace(j, steps=tuple(steps)))
    return kept, fixed


def load_playbook(workspace: Path | None, *, trust_override: bool = False) -> Playbook:
    """The user's playbook extended by the project's. Never raises for a broken file."""
    settings: dict[str, Any] = {}
    guidelines: list[Guideline] = []
    journeys: list[Journey] = []
    agents: list[Any] = []
    tools: list[Any] = []
    files: list[Path] = []
    problems: list[ConfigProblem] = []
    notices: list[ConfigProblem] = []
    ignored: list[str] = []
    texts: dict[Path, str] = {}
    for path in playbook_files(workspace):
        project = path != user_playbook_file()
        f = _read_file(path, project=project)
        if f is None:
            continue
        files.append(path)
        texts[path] = f.text
        if project and (f.tools or f.settings.get("matcher_model") or f.agents):
            from workbench import trust

            if not trust.is_trusted(Path(workspace), override=trust_override):  # type: ignore[arg-type]
                _untrusted(f, ignored)
        settings.update(f.settings)
        guidelines = _merge(guidelines, f.guidelines, "id", "guideline", f)
        journeys = _merge(journeys, f.journeys, "id", "journey", f)
        agents = _merge(agents, f.agents, "name", "agent", f)
        tools = _merge(tools, f.tools, "name", "tool", f)
        problems.extend(f.problems)
        notices.extend(f.notices)
    guidelines, journeys = _cross_check(guidelines, journeys, problems, texts)
    problems.extend(reference_problems(agents, (g.id for g in guidelines), (j.id for j in journeys)))
    return Playbook(settings=PlaybookSettings(**settings), agents=tuple(agents), guidelines=tuple(guidelines),
                    journeys=tuple(journeys), tools=tuple(tools), files=tuple(files), problems=tuple(problems),
                    notices=tuple(notices), ignored=tuple(ignored))


def describe_trust(workspace: Path) -> list[Any]:
    """The trust dialog's lines for the project's playbook: each configured tool's exact command."""
    from workbench.trust import TrustItem

    path = project_playbook_file(Path(workspace))
    f = _read_file(path, project=True)
    if f is None:
        return []
    items = [TrustItem(path, "playbook_tool", f"tool {getattr(t, 'name', '?')}: {getattr(t, 'command', '?')}")
             for t in f.tools]
    if f.settings.get("matcher_model"):
        items.append(TrustItem(path, "setting", f"[playbook] matcher_model = {f.settings['matcher_model']!r}"))
    items.extend(TrustItem(path, "setting", f"agent {a.name} provider = {a.provider!r}")
                 for a in f.agents if getattr(a, "provider", None))
    return items
