"""mlops.cost.estimate: prices follow from the catalog exactly; deltas between two estimates, for `mlops plan`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from mlops.cost import estimate as cost
from mlops.cost import report as cost_report
from mlops.spec.load import load, parse
from mlops.targets.azure import SYSTEM_NODES, SYSTEM_POOL, SYSTEM_VM_SIZE
from mlops.targets.base import catalog as catalogs
from tests.support import NORTH_STAR
from tests.support.costs import GENERAL_POOL, GPU_POOL, HOURS, estimate_of, listed, spec
from tests.support.infra_helpers import environment


def test_a_spot_gpu_pool_costs_nodes_times_hours_times_the_listed_spot_price() -> None:
    (pool,) = estimate_of(spec()).pools
    price = listed("aws", "g6.xlarge", "us-east-1")
    assert pool.instance_type == "g6.xlarge" and pool.capacity == "spot"
    assert pool.hourly == Decimal(str(price.spot))
    assert pool.cost.max == 4 * HOURS * Decimal(str(price.spot))
    assert pool.cost.min == 0
    assert pool.other_capacity == "on-demand"
    assert pool.other_cost == cost.Range(Decimal(0), 4 * HOURS * Decimal(str(price.on_demand)))


def test_an_on_demand_pool_uses_the_on_demand_price_and_shows_spot_beside_it() -> None:
    (pool,) = estimate_of(spec(pools=(GENERAL_POOL,))).pools
    price = listed("aws", pool.instance_type, "us-east-1")
    assert pool.capacity == "on-demand" and pool.hourly == Decimal(str(price.on_demand))
    assert pool.cost == cost.Range(2 * HOURS * Decimal(str(price.on_demand)), 6 * HOURS * Decimal(str(price.on_demand)))
    assert pool.other_cost == cost.Range(2 * HOURS * Decimal(str(price.spot)), 6 * HOURS * Decimal(str(price.spot)))


def test_an_ir_the_catalog_cannot_price_is_a_cost_error() -> None:
    from dataclasses import replace

    from mlops.spec.normalize import normalize

    text = spec(target="{provider: azure, region: eastus}", pools=(GENERAL_POOL,))
    env = normalize(parse(text, "mlops.yaml"), "production")
    h100 = next(i.name for i in catalogs.load("azure").instances.values()
                if "eastus" in i.prices and i.prices["eastus"].spot is None)
    spot_h100 = replace(env, node_pools=(replace(env.node_pools[0], instance_type=h100, spot=True),))
    with pytest.raises(cost.CostError, match="has no spot price in eastus"):
        cost.estimate(spot_h100)
    with pytest.raises(cost.CostError, match="has no azure price"):
        cost.estimate(replace(env, node_pools=(replace(env.node_pools[0], instance_type="m7i.xlarge"),)))


def test_fixed_lines_are_the_catalog_charges_and_totals_add_up() -> None:
    estimate = estimate_of(spec(pools=(GENERAL_POOL, GPU_POOL)))
    charges = catalogs.load("aws").fixed
    assert [f.name for f in estimate.fixed] == [c.name for c in charges]
    for line, charge in zip(estimate.fixed, charges, strict=True):
        hourly = charge.per_hour is not None
        expected = Decimal(str(charge.per_hour)) * HOURS if hourly else Decimal(str(charge.per_month))
        assert line.monthly == expected
    fixed = sum(f.monthly for f in estimate.fixed)
    assert estimate.total.min == sum(p.cost.min for p in estimate.pools) + fixed
    assert estimate.total.max == sum(p.cost.max for p in estimate.pools) + fixed
    assert (estimate.prices_taken, estimate.hours_per_month) == (catalogs.load("aws").prices_taken, 730)


def test_a_target_with_its_own_registry_pays_no_registry_storage() -> None:
    estimate = estimate_of(spec(target="{provider: aws, region: us-east-1, registry: harbor.example.com/ml}"))
    assert cost.REGISTRY_LINE not in [f.name for f in estimate.fixed]
    assert any("harbor.example.com/ml" in n for n in estimate.notes)


def test_gpu_replicas_that_never_scale_to_zero_raise_the_floor() -> None:
    ranker = ("  ranker: {framework: pytorch, artifact: s3://models/ranker/v3, nodePool: gpu, resources: {gpu: 1}, "
              "scaling: {min: 2, max: 4}}")
    (pool,) = estimate_of(spec(models=(ranker,))).pools
    spot = Decimal(str(listed("aws", "g6.xlarge", "us-east-1").spot))
    assert (pool.min_nodes, pool.floor, pool.max_nodes) == (0, 2, 4)
    assert pool.cost.min == 2 * HOURS * spot


def test_a_pool_that_scales_to_zero_costs_nothing_at_min_and_says_add_ons_need_a_node() -> None:
    estimate = estimate_of(spec())
    assert estimate.pools[0].cost.min == 0
    assert any("at least one node" in n for n in estimate.notes)


def test_the_north_star_is_priced_per_environment_from_its_catalogs() -> None:
    production, staging = cost.estimate_spec(load(str(NORTH_STAR)))
    assert (production.provider, production.region, staging.provider, staging.region) == (
        "aws", "eu-west-1", "gcp", "europe-west4")
    gpu = next(p for p in production.pools if p.name == "gpu")
    assert (gpu.instance_type, gpu.accelerator, gpu.accelerator_asked) == ("g5.2xlarge", "nvidia-a10g", "nvidia-l4")
    assert gpu.cost.max == 4 * HOURS * Decimal(str(listed("aws", "g5.2xlarge", "eu-west-1").spot))
    assert any("nvidia-a10g stands in for nvidia-l4" in n for n in production.notes)


def test_a_misspelt_region_gets_a_suggestion() -> None:
    with pytest.raises(Exception) as caught:
        estimate_of(spec(target="{provider: aws, region: us-east1}"))
    assert "(did you mean 'us-east-1'?)" in str(caught.value)


def test_delta_names_the_lines_that_change_and_the_totals() -> None:
    before = estimate_of(spec(pools=(GENERAL_POOL, GPU_POOL)))
    after = estimate_of(spec(pools=(GENERAL_POOL, GPU_POOL.replace("max: 4", "max: 8"))))
    change = cost.delta(before, after)
    spot = Decimal(str(listed("aws", "g6.xlarge", "us-east-1").spot))
    assert change.environment == "production"
    assert change.change == cost.Range(Decimal(0), 4 * HOURS * spot)
    assert [line.name for line in change.lines] == ["pool gpu"]
    assert change.lines[0].after.max - change.lines[0].before.max == 4 * HOURS * spot
    assert cost_report.delta_line(change).startswith(
        f"production: +{cost_report.amount(4 * HOURS * spot)}/month at max (±0.00 at min)")


def test_delta_of_a_new_removed_or_unchanged_environment() -> None:
    estimate = estimate_of(spec())
    assert cost.delta(estimate, estimate).lines == () and cost.delta(estimate, estimate).change == cost.NOTHING
    added = cost.delta(None, estimate)
    assert added.change == estimate.total and all(line.before is None for line in added.lines)
    removed = cost.delta(estimate, None)
    assert removed.change == cost.NOTHING - estimate.total and all(line.after is None for line in removed.lines)
    with pytest.raises(ValueError):
        cost.delta(None, None)


def test_delta_across_providers_compares_lines_by_name() -> None:
    before = estimate_of(spec())
    after = estimate_of(spec(target="{provider: gcp, region: us-east4, project: shop-prod-123, "
                                    "storageCredentials: {s3: {secretRef: {name: s3-reader}}}}"))
    names = {line.name for line in cost.delta(before, after).lines}
    assert "pool gpu" in names and "load-balancer" in names


# --- every pool the program creates, extended support, the three CPU families (issue 13) ---

CLOUDS = {"aws": "{provider: aws, region: us-east-1}",
           "gcp": "{provider: gcp, region: us-central1, project: shop-123456}",
           "azure": "{provider: azure, region: eastus}"}


def cloud_spec(provider: str, version: str = "1.35", machine: str = "{cpu: 4, memory: 16Gi}") -> str:
    return "\n".join([
        "apiVersion: mlops/v1", "kind: Platform", "metadata: {name: shop}", "targets:", f"  prod: {CLOUDS[provider]}",
        "environments:", "  live: {target: prod}", "cluster:", f'  kubernetesVersion: "{version}"',
        "  apiAccess: {allowedCidrs: [203.0.113.0/24]}", "  nodePools:",
        f"    general: {{machine: {machine}, scaling: {{min: 1, max: 2}}}}",
        "models:", "  churn: {framework: sklearn, artifact: registry://churn:v3}", ""])


def test_the_aks_system_pool_is_priced_as_the_program_creates_it(tmp_path: Path) -> None:
    estimate = cost.estimate(environment(cloud_spec("azure"), "live", tmp_path))
    system = next(p for p in estimate.pools if p.name == SYSTEM_POOL)
    price = Decimal(repr(catalogs.load("azure").instances[SYSTEM_VM_SIZE].prices["eastus"].on_demand))
    assert system.instance_type == SYSTEM_VM_SIZE and system.capacity == "on-demand"
    assert (system.floor, system.max_nodes) == SYSTEM_NODES
    assert system.cost == cost.Range(2 * 730 * price, 3 * 730 * price)
    assert any("mlopssystem: added by the azure target" in n for n in estimate.notes)


@pytest.mark.parametrize("provider", ["aws", "gcp"])
def test_other_clouds_add_no_pool_of_their_own(tmp_path: Path, provider: str) -> None:
    assert [p.name for p in cost.estimate(environment(cloud_spec(provider), "live", tmp_path)).pools] == ["general"]


def test_eks_extended_support_is_a_line_of_its_own(tmp_path: Path) -> None:
    fixed = {f.name: f for f in cost.estimate(environment(cloud_spec("aws", "1.33"), "live", tmp_path)).fixed}
    assert fixed[cost.EXTENDED_LINE].monthly == Decimal("0.5") * 730
    assert "1.33 is in EKS extended support since 2026-07-29" in fixed[cost.EXTENDED_LINE].note


def test_a_version_in_standard_support_pays_no_surcharge(tmp_path: Path) -> None:
    fixed = cost.estimate(environment(cloud_spec("aws"), "live", tmp_path)).fixed
    assert cost.EXTENDED_LINE not in {f.name for f in fixed}


@pytest.mark.parametrize(("provider", "machine", "expected"), [
    ("aws", "{cpu: 8, memory: 64Gi}", "r7i.2xlarge"), ("aws", "{cpu: 16, memory: 32Gi}", "c7i.4xlarge"),
    ("gcp", "{cpu: 8, memory: 64Gi}", "n2-highmem-8"), ("gcp", "{cpu: 8, memory: 8Gi}", "n2-highcpu-8"),
    ("azure", "{cpu: 8, memory: 64Gi}", "Standard_E8s_v5"), ("azure", "{cpu: 16, memory: 32Gi}", "Standard_F16s_v2"),
])
def test_memory_and_compute_heavy_pools_get_their_family_on_every_cloud(tmp_path: Path, provider: str, machine: str,
                                                                      expected: str) -> None:
    env = environment(cloud_spec(provider, machine=machine), "live", tmp_path)
    assert env.node_pools[0].instance_type == expected


@pytest.mark.parametrize("provider", catalogs.CLOUD_PROVIDERS)
def test_every_catalog_has_the_three_cpu_families(provider: str) -> None:
    families = {i.family for i in catalogs.load(provider).instances.values()}
    assert {"general", "memory", "compute"} <= families


def test_a_catalog_older_than_180_days_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for provider in ("aws", "gcp"):
        (tmp_path / provider).mkdir()
    estimates = [cost.estimate(environment(cloud_spec(p), "live", tmp_path / p)) for p in ("aws", "gcp")]
    assert "warning" not in cost_report.estimates_table(estimates)     # on 2026-12-01 (conftest) both are recent
    monkeypatch.setenv("MLOPS_TODAY", "2027-02-01")     # the gcp prices (2026-07-30) are 186 days old then
    text = cost_report.estimates_table(estimates)
    assert "warning: the gcp catalog's prices are of 2026-07-30, more than 180 days old" in text
    assert "warning: the aws catalog" not in text
    monkeypatch.setenv("MLOPS_TODAY", "2027-06-01")     # the aws prices (2026-11-26) are 187 days old then
    assert "warning: the aws catalog's prices are of 2026-11-26" in cost_report.estimates_table(estimates)
