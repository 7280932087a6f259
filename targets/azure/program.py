"""The whole Azure environment as one component: resource group, network, AKS, ACR, identities, add-ons."""

from __future__ import annotations

import base64
import json

import pulumi
import pulumi_azure_native as azure
import pulumi_kubernetes as k8s
import yaml

from mlops import ir
from mlops.targets.azure import client_id_output
from mlops.targets.azure.access import IdentityArgs, Registry, RegistryArgs, WorkloadIdentity
from mlops.targets.azure.cluster import Cluster, ClusterArgs, Network, NetworkArgs, is_gpu
from mlops.targets.base import addons, helm
from mlops.targets.base.tags import tags


def azure_tags(env: ir.Environment) -> dict[str, str]:
    """Azure tag names may not contain < > % & \\ ? / : `mlops.dev/platform` becomes `mlops.dev_platform`."""
    return {"".join("_" if c in '<>%&\\?/' else c for c in key): value for key, value in tags(env).items()}


class Platform(pulumi.ComponentResource):
    """Everything one environment needs on Azure, in the resource group `env.stack`. An explicit provider pins
    the region (and the subscription, when the target names one)."""

    registry: Registry | None

    def __init__(self, name: str, env: ir.Environment, acr_name: str,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:azure:Platform", name, None, opts)
        labels = azure_tags(env)
        provider = azure.Provider(f"{name}-azure", location=env.target.region, subscription_id=env.target.subscription,
                                  opts=pulumi.ResourceOptions(parent=self))
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        self.resource_group = azure.resources.ResourceGroup(
            f"{name}-rg", resource_group_name=env.stack, location=env.target.region, tags=labels, opts=child)
        self.network = Network(f"{name}-network", NetworkArgs(env, self.resource_group, labels), opts=child)
        self.cluster = Cluster(f"{name}-aks", ClusterArgs(env, self.resource_group, self.network, labels), opts=child)
        self.registry = None if env.registry.external else Registry(
            f"{name}-registry", RegistryArgs(env, acr_name, self.resource_group, labels), opts=child)
        self.identity = WorkloadIdentity(f"{name}-models", IdentityArgs(
            env, self.resource_group, self.cluster.cluster, self.registry.registry if self.registry else None, labels),
            opts=child)
        self.kubeconfig = self._kubeconfig(provider)
        # Everything on the cluster waits for the role that lets this run's caller manage it (Azure RBAC).
        self.k8s = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, enable_server_side_apply=True,
                                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.cluster.deployer]))
        # AKS installs the NVIDIA driver on GPU nodes but not the device plugin (unless the GPU Operator or the
        # preview "AKS-managed GPU" pools do): without it no pod can request nvidia.com/gpu.
        self.addons = helm.install(env, self.k8s, self, nvidia_device_plugin=any(is_gpu(p) for p in env.node_pools),
                                     depends_on=list(self.cluster.node_pools.values()))
        self.addons_versions = {n: addons.CHARTS[n].version for n in self.addons.releases}
        self.register_outputs({"clusterName": self.cluster.cluster.name})

    def _kubeconfig(self, provider: azure.Provider) -> pulumi.Output[str]:
        """The cluster's address and CA from its user credentials, and kubelogin for the token: local accounts are
        off, so the kubeconfig holds no key."""
        credentials = azure.containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=self.resource_group.name, resource_name=self.cluster.cluster.name,
            opts=pulumi.InvokeOutputOptions(provider=provider, parent=self))
        return pulumi.Output.secret(credentials.kubeconfigs.apply(
            lambda configs: kubelogin_config(base64.b64decode(configs[0].value).decode())))


# kubelogin with the Azure CLI's login (azure/login in CI, `az login` by hand), for the AKS Entra ID server application:
# "The AKS Microsoft Entra server application ID (server-id) ... is 6dae42f8-4368-4678-94ff-3960e28e3630 ... you must
# use --server-id with kubelogin get-token"
# (MicrosoftDocs/azure-aks-docs@fb060ab:articles/aks/kubelogin-authentication.md:343).
AKS_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"


def kubelogin_config(listed: str) -> str:
    """A kubeconfig for the listed cluster that authenticates with `kubelogin get-token --login azurecli`."""
    cluster = yaml.safe_load(listed)["clusters"][0]
    name = cluster["name"]
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "kubelogin",
                     "args": ["get-token", "--login", "azurecli", "--server-id", AKS_SERVER_ID],
                     "installHint": "Install kubelogin: az aks install-cli (or https://github.com/Azure/kubelogin)",
                     "provideClusterInfo": False}}
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": name,
        "clusters": [{"name": name, "cluster": cluster["cluster"]}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "users": [{"name": name, "user": user}],
    }, indent=2, sort_keys=True)


def run(env: ir.Environment, acr_name: str) -> None:
    platform = Platform(env.stack, env, acr_name)
    pulumi.export("clusterName", platform.cluster.cluster.name)
    pulumi.export("kubeconfig", platform.kubeconfig)
    pulumi.export("registryUrl", platform.registry.url if platform.registry else env.target.registry)
    for model, identity in sorted(platform.identity.identities.items()):
        pulumi.export(client_id_output(model), identity.client_id)
    pulumi.export("addons", {name: version for name, version in sorted(platform.addons_versions.items())})
