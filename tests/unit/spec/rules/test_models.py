"""mlops.spec.rules.models: placement on a pool that can hold the model, scaling that can work, endpoints served
once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.specs import AZURE, GCP, STORES, errors, manifests, sklearn, spec


def test_fractional_cpu_target_is_refused_not_rounded(tmp_path: Path) -> None:
    doc = spec({"fraud": sklearn(scaling={"metric": "cpu", "target": 65.5})})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:29:15: error: with metric cpu, target is a whole % of requested CPU, got 65.5 "
        "[at $.models.fraud.scaling.target]"]


GENERAL = {"general": {"machine": {"cpu": 4, "memory": "16Gi"}}}
GKE, AKS = ({**t, "storageCredentials": STORES} for t in (GCP, AZURE))   # the model's s3:// artifact read by key


@pytest.mark.parametrize(("target", "resources", "message"), [
    # n2-standard-4 on GKE: 4 - 0.08 CPU; 16 GiB - (1 + 0.8 + 0.8 GiB) - 100 MiB = 13.3 GiB
    (GKE, {"cpu": "3.95", "memory": "8Gi"},
     "one replica needs 3.95 CPU and 8Gi; a n2-standard-4 node of pool 'general' has 4 CPU / 16Gi, of which 3.92 CPU "
     "/ 13.3Gi allocatable after the kubelet's reserve, less 0 CPU / 0Gi for the DaemonSets on every node (target t) "
     "[at $.models.fraud.resources.cpu]"),
    # Standard_D4s_v5 on AKS: 140m; min(20 x 250 + 50 MiB, 25% of 16 GiB) + 100 MiB
    (AKS, {"cpu": "2", "memory": "12Gi"},
     "one replica needs 2 CPU and 12Gi; a Standard_D4s_v5 node of pool 'general' has 4 CPU / 16Gi, of which 3.86 CPU"
     " / 11.9Gi allocatable after the kubelet's reserve, less 0 CPU / 0Gi for the DaemonSets on every node (target t)"
     " [at $.models.fraud.resources.memory]"),
])
def test_a_replica_must_fit_what_the_node_offers_pods(tmp_path: Path, target: dict[str, Any], resources: dict[str, Any],
                                                      message: str) -> None:
    doc = spec({"fraud": sklearn(nodePool="general", resources=resources)}, pools=GENERAL, target=target)
    assert [e.split(": error: ", 1)[1] for e in errors(tmp_path, doc)] == [message]


@pytest.mark.parametrize("target", [GKE, AKS])
def test_a_replica_within_allocatable_passes(tmp_path: Path, target: dict[str, Any]) -> None:
    doc = spec({"fraud": sklearn(nodePool="general", resources={"cpu": "3.5", "memory": "11Gi"})},
               pools=GENERAL, target=target)
    assert "deployment-fraud.yaml" in manifests(tmp_path, doc) or "rollout-fraud.yaml" in manifests(tmp_path, doc)


def test_onprem_keeps_the_machine_as_the_bound(tmp_path: Path) -> None:
    # onprem nodes are the user's: their kubelet's reserve is unknown, so a replica of the whole machine passes
    doc = spec({"fraud": sklearn(nodePool="general", resources={"cpu": "4", "memory": "16Gi"})}, pools=GENERAL)
    assert manifests(tmp_path, doc)
