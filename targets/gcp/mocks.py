"""GCP for the mocks preview: what GCP reports for the resources the program reads outputs of."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from mlops.targets.base.mocks import CallFn, OutputsFn


def _cluster(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    physical = inputs.get("name") or name
    return {"endpoint": "203.0.113.20",
            "masterAuth": {"clusterCaCertificate": base64.b64encode(f"mock CA of {physical}".encode()).decode()},
            "id": f"projects/{inputs.get('project')}/locations/{inputs.get('location')}/clusters/{physical}"}


def _account(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    email = f"{inputs.get('accountId')}@{inputs.get('project')}.iam.gserviceaccount.com"
    return {"email": email, "member": f"serviceAccount:{email}",
            "name": f"projects/{inputs.get('project')}/serviceAccounts/{email}"}


OUTPUTS: dict[str, OutputsFn] = {
    "gcp:container/cluster:Cluster": _cluster,
    "gcp:serviceaccount/account:Account": _account,
    "gcp:compute/network:Network": lambda name, inputs, provider: {
        "id": f"projects/{inputs.get('project')}/global/networks/{inputs.get('name') or name}"},
    "gcp:compute/subnetwork:Subnetwork": lambda name, inputs, provider: {
        "id": (f"projects/{inputs.get('project')}/regions/{inputs.get('region')}"
               f"/subnetworks/{inputs.get('name') or name}")},
}
CALLS: dict[str, CallFn] = {}
