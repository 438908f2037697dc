"""What a shell command runs, read with a real bash grammar (tree-sitter-bash), for approval rules.

Hand-rolled splitting is what failed (issue 12: `git status $'\\''; rm -rf src # '` read `$'…'` as
`'…'` and ran `rm`). This module parses the command and reports, conservatively:

- `invocations`: every program the command could start that the text shows — each simple command
  anywhere in the tree (inside substitutions, loops and functions too), the programs behind
  wrappers (`sudo`, `env`, `xargs`, `timeout`, `find -exec`, …) and the scripts given to shells and
  `eval` as literal text (`bash -c '…'`, `sh <<EOF`), each as its words after quote removal.
  Deny and ask rules are matched against all of them (and the program's name without its
  directory, so `/bin/rm` and `\\rm` are `rm`).
- `understood`: True only when the analysis can vouch that `invocations` is the whole story: no
  parse error, only plain commands joined by `;`, `&&`, `||`, `|`, `&`, subshells and groups, and
  no expansion or builtin that can run code it does not show (command or process substitution,
  `${…}` beyond `${name}`, arithmetic, `eval`, `source`, `exec`, aliases, traps, functions,
  assignments that change how later commands run, here-documents or pipes feeding a shell, a
  program named by a variable). An allow rule applies only to an understood command.
- `hidden`: the part of `not understood` that could run code nobody can see (a script in a
  variable, `curl … | sh`, `eval "$x"`): a deny rule cannot rule it out, so such a command asks.
- `writes`: the files the command visibly writes (redirections, `tee`, `cp`/`mv`/`install`/`ln`
  targets, `sed -i`/`perl -i` files, `dd of=`, `touch`, `mkdir`, `rm`…), for the protected paths.

What this cannot see: what a program does once started (a script, a Makefile, `python -c`): an
allow rule for an interpreter allows what it runs. Only bubblewrap confines that.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# Builtins that change how the shell runs what follows, or run code given as data.
_SHELL_STATE = frozenset({
    "eval", "source", ".", "exec", "alias", "unalias", "shopt", "set", "trap", "enable", "hash",
    "builtin", "let", "read", "mapfile", "readarray", "unset", "declare", "typeset", "local", "export",
    "readonly", "fc", "coproc", "bind", "complete", "compgen", "history", "caller", "ulimit", "umask",
})
# Of those, the ones that can run code the command does not show (traps, aliases, array
# subscripts evaluated as arithmetic); eval, exec and source are followed instead.
_HIDING_BUILTINS = _SHELL_STATE - {"eval", "exec", "source", ".", "builtin", "history", "caller",
                                   "ulimit", "umask", "compgen", "complete"}
# Syntax whose arithmetic can run a `$(…)` held in a variable's value.
_HIDING = frozenset({"arithmetic_expansion", "test_command", "subscript"})
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "fish", "ash", "busybox", "rbash"})
# Wrappers that run their arguments as a command: name -> options that take a value.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group",
                       "--chdir", "--host", "--prompt", "--role", "--type", "--other-user", "--close-from"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}),
    "xargs": frozenset({"-I", "-L", "-n", "-P", "-s", "-d", "-E", "-a", "--arg-file", "--delimiter",
                        "--max-args", "--max-procs", "--max-lines", "--replace", "--eof", "--max-chars"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "nohup": frozenset(), "setsid": frozenset(), "time": frozenset({"-f", "-o"}), "command": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}), "ionice": frozenset({"-c", "-n", "-p"}),
    "chrt": frozenset(), "taskset": frozenset(), "unbuffer": frozenset(), "caffeinate": frozenset(),
    "timeout": frozenset({"-s", "--signal", "-k", "--kill-after"}),
    "chroot": frozenset(), "flock": frozenset({"-w", "--timeout", "-E", "--conflict-exit-code"}),
    "runuser": frozenset({"-u", "-g", "--user", "--group"}), "su": frozenset({"-s", "--shell", "-g"}),
    "watch": frozenset({"-n", "--interval", "-d"}), "exec": frozenset({"-a"}), "builtin": frozenset(),
    "strace": frozenset({"-e", "-o", "-p", "-s", "-u"}), "ltrace": frozenset({"-e", "-o", "-p", "-u"}),
    "firejail": frozenset(), "proxychains": frozenset(), "torsocks": frozenset(), "faketime": frozenset(),
}
# Wrappers whose first operand is not the command (timeout's duration, chroot's dir, flock's file).
_SKIP_OPERANDS = {"timeout": 1, "chroot": 1, "flock": 1, "taskset": 1, "chrt": 1}
# Wrappers that join their operands into a string a shell runs.
_STRING_WRAPPERS = frozenset({"watch", "su", "runuser"})
_ALLOWED_STRUCTURE = frozenset({
    "program", "list", "pipeline", "redirected_statement", "subshell", "compound_statement",
    "negated_command", "comment", "command", "file_redirect", "heredoc_redirect", "herestring_redirect",
})
_WORD_NODES = frozenset({"word", "string", "raw_string", "ansi_c_string", "number", "concatenation",
                         "simple_expansion", "expansion", "string_content"})
_SIMPLE_EXPANSION = re.compile(r"^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$|^\$[0-9@*#?$!-]$")


@dataclass(frozen=True)
class Invocation:
    words: tuple[str, ...]          # after quote removal; a part the analysis can't know is kept as written
    assignments: tuple[str, ...] = ()  # `NAME=value` before the command

    @property
    def text(self) -> str:
        """What allow rules match: the assignments and words as one line."""
        return " ".join((*self.assignments, *self.words))

    @property
    def program(self) -> str:
        return os.path.basename(self.words[0]) if self.words else ""

    def texts(self) -> list[str]:
        """What deny and ask rules match: as written, without assignments, and with the program's
        directory dropped (`/bin/rm -rf x` is `rm -rf x`)."""
        out = [self.text, " ".join(self.words)]
        if self.words:
            out.append(" ".join((self.program, *self.words[1:])))
        return list(dict.fromkeys(t for t in out if t))


@dataclass
class ShellAnalysis:
    command: str
    invocations: list[Invocation] = field(default_factory=list)
    top: list[Invocation] = field(default_factory=list)  # the simple commands an allow rule must cover
    problems: list[str] = field(default_factory=list)    # why it is not understood (empty: understood)
    hidden: list[str] = field(default_factory=list)      # code that runs but can't be seen
    writes: list[str] = field(default_factory=list)      # files visibly written

    @property
    def understood(self) -> bool:
        return not self.problems and bool(self.top)

    def not_understood(self, why: str) -> None:
        if why not in self.problems:
            self.problems.append(why)

    def hides(self, why: str) -> None:
        self.not_understood(why)
        if why not in self.hidden:
            self.hidden.append(why)


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


@lru_cache(maxsize=512)
def analyze(command: str) -> ShellAnalysis:
    """The analysis of one command line (cached: the gate asks for deny, ask and allow in turn)."""
    result = ShellAnalysis(command)
    _Walker(result).script(command, depth=0, top=True)
    return result


_ANSI_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
                 "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_ANSI = re.compile(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.DOTALL)


def _ansi_c(body: str) -> str:
    """The value of `$'…'` (bash's ANSI-C quoting)."""
    def one(m: re.Match[str]) -> str:
        s = m.group(1)
        if s[0] in "xuU":
            return chr(min(int(s[1:], 16), 0x10FFFF))
        if s[0].isdigit():
            return chr(int(s, 8) & 0xFF)
        if s[0] == "c":
            return chr(ord(s[1].upper()) ^ 0x40) if s[1:] else "c"
        return _ANSI_ESCAPES.get(s, "\\" + s)
    return _ANSI.sub(one, body)


def _unescape_word(text: str) -> str:
    """An unquoted word: a backslash quotes the next character; backslash-newline disappears."""
    return re.sub(r"\\(.)", lambda m: "" if m.group(1) == "\n" else m.group(1), text, flags=re.DOTALL)


def _unescape_dquoted(text: str) -> str:
    return re.sub(r'\\([$`"\\\n])', lambda m: "" if m.group(1) == "\n" else m.group(1), text)


class _Walker:
    MAX_DEPTH = 8  # scripts inside scripts inside …: beyond this, not understood

    def __init__(self, result: ShellAnalysis) -> None:
        self.r = result
        self.piped = 0  # > 0 while walking commands that read a pipe the grammar did not nest

    # -- entry points -------------------------------------------------------------------------

    def script(self, source: str, *, depth: int, top: bool) -> None:
        if depth > self.MAX_DEPTH:
            self.r.hides("scripts nested too deep to follow")
            return
        tree = _parser().parse(source.encode("utf-8", "surrogatepass"))
        root = tree.root_node
        if root.has_error:
            self.r.hides("the command does not parse as bash")
        self.node(root, source.encode("utf-8", "surrogatepass"), depth=depth, top=top, structural=True)

    # -- the tree -----------------------------------------------------------------------------

    def node(self, node: Any, src: bytes, *, depth: int, top: bool, structural: bool) -> None:
        kind = node.type
        if node.is_missing or kind == "ERROR":
            self.r.hides("the command does not parse as bash")
        if kind in _HIDING:
            self.r.hides(_explain(kind))  # arithmetic runs `$(…)` held in a variable's value
        if structural and node.is_named and kind not in _ALLOWED_STRUCTURE:
            self.r.not_understood(_explain(kind))
            structural = False  # what is inside is still searched for programs (deny), never allowed
        if kind in ("command_substitution", "process_substitution"):
            self.r.not_understood("command or process substitution")
        elif kind == "function_definition":
            self.r.not_understood("a function definition")
        elif kind == "variable_assignment" and node.parent is not None and node.parent.type != "command":
            self.r.not_understood("a variable assignment (it changes how later commands run)")
        if kind == "command":
            self.command(node, src, depth=depth, top=top and structural,
                         piped=self.piped > 0 or _stdin_is_pipe(node))
            return
        if kind == "redirected_statement" and node.children:
            body, redirects = node.children[0], node.children[1:]
            self.node(body, src, depth=depth, top=top, structural=structural)
            if body.type != "command":  # a command reads its own redirections (stdin, writes)
                for redirect in redirects:
                    self.redirect(redirect, src, depth)
            return
        for child in node.children:
            self.node(child, src, depth=depth, top=top, structural=structural)

    def command(self, node: Any, src: bytes, *, depth: int, top: bool, piped: bool) -> None:
        assignments: list[str] = []
        words: list[str] = []
        literal: list[bool] = []
        stdin_text: str | None = None
        stdin_opaque = piped
        prev_end: int | None = None
        redirected = node.parent.type == "redirected_statement" if node.parent is not None else False
        redirects = list(node.parent.children[1:]) if redirected else []
        for child in node.children:
            kind = child.type
            if kind == "variable_assignment":
                value, ok = self.word_value(child, src, depth)
                assignments.append(value)
                if not ok:
                    self.r.not_understood("an expansion in an assignment")
                continue
            if kind in ("file_redirect", "herestring_redirect", "heredoc_redirect"):
                redirects.append(child)
                continue
            if kind == "comment":
                continue
            if kind == "command_name":
                child = child.children[0] if child.children else child
            if prev_end is not None and child.start_byte == prev_end and words:
                self.r.not_understood("adjacent words the grammar split")
            prev_end = child.end_byte
            if kind not in _WORD_NODES and child.type not in _WORD_NODES:
                self.r.not_understood(_explain(child.type))
                self.node(child, src, depth=depth, top=False, structural=False)
                words.append(_text(child, src))
                literal.append(False)
                continue
            value, ok = self.word_value(child, src, depth)
            words.append(value)
            literal.append(ok)
        for redirect in redirects:
            target = self.redirect(redirect, src, depth)
            if target is not None:
                stdin_text, stdin_opaque = target
        inv = Invocation(tuple(words), tuple(assignments))
        self.add(inv, literal, depth=depth, top=top, stdin=(stdin_text, stdin_opaque))

    def redirect(self, node: Any, src: bytes, depth: int) -> tuple[str | None, bool] | None:
        """Record a write; return (text, opaque) when the redirection feeds stdin."""
        kind = node.type
        if kind == "heredoc_redirect":
            body = next((c for c in node.children if c.type == "heredoc_body"), None)
            start = next((c for c in node.children if c.type == "heredoc_start"), None)
            quoted = start is not None and any(q in _text(start, src) for q in "'\"\\")
            for extra in node.children:  # the grammar hangs what follows `<<EOF` on the line here
                if not extra.is_named or extra.type in ("heredoc_start", "heredoc_body", "heredoc_end"):
                    continue
                if extra.type in ("file_redirect", "herestring_redirect"):
                    self.redirect(extra, src, depth)
                    continue
                self.r.not_understood("commands on the line of a here-document")
                self.piped += 1  # `cat <<EOF | sh`: they read a pipe
                self.node(extra, src, depth=depth, top=False, structural=False)
                self.piped -= 1
            if body is None:
                return ("", False)
            expands = any(c.type in ("command_substitution", "expansion", "simple_expansion", "arithmetic_expansion")
                          for c in body.children)
            for c in body.children:
                self.node(c, src, depth=depth, top=False, structural=False)
            if expands and not quoted:
                self.r.not_understood("an expansion inside a here-document")
            return (_text(body, src), expands and not quoted)
        if kind == "herestring_redirect":
            operand = node.children[-1] if node.children else None
            if operand is None:
                return ("", False)
            value, ok = self.word_value(operand, src, depth)
            return (value, not ok)
        # file_redirect: `> target`, `>> target`, `&> target`, `< source`, `2>&1`
        ops = [c for c in node.children if not c.is_named]
        op = _text(ops[0], src) if ops else ""
        targets = [c for c in node.children if c.is_named and c.type != "file_descriptor"]
        if not targets:
            return None
        value, ok = self.word_value(targets[-1], src, depth)
        if not ok:
            self.r.not_understood("an expansion in a redirection")
        if ">" in op and "&" not in op.replace("&>", ">"):
            self.r.writes.append(value)
        elif op in ("&>", "&>>", ">&") and not value.isdigit() and value != "-":
            self.r.writes.append(value)
        return None

    # -- words --------------------------------------------------------------------------------

    def word_value(self, node: Any, src: bytes, depth: int) -> tuple[str, bool]:
        """(value after quote removal, True if fully known and free of code)."""
        kind = node.type
        text = _text(node, src)
        if kind in ("word", "number"):
            return _unescape_word(text), True
        if kind == "raw_string":
            return text[1:-1], True
        if kind == "ansi_c_string":
            return _ansi_c(text[2:-1]), True
        if kind == "string":
            parts: list[str] = []
            ok = True
            for child in node.children:
                if child.type == "string_content":
                    parts.append(_unescape_dquoted(_text(child, src)))
                elif child.type == '"':
                    continue
                elif child.is_named:
                    value, good = self.word_value(child, src, depth)
                    parts.append(value)
                    ok = ok and good
                else:  # a stray `$` and the like
                    parts.append(_text(child, src))
            if text.startswith("$"):
                ok = False  # $"…": locale translation
            return "".join(parts), ok
        if kind == "concatenation":
            parts = []
            ok = True
            for child in node.children:
                value, good = self.word_value(child, src, depth)
                parts.append(value)
                ok = ok and good
            return "".join(parts), ok
        if kind == "simple_expansion" or (kind == "expansion" and _SIMPLE_EXPANSION.match(text)):
            return text, True  # a value, not code: known to be *some* word(s)
        if kind == "variable_assignment":
            parts = []
            ok = True
            for child in node.children:
                if child.type in ("variable_name", "=", "+="):
                    parts.append(_text(child, src))
                    continue
                value, good = self.word_value(child, src, depth)
                parts.append(value)
                ok = ok and good
            return "".join(parts), ok
        # `${x@P}`, `${x:=…}`, `$(…)`, `$((…))`, `<(…)`, brace expansion…: search inside, never trust
        if kind == "expansion" and re.search(r"@[^}]*P|^\$\{!", text):
            self.r.hides("a prompt expansion (${x@P} runs the `$(…)` in the variable's value)")
        self.r.not_understood(_explain(kind))
        self.node(node, src, depth=depth, top=False, structural=False)
        return text, False

    # -- programs -----------------------------------------------------------------------------

    def add(self, inv: Invocation, literal: list[bool], *, depth: int, top: bool,
            stdin: tuple[str | None, bool] = (None, False)) -> None:
        if not inv.words:
            if inv.assignments and top:
                self.r.not_understood("a variable assignment (it changes how later commands run)")
            return
        self.r.invocations.append(inv)
        if top:
            self.r.top.append(inv)
        name = inv.words[0]
        if not literal[0] or "$" in name:
            self.r.hides("a program named by an expansion")
            return
        if any(c in name for c in "*?[{"):
            self.r.hides("a program named by a pattern")
            return
        if any(c.isspace() for c in name):
            self.r.not_understood("a program name holding whitespace")
        program = os.path.basename(name)
        if program in _SHELL_STATE or name in _SHELL_STATE:
            why = f"`{program}` (it runs code or changes how later commands run)"
            if program in _HIDING_BUILTINS:
                self.r.hides(why)
            else:
                self.r.not_understood(why)
        self.visible_writes(program, inv.words, literal)
        self.inner(program, inv.words, literal, depth=depth, stdin=stdin)

    def inner(self, program: str, words: tuple[str, ...], literal: list[bool], *, depth: int,
              stdin: tuple[str | None, bool]) -> None:
        """Programs this one runs, as far as its arguments show."""
        args = list(words[1:])
        lit = list(literal[1:])
        if program in ("eval",):
            self.code(" ".join(args), all(lit), depth, "eval")
            return
        if program in ("source", "."):
            self.r.not_understood("`source` runs a file's code in this shell")
            return
        if program in SHELLS or program in ("python", "python3", "perl", "ruby", "node"):
            self.shell(program, args, lit, depth=depth, stdin=stdin)
            return
        if program == "find":
            self.find_exec(args, lit, depth)
            return
        if program == "git":
            return  # git's own program-running settings: workbench.tools.githard
        options = _WRAPPERS.get(program)
        if options is None:
            return
        i, skip = 0, _SKIP_OPERANDS.get(program, 0)
        env_split: str | None = None
        while i < len(args):
            a = args[i]
            if a == "--":
                i += 1
                break
            if program in ("env", "sudo", "doas") and "=" in a and not a.startswith("-"):
                i += 1
                continue
            if a.startswith("-") and len(a) > 1:
                if program == "su" and a in ("-c", "--command") and i + 1 < len(args):
                    self.code(args[i + 1], lit[i + 1], depth, "su -c")
                    return
                if program == "flock" and a in ("-c", "--command") and i + 1 < len(args):
                    self.code(args[i + 1], lit[i + 1], depth, "flock -c")
                    return
                if program == "env" and a in ("-S", "--split-string") and i + 1 < len(args):
                    env_split = args[i + 1]
                elif program == "env" and a.startswith(("-S", "--split-string=")):
                    env_split = a.split("=", 1)[1] if a.startswith("--") else a[2:]
                i += 2 if a in options else 1
                continue
            if skip:
                skip -= 1
                i += 1
                continue
            break
        rest, rest_lit = args[i:], lit[i:]
        if env_split is not None:
            self.code(env_split + (" " + " ".join(rest) if rest else ""), all(rest_lit), depth, "env -S")
            return
        if not rest:
            if program in ("sudo", "doas", "su", "runuser") and any(a in ("-s", "-i") for a in args):
                self.r.hides(f"`{program}` starting a shell")
            return
        if program in _STRING_WRAPPERS:
            self.code(" ".join(rest), all(rest_lit), depth, program)
            return
        inner = Invocation(tuple(rest))
        self.add(inner, rest_lit, depth=depth, top=False, stdin=stdin)
        if program in ("xargs",):
            self.r.not_understood("xargs adds arguments that are not in the command")

    def shell(self, program: str, args: list[str], lit: list[bool], *, depth: int,
              stdin: tuple[str | None, bool]) -> None:
        flag = {"python": "-c", "python3": "-c", "perl": "-e", "ruby": "-e", "node": "-e"}.get(program, "-c")
        is_shell = program in SHELLS
        for i, a in enumerate(args):
            if a.startswith("-") and not a.startswith("--") and flag[1] in a[1:] and i + 1 < len(args):
                if is_shell:
                    self.code(args[i + 1], lit[i + 1], depth, f"{program} -c")
                return  # interpreters' code: theirs to run (an allow rule for them allows it)
            if not a.startswith("-"):
                return  # a script file: runs what the file says
        if not is_shell:
            return
        text, opaque = stdin
        if opaque or text is None:
            self.r.hides(f"`{program}` reading its script from standard input")
        else:
            self.r.not_understood(f"a here-document feeding `{program}`")
            self.script(text, depth=depth + 1, top=False)

    def find_exec(self, args: list[str], lit: list[bool], depth: int) -> None:
        i = 0
        while i < len(args):
            if args[i] in ("-exec", "-execdir", "-ok", "-okdir"):
                j = i + 1
                while j < len(args) and args[j] not in (";", "+"):
                    j += 1
                if j > i + 1:
                    self.add(Invocation(tuple(args[i + 1:j])), lit[i + 1:j], depth=depth, top=False)
                    self.r.not_understood("find -exec runs a command on each file")
                i = j
            elif args[i] in ("-delete", "-fprint", "-fprintf", "-fls"):
                self.r.not_understood(f"find {args[i]} changes files")
            i += 1

    def code(self, text: str, known: bool, depth: int, what: str) -> None:
        """Shell code given as data (`bash -c`, `eval`): parsed in turn when literal."""
        if not known:
            self.r.hides(f"`{what}` with code built from an expansion")
            return
        self.r.not_understood(f"`{what}` runs code given as text")
        self.script(text, depth=depth + 1, top=False)

    # -- writes -------------------------------------------------------------------------------

    def visible_writes(self, program: str, words: tuple[str, ...], literal: list[bool]) -> None:
        args = [w for w in words[1:]]
        operands = [a for a in args if not a.startswith("-")]
        if program == "tee":
            self.r.writes.extend(operands)
        elif program in ("cp", "mv", "install", "ln", "rsync", "scp"):
            target = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-t", "--target-directory")), None)
            if target is not None:
                self.r.writes.append(target)
            elif operands:
                self.r.writes.append(operands[-1])
            if program == "mv":
                self.r.writes.extend(operands[:-1])
        elif program in ("sed", "perl") and any(a.startswith("-i") or a == "--in-place" or
                                                (program == "perl" and a.startswith("-") and "i" in a[1:])
                                                for a in args):
            self.r.writes.extend(operands[1:] if program == "sed" or not any(a == "-e" for a in args) else operands)
        elif program == "dd":
            self.r.writes.extend(a[3:] for a in args if a.startswith("of="))
        elif program in ("touch", "mkdir", "rm", "rmdir", "chmod", "chown", "truncate", "unlink", "shred"):
            self.r.writes.extend(operands[1:] if program in ("chmod", "chown") else operands)


def _text(node: Any, src: bytes) -> str:
    return src[node.start_byte:node.end_byte].decode("utf-8", "surrogatepass")


def _stdin_is_pipe(node: Any) -> bool:
    """True if this command reads a pipe (it is not the first command of a pipeline)."""
    child, parent = node, node.parent
    while parent is not None and parent.type == "redirected_statement":
        child, parent = parent, parent.parent
    if parent is None or parent.type != "pipeline":
        return False
    commands = [c for c in parent.children if c.is_named]
    return bool(commands) and commands[0] != child


_EXPLAIN = {
    "command_substitution": "command or process substitution",
    "process_substitution": "command or process substitution",
    "expansion": "a parameter expansion beyond ${name} (it can run code: ${x@P}, ${x:=$(…)})",
    "arithmetic_expansion": "arithmetic expansion (array subscripts in it can run code)",
    "brace_expression": "brace expansion",
    "translated_string": "a $\"…\" string",
    "function_definition": "a function definition",
    "variable_assignment": "a variable assignment (it changes how later commands run)",
    "declaration_command": "declare/export/local (they change how later commands run)",
    "unset_command": "unset",
    "test_command": "[[ … ]] (its arithmetic can run code)",
}


def _explain(kind: str) -> str:
    return _EXPLAIN.get(kind, f"shell syntax the rules do not cover ({kind.replace('_', ' ')})")
