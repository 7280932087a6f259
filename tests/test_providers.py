"""Changing only the target's provider changes only what the target hints say (registry, node selectors,
tolerations, identity, load balancer), never a model's rollout, routing, scaling or monitoring."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support import ROOT
from tests.support.specs import manifests

SAME_EVERYWHERE = ("HTTPRoute", "ScaledObject", "HorizontalPodAutoscaler", "PodDisruptionBudget", "PrometheusRule",
                   "AnalysisTemplate", "ServiceMonitor", "NetworkPolicy", "Service", "ConfigMap")
TARGETS = {
    "aws": {"provider": "aws", "region": "us-east-1"},
    "gcp": {"provider": "gcp", "region": "us-central1", "project": "fraud-staging-123"},
    "azure": {"provider": "azure", "region": "eastus"},
}


def north_star(provider: str) -> dict[str, object]:
    doc = yaml.safe_load((ROOT / "examples" / "north-star" / "mlops.yaml").read_text())
    doc["targets"] = {"t": TARGETS[provider]}
    doc["environments"] = {"dev": {"target": "t"}}
    return doc  # type: ignore[no-any-return]


@pytest.mark.parametrize("provider", ["aws", "azure"])
def test_only_hints_change_with_the_provider(tmp_path: Path, provider: str) -> None:
    base, other = manifests(tmp_path, north_star("gcp")), manifests(tmp_path, north_star(provider))
    assert set(base) == set(other)
    for name, obj in base.items():
        if obj.get("kind") in SAME_EVERYWHERE:
            assert other[name] == obj, name
        if obj.get("kind") in ("Deployment", "Rollout"):
            assert other[name]["spec"]["strategy"] == obj["spec"]["strategy"], name
            server = other[name]["spec"]["template"]["spec"]["containers"][0]
            assert server == obj["spec"]["template"]["spec"]["containers"][0], name
        if obj.get("kind") == "CronJob":
            pod = obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            assert other[name]["spec"]["jobTemplate"]["spec"]["template"]["spec"] == pod, name
