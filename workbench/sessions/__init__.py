"""workbench.sessions — pi's session format v3: entries, tree, context, files and locks."""

from workbench.sessions.context import SessionContext
from workbench.sessions.entries import CURRENT_VERSION, ENTRY_TYPES, EntryFactory, encode_line
from workbench.sessions.errors import (
    EntryNotFound,
    SessionError,
    SessionFileError,
    SessionFileMissing,
    SessionLocked,
    SessionReadOnly,
)
from workbench.sessions.jsonl import LoadProblem
from workbench.sessions.manager import SessionManager
from workbench.sessions.paths import encode_cwd, session_dir_for, session_file_name
from workbench.sessions.tree import TreeNode, walk_depth_first

__all__ = [
    "CURRENT_VERSION",
    "ENTRY_TYPES",
    "EntryFactory",
    "EntryNotFound",
    "LoadProblem",
    "SessionContext",
    "SessionError",
    "SessionFileError",
    "SessionFileMissing",
    "SessionLocked",
    "SessionManager",
    "SessionReadOnly",
    "TreeNode",
    "encode_cwd",
    "encode_line",
    "session_dir_for",
    "session_file_name",
    "walk_depth_first",
]
