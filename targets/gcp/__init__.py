"""GCP: GKE with node pools, Artifact Registry, GKE Workload Identity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlops import ir
from mlops.ir.names import short_name
from mlops.targets import Hints
from mlops.targets.base import allocatable, catalog
from mlops.targets.base import hints as common
from mlops.targets.base.identities import identities
from mlops.targets.base.resources import CLUSTER, NODE_POOL, REGISTRY, ResourceRules

if TYPE_CHECKING:
    from mlops.targets.base.mocks import Mocks

# `mlops cost --compare`: gcp needs a project id; the comparison never deploys
PLACEHOLDER_PROJECT = "mlops-cost-compare"

RESOURCES = ResourceRules(
    replace_on={
        # GKE: the location and network of a cluster are fixed; the master version is upgraded in place.
        "gcp:container/cluster:Cluster": ("name", "location", "project", "network", "subnetwork", "ipAllocationPolicy",
                                          "privateClusterConfig.enablePrivateNodes", "networkingMode"),
        "gcp:container/nodePool:NodePool": ("name", "location", "cluster", "project", "nodeConfig.machineType",
                                            "nodeConfig.guestAccelerators", "nodeConfig.spot", "nodeConfig.diskSizeGb",
                                            "nodeConfig.oauthScopes", "nodeConfig.serviceAccount"),
        "gcp:artifactregistry/repository:Repository": ("repositoryId", "location", "project", "format"),
        "gcp:compute/network:Network": ("name", "project", "autoCreateSubnetworks"),
        "gcp:compute/subnetwork:Subnetwork": ("name", "network", "region", "project"),
        "gcp:serviceaccount/account:Account": ("accountId", "project"),
        "pulumi:providers:gcp": ("project", "region"),
    },
    roles={"gcp:container/cluster:Cluster": CLUSTER, "gcp:artifactregistry/repository:Repository": REGISTRY,
           "gcp:container/nodePool:NodePool": NODE_POOL},
)


def model_account_id(env: ir.Environment, model: str) -> str:
    """The id of the Google service account a model's pods act as (6..30 characters): the part before '@'."""
    return short_name(f"{model}-{env.stack}", 30)   # the model first: readable when truncated


class Gcp:
    provider = "gcp"
    fields = frozenset({"region", "project", "registry"})
    managed_registry = True
    native_schemes = frozenset({"gs"})
    output_reader_role = ("a service account this repository's workload identity pool principal may impersonate "
                          "(roles/iam.workloadIdentityUser), with roles/storage.objectViewer on each output bucket")
    registry_ignores: dict[str, str] = {}
    resources = RESOURCES
    sdk = ("pulumi", "pulumi_kubernetes", "pulumi_random", "pulumi_gcp")   # the `gcp` extra
    config_keys = frozenset({"gcp:project", "gcp:region"})           # what stack_config may set

    @staticmethod
    def model_service_account(env: ir.Environment, model: str) -> str:
        """The Google service account the pods of `model` act as (one per model; account ids: 6..30 characters)."""
        return f"{model_account_id(env, model)}@{env.target.project}.iam.gserviceaccount.com"

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
            # Each workload identity's ServiceAccount names the Google service account it acts as.
            model_service_account_annotations={
                i.service_account: (("iam.gke.io/gcp-service-account",
                                     self.model_service_account(env, i.service_account)),)
                for i in identities(env)},
            # An internal passthrough Network Load Balancer; without it GKE creates an external one
            # (https://cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing, "Create an internal
            # load balancer": `networking.gke.io/load-balancer-type: "Internal"`).
            internal_lb_annotations=(("networking.gke.io/load-balancer-type", "Internal"),),
        )

    def stack_config(self, env: ir.Environment) -> dict[str, Any]:
        return {"gcp:project": env.target.project, "gcp:region": env.target.region}

    def program(self, env: ir.Environment) -> None:
        from mlops.targets.gcp import program  # the cloud SDKs load only when a program runs

        program.run(env)

    def mocks(self) -> Mocks:
        from mlops.targets.base.mocks import Mocks
        from mlops.targets.gcp import mocks

        return Mocks(mocks.OUTPUTS, mocks.CALLS)

    def ci_credentials(self, env: ir.Environment) -> dict[str, Any]:
        return {"name": "Google Cloud credentials (workload identity federation; variables of the job's environment)",
                "uses": "google-github-actions/auth@v2",
                "with": {"workload_identity_provider": "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}",
                         "service_account": "${{ vars.GCP_SERVICE_ACCOUNT }}"}}

    def output_reader(self) -> dict[str, Any]:
        # inputs workload_identity_provider, service_account; it writes a credentials file and exports
        # CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE, which `gcloud storage` reads (create_credentials_file and
        # export_environment_variables default true): google-github-actions/auth@v3.0.0:action.yml:28,36,55,61
        # (7c6bc77, 2025-08-28). It must come after actions/checkout, which would clean the file away.
        return {"name": "Google Cloud credentials to read training outputs (workload identity federation)",
                "uses": "google-github-actions/auth@v3.0.0",
                "with": {"workload_identity_provider": "${{ vars.MLOPS_OUTPUTS_GCP_WORKLOAD_IDENTITY_PROVIDER }}",
                         "service_account": "${{ vars.MLOPS_OUTPUTS_GCP_SERVICE_ACCOUNT }}"}}

    def comparison_target(self, region: str) -> dict[str, Any]:
        return {"provider": self.provider, "region": region, "project": PLACEHOLDER_PROJECT}

    def system_pools(self, env: ir.Environment) -> tuple[ir.NodePool, ...]:
        return ()


    def node_budget(self, instance: catalog.InstanceType) -> allocatable.NodeBudget:
        # GKE's node DaemonSets (kube-proxy, fluentbit-gke, gke-metadata-server, netd...) are rendered by GKE, with
        # requests no pinned source states: not counted.
        shape = instance.vcpu, instance.memory_gib
        return allocatable.budget(instance.name, *shape, allocatable.gke(*shape), (), instance.accelerator is not None)

TARGET = Gcp()
