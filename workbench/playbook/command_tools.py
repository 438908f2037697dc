"""Configured command tools (`[[tools]]` in a playbook): the seed's Tool API on the command line.

A tool is a name, a description, a JSON schema for its arguments and a command. The model's
arguments are checked against the schema (the seed's `validate_parameters`), then go to the
command as JSON on stdin; its stdout is the result (JSON or text). `timeout_secs` bounds each
attempt, `retry` (the seed's RetryConfig) runs a failing command again after a growing delay, and
`allow_failure` hands a failure back as an ordinary result that says it failed. Running it is
`command_tool.CommandTool`; this module only reads and checks the configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.config import ConfigProblem
from workbench.playbook.command_run import Outcome, run_once
from workbench.playbook.items import ItemReader, as_items, item_line
from workbench.tools.base import Effect, Preview, Tool, ToolContext, ToolResult
from workbench.tools.builtin.bash import SANDBOX_KEY, sandbox_label_for
from workbench.tools.env import scrubbed_env
from workbench.tools.githard import hardened_env
from workbench.tools.limits import MAX_OUTPUT_BYTES, human_size
from workbench.tools.paths import workspace_root

TABLE = "tools"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what the Anthropic and OpenAI tool APIs accept
BUILTIN_NAMES = ("read", "write", "edit", "ls", "find", "grep", "bash")
DEFAULT_TIMEOUT_S = 30.0  # the seed's AgentConfig.tool_timeout_secs
MAX_ATTEMPTS = 10
KEYS = ("name", "description", "parameters", "command", "timeout_secs", "allow_failure", "retry")
RETRY_KEYS = ("max_attempts", "delay_ms", "backoff_multiplier")


@dataclass(frozen=True)
class RetryConfig:
    """The seed's RetryConfig. `max_attempts` counts every run, the first included (1: no retry);
    the delay before attempt n+1 is delay_ms × backoff_multiplier^(n-1)."""

    max_attempts: int = 1
    delay_ms: int = 1000
    backoff_multiplier: float = 2.0

    def delay_before(self, attempt: int) -> int:
        """Milliseconds to wait before `attempt` (2, 3, ...)."""
        return int(round(self.delay_ms * self.backoff_multiplier ** max(0, attempt - 2)))


@dataclass(frozen=True)
class CommandToolSpec:
    name: str
    description: str
    command: str | tuple[str, ...]  # a string runs under `bash -c`; a list is the argv itself
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}},
                                       compare=False, hash=False)
    timeout_secs: float = DEFAULT_TIMEOUT_S
    allow_failure: bool = False
    retry: RetryConfig = RetryConfig()
    source: Path | None = None
    line: int | None = None

    @property
    def command_text(self) -> str:
        """The command as the approval prompt and the trust dialog show it."""
        if isinstance(self.command, str):
            return self.command
        import shlex

        return shlex.join(self.command)


def check_schema(schema: Any) -> str | None:
    """Why `schema` cannot describe a tool's arguments (None: it can)."""
    import jsonschema

    if not isinstance(schema, dict):
        return "must be a table (a JSON schema object)"
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        return f"not a valid JSON schema: {exc.message}" + (f" (at {where})" if where else "")
    if schema.get("type", "object") != "object":
        return f"the arguments must be an object: set type = \"object\" (got {schema.get('type')!r})"
    return None


def parse_tools(items: Any, path: Path, text: str) -> tuple[list[CommandToolSpec], list[ConfigProblem]]:
    """The `[[tools]]` of one playbook file. A broken item is dropped alone, with a problem naming
    file, line and key; the others load."""
    problems: list[ConfigProblem] = []
    specs: list[CommandToolSpec] = []
    seen: set[str] = set()
    for index, item in as_items(items, TABLE, path, text, problems):
        r = ItemReader(TABLE, index, path, text, problems)
        r.unknown_keys(item, KEYS)
        name = r.name(item, NAME_RE, "use letters, digits, '_' and '-' (at most 64)", "tool", seen, BUILTIN_NAMES)
        description = r.string(item, "description", required=True)
        command = _command(r, item.get("command"))
        parameters = item.get("parameters", {"type": "object", "properties": {}})
        why = check_schema(parameters)
        if why:
            r.problem("parameters", why)
        timeout = r.number(item, "timeout_secs", DEFAULT_TIMEOUT_S, minimum=0.001)
        allow_failure = r.boolean(item, "allow_failure")
        retry = _retry(r, item.get("retry"))
        if r.failed or command is None:
            continue
        seen.add(name)
        specs.append(CommandToolSpec(name=name, description=description.strip(), command=command,
                                     parameters=parameters, timeout_secs=float(timeout or DEFAULT_TIMEOUT_S),
                                     allow_failure=allow_failure, retry=retry, source=path,
                                     line=item_line(text, TABLE, index)))
    return specs, problems


def _command(r: ItemReader, value: Any) -> str | tuple[str, ...] | None:
    if value is None:
        r.problem(None, "'command' is required (a shell command, or a list: the program and its arguments)")
        return None
    if isinstance(value, str):
        if not value.strip():
            r.problem("command", "must not be empty")
            return None
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value) and value[0].strip():
        return tuple(value)
    r.problem("command", "must be a string (run by bash -c) or a non-empty list of strings (program and arguments)")
    return None


def _retry(r: ItemReader, value: Any) -> RetryConfig:
    if value is None:
        return RetryConfig()
    if not isinstance(value, dict):
        r.problem("retry", "must be a table: retry = { max_attempts = 3, delay_ms = 500, backoff_multiplier = 2.0 }")
        return RetryConfig()
    for key in value:
        if key not in RETRY_KEYS:
            r.problem(f"retry.{key}", f"unknown key (known: {', '.join(RETRY_KEYS)}); ignored", fatal=False)
    attempts = r.number(value, "max_attempts", 1, minimum=1, integer=True, where="retry.max_attempts")
    if attempts is not None and attempts > MAX_ATTEMPTS:
        r.problem("retry.max_attempts", f"at most {MAX_ATTEMPTS}, got {attempts}")
    delay = r.number(value, "delay_ms", 1000, minimum=0, integer=True, where="retry.delay_ms")
    backoff = r.number(value, "backoff_multiplier", 2.0, minimum=1.0, where="retry.backoff_multiplier")
    return RetryConfig(max_attempts=int(attempts or 1), delay_ms=int(delay if delay is not None else 1000),
                       backoff_multiplier=float(backoff or 2.0))


# --- running ---------------------------------------------------------------------------------

def validate_parameters(schema: dict[str, Any], args: Any) -> list[str]:
    """The seed's validate_parameters: every way `args` breaks `schema`, each naming the field
    (`argument 'city'`, `argument 'items[2].qty'`), [] when the call may run."""
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    out: list[str] = []
    for error in sorted(validator.iter_errors(args), key=lambda e: list(map(str, e.absolute_path))):
        field_name = _field(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [k for k in error.validator_value if k not in error.instance]
            prefix = f"{field_name}." if field_name else ""
            out.extend(f"missing required argument '{prefix}{k}'" for k in missing)
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = sorted((error.schema.get("properties") or {}))
            prefix = f"{field_name}." if field_name else ""
            extra = [k for k in error.instance if k not in allowed]
            out.extend(f"unknown argument '{prefix}{k}' (allowed: {', '.join(allowed) or 'none'})" for k in extra)
            continue
        where = f"argument '{field_name}'" if field_name else "arguments"
        out.append(f"{where}: {error.message}")
    return out


def _field(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class CommandTool(Tool):
    """A `[[tools]]` entry as a tool the model can call. It runs a command, so it is an EXEC tool:
    ask mode asks before every call (the approval shows the command and the JSON it will read),
    and a configured sandbox confines it like bash."""

    effect = Effect.EXEC
    timeout_s = None  # each attempt is bounded by the spec's timeout_secs; retries run in between

    def __init__(self, spec: CommandToolSpec) -> None:
        self.spec = spec
        self.name = spec.name
        self.description = spec.description
        self.parameters = spec.parameters

    def validate_arguments(self, args: Any) -> list[str]:
        return validate_parameters(self.parameters, args)

    def paths(self, args: dict[str, Any]) -> list[str]:
        return []  # its arguments mean what the command makes of them, not workspace paths

    def rule_subject(self, args: dict[str, Any]) -> str:
        """Approval rules match the arguments as compact JSON: `weather({"city":"Paris"})`."""
        return json.dumps(args, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def summary(self, args: dict[str, Any]) -> str:
        text = self.rule_subject(args)
        return text if len(text) <= 80 else text[:79] + "…"

    def sandbox_label(self, ctx: ToolContext) -> str | None:
        return sandbox_label_for(ctx)

    def preview(self, args: dict[str, Any], ctx: ToolContext) -> Preview | None:
        stdin = json.dumps(args, ensure_ascii=False, indent=2)
        return Preview(kind="command", text=f"{self.spec.command_text}\n# stdin:\n{stdin}",
                       cwd=str(workspace_root(ctx)), sandbox=self.sandbox_label(ctx))

    async def run(self, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
        errors = self.validate_arguments(args)
        if errors:  # the registry checks first; this guards direct callers
            return ToolResult(f"{self.name}: invalid arguments: " + "; ".join(errors), is_error=True)
        cwd = workspace_root(ctx)
        if not cwd.is_dir():
            return ToolResult(f"{self.name}: the workspace {cwd} is not a directory.", is_error=True)
        sandbox = ctx.extra.get(SANDBOX_KEY)
        keep = getattr(getattr(sandbox, "policy", None), "pass_env", ())
        env = {**scrubbed_env(pass_env=keep), "WORKBENCH_TOOL": self.name}
        if ctx.unattended:
            env = hardened_env(env)
        argv = ["bash", "-c", self.spec.command] if isinstance(self.spec.command, str) else list(self.spec.command)
        label = None
        if sandbox is not None:
            prepared = sandbox.prepare(argv, env)
            if prepared.refusal is not None:
                return ToolResult(f"{self.name}: {prepared.refusal}", is_error=True)
            argv, env, label = prepared.argv, prepared.env, prepared.label or None
        stdin = json.dumps(args, ensure_ascii=False).encode("utf-8")
        retry = self.spec.retry
        attempt = 1
        while True:
            outcome = await run_once(argv, stdin=stdin, cwd=cwd, env=env, timeout_s=self.spec.timeout_secs)
            if outcome.ok or attempt >= retry.max_attempts:
                break
            delay = retry.delay_before(attempt + 1)
            if ctx.retrying is not None:
                ctx.retrying(attempt + 1, retry.max_attempts, delay, outcome.failure(self.spec.timeout_secs))
            await asyncio.sleep(delay / 1000)
            attempt += 1
        return self._result(outcome, attempt, label)

    def _result(self, outcome: Outcome, attempts: int, label: str | None) -> ToolResult:
        details: dict[str, Any] = {"exitCode": outcome.exit_code, "attempts": attempts,
                                   "durationMs": outcome.duration_ms}
        if label:
            details["sandbox"] = label
        body = outcome.stdout.rstrip("\n")
        if outcome.stdout_cut:
            details["truncated"] = True
            body += (f"\n[Output truncated: the first {MAX_OUTPUT_BYTES // 1024} KB are shown; "
                     f"{human_size(outcome.stdout_cut)} more were left out.]")
        if outcome.ok:
            with contextlib.suppress(ValueError):
                json.loads(outcome.stdout)
                details["json"] = True
            return ToolResult(body if body.strip() else "(no output)", details=details)
        why = outcome.failure(self.spec.timeout_secs)
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        parts = [f"The command {why}{tries}."]
        if body.strip():
            parts.append(f"stdout:\n{body}")
        if outcome.stderr.strip():
            parts.append(f"stderr:\n{outcome.stderr.rstrip()}")
        details["failed"] = True
        if self.spec.allow_failure:  # an expected outcome the model reads and acts on
            details["allowedFailure"] = True
            return ToolResult("\n\n".join(parts), details=details)
        if outcome.timed_out:
            details.update(timedOut=True, timeoutMs=int(self.spec.timeout_secs * 1000))
        return ToolResult(f"{self.name}: " + "\n\n".join(parts), is_error=True, details=details)

