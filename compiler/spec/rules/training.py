"""Retraining: a gate that can be measured, a pool that can run the training step, a schedule that parses.

- the gate scores candidate and champion on `data.holdout` against `data.label`: a run without them has nothing
  to evaluate on;
- fairness bounds are measured on `data.protected`: without it the gate could never pass them;
- `minChange` compares with the champion, the artifact `training.environment` serves: a model serving none there
  (no `artifact`, no variants) has no champion to improve on;
- `training.nodePool` names a pool whose nodes hold `training.resources`;
- `training.output` is an object store Argo Workflows uploads to (s3://, gs://, az://), and an az:// one is written
  from an Azure cluster: Argo's azure driver takes the pod's Azure identity or an account key / SAS token, never
  the service principal a storageCredentials.az Secret holds (mlops.targets.base.artifacts.workflow_output);
- `triggers.schedule` is a five-field cron (numbers or JAN-DEC / SUN-SAT names, `*`, ranges, steps, lists) or one of
  the macros the schema allows; the schema's pattern only counts the fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mlops import targets
from mlops.diagnostics import Diagnostic, did_you_mean, one_of, shown
from mlops.spec.overlay import EnvSource
from mlops.spec.quantity import memory_gib, millicores
from mlops.spec.raw import integer, mapping, models_of, pools_of
from mlops.targets.base.artifacts import store_scheme

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
NAMES = {3: ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
         4: ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")}
ITEM = re.compile(r"^(\*|(\w+)(-(\w+))?)(/(\d+))?$")


def training(doc: dict[str, Any], target: dict[str, Any] | None, at: EnvSource) -> Iterator[Diagnostic]:
    pools = pools_of(doc)
    env = at.prefix[1] if at.prefix else None
    for name, model in models_of(doc):
        spec = mapping(model.get("training"))
        if not spec:
            continue
        where = ("models", name, "training")
        gate, data = mapping(spec.get("gate")), mapping(model.get("data"))
        for key, use in (("holdout", "the data the gate scores candidate and champion on"),
                         ("label", "the column the gate scores predictions against")):
            if not data.get(key):
                yield at.error(("models", name, "data") if "data" in model else where,
                               f"training needs data.{key}, {use}")
        if mapping(gate.get("fairness")) and not data.get("protected"):
            yield at.error((*where, "gate", "fairness"),
                           "a fairness gate is measured on data.protected, which names no column")
        if env is not None and env == spec.get("environment") and not _serves(model):
            for metric, bound in mapping(gate.get("metrics")).items():
                if "minChange" in mapping(bound):
                    yield at.error((*where, "gate", "metrics", metric, "minChange"),
                                   f"minChange needs a champion, but model '{name}' serves no artifact in "
                                   f"environment '{env}'")
        yield from _pool(where, spec, pools, at)
        if env is not None and env == spec.get("environment"):
            yield from _output((*where, "output"), spec.get("output"), target, at)
        schedule = mapping(spec.get("triggers")).get("schedule")
        if isinstance(schedule, str) and (problem := cron_problem(schedule)):
            yield at.error((*where, "triggers", "schedule"), f"schedule '{shown(schedule)}' does not parse: {problem}")


def _output(where: tuple[str, ...], output: object, target: dict[str, Any] | None, at: EnvSource
            ) -> Iterator[Diagnostic]:
    if not isinstance(output, str):
        return
    scheme = store_scheme(output)
    if scheme is None:
        yield at.error(where, f"training.output '{shown(output)}' is not an object-store folder Argo Workflows can "
                              "upload a run to: use s3://, gs:// or az://ACCOUNT/CONTAINER/PATH")
        return
    provider = mapping(target).get("provider")
    if scheme == "az" and isinstance(provider, str) and provider in targets.REGISTRY \
            and scheme not in targets.get(provider).native_schemes:
        yield at.error(where, f"Argo Workflows uploads to az:// only with the pod's own Azure identity or an account "
                              f"key, which {provider} target '{mapping(target)['_name']}' cannot give (a "
                              "storageCredentials.az Secret is a service principal): publish to a store it reads "
                              "natively or through storageCredentials (s3://, gs://)")


def _serves(model: dict[str, Any]) -> bool:
    variants = mapping(mapping(model.get("rollout")).get("variants"))
    return bool(model.get("artifact")) or any(mapping(v).get("artifact") for v in variants.values())


def _pool(where: tuple[str, ...], spec: dict[str, Any], pools: dict[str, dict[str, Any]],
          at: EnvSource) -> Iterator[Diagnostic]:
    pool_name = spec.get("nodePool")
    if not isinstance(pool_name, str):
        if integer(mapping(spec.get("resources")).get("gpu")):
            yield at.error((*where, "resources", "gpu"), "a training step with GPUs needs training.nodePool naming a "
                                                         "pool with an accelerator")
        return
    if pool_name not in pools:
        listed = f" (node pools: {one_of(sorted(pools))})" if pools else " (cluster.nodePools is empty)"
        yield at.error((*where, "nodePool"), f"unknown node pool '{shown(pool_name)}'"
                                             f"{did_you_mean(pool_name, pools) or listed}")
        return
    machine, resources = mapping(pools[pool_name].get("machine")), mapping(spec.get("resources"))
    accelerators = integer(mapping(pools[pool_name].get("accelerator")).get("count", 1)) \
        if pools[pool_name].get("accelerator") else 0
    need = [("cpu", millicores(resources.get("cpu")), millicores(machine.get("cpu")), f"{resources.get('cpu')} CPU",
             machine.get("cpu")),
            ("memory", memory_gib(resources.get("memory")), memory_gib(machine.get("memory")), resources.get("memory"),
             machine.get("memory")),
            ("gpu", integer(resources.get("gpu")), accelerators, f"{resources.get('gpu')} GPU", accelerators)]
    for key, wanted, held, asked, has in need:
        if wanted is not None and held is not None and wanted > held:
            yield at.error((*where, "resources", key),
                           f"the training step asks {asked} but nodes of pool '{pool_name}' have {has}")


def cron_problem(schedule: str, last_weekday: int = 7) -> str | None:
    """Why `schedule` is no cron Argo Workflows runs, or None (a macro the schema allows passes). `last_weekday`: 6
    for a Kubernetes CronJob, whose parser takes 0-6 or SUN-SAT (kubernetes/kubernetes
    vendor/github.com/robfig/cron/doc.go, "CRON Expression Format")."""
    if schedule.startswith("@"):
        return None
    fields = schedule.split()
    if len(fields) != 5:
        return f"a cron has 5 fields, this has {len(fields)}"
    bounds = (*FIELDS[:4], (FIELDS[4][0], 0, last_weekday))
    for index, (text, (label, low, high)) in enumerate(zip(fields, bounds, strict=True)):
        for item in text.split(","):
            problem = _item(item, index, low, high)
            if problem:
                return f"{label} '{shown(item)}' {problem}"
    return None


def _item(item: str, index: int, low: int, high: int) -> str | None:
    found = ITEM.match(item.upper())
    if not found:
        return "is not a value, a range or a step"
    values = [_value(v, index) for v in (found.group(2), found.group(4)) if v is not None]
    if any(v is None or not low <= v <= high for v in values):
        return f"is outside {low}-{high}"
    if len(values) == 2 and values[0] > values[1]:   # type: ignore[operator]
        return "is a range that ends before it starts"
    if found.group(6) is not None and int(found.group(6)) == 0:
        return "steps by 0"
    return None


def _value(text: str, index: int) -> int | None:
    if text.isdigit():
        return int(text)
    names = NAMES.get(index, ())
    return names.index(text) + (1 if index == 3 else 0) if text in names else None
