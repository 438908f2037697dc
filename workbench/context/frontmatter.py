"""YAML front matter (`---` … `---` at the top of a Markdown file), read with pyyaml."""

from __future__ import annotations

from typing import Any

import yaml


class FrontMatterError(ValueError):
    pass


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """(front matter, body). None when the file has no front matter; FrontMatterError when it
    has one that is not a YAML mapping."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return None, text
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() == "---":
            raw = "".join(lines[1:index])
            body = "".join(lines[index + 1:])
            break
    else:
        raise FrontMatterError("the front matter opened with '---' is never closed")
    try:
        data = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrontMatterError(f"the front matter is not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise FrontMatterError("the front matter must be a YAML mapping (key: value lines)")
    return data, body.lstrip("\r\n")
