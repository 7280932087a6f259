"""The published JSON Schema, and its errors turned into located, readable diagnostics."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from mlops import targets
from mlops.diagnostics import Diagnostic, Path, article, did_you_mean, one_of, shown
from mlops.spec.overlay import EnvSource
from mlops.targets.base import catalog

_TYPE_NAMES = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping", "array": "a list", "null": "null"}


@functools.cache
def schema_text(name: str = "mlops.schema.json") -> str:
    return files("mlops.schemas").joinpath(name).read_text(encoding="utf-8")


# A patterned string longer than this (when its schema sets no maxLength) is refused without running the pattern:
# the longest patterned value the contract has is a 253-character host or a 512-character artifact; a pattern
# such as the owner's e-mail one backtracks quadratically on text made to do so (100,000 dots took a minute).
PATTERN_LIMIT = 1024


@functools.lru_cache(maxsize=256)
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """`pattern` with ECMA-262 semantics (what JSON Schema means): `$` matches only at the very end of the text.
    In Python `$` also matches before a final newline, so `"fraud\\n"` matched `^[a-z]+$` and the newline went
    into file and object names. Each `$` outside a character class becomes `\\Z`."""
    out: list[str] = []
    in_class = escaped = False
    for c in pattern:
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "$":
            c = r"\Z"
        out.append(c)
    return re.compile("".join(out))


def _pattern_keyword(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """jsonschema's `pattern`, full-string (ecma_pattern) and bounded in length: a string past its schema's
    maxLength is left to maxLength, one past PATTERN_LIMIT is refused as too long; neither meets the regex."""
    if not validator.is_type(instance, "string"):
        return
    if len(instance) > schema.get("maxLength", PATTERN_LIMIT):
        if "maxLength" not in schema:
            yield ValidationError(f"longer than {PATTERN_LIMIT} characters", validator="maxLength",
                                  validator_value=PATTERN_LIMIT)
        return
    if not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"does not match {pattern!r}")


# jsonschema's own way to change one keyword (its validator classes are not meant to be subclassed); untyped.
_Validator: type[Draft202012Validator] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern_keyword})


@functools.cache
def validator(name: str = "mlops.schema.json") -> Draft202012Validator:
    # The schema itself is checked by the test suite (check_schema costs more than validating a spec).
    return _Validator(json.loads(schema_text(name)))


def at_path(*keys: str) -> Any:
    """The part of the published schema at `keys`, e.g. `at_path("$defs", "nodePool")`."""
    node: Any = validator().schema
    for key in keys:
        node = node[key]
    return node


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


@dataclass(frozen=True)
class _Error:
    """What the translators read of a jsonschema error, typed once."""

    path: Path
    keyword: str | None
    value: Any
    expected: Any           # the keyword's value in the schema (its `validator_value`)
    schema: dict[str, Any]  # the subschema that failed
    error: ValidationError


Translator = Callable[[_Error, EnvSource], Iterator[Diagnostic]]


def _translate(error: ValidationError, at: EnvSource) -> Iterator[Diagnostic]:
    schema: Any = error.schema
    e = _Error(tuple(error.absolute_path), None if error.validator is None else str(error.validator), error.instance,
               error.validator_value, schema if isinstance(schema, dict) else {}, error)
    if "propertyNames" in error.absolute_schema_path:
        # jsonschema reports a bad key at its object; point at the key itself.
        title = e.schema.get("title", "name")
        yield at.error((*e.path, e.value), f"'{shown(str(e.value))}' is not a valid {title}", key=True)
        return
    translator = _TRANSLATORS.get(e.keyword, _as_is) if e.keyword is not None else _not_applicable_here
    yield from translator(e, at)


def _additional(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    allowed = sorted(e.schema.get("properties", {}))
    for extra in sorted(set(e.value) - set(allowed)):
        hint = did_you_mean(extra, allowed) or (f" (expected {one_of(allowed)})" if allowed else "")
        yield at.error((*e.path, extra), f"unknown field '{shown(extra)}'{hint}", key=True)


def _required(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    for name in (n for n in e.expected if n not in e.value):
        yield at.error(e.path, f"missing required field '{name}'{_condition(e.error)}", key=True)


def _enum(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    choices = [str(c) for c in e.expected]
    if isinstance(e.value, str):
        hint = did_you_mean(e.value, choices) or f": expected {one_of(choices)}"
        yield at.error(e.path, f"unknown {_field(e.path)} '{shown(e.value)}'{hint}")
    else:
        yield at.error(e.path, f"{_field(e.path)} must be {one_of(choices)}, got {describe(e.value)}")


def _const(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    yield at.error(e.path, f"{_field(e.path)} must be '{e.expected}', got {describe(e.value)}")


def _type(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    expected = e.expected if isinstance(e.expected, list) else [e.expected]
    wanted = one_of([_TYPE_NAMES.get(str(t), str(t)) for t in expected])
    if not e.path:
        yield at.error(e.path, f"the document must be a mapping starting with 'apiVersion: mlops/v1', "
                               f"got {describe(e.value)}")
        return
    hint = ""
    if e.schema.get("title") and e.schema.get("examples"):
        wanted = article(e.schema["title"])
        hint = f" (e.g. {', '.join(map(str, e.schema['examples']))})"
    if "string" in expected and isinstance(e.value, (int, float)) and not isinstance(e.value, bool):
        if ecma_pattern(e.schema.get("pattern", "^$")).match(str(e.value)):
            wanted, hint = "a string", f" (quote it: \"{e.value}\")"
    yield at.error(e.path, f"{_field(e.path)} must be {wanted}{hint}, got {describe(e.value)}")


def _pattern(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    """pattern, format and titled anyOf: the value is not of the named kind (an untitled anyOf: its best branch)."""
    if e.keyword == "anyOf" and not e.schema.get("title"):
        yield from _translate(best_match(e.error.context or [e.error]), at)
        return
    title = e.schema.get("title") or _field(e.path)
    examples = e.schema.get("examples")
    examples_text = f" (e.g. {', '.join(map(str, examples))})" if examples else ""
    if e.keyword == "anyOf" and not isinstance(e.value, (str, int, float)) or isinstance(e.value, bool):
        yield at.error(e.path, f"{_field(e.path)} must be {article(title)}{examples_text}, got {describe(e.value)}")
    else:
        yield at.error(e.path, f"{describe(e.value)} is not a valid {title}{examples_text}")


def _not_applicable_here(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    """A `false` schema: the field exists but does not apply here."""
    yield at.error(e.path, _not_applicable(e.path), key=True)


_BOUND_WORDS = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most",
                "exclusiveMaximum": "less than"}


def _bound(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    yield at.error(e.path, f"{_field(e.path)} must be {_BOUND_WORDS[e.keyword or '']} {e.expected}, "
                           f"got {describe(e.value)}")


def _length(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    word = "at least" if e.keyword == "minLength" else "at most"
    yield at.error(e.path, f"{_field(e.path)} must be {word} {e.expected} characters long, got {len(e.value)}")


def _count(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    word = "at least" if (e.keyword or "").startswith("min") else "at most"
    unit = "entry" if e.expected == 1 else "entries"
    yield at.error(e.path, f"{_field(e.path)} must have {word} {e.expected} {unit}, got {len(e.value)}")


def _as_is(e: _Error, at: EnvSource) -> Iterator[Diagnostic]:
    yield at.error(e.path, shown(e.error.message, 200))   # jsonschema's own words quote the value whole


_TRANSLATORS: dict[str, Translator] = {
    "additionalProperties": _additional, "required": _required, "enum": _enum, "const": _const, "type": _type,
    "pattern": _pattern, "anyOf": _pattern, "format": _pattern,
    **dict.fromkeys(_BOUND_WORDS, _bound),
    "minLength": _length, "maxLength": _length,
    **dict.fromkeys(("minItems", "maxItems", "minProperties", "maxProperties"), _count),
}


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
