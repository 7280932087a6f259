"""Kubernetes objects added, changed and removed between two compiled `manifests/` folders.

Objects are matched as the API server matches them: by (apiVersion, kind, namespace, name). A changed
apiVersion or kind is therefore a remove plus an add, which is what applying the manifests does. Each
object is attributed to the model it was made for through its `mlops.dev/source` annotation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from mlops.emit.k8s.meta import SOURCE
from mlops.gitops.plan.changes import FieldChange, diff

ADDED, CHANGED, REMOVED = "add", "change", "remove"
KUSTOMIZATION = "kustomization.yaml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class ObjectChange:
    action: str                          # add | change | remove
    api_version: str
    kind: str
    namespace: str
    name: str
    model: str | None                    # the model the object serves, None for environment-wide objects
    fields: tuple[FieldChange, ...] = ()

    @property
    def title(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"

    def touches_pods(self) -> bool:
        """A workload whose pod template changes: applying it starts new pods."""
        return self.kind in ("Deployment", "Rollout") and any(
            f.path == "spec.template" or f.path.startswith("spec.template.") for f in self.fields)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "apiVersion": self.api_version, "kind": self.kind,
                               "namespace": self.namespace, "name": self.name}
        if self.model:
            out["model"] = self.model
        if self.fields:
            out["fields"] = [f.as_dict() for f in self.fields]
        return out


def objects(files: Mapping[str, bytes]) -> dict[Key, dict[str, Any]]:
    """The objects of one environment's `manifests/` files ({file name: bytes}), by identity."""
    out: dict[Key, dict[str, Any]] = {}
    for name, content in files.items():
        if name == KUSTOMIZATION:
            continue
        for obj in yaml.load_all(content, Loader=_Loader):
            if obj:
                meta = obj.get("metadata", {})
                out[(obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"])] = obj
    return out


def model_of(obj: Mapping[str, Any]) -> str | None:
    """`fraud-scorer` for an object whose source annotation is `$.models.fraud-scorer...`."""
    where = str(obj.get("metadata", {}).get("annotations", {}).get(SOURCE, ""))
    parts = where.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["$", "models"] else None


def diff_objects(before: Mapping[Key, dict[str, Any]], after: Mapping[Key, dict[str, Any]]) -> tuple[ObjectChange, ...]:
    """Sorted by kind, namespace, name (then apiVersion)."""
    out: list[ObjectChange] = []
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        model = model_of(new if new is not None else old or {})
        if old is None:
            out.append(ObjectChange(ADDED, *key, model))
        elif new is None:
            out.append(ObjectChange(REMOVED, *key, model))
        elif old != new:
            out.append(ObjectChange(CHANGED, *key, model, tuple(diff(old, new))))
    return tuple(sorted(out, key=lambda c: (c.kind, c.namespace, c.name, c.api_version)))


def diff_files(before: Mapping[str, bytes], after: Mapping[str, bytes]) -> tuple[ObjectChange, ...]:
    """`diff_objects` of two `manifests/` folders. A file with the same name and bytes on both sides holds the
    same object unchanged (file names are `<kind>-<name>.yaml`), so only the other files are parsed."""
    same = {name for name, content in before.items() if after.get(name) == content}
    return diff_objects(objects({n: c for n, c in before.items() if n not in same}),
                        objects({n: c for n, c in after.items() if n not in same}))


def counts(changes: tuple[ObjectChange, ...]) -> dict[str, int]:
    return {a: sum(c.action == a for c in changes) for a in (ADDED, CHANGED, REMOVED)}
