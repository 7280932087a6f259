"""The `manifests` layer: an environment's Kubernetes objects, one file each, plus `kustomization.yaml`.

A model's `patches` (RFC 6902) apply to its own objects as they are built (`k8s.patches`); a patch that cannot
apply raises PatchRefused, which the pipeline locates in the spec. Files are named `<kind>-<name>.yaml` (kind
lower-cased) and listed, sorted, in the kustomization with the environment's namespace. Two objects with the same
apiVersion, kind, namespace and name are a bug: raised, never silently merged.
"""

from __future__ import annotations

from typing import Any

from mlops import ir
from mlops.emit.k8s import (
    alerting,
    artifacts,
    contract,
    drift,
    gateway,
    mirrors,
    monitoring,
    monitors,
    patches,
    request_log,
    retrain_triggers,
    rollout,
    routing,
    scaling,
    security,
    training,
    vector,
)
from mlops.emit.k8s.meta import Obj, Scope
from mlops.emit.k8s.serving import metrics_service, model_runtime, passwd_config_map
from mlops.emit.yamlout import dump
from mlops.ir import serving
from mlops.targets import Hints

KUSTOMIZATION = "kustomization.yaml"


def model_objects(scope: Scope, model: ir.Model) -> list[Obj]:
    rt = model_runtime(model)
    serving_port = request_log.AGENT_PORT if serving.logged(model) else rt.http_port
    objects = [security.service_account(scope, model), *rollout.build(scope, model), metrics_service(scope, model),
               routing.http_route(scope, model), *scaling.build(scope, model), *monitoring.build(scope, model),
               *drift.build(scope, model), security.serving_policy(scope, model, serving_port, rt.metrics_port)]
    if model.drift:
        objects.append(security.drift_policy(scope, model))
    objects += monitors.build(scope, model)
    if (model.drift and drift.typed(model)) or model.data_checks or training.checks_here(scope, model):
        objects.append(contract.config_map(scope, model))     # one per model, whichever jobs mount it
    objects += [*training.build(scope, model), *retrain_triggers.build(scope, model)]
    return patches.apply(model, objects)


def objects(env: ir.Environment, hints: Hints) -> list[Obj]:
    """Every object of the environment, in a stable order."""
    scope = Scope(env, hints)
    fetched = [u for m in env.models for u in serving.downloads(m)]
    ports = sorted({artifacts.HTTPS_PORT, *artifacts.download_ports(fetched)})
    out = [security.namespace(scope), *gateway.build(scope), *security.baseline_policies(scope, ports)]
    if env.gateway.tls is not None and env.gateway.tls.acme_email is not None:
        out.append(security.acme_solver_policy(scope))
    if any(model_runtime(m).passwd for m in env.models):
        out.append(passwd_config_map(scope))
    for model in env.models:
        out += model_objects(scope, model)
    return mirrors.apply(env, out + vector.build(scope) + alerting.build(scope))


def _key(obj: Obj) -> tuple[str, str, str, str]:
    meta = obj["metadata"]
    return obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta["name"]


def emit(env: ir.Environment, hints: Hints) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    seen: dict[tuple[str, str, str, str], Any] = {}
    for obj in objects(env, hints):
        key = _key(obj)
        path = f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        if key in seen or path in files:
            raise ValueError(f"two objects named {obj['kind']}/{obj['metadata']['name']} in environment {env.name}")
        seen[key] = obj
        files[path] = dump(obj)
    kustomization = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                     "namespace": env.namespace, "resources": sorted(files)}
    files[KUSTOMIZATION] = dump(kustomization)
    return files
