"""`mlops cost --compare`: the same spec priced on other providers, environment by environment.

Each cloud environment's target is swapped for the other provider in its nearest covered region (same
geography area, else same continent, from the catalogs' `geography`), then validated and normalized
as if written that way. What validation says about the swapped spec is the answer to "what can this
provider not give us": errors leave the cell without a number, warnings (stated equivalents) ride along.
Environments on an existing cluster (onprem) stay where they are: there is no region to move from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlops import ir, targets
from mlops.cost import estimate as cost
from mlops.diagnostics import Diagnostic
from mlops.errors import SpecError
from mlops.pipeline import environments
from mlops.spec.load import Source
from mlops.spec.normalize import normalize
from mlops.spec.overlay import environment_document
from mlops.spec.validate import check
from mlops.targets.base import catalog as catalogs
from mlops.targets.base.artifacts import STORE_SCHEMES

COMPARISON_SECRET = "mlops-cost-compare"   # a placeholder: a comparison never deploys


@dataclass(frozen=True)
class Missing:
    """An ask the provider cannot meet, so the cell has no number."""

    pool: str | None                 # the node pool it concerns, when it concerns one
    what: str                        # short form for a table cell, e.g. "no tpu-v5e"
    message: str                     # the validation error, in full


@dataclass(frozen=True)
class Cell:
    environment: str
    provider: str
    region: str | None
    current: bool                    # the environment's own target (same provider, same region)
    estimate: cost.Estimate | None   # None when something is missing
    missing: tuple[Missing, ...]
    notes: tuple[str, ...]           # validation warnings of the swapped spec (stated equivalents)
    partial: cost.Estimate | None = None   # when pools are missing: the others, picked and priced without them


@dataclass(frozen=True)
class Comparison:
    providers: tuple[str, ...]
    environments: tuple[str, ...]
    cells: tuple[Cell, ...]          # environment by environment, providers in the order asked

    def cell(self, environment: str, provider: str) -> Cell:
        return next(c for c in self.cells if (c.environment, c.provider) == (environment, provider))

    def total(self, provider: str) -> cost.Range | None:
        """All environments on `provider`; None when one of them cannot be priced there."""
        estimates = [c.estimate for c in self.cells if c.provider == provider]
        if any(e is None for e in estimates):
            return None
        return sum((e.total for e in estimates if e is not None), cost.NOTHING)


def nearest_regions(region: str, source: catalogs.Catalog, destination: catalogs.Catalog) -> tuple[str, ...]:
    """Covered regions of `destination` nearest to `region` of `source`: same area first, then same continent,
    each in the destination catalog's order. Empty when the destination covers nothing on that continent."""
    if source.provider == destination.provider:
        return (region,)
    area = source.geography[region]
    continent = area.split("-")[0]
    same_area = [r for r in destination.regions if destination.geography[r] == area]
    same_continent = [r for r in destination.regions
                      if destination.geography[r].split("-")[0] == continent and r not in same_area]
    return (*same_area, *same_continent)


def compare(source: Source, providers: Sequence[str], envs: Sequence[str] | None = None) -> Comparison:
    """Price `envs` (all when None) of a valid spec on each of `providers`. Raises SpecError (invalid spec, or
    an environment's own region not covered by its catalog), build.UnknownEnvironment, ValueError (provider)."""
    unknown = [p for p in providers if p not in catalogs.CLOUD_PROVIDERS]
    if unknown:
        raise ValueError(f"cannot compare on '{unknown[0]}': expected {', '.join(catalogs.CLOUD_PROVIDERS)}")
    chosen, _ = environments(source, envs)
    cost.require_covered(source, chosen)   # an environment's own region places it on the map
    cells = tuple(_cell(source, env.name, env.target, provider) for env in chosen for provider in providers)
    return Comparison(tuple(providers), tuple(e.name for e in chosen), cells)


def _cell(source: Source, env: str, target: ir.Target, provider: str) -> Cell:
    if target.provider not in catalogs.CLOUD_PROVIDERS:
        return Cell(env, provider, None, False, cost.estimate(normalize(source, env)), (), ())
    regions = nearest_regions(target.region or "", catalogs.load(target.provider), catalogs.load(provider))
    if not regions:
        return Cell(env, provider, None, False, None,
                    (Missing(None, "no region nearby",
                             f"{provider} covers no region on the continent of {target.region} "
                             f"({', '.join(catalogs.load(provider).regions)})"),), ())
    first: Cell | None = None
    for region in regions:
        cell = _priced(source, env, provider, region, current=(provider, region) == (target.provider, target.region))
        if not cell.missing:
            return cell
        first = first or cell
    assert first is not None
    return first


def _priced(source: Source, env: str, provider: str, region: str, current: bool) -> Cell:
    swapped = _swap(source, env, provider, region)
    found = check(swapped)
    suffix = f" (target {provider})"
    errors = [d for d in found if d.severity == "error"]
    notes = tuple(sorted({d.message.removesuffix(suffix) for d in found if d.severity == "warning"}))
    if errors:
        missing = tuple(sorted({_missing(d, suffix, swapped, env) for d in errors},
                               key=lambda m: (m.pool or "", m.message)))
        return Cell(env, provider, region, current, None, missing, notes, _partial(swapped, env, missing))
    try:
        estimate = cost.estimate(normalize(swapped, env))
    except SpecError as exc:  # normalize met what validation let through: still an ask not met
        return Cell(env, provider, region, current, None,
                    tuple(_missing(d, suffix, swapped, env) for d in exc.diagnostics), notes)
    return Cell(env, provider, region, current, estimate, (), notes)


def _swap(source: Source, env: str, provider: str, region: str) -> Source:
    """The spec with only `env`, its target replaced by `provider` in `region` (named after the provider).

    Other environments go (they are compared on their own), and so does `promotion`, which names them.
    A target of the same provider is kept whole; another provider's is the one that provider's target offers for
    comparisons (its region, and placeholders where it needs more). An existing registry the target names is kept:
    it is not the provider's to replace.
    """
    doc = source.data
    original = doc["targets"][doc["environments"][env]["target"]]
    target = dict(original, region=region) if original["provider"] == provider else \
        targets.get(provider).comparison_target(region)
    if "registry" in original:
        target["registry"] = original["registry"]
    # Stores of another cloud need a Secret there (rule stores); what it holds costs nothing, so a comparison assumes
    # one, as it assumes a project id.
    target["storageCredentials"] = {**{scheme: {"secretRef": {"name": COMPARISON_SECRET}} for scheme in STORE_SCHEMES},
                                    **original.get("storageCredentials", {})}
    spec = {k: v for k, v in doc["environments"][env].items() if k != "promotion"}
    data = {**doc, "targets": {provider: target}, "environments": {env: {**spec, "target": provider}}}
    return Source(source.name, data, source.values, source.keys)


def _partial(swapped: Source, env: str, missing: tuple[Missing, ...]) -> cost.Estimate | None:
    """The estimate without the pools that cannot be had, or None when something else is missing."""
    if any(m.pool is None for m in missing):
        return None
    gone = {m.pool for m in missing}
    data = dict(swapped.data)
    kept = {k: v for k, v in data["cluster"]["nodePools"].items() if k not in gone}
    data["cluster"] = {**data["cluster"], "nodePools": kept}
    spec = data["environments"][env]
    patched = ((spec.get("overrides") or {}).get("cluster") or {}).get("nodePools")
    if isinstance(patched, dict):  # an override must not bring a removed pool back half-defined
        overrides = {**spec["overrides"], "cluster": {**spec["overrides"]["cluster"],
                                                      "nodePools": {k: v for k, v in patched.items() if k not in gone}}}
        data["environments"] = {env: {**spec, "overrides": overrides}}
    try:
        return cost.estimate(normalize(Source(swapped.name, data, swapped.values, swapped.keys), env))
    except (SpecError, cost.CostError):
        return None


def _missing(diagnostic: Diagnostic, suffix: str, swapped: Source, env: str) -> Missing:
    message = diagnostic.message.removesuffix(suffix)
    parts = diagnostic.path.split(".")
    pool = parts[parts.index("nodePools") + 1] if "nodePools" in parts[:-1] else None
    asked = None
    if pool is not None and parts[-2:] == ["accelerator", "type"]:
        asked = environment_document(swapped.data, env)["cluster"]["nodePools"][pool]["accelerator"]["type"]
    what = f"no {asked}" if asked else (f"no fit for pool {pool}" if pool else message.split(";")[0])
    return Missing(pool, what, message)


def to_json(comparison: Comparison) -> str:
    return cost.dumps(ir.to_dict(comparison))


def from_json(text: str) -> Comparison:
    return ir.from_dict(Comparison, cost.loads(text))
