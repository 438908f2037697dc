"""The session store: where session files live, listing them, finding one by id prefix or path.

Files live as pi names them: `<sessions dir>/--<encoded cwd>--/<ts>_<uuid>.jsonl` (the naming is
in `paths.py`). Besides the workbench's own sessions dir, the store can also read pi's sessions
dir (`[sessions] pi_sessions_dir` in config.toml), so pi's sessions are listed and resumed too;
every `SessionInfo` says which store it came from.

Listing reads each file with the streaming scan of `listing.py`, and remembers the result in the
metadata cache of `cache.py`, so listing again an unchanged store touches only directory entries.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from workbench import config
from workbench.errors import SessionNotFound, WorkbenchError
from workbench.sessions import paths
from workbench.sessions.cache import ListingCache
from workbench.sessions.listing import SessionInfo, Source, info_from_state


class AmbiguousSession(WorkbenchError):
    """An id prefix matches more than one session; `candidates` holds them (most recent first)."""

    code = "INVALID_PARAMS"

    def __init__(self, prefix: str, candidates: list[SessionInfo]):
        self.candidates = candidates
        lines = [f"session id prefix {prefix!r} is ambiguous; it matches {len(candidates)} sessions:"]
        lines += [f"  {c.id}  {c.path}" for c in candidates]
        lines.append("give more characters of the id, or the file path")
        super().__init__("\n".join(lines), details={"candidates": [str(c.path) for c in candidates]})


class SessionStore:
    """Session files of the workbench (and optionally pi) on disk.

    `sessions_dir`: the workbench's sessions dir (default `workbench.config.sessions_dir()`, which
    follows WORKBENCH_HOME). `pi_sessions_dir`: pi's sessions dir to list and resume as well.
    `cache_dir`: where the listing cache lives (default `workbench.config.cache_dir()`);
    `use_cache=False` scans every file every time.
    """

    def __init__(
        self,
        sessions_dir: Path | str | None = None,
        *,
        pi_sessions_dir: Path | str | None = None,
        cache_dir: Path | str | None = None,
        use_cache: bool = True,
    ):
        self.sessions_dir = Path(sessions_dir).expanduser() if sessions_dir is not None else config.sessions_dir()
        self.pi_sessions_dir = Path(pi_sessions_dir).expanduser() if pi_sessions_dir else None
        if self.pi_sessions_dir is not None and _same_dir(self.pi_sessions_dir, self.sessions_dir):
            self.pi_sessions_dir = None  # one directory listed once
        cache_root = Path(cache_dir) if cache_dir is not None else config.cache_dir()
        self._cache = ListingCache(cache_root if use_cache else None)
        self.problems: list[str] = []  # files the last listing could not read, with why

    @classmethod
    def from_settings(cls, cwd: Path | str | None = None, **kwargs) -> SessionStore:
        """A store configured from config.toml (user, then project at `cwd`): picks up pi_sessions_dir."""
        loaded = config.load_settings(Path(cwd) if cwd is not None else None)
        kwargs.setdefault("pi_sessions_dir", loaded.settings.sessions.pi_sessions_dir)
        return cls(**kwargs)

    @property
    def cache_stats(self) -> dict[str, int]:
        """Files served from the cache, continued after an append, or scanned, since this store was made."""
        return dict(self._cache.stats)

    def roots(self) -> list[tuple[Path, Source]]:
        out: list[tuple[Path, Source]] = [(self.sessions_dir, "workbench")]
        if self.pi_sessions_dir is not None:
            out.append((self.pi_sessions_dir, "pi"))
        return out

    def session_dir_for(self, cwd: Path | str) -> Path:
        """The workbench's directory for sessions started in `cwd`."""
        return paths.session_dir_for(self.sessions_dir, os.path.abspath(cwd))

    # ------------------------------------------------------------------ listing

    def list(self, cwd: Path | str | None = None, *, all_dirs: bool = False) -> list[SessionInfo]:
        """Sessions of `cwd` (default: the current directory), or of every directory; most recent first."""
        dirs: list[tuple[Path, Source]] = []
        for root, source in self.roots():
            if all_dirs:
                dirs += [(d, source) for d in _subdirs(root)]
            else:
                dirs.append((paths.session_dir_for(root, os.path.abspath(cwd if cwd is not None else os.getcwd())), source))
        return self._list_dirs(dirs, forget_under=[r for r, _ in self.roots()] if all_dirs else [d for d, _ in dirs])

    def _list_dirs(self, dirs: list[tuple[Path, Source]], forget_under: list[Path]) -> list[SessionInfo]:
        self.problems = []
        self._cache.load()
        seen: set[str] = set()
        infos: list[SessionInfo] = []
        for directory, source in dirs:
            for path, st in _session_files(directory):
                seen.add(str(path))
                try:
                    state = self._cache.scan(path, st)
                except OSError as exc:
                    self.problems.append(f"{path}: cannot read: {exc.strerror or exc}")
                    continue
                info = info_from_state(path, state, st.st_mtime_ns, source)
                if info is None:
                    self.problems.append(f"{path}: not a session file (no session header on line 1)")
                    continue
                infos.append(info)
        self._cache.forget_missing(seen, forget_under)
        self._cache.save()
        infos.sort(key=lambda i: (i.modified, str(i.path)), reverse=True)
        return infos

    def continue_recent(self, cwd: Path | str) -> Path | None:
        """The session `pi -c` would continue: the most recently written session file of `cwd`
        that holds a message (an empty one, e.g. left by an older version, is never continued)."""
        sessions = [info for info in self.list(cwd) if info.message_count > 0]
        if not sessions:
            return None
        # pi picks by file mtime (any append counts, labels and names too), then by activity.
        return max(sessions, key=lambda i: (_mtime_ns(i.path), i.modified)).path

    # ------------------------------------------------------------------ resolving

    def resolve(self, prefix_or_path: str | Path, cwd: Path | str | None = None) -> Path:
        """A session file from a path, or from a unique prefix of a session id (any directory, any store).

        Raises SessionNotFound (nothing matches) or AmbiguousSession (several match).
        """
        target = str(prefix_or_path).strip()
        if not target:
            raise SessionNotFound("no session given: pass a session id prefix or a file path")
        candidate = Path(target).expanduser()
        if not candidate.is_absolute() and cwd is not None:
            candidate = Path(cwd) / candidate
        if candidate.is_file():
            return candidate.resolve()
        if _looks_like_path(target):
            raise SessionNotFound(f"no session file at {candidate}", details={"target": target})
        needle = target.lower()
        matches = [i for i in self.list(all_dirs=True) if i.id.lower().startswith(needle)]
        if not matches:
            where = ", ".join(str(r) for r, _ in self.roots())
            raise SessionNotFound(f"no session with an id starting with {target!r} in {where}",
                                  details={"target": target})
        exact = [m for m in matches if m.id.lower() == needle]
        if len(exact) == 1:
            return exact[0].path
        if len(matches) > 1:
            raise AmbiguousSession(target, matches)
        return matches[0].path


def _looks_like_path(target: str) -> bool:
    return os.sep in target or "/" in target or target.endswith(".jsonl") or target.startswith(("~", "."))


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _subdirs(root: Path) -> list[Path]:
    try:
        with os.scandir(root) as it:
            return sorted(Path(e.path) for e in it if e.is_dir(follow_symlinks=False))
    except OSError:
        return []


def _session_files(directory: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """`*.jsonl` files of one directory with their stat; a missing directory has none."""
    try:
        with os.scandir(directory) as it:
            entries = [e for e in it if e.name.endswith(".jsonl")]
    except OSError:
        return
    for entry in entries:
        try:
            if not entry.is_file():
                continue
            yield Path(entry.path), entry.stat()
        except OSError:
            continue  # vanished between listing and stat
