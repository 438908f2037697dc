"""The workspace's file list for `@` completion: built once in a thread (typing never waits for
it), then matched per keystroke.

In a git repository the list is `git ls-files` (tracked and untracked files, .gitignore
respected); elsewhere a walk that skips VCS folders and the usual dependency/build folders.

Matching ranks, best first: the file name starts with the query, the name holds it, the path
holds it, the query's characters appear in order in the path (fuzzy). Shorter paths win ties.
A keystroke that extends the previous query only filters the previous fuzzy matches, so even a
100,000-file tree answers in a few milliseconds (tests/benchmarks/bench_mentions.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox",
                       ".mypy_cache", ".pytest_cache", ".ruff_cache", "dist", "build", ".next", "target"})
MAX_FILES = 500_000  # a home directory opened by mistake must not eat the memory


def git_files(root: Path) -> list[str] | None:
    """Files git knows or would add (untracked, not ignored), relative to `root`; None when
    `root` is not in a work tree or git is missing."""
    try:
        proc = subprocess.run(["git", "-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others",
                               "--exclude-standard"], cwd=root, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    seen: set[str] = set()
    out = []
    for name in names:
        if name and name not in seen:  # a file both cached and untracked (merge states) once
            seen.add(name)
            out.append(name)
    return out


def walk_files(root: Path) -> list[str]:
    out: list[str] = []
    root_s = str(root)
    cut = len(root_s) + 1
    for folder, dirs, files in os.walk(root_s):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        rel = folder[cut:]
        for name in sorted(files):
            out.append(f"{rel}/{name}" if rel else name)
        if len(out) >= MAX_FILES:
            break
    return out


def is_git_work_tree(root: Path) -> bool:
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return True
    return False


@dataclass(frozen=True)
class Match:
    path: str          # relative to the workspace; folders end with "/"
    is_dir: bool


class FileIndex:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.paths: list[str] = []
        self._lower: list[str] = []
        self._names: list[str] = []
        self.source = ""
        self.build_seconds: float | None = None
        self.error: str | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        # (query, indices) of the last substring / fuzzy scan, narrowed by the next keystroke
        self._last: tuple[str, list[int]] | None = None
        self._last_sub: tuple[str, list[int]] | None = None
        self._empty: list[Match] | None = None

    # --- building ------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    def start(self) -> "FileIndex":
        """Build in a daemon thread; `query` answers [] until it is done."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.build, name="workbench-file-index", daemon=True)
            self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def build(self) -> None:
        started = time.perf_counter()
        try:
            files = git_files(self.root) if is_git_work_tree(self.root) else None
            self.source = "git ls-files" if files is not None else "walk"
            if files is None:
                files = walk_files(self.root)
            dirs: set[str] = set()
            for f in files:
                cut = f.rfind("/")
                while cut > 0:
                    d = f[:cut]
                    if d in dirs:
                        break
                    dirs.add(d)
                    cut = f.rfind("/", 0, cut)
            paths = sorted(d + "/" for d in dirs) + files
            self._lower = [p.lower() for p in paths]
            self._names = [_name(p) for p in self._lower]
            self.paths = paths
        except OSError as exc:
            self.error = f"the file list could not be built: {exc}"
        finally:
            self.build_seconds = time.perf_counter() - started
            self._last = self._last_sub = self._empty = None
            self._ready.set()

    def refresh(self) -> None:
        """Rebuild in the background (after files were created); the old list answers meanwhile."""
        fresh = FileIndex(self.root)

        def swap() -> None:
            fresh.build()
            self.paths, self._lower, self._names = fresh.paths, fresh._lower, fresh._names
            self._last = self._last_sub = self._empty = None

        threading.Thread(target=swap, name="workbench-file-index", daemon=True).start()

    # --- matching ------------------------------------------------------------------------------

    def query(self, text: str, limit: int = 50) -> list[Match]:
        if not self.ready:
            return []
        q = text.lower()
        lower, names, paths = self._lower, self._names, self.paths
        if not q:
            if self._empty is None or len(self._empty) < min(limit, len(paths)):
                self._empty = [Match(p, p.endswith("/")) for p in _shortest(paths, range(len(paths)), limit)]
            return self._empty[:limit]
        picked: list[int] = []
        seen: set[int] = set()

        def take(indices: list[int]) -> bool:
            for i in _shortest_idx(paths, indices, limit - len(picked)):
                if i not in seen:
                    seen.add(i)
                    picked.append(i)
            return len(picked) >= limit

        contains = self._narrow(q, "_last_sub", lambda pool: [i for i in pool if q in lower[i]])
        if "/" not in q:
            if take([i for i in contains if names[i].startswith(q)]):
                return self._matches(picked)
            if take([i for i in contains if q in names[i]]):
                return self._matches(picked)
        if take(contains):
            return self._matches(picked)
        search = re.compile(".*?".join(re.escape(c) for c in q)).search
        take(self._narrow(q, "_last", lambda pool: [i for i in pool if search(lower[i])]))
        return self._matches(picked)

    def _narrow(self, q: str, slot: str, scan) -> list[int]:
        """Matches of `q`, scanning only the previous query's matches when `q` extends it (a
        longer substring or subsequence can only match a subset)."""
        last = getattr(self, slot)
        pool = last[1] if last is not None and q.startswith(last[0]) else range(len(self._lower))
        found = scan(pool)
        setattr(self, slot, (q, found))
        return found

    def _matches(self, indices: list[int]) -> list[Match]:
        return [Match(self.paths[i], self.paths[i].endswith("/")) for i in indices]


def _name(path: str) -> str:
    stripped = path.rstrip("/")
    return stripped[stripped.rfind("/") + 1:]


def _shortest_idx(paths: list[str], indices: list[int], limit: int) -> list[int]:
    if limit <= 0:
        return []
    if len(indices) <= limit:
        return sorted(indices, key=lambda i: (len(paths[i]), paths[i]))
    import heapq

    return heapq.nsmallest(limit, indices, key=lambda i: (len(paths[i]), paths[i]))


def _shortest(paths: list[str], indices: range, limit: int) -> list[str]:
    return [paths[i] for i in _shortest_idx(paths, list(indices), limit)]
