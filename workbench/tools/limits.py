"""Output caps shared by the built-in tools, so no call floods the model's context."""

from __future__ import annotations

MAX_OUTPUT_BYTES = 50 * 1024    # text returned to the model by one call
MAX_OUTPUT_LINES = 2000
MAX_LINE_CHARS = 2000           # read: longer lines are cut
MAX_GREP_LINE_CHARS = 500       # grep: matched lines are cut shorter
MAX_FILE_BYTES = 10 * 1024 * 1024  # read/edit refuse bigger files; grep skips them
BINARY_SNIFF_BYTES = 8192


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def looks_binary(head: bytes) -> bool:
    """NUL bytes in the first block: what git and grep use to call a file binary."""
    return b"\x00" in head


def cut_line(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    return f"{line[:limit]}... [line cut: {len(line)} characters]"
