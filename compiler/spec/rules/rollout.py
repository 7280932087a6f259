"""Rollouts: fields that belong to the strategy chosen, weights and steps that add up, and what a runtime and its
node pool can do for the strategy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.diagnostics import Diagnostic, one_of
from mlops.ir.serving import TPU_FRAMEWORKS
from mlops.spec.overlay import EnvSource
from mlops.spec.raw import integer, mapping, models_of, pools_of

STRATEGY_FIELDS = {
    "steps": ("canary",),
    "interval": ("canary", "blue-green"),
    "analysis": ("canary", "blue-green"),
    "autoPromote": ("blue-green",),
    "variants": ("ab",),
    "candidate": ("shadow",),
    "mirrorPercent": ("shadow",),
}


def rollouts(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    pools = pools_of(doc)
    for name, model in models_of(doc):
        yield from _rollout(name, model, at)
        yield from _runtime(name, model, pools, at)


def _rollout(name: str, model: dict[str, Any], at: EnvSource) -> Iterator[Diagnostic]:
    rollout = mapping(model.get("rollout"))
    strategy = rollout.get("strategy")
    where = ("models", name, "rollout")
    for field, strategies in STRATEGY_FIELDS.items():
        if field in rollout and isinstance(strategy, str) and strategy not in strategies:
            yield at.error((*where, field), f"'{field}' applies only to strategy {one_of(strategies)}, not {strategy}",
                           key=True)
    if strategy == "ab":
        if "artifact" in model:
            yield at.error(("models", name, "artifact"),
                           "with strategy ab each variant names its artifact; remove this one", key=True)
        variants = {k: v for k, v in mapping(rollout.get("variants")).items() if isinstance(v, dict)}
        if not variants:
            yield at.error(where, "strategy ab needs variants (at least two, with weights summing to 100)", key=True)
        weights = [integer(v.get("weight")) for v in variants.values()]
        total = sum(w or 0 for w in weights)
        if variants and None not in weights and total != 100:
            yield at.error((*where, "variants"), f"variant weights sum to {total}, not 100")
    elif "artifact" not in model and model.get("framework") != "custom":
        yield at.error(("models", name), "missing required field 'artifact'", key=True)
    if strategy == "shadow" and "candidate" not in rollout:
        yield at.error(where, "strategy shadow needs a candidate: {artifact: ...}", key=True)
    steps = rollout.get("steps")
    if isinstance(steps, list) and all(integer(s) is not None for s in steps):
        for i in range(1, len(steps)):
            if steps[i] <= steps[i - 1]:
                yield at.error((*where, "steps", i),
                               f"canary steps must strictly increase: {steps[i]} follows {steps[i - 1]}")


def _runtime(name: str, model: dict[str, Any], pools: dict[str, dict[str, Any]], at: EnvSource) -> Iterator[Diagnostic]:
    """What the serving runtime and its placement cannot do, whatever the schema allows."""
    where = ("models", name)
    framework = model.get("framework")
    rollout = mapping(model.get("rollout"))
    analysis = mapping(rollout.get("analysis"))
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
    accel = mapping(pools.get(pool_name, {}).get("accelerator")) if isinstance(pool_name, str) else {}
    accel_type = accel.get("type") if isinstance(accel.get("type"), str) else None
    gpu = integer(mapping(model.get("resources")).get("gpu")) or 0
    if accel_type and not gpu:
        yield at.error((*where, "nodePool"), f"node pool '{pool_name}' is tainted for {accel_type} pods: a model "
                                             "without resources.gpu cannot be scheduled there")
    if accel_type and accel_type.startswith("tpu") and gpu and isinstance(framework, str) \
            and framework not in TPU_FRAMEWORKS:
        yield at.error((*where, "framework"), f"framework {framework} has no TPU runtime: a TPU pool serves "
                                              f"{one_of(list(TPU_FRAMEWORKS))} models")
