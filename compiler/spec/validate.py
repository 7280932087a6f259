"""Stage 2, validate: the JSON Schema first, then the semantic rules, for the shared document and for
each environment's merged view of it. Every problem is gathered; none stops the others being found."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic, did_you_mean, one_of, shown
from mlops.spec import rules, secrets
from mlops.spec.load import Source
from mlops.spec.overlay import PATCHABLE, EnvSource, environment_document
from mlops.spec.raw import mapping
from mlops.spec.rules.clusters import shared_clusters
from mlops.spec.schema import schema_errors


def check(source: Source) -> list[Diagnostic]:
    """Every diagnostic for the document, sorted and de-duplicated."""
    base = EnvSource(source, None)
    found: list[Diagnostic] = list(schema_errors(source.data, base))
    doc = source.data
    if not isinstance(doc, dict):
        return sorted(set(found))
    found += secrets.find(source)
    envs = {k: v for k, v in mapping(doc.get("environments")).items() if isinstance(v, dict)}
    targets = {k: v for k, v in mapping(doc.get("targets")).items() if isinstance(v, dict)}
    found += _environments(envs, targets, base)
    found += rules.check(doc, None, base)
    found += shared_clusters(source)
    for env, spec in envs.items():
        target_name = spec.get("target")
        target_spec = targets.get(target_name) if isinstance(target_name, str) else None
        target = dict(target_spec, _name=target_name) if target_spec is not None else None
        at = EnvSource(source, env)
        overrides = spec.get("overrides")
        merged = doc
        if isinstance(overrides, dict) and overrides:
            problems, unknown = _override_paths(doc, overrides, ("environments", env, "overrides"), source)
            found += problems
            # Patch without the misspelt names: they are reported once, not again as half-defined entries.
            patched = {**doc, "environments": {**envs, env: {**spec, "overrides": _without(overrides, unknown)}}}
            merged = environment_document(patched, env)
            found += schema_errors(_touched(doc, merged), at)
        found += rules.check(merged, target, at)
    return sorted(set(found))


def _touched(doc: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    """The merged document keeping only the models an override touched. The merge patch shares the untouched
    models' objects with the base document, which was checked already: their errors would only repeat.
    One is kept when none was touched, so that `models` is still what the schema sees as non-empty."""
    models, base = merged.get("models"), doc.get("models")
    if not isinstance(models, dict) or not isinstance(base, dict):
        return merged
    touched = {name: model for name, model in models.items() if base.get(name) is not model}
    if len(touched) == len(models):
        return merged
    if not touched:
        first = next(iter(models))
        touched = {first: models[first]}
    return {**merged, "models": touched}


def _environments(envs: dict[str, Any], targets: dict[str, Any], at: EnvSource) -> Iterator[Diagnostic]:
    for env, spec in envs.items():
        target = spec.get("target")
        if isinstance(target, str) and target not in targets:
            hint = did_you_mean(target, targets) or (f" (targets: {one_of(sorted(targets))})" if targets else "")
            yield at.error(("environments", env, "target"), f"unknown target '{shown(target)}'{hint}")
        source_env = mapping(spec.get("promotion")).get("from")
        if isinstance(source_env, str):
            if source_env == env:
                yield at.error(("environments", env, "promotion", "from"),
                               f"environment '{env}' cannot promote from itself")
            elif source_env not in envs:
                hint = did_you_mean(source_env, envs) or f" (environments: {one_of(sorted(envs))})"
                yield at.error(("environments", env, "promotion", "from"),
                               f"unknown environment '{shown(source_env)}'{hint}")
    yield from _promotion_cycles(envs, at)


def _promotion_cycles(envs: dict[str, Any], at: EnvSource) -> Iterator[Diagnostic]:
    edges = {env: mapping(spec.get("promotion")).get("from") for env, spec in envs.items()}
    for start in sorted(edges):
        seen = [start]
        node = edges.get(start)
        while isinstance(node, str) and node in edges and node not in seen:
            seen.append(node)
            node = edges.get(node)
        if node == start and len(seen) > 1 and start == min(seen):
            chain = " -> ".join([*seen, start])
            yield at.error(("environments", start, "promotion", "from"), f"promotion goes round in a circle: {chain}")


# Maps whose keys are user-chosen names: an override may only patch names that exist.
_NAMED = {("models",), ("cluster", "nodePools"), ("models", "*", "rollout", "variants"), ("models", "*", "env"),
          ("metadata", "labels")}
_ADDABLE = {("metadata", "labels"), ("models", "*", "env")}


def _override_paths(doc: dict[str, Any], patch: dict[str, Any], prefix: tuple[str, ...],
                    source: Source) -> tuple[list[Diagnostic], list[tuple[str, ...]]]:
    """Overrides patch only what exists: unknown models, pools and variants are misspellings, not additions."""
    out: list[Diagnostic] = []
    unknown: list[tuple[str, ...]] = []
    stack: list[tuple[Any, dict[str, Any], tuple[str, ...]]] = [(doc, patch, ())]
    while stack:
        base, node, path = stack.pop()
        for key, value in node.items():
            shape = ("models", "*", *path[2:]) if path[:1] == ("models",) and len(path) >= 2 else path
            named = shape in _NAMED
            if not path and key not in PATCHABLE:
                continue  # the schema reports it
            here = mapping(base).get(key) if isinstance(base, dict) else None
            if named and key not in mapping(base) and shape not in _ADDABLE and value is not None:
                names = sorted(mapping(base))
                hint = did_you_mean(key, names) or (f" ({one_of(names)})" if names else "")
                out.append(source.error((*prefix, *path, key),
                                        f"override names unknown {_noun(shape)} '{shown(key)}'{hint}", key=True))
                unknown.append((*path, key))
                continue
            if isinstance(value, dict) and isinstance(here, dict):
                stack.append((here, value, (*path, key)))
    return out, unknown


def _without(patch: dict[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    if not paths:
        return patch
    pruned = copy.deepcopy(patch)
    for path in paths:
        node = pruned
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
    return pruned


def _noun(shape: tuple[str, ...]) -> str:
    return {("models",): "model", ("cluster", "nodePools"): "node pool",
            ("models", "*", "rollout", "variants"): "variant"}.get(shape, "name")
