"""What a typed prompt becomes before it is sent: `/skill:NAME args` and `/TEMPLATE args` are
expanded, then `@mentions` and pasted image paths are attached. The TUI, headless mode and mob
tasks all go through `resolve_prompt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.context.mentions import PreparedInput, prepare_prompt
from workbench.context.project import ProjectContext
from workbench.context.skills import Skill

SKILL_PREFIX = "/skill:"


@dataclass
class ResolvedPrompt:
    text: str                  # what goes to the model as the message's text
    prepared: PreparedInput    # attachments and notes
    source: str | None = None  # "skill:NAME" / "template:NAME" when expanded


def skill_message(skill: Skill, arguments: str) -> str:
    """The skill's body, then the arguments (pi's `<skill>` block: the model learns where the
    skill's own files are)."""
    body = skill.body()
    text = (f'<skill name="{skill.name}" location="{skill.path}">\n'
            f"References are relative to {skill.folder}.\n\n{body}\n</skill>")
    return f"{text}\n\n{arguments.strip()}" if arguments.strip() else text


def expand_command(text: str, project: ProjectContext) -> tuple[str, str] | None:
    """(expanded text, source) for `/skill:NAME …` or `/TEMPLATE …`; None when `text` is neither.
    An unknown skill raises SkillNotFound (SKILL_NOT_FOUND); a template's arguments that do not
    parse as shell words raise TemplateArgumentError."""
    if not text.startswith("/"):
        return None
    head, _, rest = text[1:].partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = more + (" " + rest if rest else "")
    if text.startswith(SKILL_PREFIX):
        name = head[len("skill:"):]
        return skill_message(project.skills.get(name), rest), f"skill:{name}"
    template = project.templates.get(head)
    if template is None:
        return None
    return template.expand(rest), f"template:{template.name}"


def resolve_prompt(text: str, project: ProjectContext | None, workspace: Path, *,
                   images: list[Path] | None = None) -> ResolvedPrompt:
    source = None
    if project is not None:
        expanded = expand_command(text, project)
        if expanded is not None:
            text, source = expanded
    # mentions are looked for in what the user typed; a skill's body is instructions, not a request
    scan = text if source is None or source.startswith("template:") else text.rpartition("</skill>")[2]
    prepared = prepare_prompt(scan, workspace, images=images)
    prepared.text = text
    return ResolvedPrompt(text, prepared, source)
