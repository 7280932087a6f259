"""Labels, annotations and object headers shared by every object of the Kubernetes layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlops import ir
from mlops.diagnostics import json_path
from mlops.targets import Hints
from mlops.targets.base import addons

Obj = dict[str, Any]

MANAGED_BY = "mlops"
SOURCE = "mlops.dev/source"
OWNER = "mlops.dev/owner"
NAME, INSTANCE, COMPONENT = "app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component"
SERVER = "server"


@dataclass(frozen=True)
class Scope:
    """What every builder reads: the environment and the little its target says."""

    env: ir.Environment
    hints: Hints

    @property
    def namespace(self) -> str:
        return self.env.namespace

    @property
    def addons(self) -> addons.Coordinates:
        """Where the add-ons the manifests address are: installed by the infra stack, or already on the cluster."""
        return addons.coordinates(self.env)

    def labels(self, app: str, instance: str, component: str) -> dict[str, str]:
        """The platform's labels, then the app.kubernetes.io set (which the platform's cannot override)."""
        return {**dict(self.env.labels), NAME: app, INSTANCE: instance, COMPONENT: component,
                "app.kubernetes.io/part-of": self.env.platform, "app.kubernetes.io/managed-by": MANAGED_BY}

    def metadata(self, name: str, *, app: str, instance: str, component: str, source: str,
                 namespaced: bool = True, labels: dict[str, str] | None = None,
                 annotations: dict[str, str] | None = None) -> Obj:
        notes = {SOURCE: source, **({OWNER: self.env.owner} if self.env.owner else {}), **(annotations or {})}
        meta: Obj = {"name": name, "labels": {**self.labels(app, instance, component), **(labels or {})},
                     "annotations": notes}
        if namespaced:
            meta["namespace"] = self.namespace
        return meta


def selector(app: str, instance: str | None = None, component: str = SERVER) -> dict[str, str]:
    """Labels selecting pods: of one instance, or of every instance of `app` when `instance` is None."""
    return {NAME: app, COMPONENT: component, **({INSTANCE: instance} if instance else {})}


def source(*path: str | int) -> str:
    """`source("models", "fraud", "rollout")` -> `$.models.fraud.rollout`."""
    return json_path(tuple(path))


def new(api_version: str, kind: str, metadata: Obj, **fields: Any) -> Obj:
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **fields}


def duration(seconds: int) -> str:
    """`300` -> `5m`: the largest whole unit, as Kubernetes-style tools write durations."""
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def number(value: float) -> str:
    """A threshold as text: `0.01`, `250` (never `250.0`)."""
    return str(int(value)) if value == int(value) else repr(value)
