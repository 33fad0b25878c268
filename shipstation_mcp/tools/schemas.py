"""Lean schemas for tools/list: what a client needs to call a tool and read its answer, without pydantic's noise.

The input schema keeps every type, bound and description the assistant chooses arguments by, less the titles
pydantic derives from field names, `default: null`, and `anyOf [X, null]` (an argument left out is the same as
null). The output schema outlines the answer: every top-level field with its type, nested parts as objects or
arrays of objects. The answer models in `answers/` stay the full, documented contract; the server still
validates every structured result against them, and the text says the same facts.
"""

from __future__ import annotations

from typing import Any

__all__ = ["lean_input_schema", "outline_output_schema"]

NULL = {"type": "null"}


def _lean(node: Any, *, descriptions: bool) -> Any:
    if isinstance(node, list):
        return [_lean(item, descriptions=descriptions) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "title" or (key == "default" and value is None) or (key == "description" and not descriptions):
            continue
        if key in ("properties", "$defs"):  # their keys are names, not keywords
            out[key] = {name: _lean(schema, descriptions=descriptions) for name, schema in value.items()}
        else:
            out[key] = _lean(value, descriptions=descriptions)
    alternatives = out.get("anyOf")
    if isinstance(alternatives, list) and len(alternatives) == 2 and NULL in alternatives:
        other = alternatives[0] if alternatives[1] == NULL else alternatives[1]
        del out["anyOf"]
        out = {**other, **out}
    return out


def lean_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Also self-contained and closed, as OpenAI's strict function schemas (and the agent frameworks that make them)
    require: each `$ref` replaced by what it names, and every object with declared properties marked
    `additionalProperties: false` (the tools take no argument they do not declare)."""
    lean = _lean(schema, descriptions=True)
    defs = lean.pop("$defs", {})
    return _closed(_inlined(lean, defs))


def _inlined(node: Any, defs: dict[str, Any], depth: int = 0) -> Any:
    if isinstance(node, list):
        return [_inlined(item, defs, depth) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and depth < 8:
        rest = {key: value for key, value in node.items() if key != "$ref"}
        return {**_inlined(defs[ref.removeprefix("#/$defs/")], defs, depth + 1), **_inlined(rest, defs, depth)}
    return {key: _inlined(value, defs, depth) for key, value in node.items()}


def _closed(node: Any) -> Any:
    if isinstance(node, list):
        return [_closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _closed(value) for key, value in node.items()}
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    return out


def _outline(node: Any) -> Any:
    if isinstance(node, list):
        return [_outline(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"type": "object"}
    return {key: _outline(value) for key, value in node.items() if key != "$defs"}


def outline_output_schema(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    if schema is None:
        return None
    return _outline(_lean(schema, descriptions=False))
