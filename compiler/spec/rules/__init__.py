"""Semantic rules: what the schema cannot say. Each rule reads a (possibly merged) document defensively,
since it also runs on documents the schema rejected, and yields located diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mlops import targets
from mlops.diagnostics import Diagnostic, did_you_mean, one_of, shown
from mlops.ir import names as k8s_names
from mlops.ir.serving import TPU_FRAMEWORKS
from mlops.spec.overlay import EnvSource
from mlops.spec.quantity import memory_gib, millicores
from mlops.spec.schema import at_path
from mlops.targets.base import catalog as catalogs

KNOWN_ACCELERATORS = frozenset(at_path("$defs", "nodePool", "properties", "accelerator", "properties", "type", "enum"))

Rule = Callable[[dict[str, Any], dict[str, Any] | None, EnvSource], Iterator[Diagnostic]]

STRATEGY_FIELDS = {
    "steps": ("canary",),
    "interval": ("canary", "blue-green"),
    "analysis": ("canary", "blue-green"),
    "autoPromote": ("blue-green",),
    "variants": ("ab",),
    "candidate": ("shadow",),
    "mirrorPercent": ("shadow",),
}


def _map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _models(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, model in _map(doc.get("models")).items():
        if isinstance(model, dict):
            yield name, model


def _pools(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in _map(_map(doc.get("cluster")).get("nodePools")).items() if isinstance(v, dict)}


def node_pools(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    provider = _map(target).get("provider")
    for name, pool in _pools(doc).items():
        where = ("cluster", "nodePools", name)
        scaling = _map(pool.get("scaling"))
        low, high = _int(scaling.get("min")), _int(scaling.get("max"))
        if low is not None and high is not None and low > high:
            yield at.error((*where, "scaling", "min"), f"scaling.min ({low}) is above scaling.max ({high})")
        if provider in catalogs.CLOUD_PROVIDERS:
            yield from _instance(name, pool, target or {}, at)


def _instance(name: str, pool: dict[str, Any], target: dict[str, Any], at: EnvSource) -> Iterator[Diagnostic]:
    """The pool must fit an instance type the provider offers in the region (maybe through a stated equivalent)."""
    machine, accel = _map(pool.get("machine")), _map(pool.get("accelerator"))
    cpu, memory = _int(machine.get("cpu")), memory_gib(machine.get("memory"))
    count = _int(accel.get("count", 1))
    if cpu is None or memory is None or count is None or ("type" in accel and not (isinstance(accel["type"], str) and accel["type"] in KNOWN_ACCELERATORS)):
        return  # the schema reports it
    try:
        choice = catalogs.select(catalogs.load(target["provider"]), cpu=cpu, memory_gib=memory,
                                 accelerator=accel.get("type"), count=count, region=str(target.get("region")),
                                 spot=pool.get("capacity") == "spot")
    except catalogs.NoFit as exc:
        where = ("accelerator", "type") if accel and "has no" in str(exc) else ("machine",)
        yield at.error(("cluster", "nodePools", name, *where), f"{exc} (target {target['_name']})")
        return
    if choice.note:
        yield at.error(("cluster", "nodePools", name, "accelerator", "type"), f"{choice.note} (target {target['_name']})",
                       severity="warning")


def models(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    pools = _pools(doc)
    routes: dict[tuple[str, str], str] = {}
    for name, model in _models(doc):
        where = ("models", name)
        yield from _placement(name, model, pools, at)
        yield from _scaling(name, model, at)
        yield from _rollout(name, model, at)
        yield from _runtime(name, model, pools, at)
        if model.get("framework") == "vllm" and not (_int(_map(model.get("resources")).get("gpu")) or 0):
            yield at.error((*where, "framework"), "framework vllm needs resources.gpu of at least 1 (vLLM serves on GPUs)")
        endpoint = _map(model.get("endpoint"))
        if isinstance(endpoint.get("host"), str):
            route = (endpoint["host"], str(endpoint.get("path", "/")))
            if route in routes:
                yield at.error((*where, "endpoint"), f"endpoint {route[0]}{route[1]} is already served by model '{routes[route]}'")
            routes.setdefault(route, name)
        drift = _map(_map(model.get("monitoring")).get("drift"))
        baseline = drift.get("baseline")
        if isinstance(baseline, str) and baseline.split("://")[0] in ("registry", "oci"):
            yield at.error((*where, "monitoring", "drift", "baseline"),
                           "a drift baseline is a data file: use s3://, gs://, az:// or https://")


def _placement(name: str, model: dict[str, Any], pools: dict[str, dict[str, Any]], at: EnvSource) -> Iterator[Diagnostic]:
    where = ("models", name)
    resources = _map(model.get("resources"))
    gpu = _int(resources.get("gpu")) or 0
    pool_name = model.get("nodePool")
    accelerated = sorted(p for p, spec in pools.items() if isinstance(spec.get("accelerator"), dict))
    if isinstance(pool_name, str) and pool_name not in pools:
        hint = did_you_mean(pool_name, pools) or (f" (node pools: {one_of(sorted(pools))})" if pools else " (cluster.nodePools is empty)")
        yield at.error((*where, "nodePool"), f"unknown node pool '{shown(pool_name)}'{hint}")
        return
    pool = pools.get(pool_name) if isinstance(pool_name, str) else None
    if gpu and pool is None:
        yield at.error((*where, "resources", "gpu"),
                       f"resources.gpu needs nodePool naming a pool with an accelerator"
                       f" ({'pools with one: ' + one_of(accelerated) if accelerated else 'no pool has one'})")
        return
    if pool is None:
        return
    accel = _map(pool.get("accelerator"))
    if gpu and not accel:
        yield at.error((*where, "resources", "gpu"),
                       f"resources.gpu is {gpu} but node pool '{pool_name}' has no accelerator"
                       f"{' (pools with one: ' + one_of(accelerated) + ')' if accelerated else ''}")
    elif gpu and _int(accel.get("count", 1)) is not None and gpu > accel.get("count", 1):
        yield at.error((*where, "resources", "gpu"),
                       f"resources.gpu is {gpu} but nodes of pool '{pool_name}' have {accel.get('count', 1)}")
    machine = _map(pool.get("machine"))
    cpu_need, cpu_have = millicores(resources.get("cpu")), millicores(machine.get("cpu"))
    if cpu_need is not None and cpu_have is not None and cpu_need > cpu_have:
        yield at.error((*where, "resources", "cpu"),
                       f"one replica asks {resources['cpu']} CPU but nodes of pool '{pool_name}' have {machine['cpu']}")
    mem_need, mem_have = memory_gib(resources.get("memory")), memory_gib(machine.get("memory"))
    if mem_need is not None and mem_have is not None and mem_need > mem_have:
        yield at.error((*where, "resources", "memory"),
                       f"one replica asks {resources['memory']} but nodes of pool '{pool_name}' have {machine['memory']}")


def _scaling(name: str, model: dict[str, Any], at: EnvSource) -> Iterator[Diagnostic]:
    scaling = _map(model.get("scaling"))
    where = ("models", name, "scaling")
    low, high = _int(scaling.get("min")), _int(scaling.get("max"))
    metric = scaling.get("metric", "cpu")
    if low is not None and high is not None and low > high:
        yield at.error((*where, "min"), f"scaling.min ({low}) is above scaling.max ({high})")
    if low == 0 and metric == "cpu":
        yield at.error((*where, "min"), "scaling to zero needs metric rps or concurrency (a CPU autoscaler cannot wake an idle model)")
    if metric in ("rps", "concurrency") and "target" not in scaling:
        yield at.error(where, f"scaling.target is required with metric {metric} (the {metric} each replica should carry)", key=True)
    if metric == "cpu" and isinstance(scaling.get("target"), (int, float)) and scaling["target"] > 100:
        yield at.error((*where, "target"), f"with metric cpu, target is a % of requested CPU (1..100), got {scaling['target']}")
    elif metric == "cpu" and isinstance(scaling.get("target"), float) and not scaling["target"].is_integer():
        yield at.error((*where, "target"), f"with metric cpu, target is a whole % of requested CPU, got {scaling['target']}")


def _rollout(name: str, model: dict[str, Any], at: EnvSource) -> Iterator[Diagnostic]:
    rollout = _map(model.get("rollout"))
    strategy = rollout.get("strategy")
    where = ("models", name, "rollout")
    for field, strategies in STRATEGY_FIELDS.items():
        if field in rollout and isinstance(strategy, str) and strategy not in strategies:
            yield at.error((*where, field), f"'{field}' applies only to strategy {one_of(strategies)}, not {strategy}", key=True)
    if strategy == "ab":
        if "artifact" in model:
            yield at.error(("models", name, "artifact"), "with strategy ab each variant names its artifact; remove this one", key=True)
        variants = {k: v for k, v in _map(rollout.get("variants")).items() if isinstance(v, dict)}
        if not variants:
            yield at.error(where, "strategy ab needs variants (at least two, with weights summing to 100)", key=True)
        weights = [_int(v.get("weight")) for v in variants.values()]
        total = sum(w or 0 for w in weights)
        if variants and None not in weights and total != 100:
            yield at.error((*where, "variants"), f"variant weights sum to {total}, not 100")
    elif "artifact" not in model and model.get("framework") != "custom":
        yield at.error(("models", name), "missing required field 'artifact'", key=True)
    if strategy == "shadow" and "candidate" not in rollout:
        yield at.error(where, "strategy shadow needs a candidate: {artifact: ...}", key=True)
    steps = rollout.get("steps")
    if isinstance(steps, list) and all(_int(s) is not None for s in steps):
        for i in range(1, len(steps)):
            if steps[i] <= steps[i - 1]:
                yield at.error((*where, "steps", i), f"canary steps must strictly increase: {steps[i]} follows {steps[i - 1]}")


def _runtime(name: str, model: dict[str, Any], pools: dict[str, dict[str, Any]], at: EnvSource) -> Iterator[Diagnostic]:
    """What the serving runtime and its placement cannot do, whatever the schema allows."""
    where = ("models", name)
    framework = model.get("framework")
    rollout = _map(model.get("rollout"))
    analysis = _map(rollout.get("analysis"))
    if rollout.get("strategy") == "blue-green" and "interval" in rollout and not analysis \
            and rollout.get("autoPromote") is not True:
        yield at.error((*where, "rollout", "interval"), "interval is how long a blue-green preview is analysed, or "
                                                        "held before autoPromote: with neither, a person promotes and "
                                                        "it means nothing (remove it, or add analysis or autoPromote)",
                       key=True)
    if framework == "custom" and rollout.get("strategy") in ("canary", "blue-green") and analysis:
        yield at.error((*where, "rollout", "analysis"),
                       "analysis compares the new version's own metrics, and mlops cannot know the metrics a custom "
                       "image exports: remove analysis, or serve with a framework mlops knows")
    pool_name = model.get("nodePool")
    accel = _map(pools.get(pool_name, {}).get("accelerator")) if isinstance(pool_name, str) else {}
    accel_type = accel.get("type") if isinstance(accel.get("type"), str) else None
    gpu = _int(_map(model.get("resources")).get("gpu")) or 0
    if accel_type and not gpu:
        yield at.error((*where, "nodePool"), f"node pool '{pool_name}' is tainted for {accel_type} pods: a model "
                                             "without resources.gpu cannot be scheduled there")
    if accel_type and accel_type.startswith("tpu") and gpu and isinstance(framework, str) \
            and framework not in TPU_FRAMEWORKS:
        yield at.error((*where, "framework"), f"framework {framework} has no TPU runtime: a TPU pool serves "
                                              f"{one_of(list(TPU_FRAMEWORKS))} models")


def object_names(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    """Two models must not make Kubernetes objects of the same kind and name (e.g. `fraud` with canary and
    a model called `fraud-canary`)."""
    owners: dict[tuple[str, str], str] = {}
    for name, model in sorted(_models(doc)):
        strategy = _map(model.get("rollout")).get("strategy", "rolling")
        variants = sorted(_map(_map(model.get("rollout")).get("variants")))
        claimed = k8s_names.claimed(name, str(strategy), variants)
        for kind, object_name in sorted(claimed):
            other = owners.get((kind, object_name))
            if other is not None and other != name:
                yield at.error(("models", name), f"model '{name}' and model '{other}' would both make the "
                                                 f"{kind} '{object_name}': rename one of them", key=True)
                break
        for item in claimed:
            owners.setdefault(item, name)


def references(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    """registry:// needs a registry: the clouds' targets create one, an existing cluster's target must name one."""
    provider = _map(target).get("provider")
    if not isinstance(provider, str) or provider not in targets.REGISTRY or targets.get(provider).managed_registry \
            or _map(target).get("registry"):
        return
    target_name = _map(target)["_name"]
    for name, model in _models(doc):
        artifacts: list[tuple[tuple[str, ...], Any]] = [(("models", name, "artifact"), model.get("artifact"))]
        rollout = _map(model.get("rollout"))
        artifacts += [(("models", name, "rollout", "variants", v, "artifact"), _map(spec).get("artifact"))
                      for v, spec in _map(rollout.get("variants")).items()]
        artifacts.append((("models", name, "rollout", "candidate", "artifact"), _map(rollout.get("candidate")).get("artifact")))
        for path, uri in artifacts:
            if isinstance(uri, str) and uri.startswith("registry://"):
                yield at.error(path, f"registry:// needs a registry, but {provider} target '{target_name}' names none: "
                                     f"set targets.{target_name}.registry or use oci://HOST/REPO:TAG")


RULES: tuple[Rule, ...] = (node_pools, models, object_names, references)


def check(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in RULES:
        out.extend(rule(doc, target, at))
    return out
