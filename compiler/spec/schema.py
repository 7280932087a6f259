"""The published JSON Schema, and its errors turned into located, readable diagnostics."""

from __future__ import annotations

import functools
import json
import re
from importlib.resources import files
from typing import Any, Iterator

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from mlops.diagnostics import Diagnostic, Path, article, did_you_mean, one_of, shown
from mlops import targets
from mlops.spec.overlay import EnvSource
from mlops.targets.base import catalog


_TYPE_NAMES = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping", "array": "a list", "null": "null"}


@functools.lru_cache(maxsize=None)
def schema_text(name: str = "mlops.schema.json") -> str:
    return files("mlops.schemas").joinpath(name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def validator(name: str = "mlops.schema.json") -> Draft202012Validator:
    # The schema itself is checked by the test suite (check_schema costs more than validating a spec).
    return Draft202012Validator(json.loads(schema_text(name)))


def schema_errors(data: Any, at: EnvSource) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for error in validator().iter_errors(data):
        out.extend(_translate(_pin_false_schema(error, data), at))
    return _drop_implied(out)


def _drop_implied(found: list[Diagnostic]) -> list[Diagnostic]:
    """`unknown field 'framwork' (did you mean 'framework'?)` already says 'framework' is missing: say it once."""
    suggested = {(d.path.rsplit(".", 1)[0], d.message.split("did you mean '")[1].split("'")[0])
                 for d in found if d.message.startswith("unknown field") and "did you mean '" in d.message}
    return [d for d in found
            if not (d.message.startswith("missing required field '")
                    and (d.path, d.message.split("'")[1]) in suggested)]


def _pin_false_schema(error: ValidationError, data: Any) -> ValidationError:
    """jsonschema reports `properties: {x: false}` at the object; move the error onto property x."""
    if error.validator is not None or not error.absolute_schema_path or error.absolute_schema_path[-1] != "properties":
        return error
    root: Any = validator().schema
    node = root
    for part in error.absolute_schema_path:
        while isinstance(node, dict) and part not in node and "$ref" in node:  # the path runs through a local $ref
            ref = node["$ref"]
            node = root
            for step in ref.removeprefix("#/").split("/"):
                node = node[step]
        node = node[part]
    parent: Any = data
    for part in error.absolute_path:
        parent = parent[part]
    for name, subschema in node.items():
        if subschema is False and isinstance(parent, dict) and name in parent and parent[name] == error.instance:
            error.path.append(name)
            break
    return error


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
        return f"'{shown(value)}'"
    return repr(value)


def _field(path: Path) -> str:
    names = [shown(p) for p in path if isinstance(p, str)]
    if len(names) >= 2 and names[-1] == "type":
        return f"{names[-2]} type"
    return names[-1] if names else "the document"


def _translate(error: ValidationError, at: EnvSource) -> Iterator[Diagnostic]:
    path: Path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if "propertyNames" in error.absolute_schema_path:
        # jsonschema reports a bad key at its object; point at the key itself.
        title = schema.get("title", "name")
        yield at.error((*path, value), f"'{shown(str(value))}' is not a valid {title}", key=True)
        return
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for extra in sorted(set(value) - set(allowed)):
            hint = did_you_mean(extra, allowed)
            if not hint and allowed:
                hint = f" (expected {one_of(allowed)})"
            yield at.error((*path, extra), f"unknown field '{shown(extra)}'{hint}", key=True)
    elif kind == "required":
        missing = [name for name in error.validator_value if name not in value]
        for name in missing:
            yield at.error(path, f"missing required field '{name}'{_condition(error)}", key=True)
    elif kind == "enum":
        choices = [str(c) for c in error.validator_value]
        if isinstance(value, str):
            hint = did_you_mean(value, choices) or f": expected {one_of(choices)}"
            yield at.error(path, f"unknown {_field(path)} '{shown(value)}'{hint}")
        else:
            yield at.error(path, f"{_field(path)} must be {one_of(choices)}, got {describe(value)}")
    elif kind == "const":
        yield at.error(path, f"{_field(path)} must be '{error.validator_value}', got {describe(value)}")
    elif kind == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = one_of([_TYPE_NAMES.get(str(t), str(t)) for t in expected])
        if not path:
            yield at.error(path, f"the document must be a mapping starting with 'apiVersion: mlops/v1', got {describe(value)}")
            return
        hint = ""
        if schema.get("title") and schema.get("examples"):
            wanted = article(schema["title"])
            hint = f" (e.g. {', '.join(map(str, schema['examples']))})"
        if "string" in expected and isinstance(value, (int, float)) and not isinstance(value, bool):
            if re.match(schema.get("pattern", "^$"), str(value)):
                wanted, hint = "a string", f" (quote it: \"{value}\")"
        yield at.error(path, f"{_field(path)} must be {wanted}{hint}, got {describe(value)}")
    elif kind in ("pattern", "anyOf", "format"):
        title = schema.get("title") or _field(path)
        examples = schema.get("examples")
        if kind == "anyOf" and not schema.get("title"):
            yield from _translate(best_match(error.context or [error]), at)
            return
        examples_text = f" (e.g. {', '.join(map(str, examples))})" if examples else ""
        if kind == "anyOf" and not isinstance(value, (str, int, float)) or isinstance(value, bool):
            yield at.error(path, f"{_field(path)} must be {article(title)}{examples_text}, got {describe(value)}")
        else:
            yield at.error(path, f"{describe(value)} is not a valid {title}{examples_text}")
    elif kind is None:  # a `false` schema: the field exists but does not apply here
        yield at.error(path, _not_applicable(path), key=True)
    elif kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most", "exclusiveMaximum": "less than"}
        yield at.error(path, f"{_field(path)} must be {words[kind]} {error.validator_value}, got {describe(value)}")
    elif kind in ("minLength", "maxLength"):
        word = "at least" if kind == "minLength" else "at most"
        yield at.error(path, f"{_field(path)} must be {word} {error.validator_value} characters long, got {len(value)}")
    elif kind in ("minItems", "maxItems", "minProperties", "maxProperties"):
        word = "at least" if kind.startswith("min") else "at most"
        unit = "entry" if error.validator_value == 1 else "entries"
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


def _not_applicable(path: Path) -> str:
    name = _field(path)
    parent_path = path[:-1]
    if name == "image":
        return "'image' applies only to framework 'custom'; the other frameworks use their built-in runtime"
    owners = targets.owners(name) if parent_path[:1] == ("targets",) else ()
    if owners:
        owner = "cloud" if set(owners) == set(catalog.CLOUD_PROVIDERS) else one_of(list(owners))
        return f"'{name}' applies only to {owner} targets"
    return f"'{name}' is not allowed here"
