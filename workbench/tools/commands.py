"""Split a shell command into the simple commands a bash approval rule is matched against.

`git status && rm -rf /` is two commands; a rule allowing `git status*` must not allow the
second. The split honours quotes and backslashes, and treats `&` inside redirections (`2>&1`,
`&>file`) as part of the command. Command substitution (`$(...)`, backticks, `<(...)`) hides
commands the split cannot see, so it is flagged: such a command is allowed only by a rule for
the whole command (or a bare `bash` rule).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SplitCommand:
    parts: tuple[str, ...]   # each simple command, whitespace collapsed
    opaque: bool             # substitution or unbalanced quotes: parts may not be the whole story


def normalize(command: str) -> str:
    return " ".join(command.split())


def split_command(command: str) -> SplitCommand:
    parts: list[str] = []
    current: list[str] = []
    opaque = False
    quote: str | None = None
    i, n = 0, len(command)

    def flush() -> None:
        text = normalize("".join(current))
        if text:
            parts.append(text)
        current.clear()

    while i < n:
        c = command[i]
        if quote == "'":
            current.append(c)
            if c == "'":
                quote = None
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            current.append(command[i:i + 2])
            i += 2
            continue
        if c == "`" or command.startswith("$(", i):
            opaque = True
        if quote == '"':
            current.append(c)
            if c == '"':
                quote = None
            i += 1
            continue
        if c in "'\"":
            quote = c
            current.append(c)
            i += 1
            continue
        if command.startswith(("<(", ">("), i):
            opaque = True
        nxt = command[i + 1] if i + 1 < n else ""
        if c in ";\n":
            flush()
            i += 1
        elif c == "|":
            flush()
            i += 2 if nxt in "|&" else 1
        elif c == "&":
            prev = command[i - 1] if i else ""
            if prev in "<>" or nxt == ">":
                current.append(c)  # a redirection: 2>&1, >&2, &>file
                i += 1
            else:
                flush()
                i += 2 if nxt == "&" else 1
        else:
            current.append(c)
            i += 1
    if quote is not None:
        opaque = True
    flush()
    return SplitCommand(tuple(parts), opaque)
