"""The escape hatch: a model's `patches`, RFC 6902 JSON patches on one of its emitted objects (by kind and name),
applied at compile time with jsonpatch (Stefan Kögl's implementation of RFC 6902 and RFC 6901).

A patch that names no object of the model, or whose path is not in the object, is refused, located in the spec,
never skipped: a silently ignored patch is a production setting that is not there. The object's identity
(apiVersion, kind, metadata.name and metadata.namespace) is not patchable: the file name, the kustomization and
the plan are keyed by it.
"""

from __future__ import annotations

import copy
import json

import jsonpatch
import jsonpointer

from mlops import ir
from mlops.diagnostics import did_you_mean, shown
from mlops.emit.k8s.meta import Obj
from mlops.errors import Failure

Where = tuple[str | int, ...]
IDENTITY = ("/apiVersion", "/kind", "/metadata/name", "/metadata/namespace", "/metadata")


class PatchRefused(Failure):
    """Patches that cannot apply: (where in the environment's document, message) for each."""

    def __init__(self, problems: list[tuple[Where, str]]):
        self.problems = tuple(problems)
        super().__init__("; ".join(message for _, message in problems))


def apply(model: ir.Model, objects: list[Obj]) -> list[Obj]:
    """`objects` (the model's) with its patches applied, in order; PatchRefused if any cannot be."""
    if not model.patches:
        return objects
    out = list(objects)
    problems: list[tuple[Where, str]] = []
    for index, patch in enumerate(model.patches):
        where: Where = ("models", model.name, "patches", index)
        found = [i for i, obj in enumerate(out) if obj["kind"] == patch.kind and obj["metadata"]["name"] == patch.name]
        if not found:
            problems.append(((*where, "target"), _missing(patch, out)))
            continue
        target = found[0]
        patched, refused = _apply(out[target], patch, where)
        problems += refused
        out[target] = patched
    if problems:
        raise PatchRefused(problems)
    return out


def _missing(patch: ir.Patch, objects: list[Obj]) -> str:
    wanted = f"{patch.kind}/{patch.name}"
    kinds = sorted({o["kind"] for o in objects if o["metadata"]["name"] == patch.name})
    if kinds:
        hint = f" (its objects named {patch.name}: {', '.join(kinds)})"
    else:
        names = sorted(f"{o['kind']}/{o['metadata']['name']}" for o in objects)
        hint = did_you_mean(wanted, names) or f" (its objects: {', '.join(names)})"
    return f"patch target {shown(wanted)} is not an object mlops emits for this model{hint}"


def _apply(obj: Obj, patch: ir.Patch, where: Where) -> tuple[Obj, list[tuple[Where, str]]]:
    doc = copy.deepcopy(obj)
    name = f"{patch.kind}/{patch.name}"
    for i, op in enumerate(patch.operations):
        at: Where = (*where, "patch", i)
        pointers = [op.path] + ([op.from_path] if op.from_path else [])
        if any(p in IDENTITY or p.startswith(("/metadata/name/", "/metadata/namespace/")) for p in pointers):
            return obj, [((*at, "path"), f"{op.path} is {name}'s identity, which a patch may not change")]
        try:
            doc = jsonpatch.JsonPatch([_operation(op)]).apply(doc)
        except jsonpatch.JsonPatchTestFailed:
            return obj, [((*at, "value"), f"test failed: {name} has {_shown_at(doc, op.path)} at {op.path}")]
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException):
            field, pointer = ("from", op.from_path) if op.from_path and not _resolves(doc, op.from_path) \
                else ("path", op.path)
            return obj, [((*at, field), f"{op.op} at {pointer}: {name} has no {_first_missing(doc, pointer)}")]
    return doc, []


def _operation(op: ir.PatchOperation) -> dict[str, object]:
    out: dict[str, object] = {"op": op.op, "path": op.path}
    if op.value_json is not None:
        out["value"] = json.loads(op.value_json)
    if op.from_path is not None:
        out["from"] = op.from_path
    return out


def _resolves(doc: Obj, pointer: str) -> bool:
    try:
        jsonpointer.resolve_pointer(doc, pointer)
    except jsonpointer.JsonPointerException:
        return False
    return True


def _first_missing(doc: Obj, pointer: str) -> str:
    """The shortest prefix of `pointer` that does not resolve."""
    parts = jsonpointer.JsonPointer(pointer).parts
    for n in range(1, len(parts) + 1):
        prefix = jsonpointer.JsonPointer.from_parts(parts[:n]).path
        if not _resolves(doc, prefix):
            return prefix
    return pointer  # resolves, but the operation still failed (an array index past the end, say)


def _shown_at(doc: Obj, pointer: str) -> str:
    if not _resolves(doc, pointer):
        return "nothing"
    text = json.dumps(jsonpointer.resolve_pointer(doc, pointer), sort_keys=True)
    return shown(text if len(text) <= 80 else text[:77] + "...")

