"""What the agent knows of the project: context files and skills (for the system prompt) and
prompt templates (for the prompt). Built when a session starts or resumes and on `/reload`; the
TUI, headless mode and mob members all use this one object.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from workbench.context.files import ContextFile, ContextProblem, estimate_tokens, load_context_files, render
from workbench.context.skills import SkillEngine, skill_roots
from workbench.context.templates import TemplateSet


def context_enabled(settings: Any, args: Any = None) -> bool:
    """`--no-context-files` or `[context] files = false` turn context files off."""
    if args is not None and getattr(args, "no_context_files", False):
        return False
    section = getattr(settings, "context", None)
    return bool(getattr(section, "files", True)) if section is not None else True


@dataclass
class ProjectContext:
    workspace: Path
    config_dir: Path
    files_enabled: bool = True
    skill_names: list[str] | None = None  # a mob member's `skills = [...]`: only these
    builtin_commands: tuple[str, ...] = ()
    files: list[ContextFile] = field(default_factory=list)
    problems: list[ContextProblem] = field(default_factory=list)
    skills: SkillEngine = field(default_factory=SkillEngine)
    templates: TemplateSet = field(default_factory=TemplateSet)

    @classmethod
    def load(cls, workspace: Path, *, config_dir: Path | None = None, files_enabled: bool = True,
             skill_names: Iterable[str] | None = None, builtin_commands: Iterable[str] = ()) -> "ProjectContext":
        if config_dir is None:
            from workbench.config import config_home

            config_dir = config_home()
        ctx = cls(Path(workspace).resolve(), Path(config_dir), files_enabled,
                  list(skill_names) if skill_names is not None else None, tuple(builtin_commands))
        ctx.reload()
        return ctx

    def reload(self) -> None:
        if self.files_enabled:
            self.files, self.problems = load_context_files(self.workspace, self.config_dir)
        else:
            self.files, self.problems = [], []
        engine = SkillEngine.discover(skill_roots(self.workspace, self.config_dir))
        self.skills = engine.limited_to(self.skill_names) if self.skill_names is not None else engine
        self.templates = TemplateSet.discover(self.workspace, self.config_dir, self.builtin_commands)

    # --- the system prompt ---------------------------------------------------------------------

    def appendix(self) -> str:
        parts = [p for p in (render(self.files), self.skills.prompt_section()) if p]
        return "\n\n".join(parts)

    def with_base(self, base: str) -> str:
        extra = self.appendix()
        return f"{base}\n\n{extra}" if extra else base

    # --- what to tell the user -----------------------------------------------------------------

    def summary_lines(self) -> list[str]:
        """For the start of a session: the files loaded (estimated tokens), cuts and skips,
        skills and their problems."""
        lines = []
        if not self.files_enabled:
            lines.append("context files: off (--no-context-files or [context] files = false)")
        elif self.files:
            listed = ", ".join(f"{f.label} (~{f.tokens:,} tokens{', cut at 64 KB' if f.truncated else ''})"
                               for f in self.files)
            lines.append(f"context files: {listed}")
        for problem in self.problems:
            lines.append(f"context file {problem}")
        if self.skills.skills:
            lines.append(f"skills: {', '.join(sorted(self.skills.skills))}")
        for diag in self.skills.diagnostics:
            lines.append(f"skill {diag}")
        for problem in self.templates.problems:
            lines.append(f"prompt template {problem}")
        return lines

    def resolved(self) -> dict[str, Any]:
        """The fields of the `skills_resolved` event a run starts with."""
        return {"skills": sorted(self.skills.skills), "injection_bytes": len(self.appendix().encode("utf-8")),
                "rejected": [d.to_json() for d in self.skills.diagnostics],
                "context_files": [f.label for f in self.files]}

    def tokens(self) -> int:
        return estimate_tokens(self.appendix())

    # --- reading inside a skill folder -----------------------------------------------------------

    def skill_read_paths(self, tool: Any, args: Any, workspace: Path) -> list[Path]:
        """The paths of a read-only tool call that lie in a skill folder outside the workspace:
        approved for that call (reading a skill is always allowed, writing there is not)."""
        from workbench.tools.base import Effect
        from workbench.tools.paths import safe_resolve  # a symlink loop is the tool's error, not ours

        if getattr(tool, "effect", None) != Effect.READ or not self.skills.skills or not isinstance(args, dict):
            return []
        out = []
        try:
            raws = list(tool.paths(args))
        except Exception:  # malformed arguments: the tool reports them itself
            return []
        for raw in raws:
            path = Path(os.path.expanduser(str(raw)))
            resolved = safe_resolve(path if path.is_absolute() else workspace / path)
            if self.skills.folder_of(resolved) is not None:
                out.append(resolved)
        return out
