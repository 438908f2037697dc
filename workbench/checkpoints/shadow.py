"""The shadow repository: one per workspace under `<home>/checkpoints/`, the workspace as its
work tree, its own index.

A snapshot is `git add` + `git write-tree` in that repository: the index's stat cache means only
files whose size or mtime changed are read again, so a snapshot of a large workspace with three
changed files costs about one directory walk. Trees are never committed; `gc.auto = 0` keeps
git from ever pruning them (they are reachable from nothing but the session files).

What git ignores is what the project ignores: the workspace's `.gitignore` files (nested ones
included, git reads them from the work tree), the project's `.git/info/exclude`, the user's global
excludes file, plus the `[checkpoints] ignore` globs, written to the shadow repository's
`info/exclude`. Files over the size limit are left out and reported.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from workbench.private import private_dir, write_private
from workbench.checkpoints.git import CheckpointError, git_env, git_program, run_git, split_z

DEFAULT_MAX_FILE_MB = 20.0
JOURNAL = "workbench-journal.jsonl"
LOCK = "workbench.lock"
INDEX_TREE = "workbench-index-tree"  # the tree the shadow index holds (written after each snapshot)
SKIP = "workbench-skip.json"  # files over the size limit and embedded repositories, kept out
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

_CONFIG = """[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = false
\tsymlinks = true
\tautocrlf = false
\tsafecrlf = false
\tquotepath = false
\tfsmonitor = false
\tsharedRepository = 0600
\tuntrackedCache = true
\tprecomposeunicode = false
{excludes}[gc]
\tauto = 0
\tpruneExpire = never
[index]
\tversion = 4
"""


@dataclass(frozen=True)
class Change:
    status: str  # "A" added, "M" modified, "D" deleted (relative to the older state)
    path: str

    def to_json(self) -> dict[str, str]:
        return {"status": self.status, "path": self.path}


@dataclass
class Snapshot:
    tree: str
    skipped: list[tuple[str, int]] = field(default_factory=list)  # (path, size): over the limit
    seconds: float = 0.0
    previous: str | None = None   # the tree the index held before (the last snapshot's)


def workspace_key(workspace: Path) -> str:
    real = os.path.realpath(workspace)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", os.path.basename(real) or "root")[:40]
    return f"{name}-{hashlib.sha256(real.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"


def _global_excludes_file() -> str | None:
    """The user's own global ignore file (we run git without the user's config, so ask once)."""
    program = git_program()
    if program is None:
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    try:
        out = subprocess.run([program, "config", "--global", "--path", "core.excludesFile"], env=env,
                             capture_output=True, timeout=5, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    path = out.stdout.decode("utf-8", "replace").strip()
    if path:
        return path
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    default = os.path.join(xdg, "git", "ignore")
    return default if os.path.isfile(default) else None


def _config_value(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ShadowRepo:
    """The checkpoints of one workspace. Every method that touches the repository runs git as a
    subprocess (asyncio), so nothing here blocks an event loop for long."""

    def __init__(self, workspace: Path, home: Path, *, ignore: Sequence[str] = (),
                 max_file_mb: float = DEFAULT_MAX_FILE_MB) -> None:
        self.workspace = Path(os.path.realpath(workspace))
        self.git_dir = Path(home) / "checkpoints" / workspace_key(self.workspace)
        self.ignore = list(ignore)
        self.max_bytes = int(max_file_mb * 1024 * 1024)
        self._ready = False

    # -- setup ----------------------------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        return git_env(self.git_dir, self.workspace)

    async def git(self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
                  ok_codes: Sequence[int] = (0,)) -> bytes:
        return await run_git(args, env=env or self.env, cwd=self.workspace, stdin=stdin, ok_codes=ok_codes)

    async def ensure(self) -> None:
        """Create the repository the first time; refresh its exclude rules every time it opens."""
        if self._ready:
            return
        if not self.workspace.is_dir():
            raise CheckpointError(f"workspace {self.workspace} is not a directory")
        fresh = not (self.git_dir / "HEAD").exists()
        if fresh:
            private_dir(self.git_dir)
            await self.git("init", "-q", "--shared=0600")  # git's own files owner-only too
            write_private(self.git_dir / "workspace", str(self.workspace) + "\n", durable=False)
        excludes = await asyncio.to_thread(_global_excludes_file) if fresh else None
        config = self.git_dir / "config"
        if fresh:
            line = f"\texcludesFile = {_config_value(excludes)}\n" if excludes else ""
            write_private(config, _CONFIG.format(excludes=line), durable=False)
        self._write_excludes()
        self._ready = True

    def _write_excludes(self) -> None:
        lines = ["# written by workbench: what checkpoints never capture", "/.git", ".git"]
        project_exclude = self.workspace / ".git" / "info" / "exclude"
        try:  # read only: the project's own rules, honoured as git would honour them
            if project_exclude.is_file():
                lines.append("# from the project's .git/info/exclude")
                lines.extend(project_exclude.read_text(encoding="utf-8", errors="replace").splitlines())
        except OSError:
            pass
        if self.ignore:
            lines.append("# [checkpoints] ignore")
            lines.extend(self.ignore)
        text = "\n".join(lines) + "\n"
        target = self.git_dir / "info" / "exclude"
        try:
            if target.read_text(encoding="utf-8") == text:
                return
        except OSError:
            pass
        write_private(target, text, durable=False)

    # -- locking --------------------------------------------------------------------------------

    async def _lock(self) -> int:
        """The repository's index is shared (mob members, several windows): one writer at a time.
        A non-blocking flock retried with short sleeps keeps the event loop free."""
        fd = os.open(self.git_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.1)

    @staticmethod
    def _unlock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # -- snapshots ------------------------------------------------------------------------------

    async def snapshot(self) -> Snapshot:
        await self.ensure()
        fd = await self._lock()
        try:
            return await self._snapshot()
        finally:
            self._unlock(fd)

    async def _snapshot(self) -> Snapshot:
        started = time.perf_counter()
        previous = self._index_tree()
        skip = self._load_skip()
        before = json.dumps(skip, sort_keys=True)
        if previous is None or not (self.git_dir / "index").exists():
            await self._first_add(skip)
        else:
            await self._add_changed(skip)
        if json.dumps(skip, sort_keys=True) != before:
            self._save_skip(skip)
        tree = (await self.git("write-tree")).decode().strip()
        self._set_index_tree(tree)
        skipped = sorted(skip["big"].items())
        return Snapshot(tree=tree, skipped=skipped, seconds=time.perf_counter() - started, previous=previous)

    async def _first_add(self, skip: dict[str, Any]) -> None:
        """The first snapshot: list every file first, so a large one is never read at all."""
        listed = split_z(await self.git("ls-files", "-z", "--others", "--exclude-standard"))
        for path in listed:
            if path.endswith("/"):
                skip["nested"][path.rstrip("/")] = True  # an embedded repository: not ours to capture
                continue
            try:
                st = os.lstat(self.workspace / path)
            except OSError:
                continue
            if st.st_size > self.max_bytes and not stat.S_ISLNK(st.st_mode):
                skip["big"][path] = st.st_size
        await self._add_all(skip)

    async def _add_changed(self, skip: dict[str, Any]) -> None:
        """Every later snapshot: one `git add -A` (the stat cache reads only what changed), then
        a file that turned out to be over the limit, or an embedded repository, leaves the
        index again and is excluded from then on. A large file that shrank (or went) is let
        back in."""
        for path, size in list(skip["big"].items()):
            try:
                st = os.lstat(self.workspace / path)
            except OSError:
                del skip["big"][path]
                continue
            if st.st_size <= self.max_bytes:
                del skip["big"][path]
            elif st.st_size != size:
                skip["big"][path] = st.st_size
        out = await self._add_all(skip, verbose=True)
        dropped: list[str] = []
        for line in out.decode("utf-8", "surrogateescape").splitlines():
            if not (line.startswith("add '") and line.endswith("'")):
                continue
            path = line[5:-1]
            try:
                st = os.lstat(self.workspace / path)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                skip["nested"][path] = True
                dropped.append(path)
            elif st.st_size > self.max_bytes and not stat.S_ISLNK(st.st_mode):
                skip["big"][path] = st.st_size
                dropped.append(path)
        if dropped:
            await self._forget(dropped)

    async def _add_all(self, skip: dict[str, Any], *, verbose: bool = False) -> bytes:
        specs = [b"."] + [_literal(p, exclude=True) for p in [*skip["big"], *skip["nested"]]]
        args = ["add", "-A", "--ignore-errors", "--pathspec-from-file=-", "--pathspec-file-nul"]
        return await self.git(*args, *(["-v"] if verbose else []), stdin=b"".join(s + b"\0" for s in specs),
                              ok_codes=(0, 1))

    async def _forget(self, paths: list[str]) -> None:
        """Take paths out of the index and delete the loose objects just written for them (a
        large file's copy would otherwise stay in the shadow repository for good)."""
        listed = await self.git("ls-files", "-z", "-s", "--", *(_literal(p).decode("utf-8", "surrogateescape")
                                                               for p in paths))
        blobs = [item.split(" ")[1] for item in split_z(listed) if item.count(" ") >= 2]
        await self.git("rm", "-q", "-r", "--cached", "--ignore-unmatch", "--pathspec-from-file=-",
                       "--pathspec-file-nul", stdin=b"".join(_literal(p) + b"\0" for p in paths))
        for blob in blobs:
            if re.fullmatch(r"[0-9a-f]{40}", blob):
                (self.git_dir / "objects" / blob[:2] / blob[2:]).unlink(missing_ok=True)

    def _load_skip(self) -> dict[str, Any]:
        try:
            data = json.loads((self.git_dir / SKIP).read_text(encoding="utf-8"))
            big = {str(k): int(v) for k, v in data.get("big", {}).items()}
            nested = {str(k): True for k in data.get("nested", [])}
            return {"big": big, "nested": nested}
        except (OSError, ValueError, AttributeError, TypeError):
            return {"big": {}, "nested": {}}

    def _save_skip(self, skip: dict[str, Any]) -> None:
        text = json.dumps({"big": skip["big"], "nested": sorted(skip["nested"])}, ensure_ascii=False)
        write_private(self.git_dir / SKIP, text, durable=False)

    def _index_tree(self) -> str | None:
        """The tree the shadow index held after the last snapshot (any session, any member)."""
        try:
            return (self.git_dir / INDEX_TREE).read_text(encoding="ascii").strip() or None
        except (OSError, ValueError):
            return None

    def _set_index_tree(self, tree: str) -> None:
        write_private(self.git_dir / INDEX_TREE, tree + "\n", durable=False)

    async def changes_since(self, base: str | None, snap: Snapshot) -> list[Change]:
        """The files that differ between `base` and a snapshot (a tree diff: git compares only
        the subtrees whose ids differ, so it costs little when few files changed)."""
        return await self.diff(base, snap.tree)

    async def diff(self, old: str | None, new: str) -> list[Change]:
        """The files that differ between two trees (old None: the empty tree)."""
        if old == new:
            return []
        await self.ensure()
        out = await self.git("diff-tree", "-r", "-z", "--no-renames", "--name-status", old or EMPTY_TREE, new)
        parts = split_z(out)
        changes = []
        for i in range(0, len(parts) - 1, 2):
            status = parts[i][:1]
            changes.append(Change("M" if status == "T" else status, parts[i + 1]))
        return changes

    async def file_diff(self, old: str | None, new: str, path: str) -> str:
        """The unified diff of one file between two trees (git's words for binary files)."""
        await self.ensure()
        out = await self.git("diff", "--no-color", "--no-ext-diff", "--no-renames", old or EMPTY_TREE, new,
                             "--", _literal(path).decode("utf-8", "surrogateescape"))
        return out.decode("utf-8", "replace")

    async def has_tree(self, tree: str) -> bool:
        await self.ensure()
        out = await self.git("cat-file", "-t", tree, ok_codes=(0, 1, 128))
        return out.strip() == b"tree"

    # -- restoring ------------------------------------------------------------------------------

    async def apply(self, target: str, write: Iterable[str], delete: Iterable[str]) -> None:
        """Make the workspace hold `target`'s version of `write` and remove `delete`. Deletions
        first, so a file can take the place of a directory that goes away."""
        await self.ensure()
        if not await self.has_tree(target):
            raise CheckpointError(f"checkpoint tree {target[:12]} is missing from {self.git_dir}")
        for path in delete:
            full = self.workspace / path
            try:
                if full.is_dir() and not full.is_symlink():
                    continue
                full.unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise CheckpointError(f"could not delete {full}: {exc.strerror}") from None
            self._prune_dirs(full.parent)
        paths = list(write)
        if not paths:
            return
        fd = await self._lock()
        index = self.git_dir / "workbench-restore.index"
        try:
            env = git_env(self.git_dir, self.workspace, index)
            await self.git("read-tree", target, env=env)
            await self.git("checkout-index", "-f", "-z", "--stdin", env=env,
                           stdin=b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in paths))
        finally:
            index.unlink(missing_ok=True)
            self._unlock(fd)

    def _prune_dirs(self, directory: Path) -> None:
        while directory != self.workspace and self.workspace in directory.parents:
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent

    # -- the journal: who changed what, across every session of this workspace -------------------

    def journal(self, record: dict[str, Any]) -> None:
        record = {"time": time.time(), **record}
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        fd = os.open(self.git_dir / JOURNAL, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        with open(fd, "a", encoding="utf-8") as f:
            f.write(line)

    def journal_records(self) -> list[dict[str, Any]]:
        try:
            text = (self.git_dir / JOURNAL).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        out = []
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a torn last line from a crash: the rest still counts
            if isinstance(record, dict) and isinstance(record.get("tree"), str):
                out.append(record)
        return out

    def last_tree(self) -> str | None:
        records = self.journal_records()
        return records[-1]["tree"] if records else None


def _literal(path: str, *, exclude: bool = False) -> bytes:
    magic = ":(exclude,literal)" if exclude else ":(literal)"
    return (magic + path).encode("utf-8", "surrogateescape")
