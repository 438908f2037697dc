"""The default system prompt for a coding agent: short, names the tools, the cwd and the date."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Iterable

from workbench.providers.base import ToolSpec


def default_system_prompt(cwd: Path | str, tools: Iterable[ToolSpec], *, today: _dt.date | None = None) -> str:
    tool_lines = "\n".join(f"- {t.name}: {t.description.splitlines()[0] if t.description else ''}"
                           for t in tools)
    day = (today or _dt.date.today()).isoformat()
    return (
        "You are an expert coding assistant working in the user's project through tools.\n\n"
        f"Available tools:\n{tool_lines or '- (none)'}\n\n"
        "Guidelines:\n"
        "- Read files before changing them; prefer edit (exact replacement) over rewriting whole files.\n"
        "- Keep changes small and focused on what was asked; run the project's tests when relevant.\n"
        "- Paths are relative to the working directory; do not touch files outside it unless asked.\n"
        "- If a tool call is denied, do not retry it unchanged: adapt, or ask the user.\n"
        "- Be concise; show file paths clearly when referring to code.\n\n"
        f"Current date: {day}\n"
        f"Current working directory: {Path(cwd)}"
    )
