"""Models: placement on a node pool that can hold them, scaling that can work, endpoints served once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic, did_you_mean, one_of, shown
from mlops.spec.overlay import EnvSource
from mlops.spec.quantity import memory_gib, millicores
from mlops.spec.raw import integer, mapping, models_of, pools_of
from mlops.spec.rules.pools import instance_of
from mlops.targets import get as target_of


def models(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    pools = pools_of(doc)
    routes: dict[tuple[str, str], str] = {}
    for name, model in models_of(doc):
        where = ("models", name)
        yield from _placement(name, model, pools, at)
        yield from _allocatable(name, model, pools, target, at)
        yield from _scaling(name, model, at)
        if model.get("framework") == "vllm" and not (integer(mapping(model.get("resources")).get("gpu")) or 0):
            yield at.error((*where, "framework"),
                           "framework vllm needs resources.gpu of at least 1 (vLLM serves on GPUs)")
        endpoint = mapping(model.get("endpoint"))
        if isinstance(endpoint.get("host"), str):
            route = (endpoint["host"], str(endpoint.get("path", "/")))
            if route in routes:
                yield at.error((*where, "endpoint"),
                               f"endpoint {route[0]}{route[1]} is already served by model '{routes[route]}'")
            routes.setdefault(route, name)
        drift = mapping(mapping(model.get("monitoring")).get("drift"))
        baseline = drift.get("baseline")
        if isinstance(baseline, str) and baseline.split("://")[0] in ("registry", "oci"):
            yield at.error((*where, "monitoring", "drift", "baseline"),
                           "a drift baseline is a data file: use s3://, gs://, az:// or https://")


def _placement(name: str, model: dict[str, Any], pools: dict[str, dict[str, Any]],
               at: EnvSource) -> Iterator[Diagnostic]:
    where = ("models", name)
    resources = mapping(model.get("resources"))
    gpu = integer(resources.get("gpu")) or 0
    pool_name = model.get("nodePool")
    accelerated = sorted(p for p, spec in pools.items() if isinstance(spec.get("accelerator"), dict))
    if isinstance(pool_name, str) and pool_name not in pools:
        listed = f" (node pools: {one_of(sorted(pools))})" if pools else " (cluster.nodePools is empty)"
        hint = did_you_mean(pool_name, pools) or listed
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
    accel = mapping(pool.get("accelerator"))
    if gpu and not accel:
        yield at.error((*where, "resources", "gpu"),
                       f"resources.gpu is {gpu} but node pool '{pool_name}' has no accelerator"
                       f"{' (pools with one: ' + one_of(accelerated) + ')' if accelerated else ''}")
    elif gpu and integer(accel.get("count", 1)) is not None and gpu > accel.get("count", 1):
        yield at.error((*where, "resources", "gpu"),
                       f"resources.gpu is {gpu} but nodes of pool '{pool_name}' have {accel.get('count', 1)}")
    machine = mapping(pool.get("machine"))
    cpu_need, cpu_have = millicores(resources.get("cpu")), millicores(machine.get("cpu"))
    if cpu_need is not None and cpu_have is not None and cpu_need > cpu_have:
        yield at.error((*where, "resources", "cpu"),
                       f"one replica asks {resources['cpu']} CPU but nodes of pool '{pool_name}' have {machine['cpu']}")
    mem_need, mem_have = memory_gib(resources.get("memory")), memory_gib(machine.get("memory"))
    if mem_need is not None and mem_have is not None and mem_need > mem_have:
        yield at.error((*where, "resources", "memory"),
                       f"one replica asks {resources['memory']} but nodes of pool '{pool_name}' have "
                       f"{machine['memory']}")


def _allocatable(name: str, model: dict[str, Any], pools: dict[str, dict[str, Any]], target: dict[str, Any] | None,
                 at: EnvSource) -> Iterator[Diagnostic]:
    """A replica that fits the pool's `machine` may still not fit what its nodes offer pods: the kubelet's reserve
    and the DaemonSets on every node come first (the target's `node_budget`, from the providers' documented
    formulas). Off the clouds (onprem) the nodes' reserves are unknown and `machine` stays the bound."""
    resources = mapping(model.get("resources"))
    pool = pools.get(model["nodePool"]) if isinstance(model.get("nodePool"), str) else None
    machine = mapping(mapping(pool).get("machine"))
    cpu, memory = millicores(resources.get("cpu")), memory_gib(resources.get("memory"))
    have_cpu, have_memory = millicores(machine.get("cpu")), memory_gib(machine.get("memory"))
    instance = instance_of(pool, target) if pool is not None else None
    if instance is None or (cpu is None and memory is None) or have_cpu is None or have_memory is None:
        return
    if (cpu or 0) > have_cpu or (memory or 0) > have_memory:
        return  # beyond the machine itself: _placement says so
    node = target_of(str(mapping(target)["provider"])).node_budget(instance)
    if node is None:
        return
    short_cpu, short_memory = (cpu or 0) > node.free_cpu_m, (memory or 0) * 1024 > node.free_mib
    if not (short_cpu or short_memory):
        return
    needs = " and ".join(([f"{resources['cpu']} CPU"] if cpu is not None else [])
                         + ([str(resources["memory"])] if memory is not None else []))
    yield at.error(("models", name, "resources", "cpu" if short_cpu else "memory"),
                   f"one replica needs {needs}; a {instance.name} node of pool '{model['nodePool']}' has "
                   f"{_cpu(node.cpu_m)} CPU / {_gi(node.memory_mib)}Gi, of which {_cpu(node.allocatable_cpu_m)} CPU"
                   f" / {_gi(node.allocatable_mib)}Gi allocatable after the kubelet's reserve, less "
                   f"{_cpu(node.daemonset_cpu_m)} CPU / {_gi(node.daemonset_mib)}Gi for the DaemonSets on every node "
                   f"(target {mapping(target).get('_name')})")


def _cpu(m: float) -> str:
    """Millicores as CPUs, rounded down to 0.01 (an allocatable never reads as more than it is)."""
    return f"{int(m / 10) / 100:g}"


def _gi(mib: float) -> str:
    return f"{int(mib / 1024 * 10) / 10:g}"


def _scaling(name: str, model: dict[str, Any], at: EnvSource) -> Iterator[Diagnostic]:
    scaling = mapping(model.get("scaling"))
    where = ("models", name, "scaling")
    low, high = integer(scaling.get("min")), integer(scaling.get("max"))
    metric = scaling.get("metric", "cpu")
    if low is not None and high is not None and low > high:
        yield at.error((*where, "min"), f"scaling.min ({low}) is above scaling.max ({high})")
    if low == 0 and metric == "cpu":
        yield at.error((*where, "min"),
                       "scaling to zero needs metric rps or concurrency (a CPU autoscaler cannot wake an idle model)")
    if metric in ("rps", "concurrency") and "target" not in scaling:
        yield at.error(where,
                       f"scaling.target is required with metric {metric} (the {metric} each replica should carry)",
                       key=True)
    if metric == "cpu" and isinstance(scaling.get("target"), (int, float)) and scaling["target"] > 100:
        yield at.error((*where, "target"),
                       f"with metric cpu, target is a % of requested CPU (1..100), got {scaling['target']}")
    elif metric == "cpu" and isinstance(scaling.get("target"), float) and not scaling["target"].is_integer():
        yield at.error((*where, "target"),
                       f"with metric cpu, target is a whole % of requested CPU, got {scaling['target']}")
