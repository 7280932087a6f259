"""The published JSON Schema, and its errors turned into located, readable diagnostics."""

from __future__ import annotations

import functools
import json
from pathlib import Path as FsPath
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from .diagnostics import Diagnostic, Path, did_you_mean, one_of
from .overlay import EnvSource

SCHEMA_DIR = FsPath(__file__).resolve().parent.parent / "schemas"

_TYPE_NAMES = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping", "array": "a list", "null": "null"}


@functools.lru_cache(maxsize=None)
def schema_text(name: str = "mlops.schema.json") -> str:
    return (SCHEMA_DIR / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def validator(name: str = "mlops.schema.json") -> Draft202012Validator:
    schema = json.loads(schema_text(name))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(data: Any, at: EnvSource) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for error in validator().iter_errors(data):
        out.extend(_translate(error, at))
    return out


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    return repr(value)


def _field(path: Path) -> str:
    names = [p for p in path if isinstance(p, str)]
    return names[-1] if names else "the document"


def _translate(error: ValidationError, at: EnvSource) -> Iterator[Diagnostic]:
    path: Path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "propertyNames" in error.absolute_schema_path:
        # jsonschema reports a bad key at its object; point at the key itself.
        title = schema.get("title", "name")
        yield at.error((*path, value), f"'{value}' is not a valid {title}", key=True)
        return
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for extra in sorted(set(value) - set(allowed)):
            hint = did_you_mean(extra, allowed)
            if not hint and allowed:
                hint = f" (expected {one_of(allowed)})"
            yield at.error((*path, extra), f"unknown field '{extra}'{hint}", key=True)
    elif kind == "required":
        missing = [name for name in error.validator_value if name not in value]
        for name in missing:
            yield at.error(path, f"missing required field '{name}'{_condition(error)}", key=True)
    elif kind == "enum":
        choices = [str(c) for c in error.validator_value]
        if isinstance(value, str):
            hint = did_you_mean(value, choices) or f": expected {one_of(choices)}"
            yield at.error(path, f"unknown {_field(path)} '{value}'{hint}")
        else:
            yield at.error(path, f"{_field(path)} must be {one_of(choices)}, got {describe(value)}")
    elif kind == "const":
        yield at.error(path, f"{_field(path)} must be '{error.validator_value}', got {describe(value)}")
    elif kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = one_of([_TYPE_NAMES.get(t, t) for t in expected])
        if not path:
            yield at.error(path, f"the document must be a mapping starting with 'apiVersion: mlops/v1', got {describe(value)}")
            return
        hint = ""
        if "string" in expected and isinstance(value, (int, float)) and not isinstance(value, bool):
            hint = f" (quote it: \"{value}\")"
        yield at.error(path, f"{_field(path)} must be {wanted}, got {describe(value)}{hint}")
    elif kind in ("pattern", "anyOf", "format"):
        title = schema.get("title") or _field(path)
        examples = schema.get("examples")
        if kind == "anyOf" and not schema.get("title"):
            yield from _translate(best_match(error.context or [error]), at)
            return
        shown = f" (e.g. {', '.join(map(str, examples))})" if examples else ""
        if kind == "anyOf" and not isinstance(value, (str, int, float)) or isinstance(value, bool):
            yield at.error(path, f"{_field(path)} must be a {title}{shown}, got {describe(value)}")
        else:
            yield at.error(path, f"{describe(value)} is not a valid {title}{shown}")
    elif kind == "False schema does not allow" or kind is None or error.validator_value is False:
        yield at.error(path, _not_applicable(path, error), key=True)
    elif kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most", "exclusiveMaximum": "less than"}
        yield at.error(path, f"{_field(path)} must be {words[kind]} {error.validator_value}, got {describe(value)}")
    elif kind in ("minLength", "maxLength"):
        word = "at least" if kind == "minLength" else "at most"
        yield at.error(path, f"{_field(path)} must be {word} {error.validator_value} characters long, got {len(value)}")
    elif kind in ("minItems", "maxItems", "minProperties", "maxProperties"):
        word = "at least" if kind.startswith("min") else "at most"
        unit = "entries"
        yield at.error(path, f"{_field(path)} must have {word} {error.validator_value} {unit}, got {len(value)}")
    else:
        yield at.error(path, error.message)


def _condition(error: ValidationError) -> str:
    """Why a conditionally required field is required, from the `if` beside the failing `then`."""
    parent = error.instance if isinstance(error.instance, dict) else {}
    if "then" in error.absolute_schema_path:
        for key in ("provider", "framework"):
            if key in parent:
                return f" (required when {key} is {parent[key]})"
    return ""


def _not_applicable(path: Path, error: ValidationError) -> str:
    name = _field(path)
    parent_path = path[:-1]
    # The parent object is not on the error; the message is written from the property alone.
    if name == "image":
        return "'image' applies only to framework 'custom'; the other frameworks use their built-in runtime"
    owner = {"region": "cloud", "context": "onprem", "storageClass": "onprem", "project": "gcp",
             "account": "aws", "subscription": "azure"}.get(name)
    if owner and parent_path[:1] == ("targets",):
        return f"'{name}' applies only to {owner} targets"
    return f"'{name}' is not allowed here"
