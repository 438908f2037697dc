"""Context files: AGENTS.md (CLAUDE.md where a folder has none) appended to the system prompt.

Order, most general first so the nearest file has the last word: the user's config dir, then
every folder from the repository root (the nearest folder above the workspace holding `.git`;
the workspace itself without one) down to the workspace.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

NAMES = ("AGENTS.md", "CLAUDE.md")  # the first that exists in a folder wins
MAX_BYTES = 64 * 1024


def estimate_tokens(text: str) -> int:
    """pi's heuristic (four characters per token), the one the context meter uses."""
    return max(1, len(text) // 4) if text else 0


@dataclass(frozen=True)
class ContextFile:
    path: Path
    label: str        # relative to the workspace, or ~/… for the user's
    text: str         # as it goes into the prompt (cut at MAX_BYTES)
    size: int         # bytes on disk
    truncated: bool

    @property
    def tokens(self) -> int:
        return estimate_tokens(self.text)


@dataclass(frozen=True)
class ContextProblem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def repo_root(workspace: Path) -> Path:
    """The nearest folder at or above the workspace holding `.git` (a dir, or a file in a
    worktree); the workspace itself when there is none."""
    for folder in (workspace, *workspace.parents):
        if (folder / ".git").exists():
            return folder
    return workspace


def candidate_folders(workspace: Path) -> list[Path]:
    root = repo_root(workspace)
    chain = [workspace]
    if root != workspace:
        chain += [p for p in workspace.parents if p.is_relative_to(root)]
    return list(reversed(chain))


def _label(path: Path, workspace: Path) -> str:
    return Path(os.path.relpath(path, workspace)).as_posix()


def _user_label(path: Path) -> str:
    home = Path.home()
    return "~/" + path.relative_to(home).as_posix() if path.is_relative_to(home) else str(path)


def _find(folder: Path) -> Path | None:
    for name in NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def read_context_file(path: Path, label: str) -> ContextFile | ContextProblem:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
            size = fh.seek(0, 2)
    except OSError as exc:
        return ContextProblem(path, f"skipped: cannot be read ({exc.strerror or exc})")
    truncated = len(data) > MAX_BYTES
    if truncated:
        data = data[:MAX_BYTES]
    try:
        text = _decode(data, truncated)
    except UnicodeDecodeError as exc:
        return ContextProblem(path, f"skipped: not UTF-8 text (invalid byte at offset {exc.start})")
    if truncated:
        text += (f"\n\n[{label} was cut at {MAX_BYTES // 1024} KB: the file is {size // 1024} KB; "
                 "read it with the read tool for the rest]")
    return ContextFile(path, label, text, size, truncated)


def _decode(data: bytes, cut: bool) -> str:
    if cut:  # the cut may split a character: drop up to 3 trailing bytes of it, nothing else
        for drop in range(4):
            try:
                return data[:len(data) - drop].decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.start < len(data) - 4:
                    raise
    return data.decode("utf-8")


def load_context_files(workspace: Path, user_dir: Path) -> tuple[list[ContextFile], list[ContextProblem]]:
    workspace = workspace.resolve()
    found: list[ContextFile] = []
    problems: list[ContextProblem] = []
    seen: set[Path] = set()
    folders = [user_dir, *candidate_folders(workspace)]
    for folder in folders:
        path = _find(folder)
        if path is None:
            continue
        real = path.resolve()
        if real in seen:  # the workspace is the config dir, or a symlinked copy
            continue
        seen.add(real)
        label = _user_label(path) if folder == user_dir else _label(path, workspace)
        result = read_context_file(path, label)
        (found if isinstance(result, ContextFile) else problems).append(result)  # type: ignore[arg-type]
    return found, problems


def render(files: list[ContextFile]) -> str:
    """The prompt section: each file under a heading naming its path."""
    if not files:
        return ""
    parts = ["# Project context", "",
             "Instructions from the project's context files (AGENTS.md / CLAUDE.md), most general first:"]
    for f in files:
        parts += ["", f"## {f.label}", "", f.text.rstrip("\n")]
    return "\n".join(parts)
