"""Object names: no two models may make Kubernetes objects of the same kind and name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic
from mlops.ir import names as k8s_names
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping, models_of


def object_names(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    """Two models must not make Kubernetes objects of the same kind and name (e.g. `fraud` with canary and
    a model called `fraud-canary`)."""
    owners: dict[tuple[str, str], str] = {}
    for name, model in sorted(models_of(doc)):
        strategy = mapping(model.get("rollout")).get("strategy", "rolling")
        variants = sorted(mapping(mapping(model.get("rollout")).get("variants")))
        claimed = k8s_names.claimed(name, str(strategy), variants)
        for kind, object_name in sorted(claimed):
            other = owners.get((kind, object_name))
            if other is not None and other != name:
                yield at.error(("models", name), f"model '{name}' and model '{other}' would both make the "
                                                 f"{kind} '{object_name}': rename one of them", key=True)
                break
        for item in claimed:
            owners.setdefault(item, name)
