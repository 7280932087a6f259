"""Stage 3, normalize: a validated document -> one `ir.Environment` per environment.

Applies the environment's overrides, fills every default, and picks each node pool's instance type
from the target provider's catalog. Defaults live here, once; a test holds them equal to the
`default` keywords of the published schema.
"""

from __future__ import annotations

from typing import Any

from mlops import ir
from mlops.diagnostics import json_path
from mlops.errors import SpecError
from mlops.spec.load import Source
from mlops.spec.overlay import EnvSource, environment_document
from mlops.spec.quantity import cpu_text, memory_gib, seconds
from mlops.targets.base import catalog as catalogs

DEFAULTS: dict[str, Any] = {
    "kubernetesVersion": "1.31",
    "nodePool.scaling": {"min": 1, "max": 3},
    "nodePool.capacity": "on-demand",
    "accelerator.count": 1,
    "registry": {"immutableTags": True, "scanOnPush": True, "keepLast": 50},
    "resources": {"cpu": "1", "memory": "2Gi", "gpu": 0},
    "scaling": {"min": 1, "max": 3, "metric": "cpu"},
    "scaling.target.cpu": 70,
    "endpoint.path": "/",
    "rollout.interval": "5m",
    "rollout.steps": [25, 50, 75],
    "rollout.mirrorPercent": 100,
    "drift.schedule": "@hourly",
    "drift.threshold": 0.2,
}


def environment_names(source: Source) -> list[str]:
    return sorted(source.data.get("environments", {}))


def normalize(source: Source, env: str) -> ir.Environment:
    """The IR of environment `env` of a validated document. Raises SpecError when a pool fits no instance type."""
    doc = environment_document(source.data, env)
    spec = doc["environments"][env]
    target = _target(spec["target"], doc["targets"][spec["target"]])
    meta = doc["metadata"]
    cluster = doc.get("cluster", {})
    registry = {**DEFAULTS["registry"], **doc.get("registry", {})}
    pools = tuple(_pool(name, pool, target, EnvSource(source, env))
                  for name, pool in sorted(cluster.get("nodePools", {}).items()))
    by_name = {p.name: p for p in pools}
    return ir.Environment(
        platform=meta["name"],
        owner=meta.get("owner"),
        labels=tuple(sorted(meta.get("labels", {}).items())),
        name=env,
        namespace=spec.get("namespace", f"{meta['name']}-{env}"),
        target=target,
        promotion_from=spec.get("promotion", {}).get("from"),
        require_approval=bool(spec.get("promotion", {}).get("requireApproval", False)),
        promotion_bootstrap=bool(spec.get("promotion", {}).get("bootstrap", False)),
        kubernetes_version=cluster.get("kubernetesVersion", DEFAULTS["kubernetesVersion"]),
        node_pools=pools,
        registry=ir.Registry(registry["immutableTags"], registry["scanOnPush"], registry["keepLast"], target.registry),
        models=tuple(_model(name, model, by_name) for name, model in sorted(doc["models"].items())),
    )


def _target(name: str, spec: dict[str, Any]) -> ir.Target:
    return ir.Target(name=name, provider=spec["provider"], region=spec.get("region"), project=spec.get("project"),
                     account=spec.get("account"), subscription=spec.get("subscription"), context=spec.get("context"),
                     registry=spec.get("registry"), storage_class=spec.get("storageClass"))


def _pool(name: str, spec: dict[str, Any], target: ir.Target, at: EnvSource) -> ir.NodePool:
    scaling = {**DEFAULTS["nodePool.scaling"], **spec.get("scaling", {})}
    accel = spec.get("accelerator")
    count = accel.get("count", DEFAULTS["accelerator.count"]) if accel else 0
    spot = spec.get("capacity", DEFAULTS["nodePool.capacity"]) == "spot"
    machine = spec["machine"]
    instance_type = carried = None
    if target.provider in catalogs.CLOUD_PROVIDERS:
        try:
            chosen = catalogs.select(catalogs.load(target.provider), cpu=machine["cpu"],
                                     memory_gib=memory_gib(machine["memory"]) or 0,
                                     accelerator=accel["type"] if accel else None, count=count,
                                     region=target.region or "", spot=spot)
        except catalogs.NoFit as exc:
            where = ("cluster", "nodePools", name, "machine")
            raise SpecError([at.error(where, f"{exc} (target {target.name})")]) from None
        instance_type, carried = chosen.instance.name, chosen.instance.accelerator
    return ir.NodePool(name=name, cpu=machine["cpu"], memory=machine["memory"],
                       memory_gib=memory_gib(machine["memory"]) or 0,
                       accelerator=accel["type"] if accel else None, accelerator_count=count,
                       min=scaling["min"], max=scaling["max"], spot=spot,
                       instance_type=instance_type, instance_accelerator=carried or (accel["type"] if accel else None))


def _model(name: str, spec: dict[str, Any], pools: dict[str, ir.NodePool]) -> ir.Model:
    res = {**DEFAULTS["resources"], **spec.get("resources", {})}
    scaling = {**DEFAULTS["scaling"], **spec.get("scaling", {})}
    scaling.setdefault("target", DEFAULTS["scaling.target.cpu"])
    endpoint = spec.get("endpoint")
    monitoring = spec.get("monitoring", {})
    alerts, drift = monitoring.get("alerts"), monitoring.get("drift")
    pool = pools.get(spec.get("nodePool", ""))
    return ir.Model(
        name=name,
        spec_path=json_path(("models", name)),
        framework=spec["framework"],
        artifact=spec.get("artifact"),
        image=spec.get("image"),
        node_pool=spec.get("nodePool"),
        accelerator=pool.instance_accelerator if pool and res["gpu"] else None,
        resources=ir.Resources(cpu=cpu_text(res["cpu"]), memory=res["memory"], gpu=res["gpu"]),
        scaling=ir.Scaling(min=scaling["min"], max=scaling["max"], metric=scaling["metric"],
                           target=float(scaling["target"])),
        endpoint=ir.Endpoint(endpoint["host"], endpoint.get("path", DEFAULTS["endpoint.path"])) if endpoint else None,
        env=tuple(_env_var(k, v) for k, v in sorted(spec.get("env", {}).items())),
        rollout=_rollout(spec.get("rollout")),
        alerts=ir.Alerts(alerts.get("errorRate"), _ms(alerts.get("latencyP99"))) if alerts else None,
        drift=ir.Drift(drift["baseline"], drift.get("schedule", DEFAULTS["drift.schedule"]),
                       float(drift.get("threshold", DEFAULTS["drift.threshold"]))) if drift else None,
    )


def _env_var(name: str, value: Any) -> ir.EnvVar:
    if isinstance(value, dict):
        return ir.EnvVar(name, secret_name=value["secretRef"]["name"], secret_key=value["secretRef"]["key"])
    return ir.EnvVar(name, value=value)


def _ms(latency: str | None) -> int | None:
    return round(seconds(latency) * 1000) if latency else None


def _rollout(spec: dict[str, Any] | None) -> ir.Rollout:
    if not spec:
        return ir.Rollout(strategy="rolling")
    strategy = spec["strategy"]
    analysis = spec.get("analysis")
    progressive = strategy in ("canary", "blue-green")
    return ir.Rollout(
        strategy=strategy,
        steps=tuple(spec.get("steps", DEFAULTS["rollout.steps"])) if strategy == "canary" else (),
        interval_seconds=int(seconds(spec.get("interval", DEFAULTS["rollout.interval"]))),
        analysis=(ir.Analysis(analysis.get("maxErrorRate"), _ms(analysis.get("maxLatencyP99")))
                  if analysis and progressive else None),
        auto_promote=bool(spec.get("autoPromote", False)),
        variants=tuple(ir.Variant(k, v["artifact"], v["weight"]) for k, v in sorted(spec.get("variants", {}).items())),
        candidate=spec.get("candidate", {}).get("artifact"),
        mirror_percent=spec.get("mirrorPercent", DEFAULTS["rollout.mirrorPercent"]),
    )
