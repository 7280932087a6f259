"""Workloads by rollout strategy.

- rolling, recreate: one Deployment (RollingUpdate with no unavailable replica, or Recreate).
- canary: an Argo Rollout shifting traffic through the Gateway API plugin, one `setWeight` then one
  `pause: {duration: interval}` per step. Analysis runs in the background from the first pause to full
  promotion (`analysis.startingStep: 1`), measuring every minute: a bad canary is caught within a minute or
  two of taking traffic, instead of at the end of a whole step as a per-step analysis would; every step's
  hold is analysed before the next step starts all the same.
- blue-green: an Argo Rollout switching its active Service. The new colour starts beside the old one behind the
  preview Service (only requests with the preview header reach it), then waits for `kubectl argo rollouts promote`
  or, with `autoPromote`, switches by itself (after `interval` when unanalysed). `analysis` measures the new colour
  AFTER the switch, on the traffic it then carries (`postPromotionAnalysis`, `interval` long): a failure switches
  the active Service back to the old colour, which keeps running until the analysis completes (no
  `scaleDownDelaySeconds`: "it will scale down the ReplicaSet only after the AnalysisRun completes"). An analysis
  before the switch (`prePromotionAnalysis`) would measure only the preview Service, which no production request
  reaches: it would always end inconclusive and pause (argoproj/argo-rollouts@v1.9.0:docs/features/bluegreen.md:
  81-93 the sequence, 116-130 pre- and post-promotion analysis).
- ab, shadow: one Deployment per instance (variants; stable and candidate); the HTTPRoute splits or mirrors.
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s.meta import Obj, Scope, duration, new, number, selector, source
from mlops.emit.k8s.runtimes import query
from mlops.emit.k8s.serving import PROGRESSIVE, metric_selector, model_runtime, pod_template, service
from mlops.ir import names, serving
from mlops.ir.serving import Instance
from mlops.targets.base import addons

ROLLOUTS_API = "argoproj.io/v1alpha1"
MEASURE_EVERY = 60                          # seconds between analysis measurements
WINDOW = "2m"                               # rate window of a measurement
HASH_ARG = [{"name": "hash", "valueFrom": {"podTemplateHashValue": "Latest"}}]


def _spec(scope: Scope, model: ir.Model, inst: Instance) -> Obj:
    return {"selector": {"matchLabels": selector(model.name, inst.name)}, "revisionHistoryLimit": 3,
            "template": pod_template(scope, model, inst)}


def deployment(scope: Scope, model: ir.Model, inst: Instance) -> Obj:
    recreate = model.rollout.strategy == "recreate"
    strategy = {"type": "Recreate"} if recreate else {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}}
    path = source("models", model.name, "rollout") if recreate else inst.source
    meta = scope.metadata(inst.name, app=model.name, instance=inst.name, component="server", source=path)
    return new("apps/v1", "Deployment", meta, spec={**_spec(scope, model, inst), "strategy": strategy})


def _analysed(model: ir.Model) -> bool:
    a = model.rollout.analysis
    return a is not None and (a.max_error_rate is not None or a.max_latency_p99_ms is not None)


def _canary(model: ir.Model, scope: Scope) -> Obj:
    rollout = model.rollout
    steps: list[Obj] = []
    for weight in rollout.steps:
        steps += [{"setWeight": weight}, {"pause": {"duration": duration(rollout.interval_seconds)}}]
    plugin = {addons.ROLLOUTS_GATEWAY_PLUGIN: {"httpRoute": model.name, "namespace": scope.namespace}}
    canary: Obj = {"stableService": model.name, "canaryService": names.canary_service(model.name),
                   "trafficRouting": {"plugins": plugin}, "steps": steps}
    if _analysed(model):
        canary["analysis"] = {"templates": [{"templateName": model.name}], "startingStep": 1, "args": HASH_ARG}
    return {"canary": canary}


def _blue_green(model: ir.Model) -> Obj:
    rollout = model.rollout
    blue: Obj = {"activeService": model.name, "previewService": names.preview_service(model.name),
                 "autoPromotionEnabled": rollout.auto_promote}
    if _analysed(model):
        blue["postPromotionAnalysis"] = {"templates": [{"templateName": model.name}], "args": HASH_ARG}
    elif rollout.auto_promote:
        blue["autoPromotionSeconds"] = rollout.interval_seconds
    return {"blueGreen": blue}


def argo_rollout(scope: Scope, model: ir.Model, inst: Instance) -> Obj:
    strategy = _canary(model, scope) if model.rollout.strategy == "canary" else _blue_green(model)
    meta = scope.metadata(model.name, app=model.name, instance=inst.name, component="server",
                          source=source("models", model.name, "rollout"))
    return new(ROLLOUTS_API, "Rollout", meta, spec={**_spec(scope, model, inst), "strategy": strategy})


def _metric(name: str, promql: str, limit: str, count: int | None, address: str) -> Obj:
    """Passes at or under `limit`, fails above it; no traffic (NaN) is neither: inconclusive, and the
    Rollout pauses for a person to decide rather than promoting on no evidence."""
    out: Obj = {"name": name, "interval": duration(MEASURE_EVERY), "failureLimit": 1, "inconclusiveLimit": 2,
                "successCondition": f"result[0] <= {limit}", "failureCondition": f"result[0] > {limit}",
                "provider": {"prometheus": {"address": address,
                                            "query": f"({promql}) or on() vector(NaN)"}}}
    return {**out, "count": count} if count else out


def analysis_template(scope: Scope, model: ir.Model) -> Obj:
    analysis, queries = model.rollout.analysis, model_runtime(model).queries
    if analysis is None or queries is None:
        raise ValueError(f"model {model.name}: analysis needs the runtime's own metrics")
    sel = metric_selector(scope, model) + ',rollouts_pod_template_hash="{{args.hash}}"'
    # Background (canary) analysis runs until promotion; blue-green measures the new colour for `interval` once active.
    count = None if model.rollout.strategy == "canary" else max(model.rollout.interval_seconds // MEASURE_EVERY, 1)
    metrics = []
    if analysis.max_error_rate is not None:
        ratio = (f"(({query(queries.errors, sel, WINDOW)}) or on() vector(0))"
                 f" / ({query(queries.requests, sel, WINDOW)})")
        metrics.append(_metric("error-rate", ratio, number(analysis.max_error_rate), count,
                               scope.addons.prometheus.url))
    if analysis.max_latency_p99_ms is not None:
        metrics.append(_metric("latency-p99-ms", query(queries.latency_p99_ms, sel, WINDOW),
                               number(analysis.max_latency_p99_ms), count, scope.addons.prometheus.url))
    meta = scope.metadata(model.name, app=model.name, instance=model.name, component="analysis",
                          source=source("models", model.name, "rollout", "analysis"))
    return new(ROLLOUTS_API, "AnalysisTemplate", meta, spec={"args": [{"name": "hash"}], "metrics": metrics})


def build(scope: Scope, model: ir.Model) -> list[Obj]:
    """The model's workloads, their Services and, when analysed, its AnalysisTemplate."""
    strategy = model.rollout.strategy
    if strategy not in PROGRESSIVE:
        return [obj for inst in serving.instances(model)
                for obj in (deployment(scope, model, inst), service(scope, model, inst.name, inst))]
    [inst] = serving.instances(model)
    second = names.canary_service(model.name) if strategy == "canary" else names.preview_service(model.name)
    out = [argo_rollout(scope, model, inst), service(scope, model, inst.name, inst),
           service(scope, model, second, inst)]
    return out + ([analysis_template(scope, model)] if _analysed(model) else [])


def scale_target(model: ir.Model) -> tuple[str, str]:
    """apiVersion and kind of the model's workloads."""
    return (ROLLOUTS_API, "Rollout") if model.rollout.strategy in PROGRESSIVE else ("apps/v1", "Deployment")
