"""What runs for a model, derived from the IR: its serving instances (from the rollout strategy), and what its
pods load and read. The emitters, the rules, the targets' grants, the plan and the promotion gate all ask here.

An instance is one set of identical pods (a Deployment or an Argo Rollout) with the Service of the same
name. ab runs one per variant, shadow a stable and a candidate, every other strategy one.

Scaling bounds are split by traffic share: an instance carrying a share s of the model's requests gets
min ceil(min*s) (at least 1 when the model's min is at least 1: a variant nobody routes to stays warm if the
model does) and max ceil(max*s) (at least its min and 1). The per-replica target is unchanged, since each
instance scales on its own requests.

An ab variant that carries traffic also keeps the model's disruption budget: the route sends its share to that
variant's Service alone, so a variant of one replica turns its whole share into 503s on one eviction (a drained
node, an upgrade), whatever the model's `min` promised. With `min` of 2 or more, every variant with a weight runs at
least 2 replicas, so its PodDisruptionBudget (maxUnavailable 1, from 2 replicas) keeps one serving. `min` 1 promises
no more than one replica for the model itself (no budget: one eviction stops it), `min` 0 none (scale to zero).
A shadow candidate answers nobody (Envoy drops mirrored responses), so it keeps its plain share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from mlops import ir
from mlops.diagnostics import json_path
from mlops.ir import names

Role = Literal["stable", "variant", "candidate"]
STABLE: Role = "stable"
VARIANT: Role = "variant"
CANDIDATE: Role = "candidate"
# Frameworks with a runtime built for TPUs; the rules hold every other framework off TPU pools.
TPU_FRAMEWORKS: tuple[ir.Framework, ...] = ("vllm", "custom")
# The replicas from which an instance gets a PodDisruptionBudget (maxUnavailable 1 leaves one serving).
DISRUPTION_BUDGET = 2


@dataclass(frozen=True)
class Instance:
    name: str                 # Deployment / Rollout and Service name; the app.kubernetes.io/instance label
    role: Role
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
            if v.weight > 0:
                low = max(low, min(model.scaling.min, DISRUPTION_BUDGET))
                high = max(high, low)
            out.append(Instance(names.variant(model.name, v.name), VARIANT, v.artifact, v.weight / 100, low, high,
                                _source(*path, "rollout", "variants", v.name), v.weight))
        return tuple(out)
    stable = Instance(model.name, STABLE, model.artifact, 1.0, model.scaling.min, model.scaling.max, _source(*path))
    if rollout.strategy != "shadow":
        return (stable,)
    share = rollout.mirror_percent / 100
    low, high = _bounds(model.scaling, share)
    return stable, Instance(names.candidate(model.name), CANDIDATE, rollout.candidate, share, low, high,
                            _source(*path, "rollout", "candidate"))


def served(model: ir.Model) -> tuple[str, ...]:
    """What the model's serving pods run: every instance's artifact, and the custom image (sorted, distinct)."""
    return tuple(sorted({a for a in (*(i.artifact for i in instances(model)), model.image) if a}))


def live_uri(baseline: str, model: str) -> str:
    """Where the drift job reads the model's live inputs: `<baseline folder>/live/<model>/` (every file under it) for
    s3://, gs:// and az://; `<baseline folder>/live/<model><baseline suffix>` for https:// (one file: https cannot be
    listed)."""
    scheme, _, rest = baseline.partition("://")
    folder, _, leaf = rest.rstrip("/").rpartition("/") if "/" in rest.rstrip("/") else (rest, "", "")
    if scheme == "https":
        return f"https://{folder}/live/{model}{PurePosixPath(leaf).suffix}"
    return f"{scheme}://{folder}/live/{model}/"


def drift_inputs(model: ir.Model) -> tuple[str, ...]:
    """What the drift job downloads: the baseline, then the live inputs (`data.live` when the model declares it,
    else next to the baseline); none without drift."""
    if not model.drift:
        return ()
    live = model.data.live if model.data and model.data.live else live_uri(model.drift.baseline, model.name)
    return model.drift.baseline, live


def live_input(model: ir.Model) -> str | None:
    """The live records the monitors read: `data.live`, else where the drift job reads them."""
    if model.data and model.data.live:
        return model.data.live
    return live_uri(model.drift.baseline, model.name) if model.drift else None


def monitor_inputs(model: ir.Model) -> tuple[str, ...]:
    """What the data-check, fairness and explanation CronJobs download besides the served artifact: the live
    records, and the training data explain compares them with."""
    wanted = model.data_checks or model.fairness or model.explain
    live = live_input(model) if wanted else None
    baseline = model.data.training if model.explain and model.data else None
    return tuple(u for u in (live, baseline) if u)


def downloads(model: ir.Model) -> tuple[str, ...]:
    """What the model's pods and jobs fetch into a volume: its instances' artifacts, the drift job's inputs and the
    monitors' (the jobs read them with the model's identity, so all are granted)."""
    found = {i.artifact for i in instances(model)} | set(drift_inputs(model)) | set(monitor_inputs(model))
    return tuple(sorted(a for a in found if a))


def reads(model: ir.Model) -> tuple[str, ...]:
    """Every URI the model's workloads read, the custom image included: what a target grants its identity."""
    return tuple(sorted({*downloads(model), *served(model)}))


def champion(model: ir.Model) -> str | None:
    """The artifact the training environment serves: the stable instance's, or the heaviest ab variant's."""
    ranked = sorted(instances(model), key=lambda i: (i.role != STABLE, -i.weight, i.name))
    return ranked[0].artifact if ranked and ranked[0].role != CANDIDATE else None


def training_reads(model: ir.Model) -> tuple[str, ...]:
    """What the retraining workflow's pods read with the trainer's identity: data.training, data.holdout, the
    champion the gate compares against, and training.output (its own runs: Argo passes the candidate through it)."""
    if model.training is None:
        return ()
    data = (model.data.training, model.data.holdout) if model.data else ()
    return tuple(sorted({u for u in (*data, champion(model), model.training.output) if u}))


def training_writes(model: ir.Model) -> tuple[str, ...]:
    """Where the retraining workflow writes: only training.output (each run under `<output>/<run>/`)."""
    return (model.training.output,) if model.training else ()


def logged(model: ir.Model) -> bool:
    """The model logs its requests: `monitoring.logging` and a `data.live` folder to write them to."""
    return model.logging is not None and model.data is not None and bool(model.data.live)


def live_writes(env: ir.Environment) -> tuple[str, ...]:
    """Where the environment's Vector writes with its own cloud identity: every logged model's data.live, but for a
    scheme the target's `storageCredentials` cover (Vector writes that store with the Secret instead)."""
    by_secret = {c.scheme for c in env.target.storage_credentials}
    lives = {m.data.live for m in env.models if logged(m) and m.data is not None and m.data.live}
    return tuple(sorted(u for u in lives if u.partition("://")[0] not in by_secret))


def _source(*path: str | int) -> str:
    return json_path(tuple(path))
