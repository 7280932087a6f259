"""Node pools: sizes that make sense, and an instance type the target's provider offers in its region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic
from mlops.spec.overlay import EnvSource
from mlops.spec.quantity import memory_gib
from mlops.spec.raw import integer, mapping, pools_of
from mlops.spec.schema import at_path
from mlops.targets.base import catalog as catalogs

KNOWN_ACCELERATORS = frozenset(at_path("$defs", "nodePool", "properties", "accelerator", "properties", "type", "enum"))


def node_pools(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    provider = mapping(target).get("provider")
    for name, pool in pools_of(doc).items():
        where = ("cluster", "nodePools", name)
        scaling = mapping(pool.get("scaling"))
        low, high = integer(scaling.get("min")), integer(scaling.get("max"))
        if low is not None and high is not None and low > high:
            yield at.error((*where, "scaling", "min"), f"scaling.min ({low}) is above scaling.max ({high})")
        if provider in catalogs.CLOUD_PROVIDERS:
            yield from _instance(name, pool, target or {}, at)


def instance_of(pool: dict[str, Any], target: dict[str, Any] | None) -> catalogs.InstanceType | None:
    """The instance type the target's program creates for `pool` (None off the clouds, or when nothing fits: the
    pool's own rule reports that)."""
    provider = mapping(target).get("provider")
    machine, accel = mapping(pool.get("machine")), mapping(pool.get("accelerator"))
    cpu, memory, count = integer(machine.get("cpu")), memory_gib(machine.get("memory")), integer(accel.get("count", 1))
    if provider not in catalogs.CLOUD_PROVIDERS or cpu is None or memory is None or count is None:
        return None
    if accel and not isinstance(accel.get("type"), str):
        return None
    try:
        return catalogs.select(catalogs.load(str(provider)), cpu=cpu, memory_gib=memory,
                               accelerator=accel.get("type") if isinstance(accel.get("type"), str) else None,
                               count=count, region=str(mapping(target).get("region")),
                               spot=pool.get("capacity") == "spot").instance
    except catalogs.NoFit:
        return None


def _instance(name: str, pool: dict[str, Any], target: dict[str, Any], at: EnvSource) -> Iterator[Diagnostic]:
    """The pool must fit an instance type the provider offers in the region (maybe through a stated equivalent)."""
    machine, accel = mapping(pool.get("machine")), mapping(pool.get("accelerator"))
    cpu, memory = integer(machine.get("cpu")), memory_gib(machine.get("memory"))
    count = integer(accel.get("count", 1))
    unknown_accelerator = "type" in accel and not (isinstance(accel["type"], str)
                                                   and accel["type"] in KNOWN_ACCELERATORS)
    if cpu is None or memory is None or count is None or unknown_accelerator:
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
        yield at.error(("cluster", "nodePools", name, "accelerator", "type"),
                       f"{choice.note} (target {target['_name']})",
                       severity="warning")
