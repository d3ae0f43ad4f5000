"""Check a parsed export against the published JSON Schema (resources/schemas/export.schema.json).

The schema file is the one source of truth: this module interprets the part of JSON Schema it
uses (listed in :data:`KEYWORDS`; a test keeps the file within it) and ptassist's own
``x-ptassist-text`` keyword (the text rules of :mod:`ptassist.core.text_rules`). Problems are
reported with the path of the value (``patients[3].date_of_birth``) and never with the value.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from datetime import date, datetime
from functools import cache
from typing import Any

from ptassist.core.resources import resource_path
from ptassist.core.text_rules import text_problem

SCHEMA_FILE = ("schemas", "export.schema.json")
MAX_DEPTH = 32
KEYWORDS = frozenset({
    "$schema", "$id", "title", "description", "type", "const", "enum", "properties", "required",
    "additionalProperties", "items", "minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength",
    "pattern", "format", "contentEncoding", "x-ptassist-text",
})
_SAFE_KEY = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


class SchemaViolationError(ValueError):
    """A value that does not follow the schema: ``where`` is its path, ``problem`` what is wrong."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


@cache
def export_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(resource_path(*SCHEMA_FILE).read_text(encoding="utf-8"))
    return loaded


def key_name(key: str) -> str:
    """A key from the file as it may appear in a message: only a plain identifier is shown."""
    return key if _SAFE_KEY.match(key) else "(a key)"


def structure_problem(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Nesting deeper than ``limit`` or a string (key or value) that is not valid text, anywhere in
    ``value``; checked without recursion, so no input can exhaust the stack."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return f"nests objects or lists more than {limit} levels deep"
        if isinstance(node, dict):
            for key, child in node.items():
                if _invalid_text(key):
                    return "has a key that is not valid text"
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, str) and _invalid_text(node):
            return "contains bytes that are not valid text (not UTF-8)"
        elif isinstance(node, float) and not math.isfinite(node):
            return "contains a number that is not finite"
    return None


def _invalid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if kind == "string":
        return isinstance(value, str)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    raise AssertionError(f"unsupported type {kind}")


_TYPE_WORDS = {"null": "null", "boolean": "true or false", "integer": "a whole number", "number": "a number",
               "string": "text", "object": "an object", "array": "a list"}


def _format_problem(value: str, fmt: str) -> str | None:
    try:
        if fmt == "date":
            date.fromisoformat(value)
        elif fmt == "date-time":
            datetime.fromisoformat(value)
    except ValueError:
        return "is not a real date (YYYY-MM-DD)" if fmt == "date" else "is not a real date and time (ISO 8601)"
    return None


def _string_problem(value: str, schema: dict[str, Any]) -> str | None:
    if "minLength" in schema and len(value) < schema["minLength"]:
        return "must not be empty" if schema["minLength"] == 1 else f"needs at least {schema['minLength']} characters"
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return f"is {len(value)} characters long; at most {schema['maxLength']} are allowed"
    problem = text_problem(value, multiline=schema.get("x-ptassist-text") != "line")
    if problem:
        return problem
    if "format" in schema:
        problem = _format_problem(value, schema["format"])
        if problem:
            return problem
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return "is not in the expected form"
    if schema.get("contentEncoding") == "base64":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return "is not valid base64"
    return None


def check(value: Any, schema: dict[str, Any], where: str = "") -> None:
    """Raise :class:`SchemaViolationError` for the first part of ``value`` that the schema does not allow."""
    if "const" in schema and (value != schema["const"] or type(value) is not type(schema["const"])):
        raise SchemaViolationError(where, f"must be {json.dumps(schema['const'])}")
    if "enum" in schema and not any(value == option and type(value) is type(option) for option in schema["enum"]):
        words = ", ".join("null" if o is None else str(o) for o in schema["enum"])
        raise SchemaViolationError(where, f"must be one of {words}")
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, kind) for kind in kinds):
            raise SchemaViolationError(where, "must be " + " or ".join(_TYPE_WORDS[k] for k in kinds))
    if isinstance(value, str):
        problem = _string_problem(value, schema)
        if problem:
            raise SchemaViolationError(where, problem)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaViolationError(where, f"must be at least {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaViolationError(where, f"must be at most {schema['maximum']}")
    elif isinstance(value, dict):
        _check_object(value, schema, where)
    elif isinstance(value, list):
        _check_array(value, schema, where)


def _check_object(value: dict[str, Any], schema: dict[str, Any], where: str) -> None:
    properties: dict[str, Any] = schema.get("properties", {})
    prefix = f"{where}." if where else ""
    for name in schema.get("required", []):
        if name not in value:
            raise SchemaViolationError(f"{prefix}{name}", "is missing")
    if schema.get("additionalProperties") is False:
        for name in value:
            if name not in properties:
                raise SchemaViolationError(f"{prefix}{key_name(name)}", "is not a key of ptassist-export/1")
    for name, sub in properties.items():
        if name in value:
            check(value[name], sub, f"{prefix}{name}")


def _check_array(value: list[Any], schema: dict[str, Any], where: str) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        raise SchemaViolationError(where, f"needs at least {schema['minItems']} entry")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise SchemaViolationError(where, f"has {len(value)} entries; at most {schema['maxItems']} are allowed")
    items = schema.get("items")
    if items is not None:
        for index, item in enumerate(value):
            check(item, items, f"{where}[{index}]")


def used_keywords(schema: Any) -> set[str]:
    """Every keyword the schema uses (for the test that keeps it within :data:`KEYWORDS`)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, sub in schema.items():
            found.add(key)
            if key == "properties":
                for prop in sub.values():
                    found |= used_keywords(prop)
            elif key == "items":
                found |= used_keywords(sub)
    return found
