"""Approval rules and modes: may this tool call run, must the user be asked, or is it refused?

Rules look like `bash(git status*)`, `edit(src/**)`, `read(**/.env)` or a bare tool name (`bash`:
any call). Precedence: deny beats ask beats allow; when no rule matches, the mode decides:

- `ask`   (default) read-only tools run, everything else asks;
- `edits` file changes inside the workspace run too, commands ask;
- `plan`  read-only: side-effecting tools are refused (even if a rule allows them) with an
          explanation the model receives;
- `yolo`  everything runs (deny and ask rules still apply).

A call touching a path outside the workspace that the user has not approved asks (except in
yolo, or when an allow rule names it); the `Decision` lists those paths so the runtime can add
them to `ToolContext.approved_paths` when it lets the call run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal

from workbench.tools.base import Effect, Tool, ToolContext
from workbench.tools.githard import git_hazard
from workbench.tools.protected import protected_write
from workbench.tools.shell import analyze
from workbench.tools.globs import escape, glob_match, is_literal, unescape
from workbench.tools.paths import is_inside, outside_paths, resolve_raw, safe_resolve, workspace_root

Action = Literal["allow", "ask", "deny"]
RuleKind = Literal["allow", "ask", "deny"]
MODES = ("ask", "edits", "plan", "yolo")

# Rule families: `edit(...)` also covers write; `read(...)` covers every read-only tool.
_FAMILY = {"edit": Effect.WRITE, "read": Effect.READ}
# A tool name may be a glob (`mcp__github__*`, `mcp__*__search*`): MCP tools come and go by name.
_RULE = re.compile(r"^\s*([A-Za-z_*?][\w.*?-]*)\s*(?:\((.*)\))?\s*$", re.DOTALL)


class RuleError(ValueError):
    """A rule that cannot be parsed; the message says what is wrong and how to write it."""


@dataclass(frozen=True)
class Rule:
    tool: str
    pattern: str | None = None
    source: str = ""  # where it came from: "user config", "project config", "--allow", "session"

    @classmethod
    def parse(cls, text: str, source: str = "") -> "Rule":
        if not isinstance(text, str):
            raise RuleError(f"rule must be a string like 'bash(git status*)', got {text!r}")
        m = _RULE.match(text)
        if not m:
            raise RuleError(f"invalid rule {text!r}: write a tool name, optionally with a pattern in "
                            "parentheses, e.g. 'bash(git status*)', 'edit(src/**)' or 'read'")
        tool, pattern = m.group(1).lower(), m.group(2)
        if pattern is not None:
            pattern = pattern.strip()
            if not pattern:
                raise RuleError(f"invalid rule {text!r}: the pattern in parentheses is empty; "
                                f"write '{tool}' alone to match every call")
        return cls(tool, pattern, source)

    def __str__(self) -> str:
        return self.tool if self.pattern is None else f"{self.tool}({self.pattern})"

    def describe(self) -> str:
        return f"{self} ({self.source})" if self.source else str(self)

    def applies_to(self, tool: Tool) -> bool:
        if self.tool == tool.name.lower():
            return True
        if "*" in self.tool or "?" in self.tool:
            return glob_match(self.tool, tool.name.lower(), paths=False)
        effect = _FAMILY.get(self.tool)
        # families cover the built-in file tools; an MCP tool is matched only by its own name
        return (effect is not None and tool.effect == effect and tool.name != "bash"
                and not getattr(tool, "always_ask", False))

    @property
    def literal(self) -> bool:
        return self.pattern is not None and is_literal(self.pattern)

    def matches_command(self, command: str) -> bool:
        """A bash pattern against one simple command. `prefix:*` (Claude Code's form) means the
        command is `prefix` or starts with `prefix ` ."""
        if self.pattern is None:
            return True
        if self.pattern.endswith(":*"):
            prefix = self.pattern[:-2].strip()
            return command == prefix or command.startswith(prefix + " ")
        return glob_match(self.pattern, command, paths=False)

    def matches_path(self, subject: "PathSubject") -> bool:
        if self.pattern is None:
            return True
        pattern = self.pattern
        if pattern.startswith("~"):
            pattern = str(Path(pattern).expanduser())
        if pattern.startswith("/"):
            return glob_match(pattern, subject.absolute)
        if subject.relative is not None:
            return glob_match(pattern, subject.relative)
        return pattern.startswith("**") and glob_match(pattern, subject.absolute)


@dataclass(frozen=True)
class PathSubject:
    absolute: str
    relative: str | None  # None when outside the workspace


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str               # shown to the user; for "deny", also what the model receives
    rule: str | None = None   # the rule that decided, when one did
    outside: tuple[Path, ...] = ()  # outside-workspace paths this call needs approved to run


def path_subjects(tool: Tool, args: dict[str, Any], ctx: ToolContext) -> list[PathSubject]:
    root = workspace_root(ctx)
    out = []
    for raw in tool.paths(args):
        resolved = resolve_raw(raw, ctx)
        rel = (resolved.relative_to(root).as_posix() or ".") if is_inside(resolved, root) else None
        out.append(PathSubject(resolved.as_posix(), rel))
    return out


def _coerce(rules: Iterable[Rule | str], source: str) -> list[Rule]:
    return [r if isinstance(r, Rule) else Rule.parse(r, source) for r in rules]


class PermissionPolicy:
    def __init__(self, mode: str = "ask", allow: Iterable[Rule | str] = (), ask: Iterable[Rule | str] = (),
                 deny: Iterable[Rule | str] = (), *, registry: Any = None, source: str = ""):
        self.mode = mode
        self.rules: dict[RuleKind, list[Rule]] = {
            "allow": _coerce(allow, source), "ask": _coerce(ask, source), "deny": _coerce(deny, source)}
        self._registry = registry
        self.protected: list[str] = []  # [approvals] protected: more paths whose writes always ask
        self.problems: list[str] = []  # rules from config files that could not be parsed
        # config files that could not be read at all (ConfigProblem): their rules are unknown, so
        # every call asks (reads included) and only this session's answers allow
        self.unreadable: list[Any] = []

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in MODES:
            raise ValueError(f"unknown approval mode {value!r}; use one of {', '.join(MODES)}")
        self._mode = value

    def add_rule(self, kind: RuleKind, rule: Rule | str, source: str = "") -> Rule:
        parsed = rule if isinstance(rule, Rule) else Rule.parse(rule, source)
        if all(str(r) != str(parsed) for r in self.rules[kind]):
            self.rules[kind].append(parsed)
        return parsed

    def grant(self, rule: Rule | str) -> Rule:
        """Allow for the rest of this session (the "allow for this session" answer)."""
        return self.add_rule("allow", rule if isinstance(rule, Rule) else Rule.parse(rule, "session"))

    def remove_rule(self, kind: RuleKind, text: str) -> bool:
        before = len(self.rules[kind])
        self.rules[kind] = [r for r in self.rules[kind] if str(r) != text]
        return len(self.rules[kind]) != before

    @property
    def session_grants(self) -> list[Rule]:
        return [r for r in self.rules["allow"] if r.source == "session"]

    def _tool(self, tool: Tool | str) -> Tool:
        if isinstance(tool, Tool):
            return tool
        if self._registry is None:
            from workbench.tools.registry import builtin_registry
            self._registry = builtin_registry()
        found = self._registry.get(tool)
        if found is None:
            raise KeyError(f"unknown tool {tool!r}")
        return found

    # -- matching ---------------------------------------------------------------------------

    def _matching(self, kind: RuleKind, tool: Tool, args: dict[str, Any], ctx: ToolContext) -> Rule | None:
        """deny/ask: the first rule that matches any part of the call."""
        rules = [r for r in self.rules[kind] if r.applies_to(tool)]
        if not rules:
            return None
        if tool.name == "bash":
            subjects = bash_subjects(str(args.get("command", "")))
            for rule in rules:
                if any(rule.matches_command(s) for s in subjects):
                    return rule
            return None
        paths = path_subjects(tool, args, ctx)
        for rule in rules:
            if rule.pattern is None:
                return rule
            if paths and any(rule.matches_path(p) for p in paths):
                return rule
            if not paths and rule.matches_command(tool.rule_subject(args)):
                return rule
        return None

    def _allowing(self, tool: Tool, args: dict[str, Any], ctx: ToolContext, only_session: bool = False) -> list[Rule]:
        """allow: the rules that together cover every part of the call ([] when some part is not
        covered). A bash command is allowed only when the grammar understands all of it
        (workbench.tools.shell) and every program it runs, wrappers looked through, is allowed;
        or by a rule that is exactly the whole command (what an "always" answer saves for it)."""
        rules = [r for r in self.rules["allow"] if r.applies_to(tool) and (not only_session or r.source == "session")]
        if not rules:
            return []
        for rule in rules:
            if rule.pattern is None:
                return [rule]
        if tool.name == "bash":
            command = str(args.get("command", "")).strip()
            for rule in rules:  # the exact bytes the user approved ("always" on this command)
                if rule.literal and unescape(rule.pattern or "").strip() == command:
                    return [rule]
            analysis = analyze(command)
            if not analysis.understood:
                return []
            return _cover([inv.text for inv in analysis.invocations], rules, Rule.matches_command)
        paths = path_subjects(tool, args, ctx)
        if not paths:
            return _cover([tool.rule_subject(args)], rules, Rule.matches_command)
        return _cover(paths, rules, Rule.matches_path)

    def _unseen_code(self, tool: Tool, args: dict[str, Any]) -> Decision | None:
        """A bash command holding code no one can see (`eval "$x"`, `curl … | sh`, `${x@P}`)
        cannot be shown free of what a deny rule forbids: it asks, in every mode."""
        if tool.name != "bash":
            return None
        rules = [r for r in self.rules["deny"] if r.applies_to(tool)]
        if not rules:
            return None
        hidden = analyze(str(args.get("command", "")).strip()).hidden
        if not hidden:
            return None
        names = ", ".join(str(r) for r in rules[:3]) + ("…" if len(rules) > 3 else "")
        return Decision("ask", f"the command holds code that can't be read before it runs ({hidden[0]}), so the "
                        f"deny rules ({names}) can't be checked.", None)

    # -- the decision -----------------------------------------------------------------------

    def read_denied(self, tool: Tool | str, path: Path, ctx: ToolContext) -> str | None:
        """The deny rule that hides `path` from `tool` (a listing or search would reveal its name
        or content): `read(...)` rules and the tool's own, matched on the path as named and on
        where it leads (a symlink to `.env` is `.env`). None when no rule hides it."""
        tool = self._tool(tool)
        rules = [r for r in self.rules["deny"] if r.pattern is not None and (r.tool == "read" or r.applies_to(tool))]
        if not rules:
            return None
        root = workspace_root(ctx)
        subjects = []
        for candidate in dict.fromkeys((Path(path), safe_resolve(Path(path)))):
            rel = (candidate.relative_to(root).as_posix() or ".") if is_inside(candidate, root) else None
            subjects.append(PathSubject(candidate.as_posix(), rel))
        for rule in rules:
            if any(rule.matches_path(s) for s in subjects):
                return str(rule)
        return None

    def decide(self, tool: Tool | str, args: dict[str, Any], ctx: ToolContext) -> Decision:
        tool = self._tool(tool)
        outside = tuple(outside_paths(tool, args, ctx))

        rule = self._matching("deny", tool, args, ctx)
        if rule is not None:
            return Decision("deny", f"{tool.name} was denied by the rule {rule.describe()}.", str(rule))
        unseen = self._unseen_code(tool, args)
        if unseen is not None:
            return unseen

        if self.mode == "plan" and tool.effect != Effect.READ:
            return Decision("deny", (
                f"The workbench is in plan mode: only read-only tools run, so this {tool.name} call "
                "was not executed. Read and explore, then describe the changes or commands you "
                "propose; the user can leave plan mode to let them run."), None)

        if self.mode != "yolo":
            why = protected_write(tool, args, ctx, self.protected)
            if why is not None:  # beats allow rules: the agent must not raise its own permissions
                return Decision("ask", f"protected path: {why}. Protected paths always ask, whatever the "
                                "rules say (except in yolo mode).", None, outside)

        if self.unreadable:
            covering = self._allowing(tool, args, ctx, only_session=True)
            if covering:
                return Decision("allow", f"allowed by {', '.join(r.describe() for r in covering)}.",
                                "; ".join(str(r) for r in covering), outside)
            files = ", ".join(dict.fromkeys(str(getattr(p, "path", p)) for p in self.unreadable))
            return Decision("ask", f"{files} could not be read, so the approval rules are unknown: every "
                            "tool call asks (reads included) until it is fixed.", None, outside)

        rule = self._matching("ask", tool, args, ctx)
        if rule is not None:
            return Decision("ask", f"the rule {rule.describe()} asks before {tool.name} runs.",
                            str(rule), outside)

        covering = self._allowing(tool, args, ctx)
        if covering and tool.name == "bash":
            why = git_hazard(analyze(str(args.get("command", "")).strip()).invocations, workspace_root(ctx))
            if why is not None:
                return Decision("ask", why, None, outside)
        if covering:
            names = ", ".join(r.describe() for r in covering)
            return Decision("allow", f"allowed by {names}.", "; ".join(str(r) for r in covering), outside)

        if self.mode == "yolo":
            return Decision("allow", "yolo mode: every call runs.", None, outside)
        if outside:
            listed = ", ".join(str(p) for p in outside)
            return Decision("ask", f"{tool.name} touches {listed}, outside the workspace.", None, outside)
        if getattr(tool, "always_ask", False):
            return Decision("ask", f"{tool.name} is an MCP tool: MCP tools ask before they run unless a rule "
                            f"allows them (e.g. {tool.name} or {tool.name.rsplit('__', 1)[0]}__*).", None)
        if tool.effect == Effect.READ:
            return Decision("allow", f"{tool.name} only reads.", None)
        if self.mode == "edits" and tool.effect == Effect.WRITE:
            return Decision("allow", "edits mode: file changes inside the workspace run.", None)
        if self.mode == "edits" and tool.sandboxed(ctx):
            return Decision("allow", "edits mode: the command runs sandboxed (only the workspace is writable).", None)
        what = "runs commands" if tool.effect == Effect.EXEC else "changes files"
        return Decision("ask", f"{tool.name} {what}; {self.mode} mode asks first.", None)

    # -- configuration ----------------------------------------------------------------------

    @classmethod
    def load(cls, cwd: Path, *, mode: str | None = None, allow: Iterable[str] = (), ask: Iterable[str] = (),
             deny: Iterable[str] = (), user_file: Path | None = None, project_file: Path | None = None,
             registry: Any = None, trust_project: bool = False) -> "PermissionPolicy":
        """Rules from the user config, the project `.workbench/config.toml` and CLI flags, all
        kept (lists add up, they do not replace each other). The mode: CLI, else project, else
        user, else "ask". Unparsable rules are skipped and listed in `.problems`; a file that cannot
        be read or parsed at all goes in `.unreadable` (and makes every call ask, see `decide`)."""
        from workbench import config

        files = [
            (user_file or config.user_config_file(), "user config"),
            (project_file or config.project_config_file(Path(cwd)), "project config"),
        ]
        policy = cls("ask", registry=registry)
        chosen_mode = None
        for path, source in files:
            data, problems = config.read_toml(path)
            policy.unreadable.extend(problems)  # not a bad rule: the file's rules are unknown
            if source == "project config":  # untrusted: its allow rules and a wider mode wait for trust
                data = config.trusted_project_data(Path(cwd), data, trust_override=trust_project)
            section = (data or {}).get("approvals", {})
            if not isinstance(section, dict):
                continue
            if section.get("mode") in MODES:
                chosen_mode = section["mode"]
            elif "mode" in section:
                policy.problems.append(f"{path}: approvals.mode: unknown mode {section['mode']!r}; "
                                       f"use one of {', '.join(MODES)}")
            extra = section.get("protected", [])
            if isinstance(extra, list) and all(isinstance(p, str) for p in extra):
                policy.protected.extend(p for p in extra if p not in policy.protected)
            else:
                policy.problems.append(f"{path}: approvals.protected must be a list of path patterns")
            for kind in ("allow", "ask", "deny"):
                entries = section.get(kind, [])
                if not isinstance(entries, list):
                    policy.problems.append(f"{path}: approvals.{kind} must be a list of rules")
                    continue
                for i, text in enumerate(entries):
                    try:
                        policy.add_rule(kind, Rule.parse(text, f"{source} {path}"))
                    except RuleError as exc:
                        policy.problems.append(f"{path}: approvals.{kind}[{i}]: {exc}")
        for kind, texts in (("allow", allow), ("ask", ask), ("deny", deny)):
            for text in texts:
                policy.add_rule(kind, Rule.parse(text, f"--{kind}"))  # a bad flag is the caller's error
        policy.mode = mode or chosen_mode or "ask"
        return policy


def bash_subjects(command: str) -> list[str]:
    """What deny and ask rules are matched against: every program the command could run, as
    written and with its directory dropped, and the whole command on one line."""
    analysis = analyze(command.strip())
    texts = [t for inv in analysis.invocations for t in inv.texts()]
    return list(dict.fromkeys([*texts, " ".join(command.split())]))


def _cover(subjects: list[Any], rules: list[Rule], match) -> list[Rule]:
    used: list[Rule] = []
    for subject in subjects:
        rule = next((r for r in rules if match(r, subject)), None)
        if rule is None:
            return []
        if rule not in used:
            used.append(rule)
    return used


# -- the "always" answer ------------------------------------------------------------------------

_SUBCOMMAND = re.compile(r"^[A-Za-z][\w:-]*$")


def narrowest_rule(tool: Tool | str, args: dict[str, Any], ctx: ToolContext | None = None) -> str:
    """The narrowest rule that covers this call, saved by an "always" answer.

    bash: the first word, plus the second when it is a plain subcommand word
    (`npm test -- --watch` -> `bash(npm test*)`, `ls -la` -> `bash(ls*)`); a chain, a wrapper
    (`sudo`, `env`…) or anything the grammar does not fully understand gets a rule for exactly
    that command. File tools: the exact path,
    workspace-relative inside the workspace, absolute outside (`edit(src/app.py)`,
    `read(/etc/hosts)`); write saves as `edit(...)`. Other tools: the bare tool name.
    """
    name = tool if isinstance(tool, str) else tool.name
    if name == "bash":
        command = str(args.get("command", "")).strip()
        analysis = analyze(command)
        if not analysis.understood or len(analysis.invocations) != 1 or analysis.invocations[0].assignments:
            return f"bash({escape(command)})"
        words = analysis.invocations[0].words
        head = escape(words[0])
        if len(words) > 1 and _SUBCOMMAND.match(words[1]):
            return f"bash({head} {escape(words[1])}*)"
        return f"bash({head}*)"
    raw = args.get("path")
    if name in ("read", "write", "edit", "ls", "find", "grep"):
        family = "edit" if name in ("write", "edit") else "read"
        raw = raw or "."
        if ctx is None:
            return f"{family}({escape(str(raw))})"
        resolved = resolve_raw(str(raw), ctx)
        root = workspace_root(ctx)
        shown = (resolved.relative_to(root).as_posix() or ".") if is_inside(resolved, root) else resolved.as_posix()
        return f"{family}({escape(shown)})"
    return name


def read_denier(policy: Any, tool: Tool, ctx: ToolContext) -> Any:
    """`ToolContext.read_denied` for one call: which paths the policy's deny rules hide from it."""
    check = getattr(policy, "read_denied", None)
    if check is None:
        return None
    return lambda path: check(tool, path, ctx)
