"""Object names: no two models may make Kubernetes objects of the same kind and name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic
from mlops.ir import names as k8s_names
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import mapping, models_of


def object_names(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    """No two objects of one kind may share a name: two models (`fraud` with canary and a model called
    `fraud-canary`), or two parts of one model (an A/B variant called `metrics` and the model's metrics Service).
    The emitter would otherwise stop on the second one, after validation said the spec was fine."""
    owners: dict[tuple[str, str], str] = {}     # (kind, name) -> who makes it, as the message names it
    if any(mapping(mapping(m.get("monitoring")).get("logging")) for _, m in models_of(doc)):
        owners.update({(kind, k8s_names.VECTOR): "request logging's Vector"
                       for kind in ("Service", "ServiceAccount", "ConfigMap", "Workload")})
    for name, model in sorted(models_of(doc)):
        maker = f"model '{name}'"
        strategy = mapping(model.get("rollout")).get("strategy", "rolling")
        variants = sorted(mapping(mapping(model.get("rollout")).get("variants")))
        claims = k8s_names.claims(name, str(strategy), variants)
        yield from _within(name, claims, at)
        claimed = {(kind, object_name) for kind, object_name, _ in claims}
        for kind, object_name in sorted(claimed):
            other = owners.get((kind, object_name))
            if other is not None and other != maker:
                yield at.error(("models", name), f"model '{name}' and {other} would both make the "
                                                 f"{kind} '{object_name}': rename one of them", key=True)
                break
        for item in claimed:
            owners.setdefault(item, maker)



def _within(model: str, claims: list[tuple[str, str, str]], at: EnvSource) -> Iterator[Diagnostic]:
    """Two parts of one model making the same object: located at the variant when one of them is a variant."""
    makers: dict[tuple[str, str], list[str]] = {}
    for kind, object_name, what in claims:
        makers.setdefault((kind, object_name), []).append(what)
    told: set[str] = set()
    for (kind, object_name), whats in sorted(makers.items()):
        if len(whats) < 2:
            continue
        variant = next((w for w in whats if w.startswith("variant ")), None)
        first = variant or whats[0]
        if first in told:
            continue
        told.add(first)
        others = " and ".join(w for w in whats if w != first)
        where = ("models", model, "rollout", "variants", first.split("'")[1]) if variant else ("models", model)
        yield at.error(where, f"{first} of model '{model}' would make the {kind} '{object_name}', which {others} "
                              f"makes too: rename {'the variant' if variant else 'the model'}", key=True)
