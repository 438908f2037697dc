"""SessionManager: one pi session file (format v3), its entry tree, leaf and context.

Writes are appends only: each entry is one complete line written by one `os.write` on an
O_APPEND descriptor and flushed (`fdatasync`) before the append returns, so a crash loses
at most the entry being written. Lines already in the file are never re-serialised.
Only a v1/v2 file is rewritten, once, on its first append — after its original bytes are
saved to `<file>.v<N>.bak`.

A new session (`create`) is lazy, as pi's is: nothing is on disk until its first `message`
entry. Entries appended before it (the model, the thinking level, a name) wait in memory and
are written with it: header, waiting entries and message in one write + fdatasync to a file
created with O_EXCL, after the writer lock is taken. A session that never gets a message leaves
nothing behind, so `-c` never lands on an empty one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

from workbench.errors import InvalidParams
from workbench.sessions import entries as E
from workbench.sessions.errors import (
    EntryNotFound,
    SessionFileError,
    SessionFileMissing,
    SessionReadOnly,
)
from workbench.sessions.jsonl import LoadProblem, Record, scan
from workbench.sessions.locks import SessionLock
from workbench.sessions.migrate import migrate
from workbench.sessions.paths import session_dir_for, session_file_name
from workbench.sessions.session_files import create_file, fsync_dir, make_file, write_all
from workbench.sessions.session_reading import SessionReading
from workbench.sessions.tree import TreeNode, attach
from workbench.sessions.warmup import WARM_MIN_BYTES, Warmup

# the entry type whose first append puts a lazily created session on disk
_MATERIALISING_TYPE = "message"


class SessionManager(SessionReading):
    """pi's SessionManager in Python. Construct with `create`, `open` or `in_memory`."""

    def __init__(
        self,
        *,
        path: Path | None,
        header: dict,
        records: list[Record],
        problems: list[LoadProblem],
        readonly: bool,
        factory: E.EntryFactory,
        lock: SessionLock | None = None,
        fd: int | None = None,
        ends_with_newline: bool = True,
        line_count: int = 1,
        source_version: int = E.CURRENT_VERSION,
        source_data: bytes = b"",
        bad_spans: list[tuple[int, bytes]] | None = None,
    ):
        self.path = path
        self.header = header
        self.readonly = readonly
        self.problems = problems
        self.factory = factory
        self.source_version = source_version  # the version the file had; < 3 means migrated in memory
        self._lock = lock
        self._fd = fd
        self._closed = False
        self._needs_newline = not ends_with_newline
        self._line_count = line_count
        self._source_data = source_data
        self._bad_spans = bad_spans or []
        self._records: list[Record] = records
        self._by_id: dict[str, Record] = {}
        self._has_duplicates = False
        self._labels: dict[str, str] = {}
        self._session_infos: list[Record] = []
        self._tree: tuple[list[TreeNode], dict[str, TreeNode]] | None = None
        self._warmup: Warmup | None = None
        self._warm_after_context = False  # set by open(warm=True) for a big file
        # lazily created: the lines (after the header) waiting for the first message; None once
        # the file exists (or for a session that is never written)
        self._unwritten: list[bytes] | None = None
        # entries that opening decided on (a model or thinking level differing from the file's),
        # appended only before the next entry the user causes: opening never writes
        self._deferred: list[Any] = []
        # Set by an appender holding entries the tree has and the file not yet
        # (runtime/persist.py `stage`): called before this manager writes an entry itself or
        # closes, so the file keeps the tree's order.
        self.write_barrier: Callable[[], None] | None = None
        # the bulk of opening a big file: keep it to comprehensions
        self._by_id = {record.id: record for record in records}
        if len(self._by_id) != len(records):
            self._by_id = {}
            for record in records:
                self._index(record, loading=True)
        else:
            for record in [r for r in records if r.type == "label" or r.type == "session_info"]:
                self._index(record)
        self.leaf_id: str | None = records[-1].id if records else None

    # ------------------------------------------------------------------ construction

    @classmethod
    def create(
        cls,
        cwd: str | os.PathLike,
        *,
        sessions_dir: str | os.PathLike | None = None,
        parent_session: str | None = None,
        extra_header: dict | None = None,
        factory: E.EntryFactory | None = None,
    ) -> SessionManager:
        """A new session in `<sessions_dir>/--<cwd>--/`. Lazy: `path` is where it will be, but the
        file (0600, header first) is created, locked and flushed with the first `message` entry;
        until then `on_disk` is False, and closing it leaves nothing behind."""
        factory = factory or E.EntryFactory()
        cwd_text = os.path.abspath(os.fspath(cwd))
        if sessions_dir is None:
            from workbench.config import sessions_dir as default_sessions_dir

            sessions_dir = default_sessions_dir()
        timestamp = factory.now()
        session_id = factory.new_session_id()
        try:
            header = E.make_header(session_id, timestamp, cwd_text, parent_session, extra_header)
        except ValueError as exc:
            raise InvalidParams(str(exc)) from None
        directory = session_dir_for(sessions_dir, cwd_text)
        path = directory / session_file_name(timestamp, session_id)
        manager = cls(path=path, header=header, records=[], problems=[], readonly=False, factory=factory)
        manager._unwritten = []
        return manager

    @classmethod
    def _create_at(cls, path: Path, header: dict, body: list[bytes], factory: E.EntryFactory) -> SessionManager:
        data = E.encode_line(header) + b"".join(body)
        lock, fd = make_file(path, data)
        try:
            return cls._from_bytes(path, data, readonly=False, factory=factory, lock=lock, fd=fd)
        except BaseException:
            os.close(fd)
            lock.release()
            raise

    @classmethod
    def open(
        cls, path: str | os.PathLike, *, readonly: bool = False, factory: E.EntryFactory | None = None, warm: bool = True
    ) -> SessionManager:
        """Load a session file. For writing, take its lock first (SessionLocked if another process has it).

        With `warm` (the default), a file of 2 MB or more has its unread entries parsed by a
        background thread (see warmup.py) once the first context is built — what opening is for,
        so it doesn't compete with it — and a context at any other leaf is fast from then on.
        Pass False for a one-shot read (the CLI)."""
        path = Path(path)
        factory = factory or E.EntryFactory()
        if not path.is_file():
            if path.exists():
                raise SessionFileError(path, "not a regular file")
            raise SessionFileMissing(path, "no such session file")
        lock = None
        if not readonly:
            lock = SessionLock(path)
            lock.acquire()
        fd = None
        try:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise SessionFileError(path, f"cannot read: {exc.strerror}") from None
            manager = cls._from_bytes(path, data, readonly=readonly, factory=factory, lock=lock, fd=None)
            if not readonly:
                if manager.source_version > E.CURRENT_VERSION:
                    raise SessionFileError(
                        path, f"written in session format v{manager.source_version} (newer than v3); open it read-only"
                    )
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
                except OSError as exc:
                    raise SessionFileError(path, f"cannot open for writing: {exc.strerror}") from None
                manager._fd = fd
            manager._warm_after_context = warm and len(data) >= WARM_MIN_BYTES
            return manager
        except BaseException:
            if fd is not None:
                os.close(fd)
            if lock is not None:
                lock.release()
            raise

    @classmethod
    def in_memory(
        cls, cwd: str | os.PathLike, *, extra_header: dict | None = None, factory: E.EntryFactory | None = None
    ) -> SessionManager:
        """A session that is never written (tests, previews)."""
        factory = factory or E.EntryFactory()
        header = E.make_header(factory.new_session_id(), factory.now(), os.path.abspath(os.fspath(cwd)), None, extra_header)
        return cls(path=None, header=header, records=[], problems=[], readonly=False, factory=factory)

    @classmethod
    def _from_bytes(cls, path, data: bytes, *, readonly, factory, lock, fd) -> SessionManager:
        result = scan(data, str(path) if path is not None else "<memory>")
        version = migrate(result.header, result.records, factory.new_id)
        return cls(
            path=path,
            header=result.header,
            records=result.records,
            problems=result.problems,
            readonly=readonly,
            factory=factory,
            lock=lock,
            fd=fd,
            ends_with_newline=result.ends_with_newline,
            line_count=result.line_count,
            source_version=version,
            source_data=data if version < E.CURRENT_VERSION else b"",
            bad_spans=result.bad_spans,
        )

    # ------------------------------------------------------------------ writing

    def _check_writable(self) -> None:
        if self._closed:
            raise SessionReadOnly(f"{self.path or 'session'}: closed")
        if self.readonly:
            raise SessionReadOnly(f"{self.path}: opened read-only")

    def _append(self, entry: dict) -> str:
        self._check_writable()
        try:
            line = E.encode_line(entry)
        except (TypeError, ValueError) as exc:
            raise InvalidParams(f"entry is not JSON-serialisable: {exc}") from None
        if self._unwritten is not None:
            if entry["type"] == _MATERIALISING_TYPE:
                self._materialise(line)
            else:
                self._unwritten.append(line)
        elif self._fd is not None:
            self._pass_write_barrier()
            if self.source_version < E.CURRENT_VERSION:
                self._upgrade_legacy_file()
            payload = b"\n" + line if self._needs_newline else line
            try:
                write_all(self._fd, payload)
                os.fdatasync(self._fd)
            except OSError as exc:
                self._needs_newline = True  # whatever reached the file stays on its own line
                raise SessionFileError(self.path, f"append failed: {exc.strerror}") from None
            self._needs_newline = False
        self._line_count += 1
        message = entry.get("message")
        role = message.get("role") if isinstance(message, dict) else None
        record = Record(
            entry["type"], entry["id"], entry["parentId"], entry["timestamp"], role if isinstance(role, str) else None,
            self._line_count, line, 0, len(line) - 1, obj=entry, sink=self.problems,
        )
        self._records.append(record)
        self._index(record)
        if self._tree is not None:
            roots, nodes = self._tree
            attach(record, nodes, roots)
            if record.type == "label" and entry.get("targetId") in nodes:
                nodes[entry["targetId"]].label = self._labels.get(entry["targetId"])
        self.leaf_id = record.id
        return record.id

    def _materialise(self, line: bytes) -> None:
        """First message of a lazy session: header, the entries waiting in memory and `line`,
        in one write. If it fails, nothing is recorded and the next append tries again."""
        data = E.encode_line(self.header) + b"".join(self._unwritten or ()) + line
        self._lock, self._fd = make_file(self.path, data)
        self._unwritten = None

    def _index(self, record: Record, *, loading: bool = False) -> None:
        previous = self._by_id.get(record.id)
        if previous is not None:
            self._has_duplicates = True
            if loading:
                self.problems.append(
                    LoadProblem(record.line, "duplicate-id", f"id {record.id} already used on line {previous.line}; the later entry wins")
                )
        self._by_id[record.id] = record
        if record.type == "label":
            entry = record.entry()
            target, label = entry.get("targetId"), entry.get("label")
            if isinstance(target, str):
                if isinstance(label, str) and label:
                    self._labels[target] = label
                else:
                    self._labels.pop(target, None)
        elif record.type == "session_info":
            self._session_infos.append(record)

    def before_next_write(self, append: Any) -> None:
        """Run `append` (an append_* call) just before the next entry is appended, at the leaf
        of that moment; nothing is written if the session never gets another entry."""
        self._deferred.append(append)

    def _flush_deferred(self) -> None:
        deferred, self._deferred = self._deferred, []
        for append in deferred:
            append()

    def _new(self) -> tuple[str, str | None, str]:
        if self._deferred:
            self._flush_deferred()
        return self.factory.new_id(self._by_id), self.leaf_id, self.factory.now()

    def append_message(self, message: dict) -> str:
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise InvalidParams("a message must be a dict with a string 'role'")
        return self._append(E.make_message(*self._new(), message))

    def append_thinking_level_change(self, level: str) -> str:
        return self._append(E.make_thinking_level_change(*self._new(), level))

    def append_model_change(self, provider: str, model_id: str) -> str:
        return self._append(E.make_model_change(*self._new(), provider, model_id))

    def append_compaction(
        self, summary: str, first_kept_entry_id: str, tokens_before: int, details: Any = None, from_hook: bool | None = None
    ) -> str:
        if first_kept_entry_id not in self._by_id:
            raise EntryNotFound(first_kept_entry_id, str(self.path) if self.path else None)
        return self._append(E.make_compaction(*self._new(), summary, first_kept_entry_id, tokens_before, details, from_hook))

    def append_custom(self, custom_type: str, data: Any = None) -> str:
        return self._append(E.make_custom(*self._new(), custom_type, data))

    def append_custom_message(self, custom_type: str, content: Any, display: bool = True, details: Any = None) -> str:
        return self._append(E.make_custom_message(*self._new(), custom_type, content, display, details))

    def set_name(self, name: str) -> str:
        return self._append(E.make_session_info(*self._new(), name))

    def set_label(self, entry_id: str, label: str | None) -> str:
        """Label an entry (a label entry appended at the leaf); None or "" clears it."""
        if entry_id not in self._by_id:
            raise EntryNotFound(entry_id, str(self.path) if self.path else None)
        return self._append(E.make_label(*self._new(), entry_id, label or None))

    def branch(self, entry_id: str) -> None:
        """Move the leaf to `entry_id`: the next append becomes its child."""
        if entry_id not in self._by_id:
            raise EntryNotFound(entry_id, str(self.path) if self.path else None)
        self.leaf_id = entry_id

    def reset_leaf(self) -> None:
        """Move the leaf before the first entry: the next append starts a new root."""
        self.leaf_id = None

    def branch_with_summary(
        self, target_id: str | None, summary: str, details: Any = None, from_hook: bool | None = None
    ) -> str:
        """Move the leaf to `target_id` and append a branch_summary there (pi's branchWithSummary)."""
        if target_id is not None and target_id not in self._by_id:
            raise EntryNotFound(target_id, str(self.path) if self.path else None)
        self._check_writable()
        self.leaf_id = target_id
        entry_id, parent_id, timestamp = self._new()  # parent: target, or a deferred entry just under it
        return self._append(
            E.make_branch_summary(entry_id, parent_id, timestamp, target_id if target_id is not None else "root", summary, details, from_hook)
        )

    def fork(self, entry_id: str, *, sessions_dir: str | os.PathLike | None = None) -> SessionManager:
        """A new session holding the root → `entry_id` path (pi's /fork, createBranchedSession).

        The path's lines are copied byte for byte (same ids); labels on the path's entries are
        then re-created as new label entries after it. The header's parentSession is this
        file's absolute path. Label entries that lie on the path are kept (pi drops them,
        which would orphan their children).
        """
        path = self._path(entry_id)
        body = [record.raw() + b"\n" if not record.dirty else E.encode_line(record.obj) for record in path]
        taken = {record.id for record in path}
        parent = path[-1].id
        for target, label in self._labels.items():
            if target in taken:
                label_id = self.factory.new_id(taken)
                taken.add(label_id)
                label_entry = E.make_label(label_id, parent, self.factory.now(), target, label)
                body.append(E.encode_line(label_entry))
                parent = label_id
        timestamp = self.factory.now()
        session_id = self.factory.new_session_id()
        parent_session = str(self.path.absolute()) if self.path is not None else None
        header = E.make_header(session_id, timestamp, self.cwd or os.getcwd(), parent_session)
        if self.path is None and sessions_dir is None:
            data = E.encode_line(header) + b"".join(body)
            return SessionManager._from_bytes(None, data, readonly=False, factory=self.factory, lock=None, fd=None)
        directory = session_dir_for(sessions_dir, header["cwd"]) if sessions_dir is not None else self.path.parent
        return SessionManager._create_at(directory / session_file_name(timestamp, session_id), header, body, self.factory)

    def _upgrade_legacy_file(self) -> None:
        """First append to a v1/v2 file: keep its bytes in a backup, then rewrite it as v3
        (pi rewrites in place without a backup). Unreadable lines are carried over verbatim."""
        path = self.path
        original = self._source_data
        backup = path.with_name(f"{path.name}.v{self.source_version}.bak")
        suffix = 1
        while backup.exists():
            backup = path.with_name(f"{path.name}.v{self.source_version}.bak.{suffix}")
            suffix += 1
        try:
            os.close(create_file(backup, original))
        except OSError as exc:
            raise SessionFileError(path, f"cannot back up before upgrading to v3: {exc.strerror}") from None
        pieces: list[tuple[int, bytes]] = [(0, E.encode_line(self.header))]
        pieces += [(record.line, E.encode_line(record.obj)) for record in self._records]
        pieces += [(line, chunk + b"\n") for line, chunk in self._bad_spans]
        pieces.sort(key=lambda item: item[0])
        data = b"".join(piece for _, piece in pieces)
        tmp = path.with_name(f".{path.name}.upgrade-{os.getpid()}")
        try:
            os.close(create_file(tmp, data))
            os.replace(tmp, path)
            fsync_dir(path.parent)
            new_fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SessionFileError(path, f"cannot upgrade to v3 (original kept in {backup.name}): {exc.strerror}") from None
        os.close(self._fd)
        self._fd = new_fd
        self._needs_newline = False
        self._line_count = data.count(b"\n")
        self._source_data = b""
        self.source_version = E.CURRENT_VERSION

    # ------------------------------------------------------------------ lifetime

    def _pass_write_barrier(self) -> None:
        if self.write_barrier is not None:
            self.write_barrier()  # if it fails it stays: those entries must still go first
            self.write_barrier = None

    def close(self) -> None:
        if self._closed:
            return
        if self._fd is not None and self.write_barrier is not None:
            try:
                self._pass_write_barrier()
            except (OSError, SessionFileError):
                pass  # those entries stay unwritten, as after a crash; closing goes on
        self._closed = True
        if self._warmup is not None:
            self._warmup.stop()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> SessionManager:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "in memory"
        return f"SessionManager({where}, entries={len(self._records)}, leaf={self.leaf_id!r})"
