"""Core Kubernetes kinds, checked against the strict schemas shipped by `kubernetes-validate`.

`kubernetes_validate.validate(obj, version, strict=True)` re-reads the 1.3 MB definitions file
on every call and raises only the first error. This module uses the very same schema files
(`kubernetes-json-schema/v<version>-local-strict/<kind>-<group>-<version>.json` plus
`_definitions.json`, where every object has `additionalProperties: false`) and the same
version choice (the newest shipped version not newer than the one asked for), but builds each
validator once and reports every error.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
from kubernetes_validate import utils as kv
from referencing import Registry, Resource

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_MAX_MESSAGE = 240
_SAFE_KIND = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_SAFE_API_VERSION = re.compile(r"^(?:[a-z0-9.-]+/)?v[0-9a-z]+$")


def join(path: str, key: str | int) -> str:
    """`spec.template.spec.containers[0]`; keys that are not identifiers go in `["..."]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if not _IDENT.match(key):
        return f'{path}["{key}"]'
    return f"{path}.{key}" if path else key


def _minor(version: str) -> tuple[int, int]:
    match = re.match(r"^v?(\d+)\.(\d+)", version)
    if not match:
        raise ValueError(f"not a Kubernetes version: {version!r} (expected e.g. '1.31')")
    return int(match.group(1)), int(match.group(2))


@functools.cache
def schema_version(k8s_version: str) -> str:
    """The schema folder version kubernetes-validate would use for `k8s_version`."""
    wanted = _minor(k8s_version)
    shipped = sorted(set(kv.all_versions()), key=_minor)
    usable = [v for v in shipped if _minor(v) <= wanted]
    if not usable or wanted > _minor(shipped[-1]):
        raise ValueError(
            f"kubernetes-validate {kv.__version__} has no schemas for Kubernetes {k8s_version} "
            f"(it ships {shipped[0]} .. {shipped[-1]})"
        )
    return usable[-1]


def _schema_dir(version: str) -> str:
    return f"kubernetes-json-schema/v{version}-local-strict"


@functools.cache
def _registry(version: str) -> Registry:
    definitions = kv.schema_contents(f"{_schema_dir(version)}/_definitions.json", version)
    registry: Registry = Resource.from_contents(definitions) @ Registry()
    return registry


@functools.cache
def _validator(version: str, api_version: str, kind: str) -> jsonschema.Draft202012Validator | None:
    if not (_SAFE_KIND.match(kind) and _SAFE_API_VERSION.match(api_version)):
        return None
    # Same file naming as kubernetes_validate.validate: rbac.authorization.k8s.io/v1 -> rbac-v1.
    slug = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = kv.schema_contents(f"{_schema_dir(version)}/{kind.lower()}-{slug}.json", version)
    except FileNotFoundError:
        return None
    registry = Resource.from_contents(schema) @ _registry(version)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def _unknown_keys(error: jsonschema.ValidationError) -> list[str]:
    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return []
    known = set(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return sorted(
        k for k in instance if k not in known and not any(p.search(k) for p in patterns)
    )


def _describe(error: jsonschema.ValidationError) -> list[str]:
    path = ""
    for key in error.absolute_path:
        path = join(path, key)
    if error.validator == "additionalProperties":
        unknown = _unknown_keys(error)
        if unknown:
            return [f"{join(path, key)}: unknown field" for key in unknown]
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return [f"{path or '(root)'}: {message}"]


def validate_core(obj: dict[str, Any], k8s_version: str) -> list[str] | None:
    """Errors for `obj` (without prefix), or None when no core schema exists for its kind."""
    validator = _validator(schema_version(k8s_version), str(obj.get("apiVersion")), str(obj.get("kind")))
    if validator is None:
        return None
    errors = sorted(validator.iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path])
    return [line for error in errors for line in _describe(error)]
