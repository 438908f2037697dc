"""Prompt templates: `.workbench/prompts/NAME.md` (project) and `<config dir>/prompts/NAME.md`
(user) become `/NAME args`. `$ARGUMENTS` is every argument as typed, `$1`…`$9` the shell-style
words (quotes respected, as shlex splits them). A project template beats a user one of the same
name; a built-in slash command beats both (the caller passes its names) and the clash is reported.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from workbench.context.frontmatter import FrontMatterError, split_front_matter

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PLACEHOLDER = re.compile(r"\$(ARGUMENTS|@|[1-9])")


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    body: str
    path: Path
    scope: str  # "project" | "user"
    description: str = ""
    argument_hint: str = ""

    def expand(self, arguments: str) -> str:
        return expand(self.body, arguments)


@dataclass(frozen=True)
class TemplateProblem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class TemplateArgumentError(ValueError):
    pass


def split_arguments(arguments: str) -> list[str]:
    try:
        return shlex.split(arguments)
    except ValueError as exc:  # "No closing quotation"
        raise TemplateArgumentError(f"the arguments do not parse as shell words: {exc}") from None


def expand(body: str, arguments: str) -> str:
    words: list[str] | None = None

    def one(match: re.Match[str]) -> str:
        nonlocal words
        key = match.group(1)
        if key in ("ARGUMENTS", "@"):
            return arguments.strip()
        if words is None:
            words = split_arguments(arguments)
        index = int(key) - 1
        return words[index] if index < len(words) else ""

    expanded = _PLACEHOLDER.sub(one, body)
    if expanded == body and arguments.strip() and not _PLACEHOLDER.search(body):
        # a template that uses none of $1.., $@, $ARGUMENTS still passes what was typed after it
        expanded = body.rstrip("\n") + "\n\n" + arguments.strip()
    return expanded


def _load(path: Path, scope: str) -> PromptTemplate | TemplateProblem:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return TemplateProblem(path, "not UTF-8 text")
    except OSError as exc:
        return TemplateProblem(path, f"cannot be read ({exc.strerror or exc})")
    try:
        meta, body = split_front_matter(text)
    except FrontMatterError as exc:
        return TemplateProblem(path, str(exc))
    meta = meta or {}
    description = meta.get("description", "")
    hint = meta.get("argument-hint", "")
    if not isinstance(description, str) or not isinstance(hint, str):
        return TemplateProblem(path, "`description` and `argument-hint` must be text")
    if not description:
        first = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
        description = first[:80]
    return PromptTemplate(path.stem, body, path, scope, " ".join(description.split()), hint.strip())


@dataclass
class TemplateSet:
    templates: dict[str, PromptTemplate] = field(default_factory=dict)
    problems: list[TemplateProblem] = field(default_factory=list)

    @classmethod
    def discover(cls, workspace: Path, config_dir: Path, builtin_names: Iterable[str] = ()) -> "TemplateSet":
        out = cls()
        reserved = {n.lower() for n in builtin_names}
        for scope, folder in (("project", workspace / ".workbench" / "prompts"), ("user", config_dir / "prompts")):
            try:
                files = sorted(p for p in folder.iterdir() if p.suffix == ".md" and p.is_file())
            except FileNotFoundError:
                continue
            except OSError as exc:
                out.problems.append(TemplateProblem(folder, f"cannot be listed ({exc.strerror or exc})"))
                continue
            for path in files:
                if not _NAME.match(path.stem):
                    out.problems.append(TemplateProblem(path, f"'{path.stem}' is not a command name "
                                                              "(letters, digits, '-', '_', '.')"))
                    continue
                if path.stem.lower() in reserved or path.stem.lower().startswith("skill:"):
                    out.problems.append(TemplateProblem(path, f"/{path.stem} is a built-in command, which wins: "
                                                              "rename the template to use it"))
                    continue
                earlier = out.templates.get(path.stem)
                if earlier is not None:
                    out.problems.append(TemplateProblem(path, f"/{path.stem} is shadowed by the {earlier.scope} "
                                                              f"template {earlier.path}"))
                    continue
                result = _load(path, scope)
                if isinstance(result, PromptTemplate):
                    out.templates[result.name] = result
                else:
                    out.problems.append(result)
        return out

    def get(self, name: str) -> PromptTemplate | None:
        return self.templates.get(name)

    def ordered(self) -> list[PromptTemplate]:
        return [self.templates[n] for n in sorted(self.templates)]
