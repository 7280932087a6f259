"""GCP: GKE with node pools, Artifact Registry, GKE Workload Identity."""

from __future__ import annotations

import base64
import json
from typing import Any, Mapping

import pulumi

from mlops import ir
from mlops.targets.base import catalog

from mlops.targets import Hints
from mlops.targets.base import hints as common


class Gcp:
    provider = "gcp"

    @staticmethod
    def models_service_account(env: ir.Environment) -> str:
        """The Google service account model pods act as (account ids: 6..30 characters)."""
        return f"{common.short_name(f'{env.stack}-models', 30)}@{env.target.project}.iam.gserviceaccount.com"

    @staticmethod
    def registry(env: ir.Environment) -> str:
        return f"{env.target.region}-docker.pkg.dev/{env.target.project}/{env.stack}"

    @staticmethod
    def selector(pool: ir.NodePool) -> dict[str, str]:
        labels = {"cloud.google.com/gke-nodepool": pool.name}
        if pool.instance_type and pool.instance_accelerator:
            item = catalog.load("gcp").instances[pool.instance_type]
            if item.tpu_topology:
                labels["cloud.google.com/gke-tpu-accelerator"] = item.gke_accelerator or ""
                labels["cloud.google.com/gke-tpu-topology"] = item.tpu_topology
            elif item.gke_accelerator:
                labels["cloud.google.com/gke-accelerator"] = item.gke_accelerator
        return labels

    def hints(self, env: ir.Environment) -> Hints:
        return Hints(
            registry=common.registry(env, lambda: self.registry(env)),
            pools=common.pools(env, self.selector),
            service_account_annotations=(("iam.gke.io/gcp-service-account", self.models_service_account(env)),),
        )

    def program(self, env: ir.Environment) -> None:
        from mlops.targets.gcp.program import Platform   # the cloud SDKs load only when a program runs

        platform = Platform(env.stack, env, self.models_service_account(env).split("@")[0])
        pulumi.export("clusterName", platform.cluster.cluster.name)
        pulumi.export("kubeconfig", platform.kubeconfig)
        pulumi.export("registryUrl", platform.registry.url if platform.registry else env.target.registry)
        pulumi.export("modelsServiceAccount", platform.identity.account.email)
        pulumi.export("addons", {name: version for name, version in sorted(platform.addons_versions.items())})


TARGET = Gcp()


def _cluster(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    physical = inputs.get("name") or name
    return {"endpoint": "203.0.113.20",
            "masterAuth": {"clusterCaCertificate": base64.b64encode(f"mock CA of {physical}".encode()).decode()},
            "id": f"projects/{inputs.get('project')}/locations/{inputs.get('location')}/clusters/{physical}"}


def _account(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    email = f"{inputs.get('accountId')}@{inputs.get('project')}.iam.gserviceaccount.com"
    return {"email": email, "member": f"serviceAccount:{email}",
            "name": f"projects/{inputs.get('project')}/serviceAccounts/{email}"}


# What GCP reports for the resources the program reads outputs of (see mlops.targets.aws.mocks).
MOCK_OUTPUTS = {
    "gcp:container/cluster:Cluster": _cluster,
    "gcp:serviceaccount/account:Account": _account,
    "gcp:compute/network:Network": lambda name, inputs, provider: {
        "id": f"projects/{inputs.get('project')}/global/networks/{inputs.get('name') or name}"},
    "gcp:compute/subnetwork:Subnetwork": lambda name, inputs, provider: {
        "id": f"projects/{inputs.get('project')}/regions/{inputs.get('region')}/subnetworks/{inputs.get('name') or name}"},
}


def kubeconfig(name: str, endpoint: str, ca_certificate: str) -> str:
    """A kubeconfig for the cluster that authenticates with `gke-gcloud-auth-plugin` (no key in the file)."""
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "gke-gcloud-auth-plugin",
                     "installHint": "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                     "provideClusterInfo": True}}
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": name, "preferences": {},
        "clusters": [{"name": name, "cluster": {"server": f"https://{endpoint}", "certificate-authority-data": ca_certificate}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "users": [{"name": name, "user": user}],
    }, indent=2, sort_keys=True)
