"""mlops.emit.k8s.security: the restricted Pod Security Standard, ServiceAccounts, default-deny networking (every
example's pods: tests/acceptance/test_security.py)."""

from __future__ import annotations

from pathlib import Path

from tests.support.specs import AZURE, GCP, manifests, spec


def test_workload_identity_and_pod_labels_come_from_the_target(tmp_path: Path) -> None:
    files = manifests(tmp_path, spec({"m": {"framework": "sklearn", "artifact": "gs://bucket/m/"}}, target=GCP))
    account = files["serviceaccount-m.yaml"]
    assert account["metadata"]["annotations"]["iam.gke.io/gcp-service-account"] == \
        "m-shop-dev@shop-dev-4242.iam.gserviceaccount.com"          # one service account per model
    assert account["automountServiceAccountToken"] is False
    azure = manifests(tmp_path, spec({"m": {"framework": "sklearn", "artifact": "az://acct/models/m/"}}, target=AZURE))
    labels = azure["deployment-m.yaml"]["spec"]["template"]["metadata"]["labels"]
    assert labels["azure.workload.identity/use"] == "true"
