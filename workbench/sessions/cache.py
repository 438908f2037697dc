"""Listing metadata cache: one JSON file under `workbench.config.cache_dir()`.

Each session file's scan (`listing.ScanState`) is stored under its absolute path with the file's
size and mtime_ns. An unchanged file (same size and mtime) is not read at all. A file that only
grew is continued from the stored offset after checking that the bytes before it are unchanged
(a fingerprint of the header line and of the 64 bytes before the offset). Anything else is scanned
again. The cache is an optimisation only: missing, stale, corrupt or unwritable, it is rebuilt or
skipped silently, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from workbench.private import private_dir
from workbench.sessions.listing import ScanState, scan_file

CACHE_FILE = "session-index.json"
# Bump when ScanState or the scan's semantics change: older caches are then ignored.
CACHE_VERSION = 1
_FINGERPRINT_TAIL = 64


@dataclass(frozen=True)
class CachedScan:
    size: int
    mtime_ns: int
    fingerprint: str
    state: ScanState


def _fingerprint(path: Path, offset: int) -> str:
    """Hash of the first line and of the bytes just before `offset`: what must not change for an append."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        h.update(fh.readline(1 << 20))
        start = max(0, offset - _FINGERPRINT_TAIL)
        fh.seek(start)
        h.update(fh.read(offset - start))
    return h.hexdigest()


class ListingCache:
    """Scan results by path; `load()` then `scan(path, stat)` for each file, then `save()`."""

    def __init__(self, cache_dir: Path | None):
        self.path = cache_dir / CACHE_FILE if cache_dir is not None else None
        self._entries: dict[str, CachedScan] = {}
        self._dirty = False
        self.stats = {"hits": 0, "appended": 0, "scanned": 0}

    def load(self) -> None:
        self._entries = {}
        if self.path is None:
            return
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError:
            data = b""
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict) or raw.get("version") != CACHE_VERSION:
                return
            for key, item in raw["files"].items():
                self._entries[key] = CachedScan(
                    int(item["size"]), int(item["mtime_ns"]), str(item["fingerprint"]),
                    ScanState.from_json(item["state"]),
                )
        except (ValueError, KeyError, TypeError, AttributeError):
            # Missing or corrupt: start empty; the next save() replaces it.
            self._entries = {}
            self._dirty = True

    def scan(self, path: Path, st: os.stat_result) -> ScanState:
        key = str(path)
        cached = self._entries.get(key)
        if cached is not None and cached.size == st.st_size and cached.mtime_ns == st.st_mtime_ns:
            self.stats["hits"] += 1
            return cached.state
        state: ScanState | None = None
        if (
            cached is not None
            and cached.state.header is not None
            and st.st_size > cached.size
            and 0 < cached.state.offset <= cached.size
            and _fingerprint(path, cached.state.offset) == cached.fingerprint
        ):
            state = scan_file(path, cached.state)
            self.stats["appended"] += 1
        if state is None:
            state = scan_file(path)
            self.stats["scanned"] += 1
        self._entries[key] = CachedScan(st.st_size, st.st_mtime_ns, _fingerprint(path, state.offset), state)
        self._dirty = True
        return state

    def forget_missing(self, seen: set[str], roots: list[Path]) -> None:
        """Drop entries of files under `roots` that no longer exist (deleted sessions)."""
        prefixes = tuple(str(r) + os.sep for r in roots)
        for key in [k for k in self._entries if k.startswith(prefixes) and k not in seen]:
            del self._entries[key]
            self._dirty = True

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        payload = {
            "version": CACHE_VERSION,
            "files": {
                k: {"size": c.size, "mtime_ns": c.mtime_ns, "fingerprint": c.fingerprint, "state": c.state.to_json()}
                for k, c in self._entries.items()
            },
        }
        try:
            private_dir(self.path.parent)  # mkstemp below makes the file 0600
            # Atomic replace: a concurrent reader sees the old or the new file, never half of one.
            fd, tmp = tempfile.mkstemp(prefix=".session-index-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(payload, fh, separators=(",", ":"))
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return  # an unwritable cache only costs speed
        self._dirty = False
