"""What runs for a model: its serving instances, derived from the rollout strategy.

An instance is one set of identical pods (a Deployment or an Argo Rollout) with the Service of the same
name. ab runs one per variant, shadow a stable and a candidate, every other strategy one.

Scaling bounds are split by traffic share: an instance carrying a share s of the model's requests gets
min ceil(min*s) (at least 1 when the model's min is at least 1: a variant nobody routes to stays warm if the
model does) and max ceil(max*s) (at least its min and 1). The per-replica target is unchanged, since each
instance scales on its own requests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlops import ir

from mlops.ir import names
from mlops.emit.k8s.meta import source

STABLE, VARIANT, CANDIDATE = "stable", "variant", "candidate"


@dataclass(frozen=True)
class Instance:
    name: str                 # Deployment / Rollout and Service name; the app.kubernetes.io/instance label
    role: str                 # stable | variant | candidate
    artifact: str | None
    share: float              # share of the route's requests it serves (candidate: the mirrored share)
    min: int
    max: int
    source: str               # spec path it comes from
    weight: int = 100         # ab: its backendRef weight


def _bounds(scaling: ir.Scaling, share: float) -> tuple[int, int]:
    low = math.ceil(round(scaling.min * share, 9))
    if scaling.min >= 1:
        low = max(low, 1)
    high = max(low, 1, math.ceil(round(scaling.max * share, 9)))
    return low, high


def instances(model: ir.Model) -> tuple[Instance, ...]:
    rollout, path = model.rollout, ("models", model.name)
    if rollout.strategy == "ab":
        out = []
        for v in rollout.variants:
            low, high = _bounds(model.scaling, v.weight / 100)
            out.append(Instance(names.variant(model.name, v.name), VARIANT, v.artifact, v.weight / 100, low, high,
                                source(*path, "rollout", "variants", v.name), v.weight))
        return tuple(out)
    stable = Instance(model.name, STABLE, model.artifact, 1.0, model.scaling.min, model.scaling.max, source(*path))
    if rollout.strategy != "shadow":
        return (stable,)
    share = rollout.mirror_percent / 100
    low, high = _bounds(model.scaling, share)
    return stable, Instance(names.candidate(model.name), CANDIDATE, rollout.candidate, share, low, high,
                            source(*path, "rollout", "candidate"))
