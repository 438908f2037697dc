"""A small validator for the JSON-schema subset the tool parameters use.

Supported: type (one or a list), properties, required, additionalProperties (bool or schema),
enum, minimum, maximum, minLength, items. Messages name the argument and say what is expected,
so a model can correct its call: "missing required argument 'oldText'".
"""

from __future__ import annotations

import json
from typing import Any

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "an object",
    "array": "an array",
    "null": "null",
}


def _is_type(value: Any, t: str) -> bool:
    if t == "string":
        return isinstance(value, str)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool) or (
            isinstance(value, float) and value.is_integer())
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "null":
        return value is None
    return True  # an unknown type name constrains nothing


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def validate(schema: dict[str, Any], value: Any, where: str = "") -> list[str]:
    """Every problem with `value` against `schema`; [] when it is valid.

    `where` is the dotted name of the value (e.g. "offset", "opt.n", "tags[1]"); empty means
    the whole argument object.
    """
    errors: list[str] = []
    label = f"argument '{where}'" if where else "arguments"

    types = schema.get("type")
    if types is not None:
        wanted = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, t) for t in wanted):
            expected = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
            errors.append(f"{label} must be {expected}, got {_json_type(value)} {_show(value)}")
            return errors  # further checks would only repeat the type error

    if "enum" in schema and value not in schema["enum"]:
        options = ", ".join(_show(v) for v in schema["enum"])
        errors.append(f"{label} must be one of {options}, got {_show(value)}")

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{label} must be at least {schema['minimum']}, got {_show(value)}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{label} must be at most {schema['maximum']}, got {_show(value)}")

    if isinstance(value, str) and "minLength" in schema and len(value) < schema["minLength"]:
        if schema["minLength"] == 1:
            errors.append(f"{label} must not be empty")
        else:
            errors.append(f"{label} must be at least {schema['minLength']} characters long")

    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            errors.extend(validate(schema["items"], item, f"{where}[{i}]"))

    if isinstance(value, dict):
        props: dict[str, Any] = schema.get("properties", {})
        prefix = f"{where}." if where else ""
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"missing required argument '{prefix}{key}'")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            name = f"{prefix}{key}"
            if key in props:
                errors.extend(validate(props[key], item, name))
            elif extra is False:
                allowed = ", ".join(props) or "none"
                errors.append(f"unknown argument '{prefix}{key}' (allowed: {allowed})")
            elif isinstance(extra, dict):
                errors.extend(validate(extra, item, name))
    return errors
