"""GCP: GKE with node pools, Artifact Registry, GKE Workload Identity."""

from __future__ import annotations

from compiler import ir
from targets import catalog

from . import Hints
from . import hints as common


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
        raise NotImplementedError("the GCP Pulumi program is being written")


TARGET = Gcp()
