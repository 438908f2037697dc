"""Untrusted text (model output, tool output, file contents, session files) made safe to show.

No terminal control sequence reaches the terminal: ESC sequences are removed and other control
characters are shown as visible symbols, so output can't clear the screen, move the cursor or
retitle the window. Every layer that prints untrusted text goes through here (the TUI wraps it in
`rich.text.Text`, never markup).
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST), DCS/PM/APC/SOS (ESC P|^|_|X ... ST), and
# two-character escapes (ESC + one byte). Also the 8-bit C1 forms of CSI/OSC.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]          # CSI
    | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c)  # OSC, terminated by BEL or ST
    | (?:\x1b[P^_X]|[\x90\x9e\x9f\x98]).*?(?:\x1b\\|\x9c)  # DCS / PM / APC / SOS
    | \x1b[ -/]*[0-~]                          # other ESC sequences (ESC c, ESC ( B, ...)
    | \x1b                                     # a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)

# C0 controls except tab and newline, DEL, and C1 controls -> Unicode "control pictures".
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def sanitize(text: str) -> str:
    """Remove terminal escape sequences and make other control characters visible.

    `\\r\\n` becomes `\\n`; a lone `\\r` (progress bars) becomes a newline too, so a line that
    overwrites itself in a terminal shows its states instead of hiding text.
    """
    if not text:
        return ""
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub(_picture, text)


def one_line(text: str, width: int = 80) -> str:
    """Sanitised, whitespace collapsed to one line, shortened with an ellipsis."""
    flat = " ".join(sanitize(text).split())
    return flat if len(flat) <= width else flat[: max(0, width - 1)] + "…"
