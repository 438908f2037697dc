"""Untrusted text (model output, tool output, file contents, session files) made safe to show.

No control character reaches the terminal, and none is hidden: each is *neutralised visibly*, so
what the user reads is every byte that is there (an approval shows exactly the command that will
run). ESC becomes `␛` (so `␛[2J` or `␛]0;title…` show as text, payload included), other C0/C1
controls and DEL become `\\x07`-style escapes, and the Unicode controls that reorder or hide text
on screen (bidi overrides and isolates, "Trojan Source") become `\\u202e`-style escapes. Nothing is
ever deleted. Every layer that prints untrusted text goes through here (the TUI wraps it in
`rich.text.Text`, never markup).

One `str.translate` pass: linear in the input, whatever it holds (the old pattern-based remover
scanned to the end of the text for each unterminated `ESC ]`, quadratic on hostile input).
"""

from __future__ import annotations

import re

ESC_SHOWN = "\u241b"  # ␛

# Unicode format characters that reorder or hide what is displayed: bidi embeddings, overrides and
# isolates, the Arabic letter mark, the directional marks; and the line/paragraph separators (a
# line break to some displays, not to a shell). Zero-width joiners stay (emoji use them).
_BIDI = [0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]


def _shown(code: int) -> str:
    if code == 0x1B:
        return ESC_SHOWN
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_CONTROLS = [c for c in [*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI] if c not in (0x09, 0x0A)]
# General text: tab and newline kept (a carriage return is turned into a newline before this).
_TABLE = {c: _shown(c) for c in _CONTROLS}
# Exact text (a command to approve): only newline and tab are themselves, `\r` is shown as `\x0d`.
_EXACT_TABLE = {**_TABLE, 0x0D: _shown(0x0D)}
# One line: newline and tab are spaces as well.
_LINE_TABLE = {**_TABLE, 0x09: " ", 0x0A: " ", 0x0D: " "}

_ANY_CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in [*_CONTROLS, 0x0D]) + "]")


def sanitize(text: str, *, exact: bool = False) -> str:
    """Every control character made visible; nothing removed.

    By default `\\r\\n` becomes `\\n` and a lone `\\r` (progress bars) a newline too, so a line that
    overwrites itself in a terminal shows all its states instead of hiding text. `exact=True` (for
    what will be executed) keeps the text one-for-one: `\\r` is shown as `\\x0d`.
    """
    if not text:
        return ""
    if exact:
        return text.translate(_EXACT_TABLE)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_TABLE)


def has_controls(text: str) -> bool:
    """True if `text` holds a character `sanitize(exact=True)` shows as an escape (tab and newline
    excepted): what the user sees differs from the raw bytes, so an approval says so."""
    return bool(text) and _ANY_CONTROL.search(text) is not None


def one_line(text: str, width: int = 80) -> str:
    """Sanitised, whitespace collapsed to one line, shortened with an ellipsis.

    Reads only as much of `text` as the line can show (a 20 MB message is summarised in
    microseconds): a prefix whose collapsed form is longer than `width` begins as the whole
    text's does, so the result is the same."""
    size = 4 * width + 64
    while size < len(text):
        flat = " ".join(text[:size].translate(_LINE_TABLE).split())
        if len(flat) > width:
            return flat[: max(0, width - 1)] + "…"
        size *= 4
    flat = " ".join(text.translate(_LINE_TABLE).split())
    return flat if len(flat) <= width else flat[: max(0, width - 1)] + "…"


# For callers that collapse and cut text their own way (the session tree's rows).
LINE_TABLE = _LINE_TABLE


def control_spans(text: str) -> list[tuple[str, bool]]:
    """`sanitize(text, exact=True)` in pieces: (shown text, True if it is one neutralised control
    character). Lets a display highlight the escapes; linear (one regex scan)."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in _ANY_CONTROL.finditer(text):
        if match.start() > at:
            pieces.append((text[at:match.start()], False))
        pieces.append((_EXACT_TABLE[ord(match.group())], True))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces
