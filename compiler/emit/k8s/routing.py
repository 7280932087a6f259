"""The environment's shared Gateway and one HTTPRoute per model.

A model answers under `endpoint.host` + `endpoint.path`, or, without an endpoint, under `/models/<model>` on
any host; the prefix is stripped before the request reaches the runtime. What the route's rule sends where
is the strategy's traffic:

- ab: weighted `backendRefs`, one per variant Service;
- shadow: the stable Service, plus a `RequestMirror` filter sending `mirrorPercent`% of requests to the
  candidate (its answers are dropped);
- canary: stable 100 / canary 0, which Argo Rollouts' Gateway API plugin re-weights step by step;
- blue-green: the active Service; requests carrying `x-mlops-preview: true` reach the preview instead, so
  smoke tests (and the pre-promotion analysis) see it before it takes traffic.
"""

from __future__ import annotations

from mlops import ir
from mlops.emit.k8s.meta import Obj, Scope, new, source
from mlops.emit.k8s.serving import SERVICE_PORT
from mlops.ir import names, serving
from mlops.targets.base import addons

GATEWAY_API = "gateway.networking.k8s.io/v1"
PREVIEW_HEADER = "x-mlops-preview"


def gateway(scope: Scope) -> Obj:
    env = scope.env
    listener = {"name": "http", "protocol": "HTTP", "port": addons.GATEWAY_HTTP_PORT,
                "allowedRoutes": {"namespaces": {"from": "Same"}}}
    spec: Obj = {"gatewayClassName": scope.addons.gateway_class, "listeners": [listener]}
    if scope.hints.gateway_annotations:
        spec["infrastructure"] = {"annotations": dict(scope.hints.gateway_annotations)}
    meta = scope.metadata(env.platform, app=env.platform, instance=env.platform, component="gateway",
                          source=source("environments", env.name))
    return new(GATEWAY_API, "Gateway", meta, spec=spec)


def prefix(model: ir.Model) -> str:
    return model.endpoint.path if model.endpoint else f"/models/{model.name}"


def _backend(name: str, weight: int | None = None) -> Obj:
    ref: Obj = {"name": name, "port": SERVICE_PORT}
    return {**ref, "weight": weight} if weight is not None else ref


def _backends(model: ir.Model) -> tuple[list[Obj], list[Obj]]:
    """backendRefs and extra filters of the model's main rule."""
    rollout = model.rollout
    if rollout.strategy == "ab":
        return [_backend(i.name, i.weight) for i in serving.instances(model)], []
    if rollout.strategy == "canary":
        return [_backend(model.name, 100), _backend(names.canary_service(model.name), 0)], []
    if rollout.strategy == "shadow":
        mirror = {"type": "RequestMirror", "requestMirror": {
            "backendRef": _backend(names.candidate(model.name)), "percent": rollout.mirror_percent}}
        return [_backend(model.name)], [mirror]
    return [_backend(model.name)], []


def http_route(scope: Scope, model: ir.Model) -> Obj:
    path = prefix(model)
    match: Obj = {"path": {"type": "PathPrefix", "value": path}}
    rewrite = [] if path == "/" else [{"type": "URLRewrite", "urlRewrite": {
        "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}}}]
    backends, filters = _backends(model)
    rules = [{"matches": [match], "filters": rewrite + filters, "backendRefs": backends}]
    if model.rollout.strategy == "blue-green":
        header = {**match, "headers": [{"type": "Exact", "name": PREVIEW_HEADER, "value": "true"}]}
        rules.append({"matches": [header], "filters": rewrite,
                      "backendRefs": [_backend(names.preview_service(model.name))]})
    for rule in rules:
        if not rule["filters"]:
            del rule["filters"]
    spec: Obj = {"parentRefs": [{"name": scope.env.platform, "sectionName": "http"}], "rules": rules}
    if model.endpoint:
        spec["hostnames"] = [model.endpoint.host]
    where = ("models", model.name, "endpoint") if model.endpoint else ("models", model.name)
    meta = scope.metadata(model.name, app=model.name, instance=model.name, component="route", source=source(*where))
    return new(GATEWAY_API, "HTTPRoute", meta, spec=spec)


def cluster_selector(scope: Scope, model: ir.Model) -> str:
    """PromQL matcher of the Envoy Gateway clusters serving the model's route."""
    return f'envoy_cluster_name=~"httproute/{scope.namespace}/{model.name}/rule/.*"'
