"""The whole GCP environment as one component: network, cluster and node pools, registry, identities, add-ons."""

from __future__ import annotations

import json

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from mlops import ir
from mlops.targets.base import addons, helm
from mlops.targets.gcp.access import NodeIdentity, Registry, WorkloadIdentity, WorkloadIdentityArgs
from mlops.targets.gcp.cluster import Cluster, ClusterArgs, Network, control_plane_firewall

# The APIs a fresh project needs before anything here can be created: Compute Engine and Kubernetes Engine
# (terraform-google-modules/terraform-google-kubernetes-engine@bb176b2 README "Enable APIs"), Artifact Registry,
# IAM (service accounts), Resource Manager (project IAM bindings) and IAM Credentials (Workload Identity's
# generateAccessToken). Container Scanning is enabled with the registry, only when it scans.
APIS = ("artifactregistry.googleapis.com", "cloudresourcemanager.googleapis.com", "compute.googleapis.com",
        "container.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com")


def enable_apis(name: str, env: ir.Environment, parent: pulumi.Resource) -> list[gcp.projects.Service]:
    """The project's APIs, through a provider of their own. They stay on when the stack goes (other stacks of the
    project may use them: pulumi_gcp projects.Service `disable_on_destroy` "should generally only be true in
    configurations that manage the organizations.Project resource itself")."""
    provider = gcp.Provider(f"{name}-gcp-apis", project=env.target.project, region=env.target.region,
                            opts=pulumi.ResourceOptions(parent=parent))
    return [gcp.projects.Service(f"{name}-api-{api.split('.')[0]}", project=env.target.project, service=api,
                                 disable_on_destroy=False,
                                 opts=pulumi.ResourceOptions(parent=parent, provider=provider))
            for api in APIS]


class Platform(pulumi.ComponentResource):
    """Everything one environment needs on GCP. Resources go to `env.target.project` / `region` through an
    explicit provider, so the ambient gcloud configuration can never redirect them."""

    registry: Registry | None

    def __init__(self, name: str, env: ir.Environment, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:gcp:Platform", name, None, opts)
        # Every resource below goes through this provider, which waits for the APIs.
        provider = gcp.Provider(f"{name}-gcp", project=env.target.project, region=env.target.region,
                                opts=pulumi.ResourceOptions(parent=self, depends_on=enable_apis(name, env, self)))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        self.network = Network(f"{name}-network", env, opts=child)
        self.registry = None if env.registry.external else Registry(f"{name}-registry", env, opts=child)
        repository = self.registry.repository if self.registry else None
        self.nodes = NodeIdentity(f"{name}-nodes", env, repository, opts=child)
        self.cluster = Cluster(f"{name}-gke", ClusterArgs(env, self.network, self.nodes.account.email), opts=child)
        self.firewall = control_plane_firewall(f"{name}-control-plane", env, self.network, self.nodes.account.email,
                                               child)
        self.identity = WorkloadIdentity(f"{name}-models", WorkloadIdentityArgs(env, self.cluster.cluster, repository),
                                         opts=child)
        cluster = self.cluster.cluster
        config: pulumi.Output[str] = pulumi.Output.all(cluster.name, cluster.endpoint, cluster.master_auth).apply(
            lambda parts: kubeconfig(parts[0], parts[1], parts[2]["cluster_ca_certificate"]))
        self.kubeconfig: pulumi.Output[str] = pulumi.Output.secret(config)
        self.k8s = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, enable_server_side_apply=True,
                                opts=pulumi.ResourceOptions(parent=self))
        # GKE installs the NVIDIA driver (gpu_driver_installation_config) and runs the device plugin itself.
        self.addons = helm.install(env, self.k8s, self, nvidia_device_plugin=False,
                                     depends_on=list(self.cluster.node_pools.values()))
        self.addons_versions = {n: addons.CHARTS[n].version for n in self.addons.releases}
        self.register_outputs({"clusterName": cluster.name})


def run(env: ir.Environment) -> None:
    platform = Platform(env.stack, env)
    pulumi.export("clusterName", platform.cluster.cluster.name)
    pulumi.export("kubeconfig", platform.kubeconfig)
    pulumi.export("registryUrl", platform.registry.url if platform.registry else env.target.registry)
    pulumi.export("modelServiceAccounts", {m: a.email for m, a in sorted(platform.identity.accounts.items())})
    pulumi.export("addons", {name: version for name, version in sorted(platform.addons_versions.items())})


def kubeconfig(name: str, endpoint: str, ca_certificate: str) -> str:
    """A kubeconfig for the cluster that authenticates with `gke-gcloud-auth-plugin` (no key in the file)."""
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "gke-gcloud-auth-plugin",
                     "installHint": "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                     "provideClusterInfo": True}}
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": name, "preferences": {},
        "clusters": [{"name": name, "cluster": {"server": f"https://{endpoint}",
                                                "certificate-authority-data": ca_certificate}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "users": [{"name": name, "user": user}],
    }, indent=2, sort_keys=True)
