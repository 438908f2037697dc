"""Structured output: the final answer of a run must be JSON valid against a JSON Schema.

The schema travels with the prompt (an instruction appended to the user message, so the session
file shows what the model was asked). When the run would end, the answer is parsed and validated
with `jsonschema`; if it fails and retries are left, the validation error goes back to the model as
a follow-up message and the run goes on. The result carries `structured_output` (the parsed value)
or `extraction_error` (why the last answer did not fit), the seed's WireRunResult fields.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from workbench.errors import InvalidParams

DEFAULT_RETRIES = 2
_FENCE = re.compile(r"^\s*```[a-zA-Z0-9_-]*\s*\n(.*?)\n\s*```\s*$", re.DOTALL)


def check_schema(schema: Any) -> dict[str, Any]:
    """The schema itself must be a valid JSON Schema object (INVALID_PARAMS otherwise)."""
    import jsonschema

    if not isinstance(schema, dict):
        raise InvalidParams(f"output schema must be a JSON object, got {type(schema).__name__}")
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise InvalidParams(f"output schema is not a valid JSON Schema at {where}: {exc.message}") from None
    return schema


def load_schema_file(path: str) -> dict[str, Any]:
    from pathlib import Path

    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidParams(f"cannot read output schema {p}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidParams(f"output schema {p}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    try:
        return check_schema(data)
    except InvalidParams as exc:
        raise InvalidParams(f"{p}: {exc.message}") from None


def instruction(schema: dict[str, Any]) -> str:
    return ("\n\nAnswer with a single JSON value that is valid against this JSON Schema, and nothing "
            "else (no prose, no code fence):\n" + json.dumps(schema, ensure_ascii=False))


@dataclass(frozen=True)
class Verdict:
    value: Any = None
    error: str | None = None  # None: the answer fits

    @property
    def ok(self) -> bool:
        return self.error is None


def extract(text: str, schema: dict[str, Any]) -> Verdict:
    """Parse the answer (a bare JSON value, or one inside a single code fence) and validate it."""
    import jsonschema

    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    if not body:
        return Verdict(error="the answer was empty, not JSON")
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        return Verdict(error=f"the answer is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})")
    errors = sorted(jsonschema.validators.validator_for(schema)(schema).iter_errors(value),
                    key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        return Verdict(error=f"the JSON does not match the schema at {where}: {first.message}{more}")
    return Verdict(value=value)


def feedback(error: str) -> str:
    return (f"Your answer could not be used: {error}. Reply again with only a JSON value valid "
            "against the schema given above.")


@dataclass
class StructuredRun:
    """Per-run state the agent loop keeps while it asks for structured output."""

    schema: dict[str, Any]
    retries: int = DEFAULT_RETRIES
    attempts: int = 0
    value: Any = None
    error: str | None = None

    def judge(self, text: str) -> str | None:
        """Check the final answer; returns the follow-up to send when another attempt is due."""
        verdict = extract(text, self.schema)
        self.attempts += 1
        if verdict.ok:
            self.value, self.error = verdict.value, None
            return None
        self.value, self.error = None, verdict.error
        if self.attempts <= self.retries:
            return feedback(verdict.error or "")
        return None
