"""The workspace's file list for `@` completion: built once in a thread (typing never waits for
it), then matched per keystroke.

In a git repository the list is `git ls-files` (tracked and untracked files, .gitignore
respected); elsewhere a walk that skips VCS folders and the usual dependency/build folders.

Matching ranks, best first: the file name starts with the query, the name holds it, the path
holds it, the query's characters appear in order in the path (fuzzy). Shorter paths win ties.
Paths are kept shortest first and searched as one text (str.find and one regex over it, in C),
each scan stopping once enough matches are found, so a keystroke on a 100,000-file tree takes a
few milliseconds (tests/benchmarks/bench_mentions.py).
"""

from __future__ import annotations

import bisect
import itertools
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


class _Data:
    """The sorted path list and its search text, swapped in one assignment (a refresh never
    shows a query half the old list and half the new)."""

    __slots__ = ("paths", "blob", "starts", "names", "name_starts")

    def __init__(self, paths: list[str]) -> None:
        # shortest first (then by name): every scan below meets matches in the order they are
        # shown, so it can stop after `limit` of them. Two stable sorts: no key tuples.
        paths.sort()
        paths.sort(key=len)
        self.paths = paths
        text = "\n".join(paths)
        low = text.lower()  # one call for the whole list
        lower = low.split("\n") if len(low) == len(text) else [p.lower() for p in paths]  # İ grows
        self.blob, self.starts = _joined(lower)
        self.names, self.name_starts = _joined([p.rstrip("/").rpartition("/")[2] for p in lower])


def _joined(lines: list[str]) -> tuple[str, list[int]]:
    """"\nline0\nline1…\n" and the offset where each line starts."""
    starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=1))
    starts.pop()
    return "\n" + "\n".join(lines) + "\n", starts


class FileIndex:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._data = _Data([])
        self.source = ""
        self.build_seconds: float | None = None
        self.error: str | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_fuzzy: tuple[_Data, str, list[int]] | None = None  # (data, query, every match)

    @property
    def paths(self) -> list[str]:
        return self._data.paths

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
            self._data = self._collect()
        except OSError as exc:
            self.error = f"the file list could not be built: {exc}"
        finally:
            self.build_seconds = time.perf_counter() - started
            self._ready.set()

    def _collect(self) -> _Data:
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
        return _Data([d + "/" for d in dirs] + [f for f in files if "\n" not in f])

    def refresh(self) -> None:
        """Rebuild in the background (after files were created); the old list answers meanwhile."""
        def swap() -> None:
            try:
                self._data = self._collect()
            except OSError:
                pass  # the old list stays

        threading.Thread(target=swap, name="workbench-file-index", daemon=True).start()

    # --- matching ------------------------------------------------------------------------------

    def query(self, text: str, limit: int = 50) -> list[Match]:
        if not self.ready:
            return []
        data = self._data  # one snapshot for the whole query
        q = text.lower().replace("\n", "")
        if not q:
            return [Match(p, p.endswith("/")) for p in data.paths[:limit]]
        picked: list[int] = []
        seen: set[int] = set()
        if "/" not in q:
            _find(data.names, data.name_starts, "\n" + q, 1, limit, picked, seen)  # name starts with q
            _find(data.names, data.name_starts, q, 0, limit, picked, seen)          # name holds q
        _find(data.blob, data.starts, q, 0, limit, picked, seen)                    # path holds q
        if len(picked) < limit:                                                     # q's letters in order
            self._fuzzy(data, q, limit, picked, seen)
        return [Match(data.paths[i], data.paths[i].endswith("/")) for i in picked]

    def _fuzzy(self, data: _Data, q: str, limit: int, picked: list[int], seen: set[int]) -> None:
        """Fuzzy matches. A query extending one whose scan went to the end (few matches: the
        slow case, a whole pass) re-checks only those lines."""
        if len(q) < 2:  # one character: the substring scans above found every match
            return
        if any(c not in data.blob for c in set(q)):  # a letter no path has (memchr speed): no match
            self._last_fuzzy = (data, q, [])
            return
        pattern = fuzzy_pattern(q)
        last = self._last_fuzzy
        if last is not None and last[0] is data and q.startswith(last[1]):
            found, complete = [i for i in last[2] if pattern.match(data.blob, data.starts[i] - 1)], True
        else:
            found, complete = _scan(data, pattern, limit + len(picked))  # enough even if some were picked
        self._last_fuzzy = (data, q, found) if complete else None
        for i in found:
            if len(picked) >= limit:
                break
            if i not in seen:
                seen.add(i)
                picked.append(i)


def fuzzy_pattern(q: str) -> re.Pattern[str]:
    """A line holding q's characters in order: from the line's start, skip to the first next
    character each time (possessive: no backtracking, the earliest match is always the right
    one), so each line is read once."""
    parts = ["\n"]
    for c in q:
        e = re.escape(c)
        parts.append(f"[^\n{e}]*+{e}")
    return re.compile("".join(parts))


def _next_line(starts: list[int], i: int, end: int) -> int:
    return starts[i + 1] if i + 1 < len(starts) else end


def _find(blob: str, starts: list[int], needle: str, skip: int, limit: int, picked: list[int],
          seen: set[int]) -> None:
    """Lines holding `needle` (found by str.find over the whole text: C speed), shortest first,
    until `limit` are picked. `skip`: how many leading characters of the needle belong to the
    line before (the "\n" of a starts-with search)."""
    pos = blob.find(needle)
    while pos != -1 and len(picked) < limit:
        i = bisect.bisect_right(starts, pos + skip) - 1
        if i not in seen:
            seen.add(i)
            picked.append(i)
        pos = blob.find(needle, _next_line(starts, i, len(blob)))


def _scan(data: _Data, pattern: re.Pattern[str], wanted: int) -> tuple[list[int], bool]:
    """Lines matching `pattern` (which starts at a line's "\n"), shortest first, up to `wanted`;
    True when the scan reached the end (the list is then every match)."""
    found: list[int] = []
    pos = 0
    while len(found) < wanted:
        match = pattern.search(data.blob, pos)
        if match is None:
            return found, True
        i = bisect.bisect_right(data.starts, match.start() + 1) - 1
        found.append(i)
        pos = _next_line(data.starts, i, len(data.blob)) - 1  # the next line's "\n"
    return found, False
