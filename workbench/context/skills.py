"""Skills: folders holding SKILL.md (Agent Skills format), found in three scopes (the seed's
SkillScope), checked by SkillName's rules, and listed in the system prompt by name, description
and path (progressive disclosure: the model reads the body with `read` when it needs it).

A skill that breaks a rule becomes a `SkillDiagnostic` with the seed's `SkillError` kind and its
path; the others still load. On a name clash project beats user beats builtin, and the loser is
reported too.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

from workbench.context.frontmatter import FrontMatterError, split_front_matter
from workbench.errors import WorkbenchError

SKILL_FILE = "SKILL.md"
MAX_NAME = 64
MAX_DESCRIPTION = 1024
MAX_SKILL_BYTES = 256 * 1024
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class SkillScope(str, enum.Enum):
    BUILTIN = "Builtin"
    PROJECT = "Project"
    USER = "User"


_RANK = {SkillScope.PROJECT: 0, SkillScope.USER: 1, SkillScope.BUILTIN: 2}


class SkillError(str, enum.Enum):
    """The seed's SkillError kinds that apply to skills read from folders."""

    NOT_FOUND = "NotFound"
    LOAD = "Load"
    PARSE = "Parse"
    CLASH = "Clash"  # shadowed by a skill of the same name in a stronger scope


class SkillNotFound(WorkbenchError):
    code = "SKILL_NOT_FOUND"


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    scope: SkillScope
    path: Path  # the SKILL.md

    @property
    def folder(self) -> Path:
        return self.path.parent

    def body(self) -> str:
        """The instructions (front matter removed), read fresh so an edit shows at once."""
        text = self.path.read_text(encoding="utf-8")
        return split_front_matter(text)[1].strip()

    def to_json(self) -> dict:
        return {"name": self.name, "scope": self.scope.value, "path": str(self.path),
                "description": self.description}


@dataclass(frozen=True)
class SkillDiagnostic:
    kind: SkillError
    path: Path
    message: str
    name: str | None = None
    scope: SkillScope | None = None

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.path}: {self.message}"

    def to_json(self) -> dict:
        return {"kind": self.kind.value, "path": str(self.path), "message": self.message, "name": self.name,
                "scope": self.scope.value if self.scope else None}


def check_name(name: object, folder: str) -> str | None:
    """Why `name` is not a valid SkillName for this folder, or None."""
    if not isinstance(name, str) or not name:
        return "the front matter has no `name`"
    if len(name) > MAX_NAME:
        return f"the name '{name}' is longer than {MAX_NAME} characters"
    if not _NAME.match(name):
        return (f"the name '{name}' is not a skill name: lowercase letters, digits and single dashes, "
                "not starting or ending with a dash")
    if name != folder:
        return f"the name '{name}' does not match its folder '{folder}'"
    return None


# (SKILL.md, scope, mtime, size) -> what it loaded as: the YAML front matter is parsed once per
# version of the file, not once per session (a mob loads the project's skills for every member)
_loaded: dict[tuple[Path, SkillScope, int, int], "Skill | SkillDiagnostic"] = {}


def load_skill(folder: Path, scope: SkillScope) -> Skill | SkillDiagnostic:
    path = folder / SKILL_FILE
    try:
        stat = path.stat()
    except OSError as exc:
        return SkillDiagnostic(SkillError.LOAD, path, f"cannot be read ({exc.strerror or exc})", scope=scope)
    key = (path, scope, stat.st_mtime_ns, stat.st_size)
    loaded = _loaded.get(key)
    if loaded is None:
        loaded = _load_skill(folder, path, scope, stat.st_size)
        if not (isinstance(loaded, SkillDiagnostic) and loaded.kind is SkillError.LOAD):
            _loaded[key] = loaded  # a file that could not be read is tried again next time
    return loaded


def _load_skill(folder: Path, path: Path, scope: SkillScope, size: int) -> Skill | SkillDiagnostic:
    try:
        if size > MAX_SKILL_BYTES:
            return SkillDiagnostic(SkillError.LOAD, path, f"SKILL.md is over {MAX_SKILL_BYTES // 1024} KB", scope=scope)
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return SkillDiagnostic(SkillError.LOAD, path, "SKILL.md is not UTF-8 text", scope=scope)
    except OSError as exc:
        return SkillDiagnostic(SkillError.LOAD, path, f"cannot be read ({exc.strerror or exc})", scope=scope)
    try:
        meta, _body = split_front_matter(text)
    except FrontMatterError as exc:
        return SkillDiagnostic(SkillError.PARSE, path, str(exc), scope=scope)
    if meta is None:
        return SkillDiagnostic(SkillError.PARSE, path, "no YAML front matter (--- name: … description: … ---)",
                               scope=scope)
    problem = check_name(meta.get("name"), folder.name)
    if problem is not None:
        raw = meta.get("name")
        return SkillDiagnostic(SkillError.PARSE, path, problem, name=raw if isinstance(raw, str) else None,
                               scope=scope)
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        return SkillDiagnostic(SkillError.PARSE, path, "the front matter has no `description`",
                               name=meta["name"], scope=scope)
    if len(description) > MAX_DESCRIPTION:
        return SkillDiagnostic(SkillError.PARSE, path, f"the description is longer than {MAX_DESCRIPTION} characters",
                               name=meta["name"], scope=scope)
    return Skill(meta["name"], " ".join(description.split()), scope, path)


def builtin_skills_dir() -> Path:
    return Path(str(resources.files("workbench").joinpath("data/skills")))


def skill_roots(workspace: Path, config_dir: Path, home: Path | None = None) -> list[tuple[SkillScope, Path]]:
    home = home if home is not None else Path.home()
    return [
        (SkillScope.PROJECT, workspace / ".agents" / "skills"),
        (SkillScope.PROJECT, workspace / ".workbench" / "skills"),
        (SkillScope.USER, config_dir / "skills"),
        (SkillScope.USER, home / ".agents" / "skills"),
        (SkillScope.BUILTIN, builtin_skills_dir()),
    ]


@dataclass
class SkillEngine:
    """The skills of one workspace: what loaded, what was rejected and why."""

    skills: dict[str, Skill] = field(default_factory=dict)
    diagnostics: list[SkillDiagnostic] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)

    @classmethod
    def discover(cls, roots: Iterable[tuple[SkillScope, Path]]) -> "SkillEngine":
        engine = cls()
        found: list[Skill] = []
        for scope, root in roots:
            try:
                folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
            except FileNotFoundError:
                continue
            except OSError as exc:
                engine.diagnostics.append(SkillDiagnostic(SkillError.LOAD, root, f"cannot be listed ({exc.strerror or exc})",
                                                          scope=scope))
                continue
            engine.roots.append(root.resolve())
            for folder in folders:
                if not (folder / SKILL_FILE).exists():
                    continue  # a helper folder, not a skill
                result = load_skill(folder, scope)
                if isinstance(result, Skill):
                    found.append(result)
                else:
                    engine.diagnostics.append(result)
        # stable: within a scope the first root listed wins (.agents before .workbench)
        found.sort(key=lambda s: _RANK[s.scope])
        for skill in found:
            winner = engine.skills.get(skill.name)
            if winner is None:
                engine.skills[skill.name] = skill
            else:
                engine.diagnostics.append(SkillDiagnostic(
                    SkillError.CLASH, skill.path,
                    f"'{skill.name}' ({skill.scope.value}) is shadowed by the {winner.scope.value.lower()} skill "
                    f"at {winner.path}", name=skill.name, scope=skill.scope))
        return engine

    def get(self, name: str) -> Skill:
        skill = self.skills.get(name)
        if skill is None:
            known = ", ".join(sorted(self.skills)) or "none"
            raise SkillNotFound(f"no skill named '{name}' (skills: {known})", details={"reference": name})
        return skill

    def limited_to(self, names: Iterable[str]) -> "SkillEngine":
        """Only these skills (a mob member's `skills = [...]`); a name not found is a diagnostic."""
        wanted = list(names)
        kept = {n: s for n, s in self.skills.items() if n in wanted}
        missing = [SkillDiagnostic(SkillError.NOT_FOUND, Path(n), f"skill '{n}' is not installed", name=n)
                   for n in wanted if n not in self.skills]
        return SkillEngine(kept, [*self.diagnostics, *missing], list(self.roots))

    def ordered(self) -> list[Skill]:
        return [self.skills[n] for n in sorted(self.skills)]

    def folder_of(self, path: Path) -> Path | None:
        """The skill folder holding `path` (resolved), if any: reading there is always allowed."""
        for skill in self.skills.values():
            folder = skill.folder.resolve()
            if path == folder or path.is_relative_to(folder):
                return folder
        return None

    def prompt_section(self) -> str:
        skills = self.ordered()
        if not skills:
            return ""
        lines = ["# Skills", "",
                 "Skills are instructions for specific tasks. When a task matches a skill's description, "
                 "read its SKILL.md with the read tool first and follow it; files it mentions are relative "
                 "to its folder. Reading inside a skill's folder is always allowed.", "",
                 "<available_skills>"]
        for s in skills:
            lines += ["  <skill>", f"    <name>{s.name}</name>", f"    <description>{s.description}</description>",
                      f"    <location>{s.path}</location>", "  </skill>"]
        lines.append("</available_skills>")
        return "\n".join(lines)
