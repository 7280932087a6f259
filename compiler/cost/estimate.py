"""Monthly cost of an environment, priced from the provider catalog its node pools were picked from.

`estimate(env)` turns one environment's IR into named lines (one per node pool, one per fixed charge)
and totals at min and at max nodes; `delta(before, after)` is what `mlops plan` shows per environment.
Money is `Decimal` built from the catalog's own digits, so every figure is exactly nodes x hours x the
listed price. Pure data in, data out: reporters live in `cost_report`, the CLI in `commands/cost`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mlops import ir, targets
from mlops.cost.training import PoolPrice, TrainingLine, trained_here, training_line, unpooled
from mlops.cost.training import note as training_note
from mlops.diagnostics import Diagnostic, did_you_mean
from mlops.errors import Failure, SpecError
from mlops.pipeline import environments
from mlops.spec.load import Source
from mlops.targets.base import catalog as catalogs

REGISTRY_LINE = "registry-storage"   # the fixed line a target with its own registry does not pay
EXTENDED_LINE = "extended-support"   # the surcharge while the cluster's Kubernetes version is in extended support
EXISTING_CLUSTER = "existing cluster: no cloud cost"
ZERO = Decimal(0)
HOURS_PER_MONTH = 730               # for estimates without a catalog (existing clusters)


@dataclass(frozen=True)
class Range:
    """Monthly amounts with every pool at its floor (min) and at its ceiling (max)."""

    min: Decimal
    max: Decimal

    def __add__(self, other: Range) -> Range:
        return Range(self.min + other.min, self.max + other.max)

    def __sub__(self, other: Range) -> Range:
        return Range(self.min - other.min, self.max - other.max)


NOTHING = Range(ZERO, ZERO)


@dataclass(frozen=True)
class PoolLine:
    name: str
    instance_type: str
    accelerator: str | None          # what the instance carries
    accelerator_asked: str | None    # what the spec asked for (differs when a stated equivalent stands in)
    accelerator_count: int
    capacity: str                    # spot | on-demand: the price used follows the pool's capacity
    min_nodes: int                   # scaling.min as written
    floor: int                       # nodes at "min": scaling.min, raised to hold GPU replicas that never scale to zero
    max_nodes: int
    hourly: Decimal                  # per node-hour at `capacity`
    cost: Range
    other_capacity: str
    other_hourly: Decimal | None     # None: the type has no spot offering in the region
    other_cost: Range | None


@dataclass(frozen=True)
class FixedLine:
    name: str
    monthly: Decimal
    note: str


@dataclass(frozen=True)
class Estimate:
    environment: str
    target: str
    provider: str
    region: str | None
    currency: str
    hours_per_month: int
    prices_taken: str | None         # date of the catalog's prices; None for an existing cluster
    pools: tuple[PoolLine, ...]
    fixed: tuple[FixedLine, ...]
    total: Range
    notes: tuple[str, ...]
    training: tuple[TrainingLine, ...] = ()   # scheduled retraining run in this environment's cluster

    @property
    def existing_cluster(self) -> bool:
        return self.prices_taken is None

    def lines(self) -> dict[str, Range]:
        """Every line by name (`pool <name>` or the fixed charge's name): what `delta` compares."""
        out = {f"pool {p.name}": p.cost for p in self.pools}
        out.update({f.name: Range(f.monthly, f.monthly) for f in self.fixed})
        out.update({t.name: Range(t.monthly, ZERO) for t in self.training})
        return out


class CostError(Failure):
    """An environment cannot be priced."""


class UncoveredRegion(CostError):
    def __init__(self, target: ir.Target, covered: Sequence[str]):
        self.target, self.covered = target, tuple(covered)
        region = target.region or ""
        super().__init__(f"region '{region}' is not in the {target.provider} price catalog"
                         f"{did_you_mean(region, covered)}; "
                         f"covered regions: {', '.join(covered)} (validate and compile work in any region, "
                         f"only pricing needs a covered one)")


def money(value: float | int) -> Decimal:
    """A catalog number as the exact decimal written in the file (0.3879, not its binary approximation)."""
    return Decimal(repr(value))


def estimate(env: ir.Environment) -> Estimate:
    """The monthly cost of `env`. Raises UncoveredRegion when its region has no prices, CostError if unpriceable."""
    if env.target.provider not in catalogs.CLOUD_PROVIDERS:
        return Estimate(env.name, env.target.name, env.target.provider, None, "USD", HOURS_PER_MONTH, None, (), (),
                        NOTHING,
                        (EXISTING_CLUSTER,))
    catalog = catalogs.load(env.target.provider)
    region = env.target.region or ""
    if region not in catalog.regions:
        raise UncoveredRegion(env.target, catalog.regions)
    # every pool the program creates: the spec's, and those the target adds for itself (AKS's system pool)
    system = targets.get(env.target.provider).system_pools(env)
    pools = tuple(_pool_line(env, pool, catalog, region) for pool in (*env.node_pools, *system))
    fixed = tuple(_fixed_line(charge, catalog.hours_per_month) for charge in catalog.fixed
                  if not (charge.name == REGISTRY_LINE and env.registry.external))
    fixed += _extended_support(env, catalog)
    training = _training_lines(env, pools, catalog.hours_per_month)
    total = sum((p.cost for p in pools), NOTHING) + sum((Range(f.monthly, f.monthly) for f in fixed), NOTHING) \
        + sum((Range(t.monthly, ZERO) for t in training), NOTHING)
    return Estimate(env.name, env.target.name, env.target.provider, region, catalog.currency, catalog.hours_per_month,
                    catalog.prices_taken, pools, fixed, total,
                    _notes(env, pools) + tuple(f"node pool {p.name}: added by the {env.target.provider} target for "
                                               "the cluster's own components" for p in system)
                    + tuple(training_note(t) for t in training) + unpooled(env), training)


def _training_lines(env: ir.Environment, pools: tuple[PoolLine, ...], hours: int) -> tuple[TrainingLine, ...]:
    by_name = {p.name: p for p in pools}
    return tuple(training_line(name, t, PoolPrice(p.name, p.instance_type, p.capacity, p.hourly, p.floor,
                                                  p.max_nodes), hours)
                 for name, t in trained_here(env) if t.node_pool and (p := by_name.get(t.node_pool)))


def _pool_line(env: ir.Environment, pool: ir.NodePool, catalog: catalogs.Catalog, region: str) -> PoolLine:
    instance = catalog.instances.get(pool.instance_type or "")
    price = instance.prices.get(region) if instance else None
    if instance is None or price is None:
        raise CostError(f"cannot price {env.name}: node pool {pool.name}: instance type {pool.instance_type} "
                        f"has no {catalog.provider} price in {region}")
    hours = Decimal(catalog.hours_per_month)
    on_demand = money(price.on_demand)
    spot = None if price.spot is None else money(price.spot)
    hourly, other = (spot, on_demand) if pool.spot else (on_demand, spot)
    if hourly is None:  # selection only picks spot-offered types for spot pools; an IR from elsewhere may not
        raise CostError(f"cannot price {env.name}: node pool {pool.name}: {instance.name} has no spot price in "
                        f"{region}, and the pool asks for spot")
    floor = _floor(env, pool, instance.accelerator_count)
    return PoolLine(
        name=pool.name, instance_type=instance.name, accelerator=pool.instance_accelerator,
        accelerator_asked=pool.accelerator,
        accelerator_count=instance.accelerator_count, capacity="spot" if pool.spot else "on-demand",
        min_nodes=pool.min, floor=floor, max_nodes=pool.max, hourly=hourly,
        cost=Range(floor * hours * hourly, pool.max * hours * hourly),
        other_capacity="on-demand" if pool.spot else "spot", other_hourly=other,
        other_cost=None if other is None else Range(floor * hours * other, pool.max * hours * other),
    )


def _floor(env: ir.Environment, pool: ir.NodePool, gpus_per_node: int) -> int:
    """Nodes the pool keeps at rest: its scaling.min, or more when models on it keep GPU replicas running.

    A GPU pool at min 0 costs nothing at rest only if every model on it scales to zero too; a model
    with scaling.min 2 and 1 GPU each holds 2 GPUs, hence ceil(2 / GPUs per node) nodes. CPU and memory
    packing is left to the scheduler (and the floor never passes scaling.max).
    """
    held = sum(m.scaling.min * m.resources.gpu for m in env.models if m.node_pool == pool.name)
    needed = -(-held // gpus_per_node) if gpus_per_node else 0
    return min(pool.max, max(pool.min, needed))


def _extended_support(env: ir.Environment, catalog: catalogs.Catalog) -> tuple[FixedLine, ...]:
    """The surcharge of a Kubernetes version in extended support today (validation warns of it too)."""
    table = catalog.kubernetes
    version = table.versions.get(env.kubernetes_version) if table else None
    if table is None or version is None or table.extended_per_hour is None or \
            version.state(catalogs.today()) != "extended":
        return ()
    note = (f"Kubernetes {env.kubernetes_version} is in {table.service} extended support since "
            f"{version.end_of_standard}: {table.extended_note}")
    return (FixedLine(EXTENDED_LINE, money(table.extended_per_hour) * catalog.hours_per_month, note),)


def _fixed_line(charge: catalogs.FixedCharge, hours_per_month: int) -> FixedLine:
    if charge.per_hour is not None:
        return FixedLine(charge.name, money(charge.per_hour) * hours_per_month, charge.note)
    return FixedLine(charge.name, money(charge.per_month or 0), charge.note)


def _notes(env: ir.Environment, pools: tuple[PoolLine, ...]) -> tuple[str, ...]:
    notes = [f"node pool {p.name}: {p.accelerator} stands in for {p.accelerator_asked} ({p.instance_type})"
             for p in pools if p.accelerator != p.accelerator_asked]
    notes += [f"node pool {p.name}: {p.floor} node(s) at min, not {p.min_nodes}: models on it keep GPU replicas running"
              for p in pools if p.floor != p.min_nodes]
    if pools and not any(p.floor for p in pools):
        notes.append("every node pool can scale to zero, but cluster add-ons need at least one node to run on")
    if env.registry.external:
        notes.append(f"registry: the target's own ({env.registry.external}), not priced")
    return tuple(notes)


def estimate_spec(source: Source, envs: Sequence[str] | None = None) -> tuple[Estimate, ...]:
    """Estimates for `envs` (all when None) of a spec. Raises SpecError (invalid spec, or a region not
    covered, located at the target's `region`), build.UnknownEnvironment, or CostError."""
    chosen, _ = environments(source, envs)
    require_covered(source, chosen)
    return tuple(estimate(env) for env in chosen)


def require_covered(source: Source, chosen: Sequence[ir.Environment]) -> None:
    """Raise SpecError, located at each target's `region` line, for every region its catalog has no prices for."""
    uncovered: list[Diagnostic] = []
    for env in chosen:
        if env.target.provider in catalogs.CLOUD_PROVIDERS:
            regions = catalogs.load(env.target.provider).regions
            if env.target.region not in regions:
                uncovered.append(source.error(("targets", env.target.name, "region"),
                                              str(UncoveredRegion(env.target, regions))))
    if uncovered:
        raise SpecError(uncovered)


@dataclass(frozen=True)
class LineDelta:
    name: str
    before: Range | None             # None: the line is new
    after: Range | None              # None: the line is gone


@dataclass(frozen=True)
class Delta:
    environment: str
    before: Range
    after: Range
    lines: tuple[LineDelta, ...]     # only the lines that changed, sorted by name

    @property
    def change(self) -> Range:
        return self.after - self.before


def delta(before: Estimate | None, after: Estimate | None) -> Delta:
    """What changes in an environment's monthly cost (None on one side: the environment is new or removed)."""
    named = before or after
    if named is None:
        raise ValueError("delta needs at least one estimate")
    old, new = (before.lines() if before else {}), (after.lines() if after else {})
    lines = tuple(LineDelta(name, old.get(name), new.get(name)) for name in sorted({*old, *new})
                  if old.get(name) != new.get(name))
    return Delta(named.environment, before.total if before else NOTHING, after.total if after else NOTHING, lines)


def to_json(estimates: Sequence[Estimate]) -> str:
    return dumps({"environments": [ir.to_dict(e) for e in estimates]})


def from_json(text: str) -> tuple[Estimate, ...]:
    return tuple(ir.from_dict(Estimate, e) for e in loads(text)["environments"])


def dumps(data: Any) -> str:
    """Sorted, indented, exact: every amount is written as the decimal it was computed as."""
    return json.dumps(data, indent=2, sort_keys=True, default=_number) + "\n"


def loads(text: str) -> Any:
    """Inverse of `dumps`: amounts come back as the same `Decimal`s."""
    return json.loads(text, parse_float=Decimal)


def _number(value: Any) -> float:
    if isinstance(value, Decimal):
        return float(value)  # amounts carry < 15 significant digits, so the float prints as the same decimal
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
