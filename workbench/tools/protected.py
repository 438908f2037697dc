"""Protected paths: where a write would let the agent raise its own permissions or run code later.

A write there always asks, in every mode but yolo, whatever the allow rules say, and the approval
says why (issue 12: with `--approve edits` the agent wrote `.workbench/config.toml` with
`mode = "yolo"`, and a `.git/config` with `core.fsmonitor`, and went on unasked).

Matched by any path component, anywhere (a nested repository's `.git/hooks` too), so `cd` in a
command or a relative path cannot dodge it; plus the workbench's own config and data folders, and
the user's list (`[approvals] protected = ["deploy/**", "/etc/**"]`, patterns as in rules).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from workbench.tools.globs import glob_match

# name -> why writing there is protected (what it would let the agent do)
PROTECTED_NAMES: dict[str, str] = {
    ".workbench": "the workbench's project settings: approval mode and rules, hooks",
    ".git": "git's own files: its config and hooks run programs on the next git command",
    ".mcp.json": "the MCP servers the workbench starts",
    ".agents": "agent instructions and skills the workbench loads",
    ".claude": "another agent's settings (Claude Code: permissions, hooks, MCP servers)",
    ".codex": "another agent's settings (Codex)",
    ".pi": "another agent's settings (pi)",
    ".opencode": "another agent's settings (opencode)",
    ".gemini": "another agent's settings (Gemini CLI)",
    ".cursor": "another agent's settings (Cursor: rules, MCP servers)",
    ".vscode": "editor settings and tasks (tasks can run when the folder opens)",
    ".idea": "editor settings and run configurations",
    ".devcontainer": "a dev container definition (its commands run when it is opened)",
    ".envrc": "a direnv file (it runs when you enter the directory)",
    ".husky": "git hooks run by husky",
}


def _config_dirs() -> list[tuple[Path, str]]:
    from workbench import config

    return [(config.config_home(), "the workbench's user settings"),
            (config.data_home(), "the workbench's data (sessions, trust records)")]


def _demo_workspace() -> Path:
    from workbench.demo_workspace import demo_workspace

    return demo_workspace()


def protected_reason(path: Path, root: Path, patterns: Iterable[str] = ()) -> str | None:
    """Why writing `path` (absolute, resolved) must ask — "<path> (<what it is>)" — or None.
    `root` is the workspace."""
    path = Path(path)
    try:
        relative: str | None = path.relative_to(root).as_posix()
    except ValueError:
        relative = None
    shown = relative or path.as_posix()
    for part in path.parts:
        why = PROTECTED_NAMES.get(part)
        if why is not None:
            return f"{shown} ({why})"
    demo = _demo_workspace()
    for folder, why in _config_dirs():
        try:
            inside = path.is_relative_to(folder) or path.is_relative_to(folder.resolve())
            # The offline demo's scratch workspace sits in the data home on purpose: writing
            # hello.py there is the demo, not the agent reaching for the workbench's own files.
            in_demo = path.is_relative_to(demo) or path.is_relative_to(demo.resolve())
        except (OSError, ValueError):
            inside, in_demo = False, False
        if inside and not in_demo:
            return f"{shown} ({why})"
    for pattern in patterns:
        full = str(Path(pattern).expanduser()) if pattern.startswith("~") else pattern
        if (full.startswith("/") and glob_match(full, path.as_posix())) or (
                relative is not None and not full.startswith("/") and glob_match(full, relative)):
            return f"{shown} (listed in [approvals] protected as {pattern})"
    return None


def command_target(raw: str, cwd: Path) -> Path:
    """A path a shell command writes, as an absolute path (`~` and relative ones resolved)."""
    expanded = Path(raw).expanduser() if raw.startswith("~") else Path(raw)
    full = expanded if expanded.is_absolute() else cwd / expanded
    try:
        return full.resolve()
    except (OSError, RuntimeError):
        return full


_GIT_CONFIG_READS = {"--get", "--get-all", "--get-regexp", "--get-urlmatch", "--list", "-l", "--get-color",
                     "--get-colorbool", "--show-origin", "--show-scope", "--name-only"}


def bash_writes(analysis: Any, cwd: Path) -> list[Path]:
    """The files a parsed command visibly writes, resolved (`git config KEY VALUE` writes .git/config)."""
    targets = [command_target(raw, cwd) for raw in analysis.writes if raw]
    for inv in analysis.invocations:
        words = inv.words
        if words and os.path.basename(words[0]) == "git" and "config" in words[1:3] and \
                not any(w in _GIT_CONFIG_READS for w in words) and len([w for w in words if not w.startswith("-")]) > 3:
            targets.append(cwd / ".git" / "config")
    return targets


def protected_write(tool: Any, args: dict[str, Any], ctx: Any, patterns: Iterable[str]) -> str | None:
    """Why this call's write is protected (see the module docstring), or None."""
    from workbench.tools.base import Effect
    from workbench.tools.paths import resolve_raw, workspace_root
    from workbench.tools.shell import analyze

    root = workspace_root(ctx)
    patterns = list(patterns)
    if tool.name == "bash":
        targets = bash_writes(analyze(str(args.get("command", "")).strip()), root)
    elif tool.effect == Effect.WRITE:
        targets = [resolve_raw(raw, ctx) for raw in tool.paths(args)]
    else:
        return None
    for target in targets:
        why = protected_reason(target, root, patterns)
        if why is not None:
            return why
    return None
