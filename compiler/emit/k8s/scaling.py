"""Autoscaling per instance: HPA v2 for cpu, KEDA for rps / concurrency and for scale to zero; a PDB from 2.

rps and concurrency come from the runtime's own metrics (so in-cluster callers count too), selected by the
instance's pods. Images whose metrics mlops cannot know (framework custom) scale on the Gateway's per-route
statistics instead, times the instance's share of the route.

Scale from zero: with no pod running, the runtime exports nothing, so a model with `min: 0` gets a second
trigger, `wake`, on the Gateway: requests reaching the route, counting those Envoy refuses (503) while no
replica is ready. Clamped to 1, it asks for one replica and never more: it wakes the model, the primary
trigger sizes it. The limit: requests arriving while the first replica starts are answered 503 (a request-
buffering proxy, the KEDA HTTP add-on, would hold them instead, at the cost of a proxy on every request).
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s import routing
from mlops.emit.k8s.meta import Obj, Scope, new, number, selector, source
from mlops.emit.k8s.rollout import scale_target
from mlops.emit.k8s.runtimes import GATEWAY_ARRIVALS, GATEWAY_QUERIES, query
from mlops.emit.k8s.serving import metric_selector, model_runtime
from mlops.ir import serving
from mlops.ir.serving import Instance

WINDOW = "1m"
POLLING_SECONDS = 15
COOLDOWN_SECONDS = 300


def _load(scope: Scope, model: ir.Model, inst: Instance) -> str:
    """PromQL for the instance's total load in the model's scaling metric (rps or in-flight requests)."""
    queries = model_runtime(model).queries
    if queries is None:  # the Gateway sees the whole route: take the instance's share
        q = GATEWAY_QUERIES.requests if model.scaling.metric == "rps" else GATEWAY_QUERIES.in_flight
        total = query(q, routing.cluster_selector(scope, model), WINDOW)
        return total if inst.share == 1 else f"({total}) * {number(inst.share)}"
    q = queries.requests if model.scaling.metric == "rps" else queries.in_flight
    return query(q, metric_selector(scope, model, inst.name), WINDOW)


def _trigger(scope: Scope, name: str, promql: str, threshold: str, **extra: str) -> Obj:
    metadata = {"serverAddress": scope.addons.prometheus.url, "query": promql, "threshold": threshold, **extra}
    return {"type": "prometheus", "name": name, "metadata": metadata}


def scaled_object(scope: Scope, model: ir.Model, inst: Instance) -> Obj:
    api_version, kind = scale_target(model)
    triggers = [_trigger(scope, model.scaling.metric, f"({_load(scope, model, inst)}) or on() vector(0)",
                         number(model.scaling.target))]
    if inst.min == 0:
        arrivals = query(GATEWAY_ARRIVALS, routing.cluster_selector(scope, model), WINDOW)
        triggers.append(_trigger(scope, "wake", f"clamp_max({arrivals}, 1) or on() vector(0)", "1",
                                 activationThreshold="0"))
    spec = {"scaleTargetRef": {"apiVersion": api_version, "kind": kind, "name": inst.name},
            "minReplicaCount": inst.min, "maxReplicaCount": inst.max, "pollingInterval": POLLING_SECONDS,
            "cooldownPeriod": COOLDOWN_SECONDS, "triggers": triggers}
    meta = scope.metadata(inst.name, app=model.name, instance=inst.name, component="autoscaler",
                          source=source("models", model.name, "scaling"))
    return new("keda.sh/v1alpha1", "ScaledObject", meta, spec=spec)


def hpa(scope: Scope, model: ir.Model, inst: Instance) -> Obj:
    api_version, kind = scale_target(model)
    target = {"type": "Utilization", "averageUtilization": round(model.scaling.target)}
    spec = {"scaleTargetRef": {"apiVersion": api_version, "kind": kind, "name": inst.name},
            "minReplicas": inst.min, "maxReplicas": inst.max,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": target}}]}
    meta = scope.metadata(inst.name, app=model.name, instance=inst.name, component="autoscaler",
                          source=source("models", model.name, "scaling"))
    return new("autoscaling/v2", "HorizontalPodAutoscaler", meta, spec=spec)


def pdb(scope: Scope, model: ir.Model, inst: Instance) -> Obj:
    meta = scope.metadata(inst.name, app=model.name, instance=inst.name, component="disruption-budget",
                          source=source("models", model.name, "scaling", "min"))
    spec = {"maxUnavailable": 1, "selector": {"matchLabels": selector(model.name, inst.name)}}
    return new("policy/v1", "PodDisruptionBudget", meta, spec=spec)


def build(scope: Scope, model: ir.Model) -> list[Obj]:
    keda = model.scaling.metric in ("rps", "concurrency") or model.scaling.min == 0
    out: list[Obj] = []
    for inst in serving.instances(model):
        out.append(scaled_object(scope, model, inst) if keda else hpa(scope, model, inst))
        if inst.min >= serving.DISRUPTION_BUDGET:
            out.append(pdb(scope, model, inst))
    return out
