"""Kubernetes versions are judged against each provider's dated support table, on a day the test chooses."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops.spec.defaults import DEFAULTS
from mlops.spec.load import load
from mlops.spec.validate import check
from mlops.targets.base import catalog

TARGETS = {"aws": "{provider: aws, region: eu-west-1}",
           "gcp": "{provider: gcp, region: europe-west4, project: shop-123456}",
           "azure": "{provider: azure, region: westeurope}"}


def diagnostics(tmp_path: Path, provider: str, version: str | None) -> list[str]:
    lines = ["apiVersion: mlops/v1", "kind: Platform", "metadata: {name: shop}", "targets:",
             f"  prod: {TARGETS[provider]}",
             "environments:", "  live: {target: prod}", "cluster:", "  apiAccess: {allowedCidrs: [203.0.113.0/24]}",
             *([f'  kubernetesVersion: "{version}"'] if version else []),
             "  nodePools:", "    general: {machine: {cpu: 4, memory: 16Gi}}",
             "models:", "  churn: {framework: sklearn, artifact: registry://churn:v3}"]
    path = tmp_path / "mlops.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [d.text() for d in check(load(str(path))) if "Kubernetes" in d.message]


def test_eks_past_extended_support_is_an_error_with_its_dates(tmp_path: Path) -> None:
    [found] = diagnostics(tmp_path, "aws", "1.31")
    assert found.startswith(f"{tmp_path / 'mlops.yaml'}:10:22: error: Kubernetes 1.31 is past the end of EKS "
                            "extended support (2026-11-26; standard support ended 2025-11-26): "
                            "EKS no longer creates clusters at it")
    assert found.endswith("use 1.34, 1.35 or 1.36 (target prod) [at $.cluster.kubernetesVersion]")


def test_eks_in_extended_support_is_a_warning_with_its_surcharge(tmp_path: Path) -> None:
    [found] = diagnostics(tmp_path, "aws", "1.33")
    assert ": warning: Kubernetes 1.33 is in EKS extended support since 2026-07-29 (until 2027-07-29): the cluster " \
           "costs $0.50 more per hour (+$365.00 per month, see mlops cost)" in found


@pytest.mark.parametrize("provider", ["gcp", "azure"])
def test_gke_and_aks_offer_mlops_no_extended_support_so_past_standard_is_an_error(tmp_path: Path,
                                                                                   provider: str) -> None:
    [found] = diagnostics(tmp_path, provider, "1.33")
    assert ": error: Kubernetes 1.33 is past the end of" in found and "use 1.35 or 1.36" in found


def test_a_version_newer_than_the_table_is_a_warning_and_an_older_one_an_error(tmp_path: Path) -> None:
    [newer] = diagnostics(tmp_path, "aws", "1.38")
    assert (": warning: Kubernetes 1.38 is newer than the EKS versions mlops knows (1.29 to 1.36, "
            "table of 2026-12-01)") in newer
    [older] = diagnostics(tmp_path, "aws", "1.28")
    assert ": error: Kubernetes 1.28 is not offered by EKS" in older


@pytest.mark.parametrize("version", [":", "16Gi", "1.x"])
def test_a_version_that_is_no_number_is_the_schemas_error_not_a_crash(tmp_path: Path, version: str) -> None:
    """Found by test_properties (a mutated kubernetesVersion crashed validate in minor_key)."""
    path = tmp_path / "mlops.yaml"
    diagnostics(tmp_path, "aws", "1.35")
    path.write_text(path.read_text().replace('"1.35"', f'"{version}"'), encoding="utf-8")
    found = [d.text() for d in check(load(str(path)))]
    assert any("kubernetesVersion" in f and ": error: " in f for f in found), found


@pytest.mark.parametrize("provider", sorted(TARGETS))
def test_the_default_is_in_standard_support_everywhere_today(tmp_path: Path, provider: str) -> None:
    assert diagnostics(tmp_path, provider, None) == []
    table = catalog.load(provider).kubernetes
    assert table is not None and table.versions[DEFAULTS["kubernetesVersion"]].state(catalog.today()) == "standard"


def test_a_stale_default_is_located_at_the_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_TODAY", "2027-05-01")    # 1.35 has left GKE standard support (2027-04-11)
    [found] = diagnostics(tmp_path, "gcp", None)
    assert "Kubernetes 1.35 (the default: set cluster.kubernetesVersion) is past the end of GKE support" in found
    assert found.endswith("[at $.targets.prod.provider]")


def test_today_is_injectable_and_the_tables_are_dated_and_sourced() -> None:
    assert catalog.today().isoformat() == "2026-12-01"
    for provider in catalog.CLOUD_PROVIDERS:
        table = catalog.load(provider).kubernetes
        assert table is not None and table.taken == "2026-12-01" and "@" in table.source
