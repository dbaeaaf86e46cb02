"""Checking a request body against its route's JSON Schema, so the schema the OpenAPI document
shows is the one the API enforces.

Only the keywords :mod:`.schemas` uses are checked: ``type`` (one name or a list), ``enum``,
``required``, ``properties``, ``additionalProperties: false``, ``minLength``/``maxLength``,
``minimum``/``maximum``, ``pattern`` and ``items``; no string may hold a NUL character (no
database stores one). The first problem found is reported with
the field it is in (``queues.support``, ``domains[1]``).
"""

from __future__ import annotations

import re
from typing import Any

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _is(value: Any, kind: str) -> bool:
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


def problem(value: Any, schema: dict[str, Any], where: str = "") -> tuple[str, str] | None:
    """``(field, message)`` of the first way ``value`` breaks ``schema``, or None when it fits."""
    kinds = schema.get("type")
    if kinds is not None:
        names = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_is(value, k) for k in names):
            return where, f"must be {' or '.join(names)}"
    if "enum" in schema and value not in schema["enum"]:
        return where, "must be one of " + ", ".join(str(v) for v in schema["enum"])
    if isinstance(value, str):
        if "\x00" in value:
            return where, "must not contain NUL characters"
        if len(value) < schema.get("minLength", 0):
            return where, "must not be empty" if schema["minLength"] == 1 else f"needs {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return where, f"is longer than {schema['maxLength']} characters"
        if "pattern" in schema and re.search(schema["pattern"], value) is None:
            return where, f"does not match {schema['pattern']}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return where, f"must be at least {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return where, f"must be at most {schema['maximum']}"
    if isinstance(value, dict):
        return _object(value, schema, where)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found = problem(item, schema["items"], f"{where}[{i}]")
            if found:
                return found
    return None


def _object(value: dict[str, Any], schema: dict[str, Any], where: str) -> tuple[str, str] | None:
    prefix = f"{where}." if where else ""
    for name in schema.get("required", ()):
        if name not in value:
            return prefix + name, "is required"
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for name, item in value.items():
        if name in properties:
            found = problem(item, properties[name], prefix + name)
        elif extra is False:
            found = (prefix + name, "is not a known field")
        elif isinstance(extra, dict):
            found = problem(item, extra, prefix + name)
        else:
            found = None
        if found:
            return found
    return None
