"""`workbench skills list [--json]`: each skill's name, scope, path and description, then the
problems (rejected skills and shadowed ones, with the seed's SkillError kind)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from workbench.text import sanitize


def run_skills_command(args: Any, out: TextIO | None = None) -> int:
    from workbench.config import config_home
    from workbench.context.skills import SkillEngine, skill_roots

    out = out or sys.stdout
    cwd = Path(args.cwd or os.getcwd()).expanduser().resolve()
    if not cwd.is_dir():
        sys.stderr.write(f"workbench: --cwd {cwd} is not a directory\n")
        return 2
    engine = SkillEngine.discover(skill_roots(cwd, config_home()))
    if args.json:
        out.write(json.dumps({"skills": [s.to_json() for s in engine.ordered()],
                              "diagnostics": [d.to_json() for d in engine.diagnostics]}, ensure_ascii=False) + "\n")
        return 0
    skills = engine.ordered()
    if not skills:
        out.write("no skills found (folders with SKILL.md in .agents/skills/ or .workbench/skills/ of the "
                  f"workspace, {config_home() / 'skills'}, ~/.agents/skills/)\n")
    width = max((len(s.name) for s in skills), default=0)
    for s in skills:
        out.write(f"{s.name:<{width}}  {s.scope.value.lower():<7}  {sanitize(str(s.path))}\n")
        out.write(f"{'':<{width}}  {sanitize(s.description)}\n")
    if engine.diagnostics:
        out.write("\nproblems:\n")
        for d in engine.diagnostics:
            out.write(f"  {sanitize(str(d))}\n")
    return 0
