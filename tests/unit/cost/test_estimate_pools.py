"""`mlops cost` prices what the programs create: every node pool (AKS's system pool too), the extended-support
surcharge, and instance types from the general, memory- and compute-optimised families of every cloud."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from mlops.cost import estimate as cost
from mlops.cost import report
from mlops.targets.azure import SYSTEM_NODES, SYSTEM_POOL, SYSTEM_VM_SIZE
from mlops.targets.base import catalog as catalogs
from tests.infra_helpers import environment

TARGETS = {"aws": "{provider: aws, region: us-east-1}",
           "gcp": "{provider: gcp, region: us-central1, project: shop-123456}",
           "azure": "{provider: azure, region: eastus}"}


def spec(provider: str, version: str = "1.35", machine: str = "{cpu: 4, memory: 16Gi}") -> str:
    return "\n".join([
        "apiVersion: mlops/v1", "kind: Platform", "metadata: {name: shop}", "targets:", f"  prod: {TARGETS[provider]}",
        "environments:", "  live: {target: prod}", "cluster:", f'  kubernetesVersion: "{version}"',
        "  apiAccess: {allowedCidrs: [203.0.113.0/24]}", "  nodePools:",
        f"    general: {{machine: {machine}, scaling: {{min: 1, max: 2}}}}",
        "models:", "  churn: {framework: sklearn, artifact: registry://churn:v3}", ""])


def test_the_aks_system_pool_is_priced_as_the_program_creates_it(tmp_path: Path) -> None:
    estimate = cost.estimate(environment(spec("azure"), "live", tmp_path))
    system = next(p for p in estimate.pools if p.name == SYSTEM_POOL)
    price = Decimal(repr(catalogs.load("azure").instances[SYSTEM_VM_SIZE].prices["eastus"].on_demand))
    assert system.instance_type == SYSTEM_VM_SIZE and system.capacity == "on-demand"
    assert (system.floor, system.max_nodes) == SYSTEM_NODES
    assert system.cost == cost.Range(2 * 730 * price, 3 * 730 * price)
    assert any("mlopssystem: added by the azure target" in n for n in estimate.notes)


@pytest.mark.parametrize("provider", ["aws", "gcp"])
def test_other_clouds_add_no_pool_of_their_own(tmp_path: Path, provider: str) -> None:
    assert [p.name for p in cost.estimate(environment(spec(provider), "live", tmp_path)).pools] == ["general"]


def test_eks_extended_support_is_a_line_of_its_own(tmp_path: Path) -> None:
    fixed = {f.name: f for f in cost.estimate(environment(spec("aws", "1.33"), "live", tmp_path)).fixed}
    assert fixed[cost.EXTENDED_LINE].monthly == Decimal("0.5") * 730
    assert "1.33 is in EKS extended support since 2026-07-29" in fixed[cost.EXTENDED_LINE].note


def test_a_version_in_standard_support_pays_no_surcharge(tmp_path: Path) -> None:
    assert cost.EXTENDED_LINE not in {f.name for f in cost.estimate(environment(spec("aws"), "live", tmp_path)).fixed}


@pytest.mark.parametrize(("provider", "machine", "expected"), [
    ("aws", "{cpu: 8, memory: 64Gi}", "r7i.2xlarge"), ("aws", "{cpu: 16, memory: 32Gi}", "c7i.4xlarge"),
    ("gcp", "{cpu: 8, memory: 64Gi}", "n2-highmem-8"), ("gcp", "{cpu: 8, memory: 8Gi}", "n2-highcpu-8"),
    ("azure", "{cpu: 8, memory: 64Gi}", "Standard_E8s_v5"), ("azure", "{cpu: 16, memory: 32Gi}", "Standard_F16s_v2"),
])
def test_memory_and_compute_heavy_pools_get_their_family_on_every_cloud(tmp_path: Path, provider: str, machine: str,
                                                                      expected: str) -> None:
    env = environment(spec(provider, machine=machine), "live", tmp_path)
    assert env.node_pools[0].instance_type == expected


@pytest.mark.parametrize("provider", catalogs.CLOUD_PROVIDERS)
def test_every_catalog_has_the_three_cpu_families(provider: str) -> None:
    families = {i.family for i in catalogs.load(provider).instances.values()}
    assert {"general", "memory", "compute"} <= families


def test_a_catalog_older_than_180_days_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for provider in ("aws", "gcp"):
        (tmp_path / provider).mkdir()
    estimates = [cost.estimate(environment(spec(p), "live", tmp_path / p)) for p in ("aws", "gcp")]
    text = report.estimates_table(estimates)
    assert "warning: the gcp catalog's prices are of 2025-03-06, more than 180 days old" in text
    assert "warning: the aws catalog" not in text
    monkeypatch.setenv("MLOPS_TODAY", "2027-06-01")     # the aws prices (2026-11-26) are 187 days old then
    assert "warning: the aws catalog's prices are of 2026-11-26" in report.estimates_table(estimates)
