"""Provider catalogs: instance types with their shape, accelerators and prices, read from `catalog.yaml` in each
provider's package (a provider without one, such as onprem, creates no instances and prices nothing).

Pure data, no cloud SDK: `mlops validate` reads it to know what each provider offers, `normalize`
to pick the cheapest instance type that fits a node pool, `mlops cost` to price it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from mlops.targets import REGISTRY

FILE = "catalog.yaml"
TODAY_VARIABLE = "MLOPS_TODAY"      # YYYY-MM-DD: the date support windows and catalog ages are judged at
STALE_AFTER_DAYS = 180              # a catalog's prices older than this are a warning


def today() -> date:
    """The date support windows and price ages are judged at: `MLOPS_TODAY` when set (tests, reproducible
    reports), else the machine's clock. Nothing the compiler writes depends on it, only diagnostics and costs."""
    pinned = os.environ.get(TODAY_VARIABLE)
    return date.fromisoformat(pinned) if pinned else date.today()


def _file(provider: str) -> Traversable:
    # The provider packages sit under mlops.targets: found without importing them (their programs need cloud SDKs).
    return files("mlops.targets").joinpath(REGISTRY[provider].rsplit(".", 1)[1], FILE)


# Providers with a price catalog, in registry order: the clouds, where mlops picks and prices instance types.
CLOUD_PROVIDERS: tuple[str, ...] = tuple(p for p in REGISTRY if _file(p).is_file())


@dataclass(frozen=True)
class Price:
    on_demand: float
    spot: float | None
    zones: tuple[str, ...] = ()          # the zones of the region that offer the type, when not all do (gcp)


@dataclass(frozen=True)
class InstanceType:
    name: str
    family: str
    vcpu: int
    memory_gib: float
    accelerator: str | None
    accelerator_count: int
    prices: Mapping[str, Price]
    machine_type: str | None = None      # gcp: the machine type when `name` is machine+attached GPU
    gke_accelerator: str | None = None   # gcp: GKE's accelerator name for the node pool
    tpu_topology: str | None = None      # gcp: TPU slice topology
    max_pods: int | None = None          # aws: the kubelet's max pods (its memory reserve grows with it)

    def offered_in(self, region: str, spot: bool) -> bool:
        price = self.prices.get(region)
        return price is not None and (not spot or price.spot is not None)


@dataclass(frozen=True)
class FixedCharge:
    name: str
    per_hour: float | None
    per_month: float | None
    note: str


@dataclass(frozen=True)
class VersionSupport:
    """One Kubernetes minor on the provider's managed service, with its support dates (UTC days)."""

    minor: str
    released: date
    end_of_standard: date
    end_of_extended: date | None         # None: the service offers mlops no extended support for it

    def state(self, on: date) -> str:
        """unreleased | standard | extended | ended, on day `on`."""
        if on < self.released:
            return "unreleased"
        if on < self.end_of_standard:
            return "standard"
        if self.end_of_extended is not None and on < self.end_of_extended:
            return "extended"
        return "ended"


@dataclass(frozen=True)
class KubernetesSupport:
    """The provider's Kubernetes version table: what it lets mlops create, and until when."""

    service: str                         # EKS, GKE, AKS: the name messages use
    taken: str                           # date the table was read from its sources
    source: str
    ended: str                           # why a version past its support is refused, in the provider's terms
    versions: Mapping[str, VersionSupport]
    extended_per_hour: float | None      # surcharge per cluster-hour while a version is in extended support
    extended_note: str

    def minors(self) -> list[str]:
        return sorted(self.versions, key=minor_key)

    def in_standard(self, on: date) -> list[str]:
        return [m for m in self.minors() if self.versions[m].state(on) == "standard"]


def minor_key(minor: str) -> tuple[int, ...]:
    return tuple(int(part) for part in minor.split("."))


@dataclass(frozen=True)
class Catalog:
    provider: str
    currency: str
    source: str
    prices_taken: str
    hours_per_month: int
    regions: tuple[str, ...]
    geography: Mapping[str, str]         # region -> <continent>-<area>, e.g. eu-west-1 -> europe-west
    fixed: tuple[FixedCharge, ...]
    instances: Mapping[str, InstanceType]
    equivalents: Mapping[str, str]
    kubernetes: KubernetesSupport | None = None

    def stale(self, on: date) -> bool:
        """Its prices are older than STALE_AFTER_DAYS on day `on`."""
        return (on - date.fromisoformat(self.prices_taken)).days > STALE_AFTER_DAYS

    @property
    def accelerators(self) -> tuple[str, ...]:
        return tuple(sorted({i.accelerator for i in self.instances.values() if i.accelerator}))


class NoFit(ValueError):
    """No instance type of the catalog meets the ask; the message says what is on offer."""


@functools.cache
def load(provider: str) -> Catalog:
    raw: dict[str, Any] = yaml.load(_file(provider).read_text(encoding="utf-8"),
                                    Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    instances = {
        name: InstanceType(
            name=name,
            family=item["family"],
            vcpu=int(item["vcpu"]),
            memory_gib=float(item["memoryGiB"]),
            accelerator=(item.get("accelerator") or {}).get("type"),
            accelerator_count=int((item.get("accelerator") or {}).get("count", 0)),
            prices={region: Price(float(p["onDemand"]), None if p.get("spot") is None else float(p["spot"]),
                                  tuple(p.get("zones", ())))
                    for region, p in item.get("prices", {}).items()},
            machine_type=item.get("machineType"),
            gke_accelerator=item.get("gkeAccelerator"),
            tpu_topology=item.get("tpuTopology"),
            max_pods=item.get("maxPods"),
        )
        for name, item in raw["instances"].items()
    }
    return Catalog(
        provider=raw["provider"],
        currency=raw["currency"],
        source=" ".join(str(raw["source"]).split()),
        prices_taken=str(raw["pricesTaken"]),
        hours_per_month=int(raw.get("hoursPerMonth", 730)),
        regions=tuple(raw["regions"]),
        geography=dict(raw["geography"]),
        fixed=tuple(FixedCharge(f["name"], f.get("perHour"), f.get("perMonth"), f.get("note", ""))
                    for f in raw.get("fixed", [])),
        instances=instances,
        equivalents=dict(raw.get("equivalents") or {}),
        kubernetes=_kubernetes(raw.get("kubernetes")),
    )


def _kubernetes(raw: dict[str, Any] | None) -> KubernetesSupport | None:
    if not raw:
        return None
    extended = raw.get("extendedSupport") or {}
    versions = {minor: VersionSupport(minor, date.fromisoformat(v["released"]), date.fromisoformat(v["endOfStandard"]),
                                      date.fromisoformat(v["endOfExtended"]) if v.get("endOfExtended") else None)
                for minor, v in raw["versions"].items()}
    return KubernetesSupport(service=raw["service"], taken=str(raw["taken"]),
                             source=" ".join(str(raw["source"]).split()), ended=raw["ended"], versions=versions,
                             extended_per_hour=extended.get("perHour"), extended_note=extended.get("note", ""))


@dataclass(frozen=True)
class Choice:
    instance: InstanceType
    note: str | None          # set when a stated equivalent stands in for the accelerator asked


def select(catalog: Catalog, *, cpu: int, memory_gib: float, accelerator: str | None, count: int,
           region: str, spot: bool) -> Choice:
    """The cheapest instance type with at least `cpu` vCPUs, `memory_gib` and `count` of the accelerator asked.

    Prices are compared in `region` when the catalog covers it (types not offered there are skipped);
    otherwise types are ranked by size. When the provider has no such accelerator (anywhere, or in the
    region), its stated equivalent stands in and `Choice.note` says so. Raises NoFit naming what exists.
    """
    try:
        return Choice(_cheapest(catalog, cpu, memory_gib, accelerator, count, region, spot), None)
    except NoFit as exc:
        substitute = catalog.equivalents.get(accelerator or "")
        if substitute is None:
            raise
        first = exc
    try:
        chosen = _cheapest(catalog, cpu, memory_gib, substitute, count, region, spot)
    except NoFit:
        raise first from None
    return Choice(chosen, f"{first}; using the stated equivalent {substitute} ({chosen.name})")


def _cheapest(catalog: Catalog, cpu: int, memory_gib: float, accelerator: str | None, count: int,
              region: str, spot: bool) -> InstanceType:
    same_kind = [i for i in catalog.instances.values()
                 if i.accelerator == accelerator and (accelerator is None or i.accelerator_count >= count)]
    if not same_kind:
        raise NoFit(f"{catalog.provider} has no {_accel_words(accelerator, count)} instance type; "
                    f"it offers {', '.join(catalog.accelerators) or 'no accelerators'}")
    fitting = [i for i in same_kind if i.vcpu >= cpu and i.memory_gib >= memory_gib]
    if not fitting:
        biggest = max(same_kind, key=lambda i: (i.vcpu, i.memory_gib))
        raise NoFit(f"no {catalog.provider} {_accel_words(accelerator, count)} instance type has {cpu} vCPU and "
                    f"{memory_gib:g} GiB; the largest is {biggest.name} "
                    f"({biggest.vcpu} vCPU, {biggest.memory_gib:g} GiB)")
    if region not in catalog.regions:
        return min(fitting, key=lambda i: (i.accelerator_count, i.vcpu, i.memory_gib, i.name))
    available = [i for i in fitting if i.offered_in(region, spot)]
    if not available:
        where = sorted({r for i in fitting for r in i.prices if i.offered_in(r, spot)})
        raise NoFit(f"{catalog.provider} offers no fitting {_accel_words(accelerator, count)} type"
                    f"{' as spot' if spot else ''} in {region} (it does in {', '.join(where) or 'no covered region'})")
    return min(available, key=lambda i: (i.prices[region].on_demand, i.accelerator_count, i.vcpu, i.name))


def _accel_words(accelerator: str | None, count: int) -> str:
    return f"{count}x {accelerator}" if accelerator else "CPU-only"
