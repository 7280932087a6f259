"""Small builders of IR objects (`mlops.ir.model`), with defaults, for the tests of the Kubernetes builders.

Each call gives a frozen dataclass as `mlops.spec.normalize` would, without a file, a YAML load or a validation
pass: `model(strategy="canary", steps=(10, 50))`, `environment(models=(...), provider="gcp", pools=(...))`, then
`scope(env)` for what the builders read (`Scope(env, hints)`, with the target's real hints). The defaults are
the spec's own (schemas/mlops.schema.json, `mlops.spec.normalize.DEFAULTS`) where it has one.

Nothing here checks what normalize would refuse: a table row may build an IR the rules reject, on purpose.
"""

from __future__ import annotations

from typing import Any

from mlops import ir, targets
from mlops.emit.k8s.meta import Scope
from mlops.ir.serving import Instance, instances

# What a target needs beside its provider, per provider (any of them can be overridden).
TARGET_FIELDS: dict[str, dict[str, Any]] = {
    "onprem": {"context": "kind", "registry": "reg.example.com/ml"},
    "aws": {"region": "us-east-1", "account": "123456789012"},
    "gcp": {"region": "us-central1", "project": "shop-dev-4242"},
    "azure": {"region": "eastus"},
}


def target(provider: str = "onprem", *, name: str = "t", **fields: Any) -> ir.Target:
    return ir.Target(name=name, provider=provider, **{**TARGET_FIELDS[provider], **fields})


def pool(name: str = "gpu", *, cpu: int = 8, memory: str = "32Gi", accelerator: str | None = None, count: int = 1,
         min: int = 0, max: int = 3, spot: bool = False, instance_type: str | None = None,
         instance_accelerator: str | None = None) -> ir.NodePool:
    """A node pool; `instance_accelerator` (what the picked instance type carries) defaults to `accelerator`."""
    return ir.NodePool(name=name, cpu=cpu, memory=memory, memory_gib=float(memory.removesuffix("Gi")),
                       accelerator=accelerator, accelerator_count=count if accelerator else 0, min=min, max=max,
                       spot=spot, instance_type=instance_type,
                       instance_accelerator=instance_accelerator or accelerator)


def analysis(error_rate: float | None = None, p99_ms: int | None = None) -> ir.Analysis:
    return ir.Analysis(max_error_rate=error_rate, max_latency_p99_ms=p99_ms)


def alerts(error_rate: float | None = None, p99_ms: int | None = None) -> ir.Alerts:
    return ir.Alerts(error_rate=error_rate, latency_p99_ms=p99_ms)


def drift(baseline: str = "s3://data/train.parquet", schedule: str = "@hourly", threshold: float = 0.2) -> ir.Drift:
    return ir.Drift(baseline=baseline, schedule=schedule, threshold=threshold)


def endpoint(host: str = "api.example.com", path: str = "/") -> ir.Endpoint:
    return ir.Endpoint(host=host, path=path)


def variant(name: str, weight: int, artifact: str | None = None) -> ir.Variant:
    return ir.Variant(name=name, artifact=artifact or f"s3://models/{name}/v1", weight=weight)


def env_var(name: str, value: str | None = None, *, secret: tuple[str, str] | None = None) -> ir.EnvVar:
    """A plain value, or a reference to key `secret[1]` of Secret `secret[0]`."""
    if secret:
        return ir.EnvVar(name, secret_name=secret[0], secret_key=secret[1])
    return ir.EnvVar(name, value=value)


def model(name: str = "m", framework: ir.Framework = "sklearn", *, artifact: str | None = "s3://models/m/v1",
          image: str | None = None, node_pool: str | None = None, accelerator: str | None = None,
          cpu: str = "1", memory: str = "2Gi", gpu: int = 0,
          min: int = 1, max: int = 3, metric: ir.Metric = "cpu", target: float = 70.0,
          endpoint: ir.Endpoint | None = None, env: tuple[ir.EnvVar, ...] = (),
          strategy: ir.Strategy = "rolling", steps: tuple[int, ...] = (10, 50), interval: int = 300,
          analysis: ir.Analysis | None = None, auto_promote: bool = False, variants: tuple[ir.Variant, ...] = (),
          candidate: str | None = None, mirror_percent: int = 100,
          alerts: ir.Alerts | None = None, drift: ir.Drift | None = None) -> ir.Model:
    """A model; `steps` apply to canary only and `analysis` to canary and blue-green (normalize drops them
    elsewhere); ab models carry no artifact of their own (their variants do)."""
    progressive = strategy in ("canary", "blue-green")
    rollout = ir.Rollout(strategy=strategy, steps=steps if strategy == "canary" else (), interval_seconds=interval,
                         analysis=analysis if progressive else None, auto_promote=auto_promote, variants=variants,
                         candidate=candidate, mirror_percent=mirror_percent)
    return ir.Model(name=name, spec_path=f"$.models.{name}", framework=framework,
                    artifact=None if strategy == "ab" else artifact, image=image, node_pool=node_pool,
                    accelerator=accelerator, resources=ir.Resources(cpu=cpu, memory=memory, gpu=gpu),
                    scaling=ir.Scaling(min=min, max=max, metric=metric, target=target), endpoint=endpoint,
                    env=env, rollout=rollout, alerts=alerts, drift=drift)


def environment(models: tuple[ir.Model, ...] = (), provider: str = "onprem", *, name: str = "dev",
                platform: str = "shop", namespace: str | None = None, pools: tuple[ir.NodePool, ...] = (),
                labels: tuple[tuple[str, str], ...] = (), owner: str | None = None, kubernetes_version: str = "1.31",
                **target_fields: Any) -> ir.Environment:
    """An environment of `platform` on a `provider` target (`target_fields` override its defaults)."""
    where = target(provider, **target_fields)
    return ir.Environment(platform=platform, owner=owner, labels=labels, name=name,
                          namespace=namespace or f"{platform}-{name}", target=where, promotion_from=None,
                          require_approval=False, kubernetes_version=kubernetes_version, node_pools=pools,
                          registry=ir.Registry(True, True, 50, where.registry), models=models)


def scope(env: ir.Environment) -> Scope:
    """What the builders read: the environment, and the hints its target really gives."""
    return Scope(env, targets.get(env.target.provider).hints(env))


def instance(m: ir.Model, name: str | None = None) -> Instance:
    """The serving instance `name` of the model (its only one, or its stable one, when not given)."""
    found = instances(m)
    return next(i for i in found if i.name == (name or found[0].name))
