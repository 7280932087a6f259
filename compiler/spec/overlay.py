"""Environment overlays: RFC 7396 JSON merge patch, and where each merged node was written."""

from __future__ import annotations

import copy
from typing import Any

from mlops.diagnostics import Diagnostic, Path, Severity
from mlops.spec.load import Source

PATCHABLE = ("metadata", "cluster", "registry", "models")


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def environment_document(doc: dict[str, Any], env: str) -> dict[str, Any]:
    """The spec as environment `env` sees it: its overrides merged over the shared sections."""
    overrides = doc.get("environments", {}).get(env, {}).get("overrides") or {}
    if not isinstance(overrides, dict) or not overrides:
        return doc
    merged = dict(doc)
    for section in PATCHABLE:
        if section in overrides:
            merged[section] = merge_patch(doc.get(section), overrides[section])
    return merged


class EnvSource:
    """Locates nodes of an environment's merged document: in its overrides if written there, else in the base."""

    def __init__(self, source: Source, env: str | None):
        self.source = source
        self.name = source.name
        self.prefix: Path = ("environments", env, "overrides") if env else ()

    def _origin(self, path: Path, key: bool) -> Path:
        if self.prefix:
            patched = (*self.prefix, *path)
            table = self.source.keys if key else self.source.values
            if patched in table or (key and patched in self.source.values):
                return patched
        return path

    def error(self, path: Path, message: str, *, key: bool = False, severity: Severity = "error") -> Diagnostic:
        origin = self._origin(tuple(path), key)
        diag = self.source.error(origin, message, key=key)
        return diag if severity == "error" else Diagnostic(diag.file, diag.line, diag.col, message, diag.path, severity)
