"""Stage 3, normalize: a validated document -> one `ir.Environment` per environment.

Applies the environment's overrides, fills every default (`mlops.spec.defaults`, held equal to the published
schema's by a test), and picks each node pool's instance type from the target provider's catalog. The ML loop's
declarations are read by `mlops.spec.ml`.
"""

from __future__ import annotations

import json
from typing import Any

from mlops import __version__, ir
from mlops.diagnostics import json_path
from mlops.errors import SpecError
from mlops.ir import runtimes
from mlops.spec import ml
from mlops.spec.defaults import DEFAULTS
from mlops.spec.load import Source
from mlops.spec.overlay import EnvSource, environment_document
from mlops.spec.quantity import cpu_text, memory_gib, seconds
from mlops.spec.rules import clusters
from mlops.targets.base import catalog as catalogs


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
    promotion = spec.get("promotion", {})
    at = EnvSource(source, env)
    pools = tuple(_pool(name, pool, target, at) for name, pool in sorted(cluster.get("nodePools", {}).items()))
    by_name = {p.name: p for p in pools}
    gateway = _gateway(doc.get("gateway", {}))
    return ir.Environment(
        platform=meta["name"],
        owner=meta.get("owner"),
        labels=tuple(sorted(meta.get("labels", {}).items())),
        name=env,
        namespace=spec.get("namespace", f"{meta['name']}-{env}"),
        target=target,
        promotion_from=promotion.get("from"),
        require_approval=bool(promotion.get("requireApproval", DEFAULTS["promotion.requireApproval"])),
        promotion_bootstrap=bool(promotion.get("bootstrap", DEFAULTS["promotion.bootstrap"])),
        kubernetes_version=cluster.get("kubernetesVersion", DEFAULTS["kubernetesVersion"]),
        node_pools=pools,
        registry=ir.Registry(registry["immutableTags"], registry["scanOnPush"], registry["keepLast"], target.registry),
        models=tuple(_model(name, model, by_name, gateway.visibility) for name, model in sorted(doc["models"].items())),
        api_access=_api_access(cluster.get("apiAccess")),
        gateway=gateway,
        monitoring=_monitoring(doc.get("monitoring", {})),
        addons_from=clusters.addons_owner(source, env),
    )


def _api_access(spec: dict[str, Any] | None) -> ir.ApiAccess:
    return ir.ApiAccess(None if spec is None else tuple(spec["allowedCidrs"]))


def _gateway(spec: dict[str, Any]) -> ir.Gateway:
    tls, tls_ir = spec.get("tls"), None
    if tls and "acme" in tls:
        tls_ir = ir.Tls(acme_email=tls["acme"]["email"], acme_server=tls["acme"].get("server", DEFAULTS["acme.server"]))
    elif tls:
        tls_ir = ir.Tls(secret=tls["secretRef"]["name"])
    return ir.Gateway(tls=tls_ir, visibility=spec.get("visibility", DEFAULTS["gateway.visibility"]))


_NOTIFY_SECRET = {"slack": "webhookSecretRef", "pagerduty": "routingKeySecretRef", "webhook": "urlSecretRef"}


def _monitoring(spec: dict[str, Any]) -> ir.Monitoring:
    notify = tuple(ir.Notify(receiver, _secret(config[_NOTIFY_SECRET[receiver]]), config.get("channel"))
                   for receiver, config in sorted(spec.get("notify", {}).items()))
    return ir.Monitoring(retention=spec.get("retention"), storage=spec.get("storage"), notify=notify)


def _secret(ref: dict[str, Any]) -> ir.SecretRef:
    return ir.SecretRef(ref["name"], ref.get("key"))


def _target(name: str, spec: dict[str, Any]) -> ir.Target:
    mirrors = tuple(sorted(spec.get("images", {}).get("mirrors", {}).items()))
    return ir.Target(name=name, provider=spec["provider"], region=spec.get("region"), project=spec.get("project"),
                     account=spec.get("account"), subscription=spec.get("subscription"), context=spec.get("context"),
                     registry=spec.get("registry"), storage_class=spec.get("storageClass"),
                     storage_credentials=tuple(ir.StoreCredentials(scheme, _secret(c["secretRef"]))
                                               for scheme, c in sorted(spec.get("storageCredentials", {}).items())),
                     addons=tuple(_existing_addon(n, a) for n, a in sorted(spec.get("addons", {}).items())),
                     jobs_image=spec.get("images", {}).get("jobs") or runtimes.mirrored(
                         runtimes.jobs_image(__version__), mirrors),
                     mirrors=mirrors,
                     pull_secrets=tuple(spec.get("images", {}).get("pullSecrets", ())),
                     rollouts_gateway_plugin=spec.get("images", {}).get("rolloutsGatewayPlugin"))


def _existing_addon(name: str, spec: Any) -> ir.ExistingAddon:
    if not isinstance(spec, dict):          # `existing`: nothing the manifests address
        return ir.ExistingAddon(name)
    port = spec.get("port", DEFAULTS.get(f"addons.{name}.port"))
    return ir.ExistingAddon(name, namespace=spec.get("namespace", DEFAULTS.get(f"addons.{name}.namespace")),
                            service=spec.get("service"), port=port, gateway_class=spec.get("gatewayClass"),
                            labels=tuple(sorted(spec.get("labels", {}).items())))


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
            raise SpecError([at.error(("cluster", "nodePools", name, "machine"),
                                      f"{exc} (target {target.name})")]) from None
        instance_type, carried = chosen.instance.name, chosen.instance.accelerator
    return ir.NodePool(name=name, cpu=machine["cpu"], memory=machine["memory"],
                       memory_gib=memory_gib(machine["memory"]) or 0,
                       accelerator=accel["type"] if accel else None, accelerator_count=count,
                       min=scaling["min"], max=scaling["max"], spot=spot,
                       instance_type=instance_type, instance_accelerator=carried or (accel["type"] if accel else None))


def _model(name: str, spec: dict[str, Any], pools: dict[str, ir.NodePool], visibility: ir.Visibility) -> ir.Model:
    res = {**DEFAULTS["resources"], **spec.get("resources", {})}
    scaling = {**DEFAULTS["scaling"], **spec.get("scaling", {})}
    scaling.setdefault("target", DEFAULTS["scaling.target.cpu"])
    endpoint = spec.get("endpoint")
    monitoring = spec.get("monitoring", {})
    alerts, drift = monitoring.get("alerts"), monitoring.get("drift")
    pool = pools.get(spec.get("nodePool", ""))
    runtime = spec.get("runtime", {})
    return ir.Model(
        name=name,
        spec_path=json_path(("models", name)),
        framework=spec["framework"],
        artifact=spec.get("artifact"),
        image=spec.get("image"),
        node_pool=spec.get("nodePool"),
        accelerator=pool.instance_accelerator if pool and res["gpu"] else None,
        resources=ir.Resources(cpu=cpu_text(res["cpu"]), memory=res["memory"], gpu=res["gpu"], disk=res.get("disk")),
        scaling=ir.Scaling(min=scaling["min"], max=scaling["max"], metric=scaling["metric"],
                           target=float(scaling["target"])),
        endpoint=ir.Endpoint(endpoint["host"], endpoint.get("path", DEFAULTS["endpoint.path"]),
                             endpoint.get("visibility", visibility)) if endpoint else None,
        env=tuple(_env_var(k, v) for k, v in sorted(spec.get("env", {}).items())),
        rollout=_rollout(spec.get("rollout")),
        alerts=ir.Alerts(alerts.get("errorRate"), _ms(alerts.get("latencyP99")), alerts.get("availability"))
        if alerts else None,
        drift=ir.Drift(drift["baseline"], drift.get("schedule", DEFAULTS["drift.schedule"]),
                       float(drift.get("threshold", DEFAULTS["drift.threshold"])),
                       drift.get("method", DEFAULTS["drift.method"])) if drift else None,
        runtime=ir.RuntimeOptions(tuple(runtime.get("args", ())), runtime.get("image"), runtime.get("user")),
        patches=tuple(_patch(name, i, p) for i, p in enumerate(spec.get("patches", ()))),
        data=ml.data(spec.get("data")),
        training=ml.training(spec.get("training")),
        logging=ml.logging(monitoring.get("logging")),
        data_checks=ml.data_checks(monitoring.get("dataChecks")),
        fairness=ml.fairness(monitoring.get("fairness")),
        explain=ml.explain(monitoring.get("explain")),
    )


def _patch(model: str, index: int, spec: dict[str, Any]) -> ir.Patch:
    ops = tuple(ir.PatchOperation(op["op"], op["path"],
                                  json.dumps(op["value"], sort_keys=True) if "value" in op else None,
                                  op.get("from")) for op in spec["patch"])
    return ir.Patch(spec["target"]["kind"], spec["target"]["name"], ops, json_path(("models", model, "patches", index)))


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
        analysis=ir.Analysis(analysis.get("maxErrorRate"),
                             _ms(analysis.get("maxLatencyP99"))) if analysis and progressive else None,
        auto_promote=bool(spec.get("autoPromote", DEFAULTS["rollout.autoPromote"])),
        variants=tuple(ir.Variant(k, v["artifact"], v["weight"]) for k, v in sorted(spec.get("variants", {}).items())),
        candidate=spec.get("candidate", {}).get("artifact"),
        mirror_percent=spec.get("mirrorPercent", DEFAULTS["rollout.mirrorPercent"]),
    )
