"""Azure: AKS with agent pools, ACR, Azure Workload Identity."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mlops import ir
from mlops.targets import Hints
from mlops.targets.base import allocatable, catalog, deferred
from mlops.targets.base import hints as common
from mlops.targets.base.identities import identities
from mlops.targets.base.resources import CLUSTER, NODE_POOL, REGISTRY, RESOURCE_GROUP, ResourceRules

if TYPE_CHECKING:
    from mlops.targets.base.mocks import Mocks

RESOURCES = ResourceRules(
    replace_on={
        # azure-native: path parameters (names, resource group, location) identify the resource.
        "azure-native:containerservice:ManagedCluster": ("resourceName", "resourceGroupName", "location", "dnsPrefix",
                                                         "networkProfile.networkPlugin", "networkProfile.podCidr",
                                                         "networkProfile.serviceCidr", "networkProfile.dnsServiceIP"),
        "azure-native:containerservice:AgentPool": ("agentPoolName", "resourceName", "resourceGroupName", "vmSize",
                                                    "osType", "osDiskSizeGB", "osDiskType", "scaleSetPriority",
                                                    "vnetSubnetID"),
        "azure-native:containerregistry:Registry": ("registryName", "resourceGroupName", "location"),
        "azure-native:resources:ResourceGroup": ("resourceGroupName", "location"),
        "azure-native:network:VirtualNetwork": ("virtualNetworkName", "resourceGroupName", "location"),
        "pulumi:providers:azure-native": ("location", "subscriptionId"),
    },
    roles={"azure-native:containerservice:ManagedCluster": CLUSTER, "azure-native:containerregistry:Registry": REGISTRY,
           "azure-native:containerservice:AgentPool": NODE_POOL,
           "azure-native:resources:ResourceGroup": RESOURCE_GROUP},
)

# AKS needs a System-mode pool for its own components (CoreDNS, metrics-server, konnectivity): at least 4 vCPU and
# 4 GiB per node, two nodes for availability (MicrosoftDocs/azure-aks-docs articles/aks/use-system-pools.md).
SYSTEM_POOL = "mlopssystem"        # not a spec pool name in practice; spec names are <= 12 [a-z0-9]
SYSTEM_VM_SIZE = "Standard_D4s_v5"
SYSTEM_NODES = (2, 3)              # autoscaled min..max

SPOT_TOLERATION = (("effect", "NoSchedule"), ("key", "kubernetes.azure.com/scalesetpriority"),
                   ("operator", "Equal"), ("value", "spot"))


def client_id_output(model: str) -> str:
    """The infra output holding the client id of `model`'s identity (a deferred token's name: letters, digits, _;
    model names have no '_', so the mapping is one to one)."""
    return "modelClientId_" + model.replace("-", "_")


# Pods must not reach the instance metadata service: "Malicious users might exploit the service to obtain ... tokens"
# (MicrosoftDocs/azure-aks-docs@fb060ab:articles/aks/imds-restriction.md:24-27). Workload Identity uses Entra ID's
# token endpoint, not IMDS (workload-identity-overview.md:58); the AKS best-practices policy excepts this address
# (operator-best-practices-cluster-security.md:80-97).
IMDS = "169.254.169.254/32"

# Max pods per node: the agent pools set none, so Azure CNI Overlay's default (cluster.py: network_plugin_mode
# "overlay"): 250 (MicrosoftDocs/azure-aks-docs@fb060ab:articles/aks/concepts-network-ip-address-planning.md:62).
MAX_PODS = 250


class Azure:
    provider = "azure"
    fields = frozenset({"region", "subscription", "registry"})
    managed_registry = True
    # See access.Registry: ACR has only per-image or per-repository locks (set through the data plane), and its scan
    # on push is Microsoft Defender for Containers, a plan of the whole subscription.
    native_schemes = frozenset({"az"})
    output_reader_role = ("an app registration or managed identity with a federated credential for this repository, "
                          "with Storage Blob Data Reader on each output container")
    registry_ignores = {
        "immutableTags": "ACR has no registry-wide immutable tags (only per-image and per-repository locks, "
                         "write-enabled=false); lock images after pushing them",
        "scanOnPush": "ACR scans on push through Microsoft Defender for Containers, a plan of the whole subscription; "
                      "enable it there",
    }
    resources = RESOURCES
    sdk = ("pulumi", "pulumi_kubernetes", "pulumi_random", "pulumi_azure_native")   # the `azure` extra
    config_keys = frozenset({"azure-native:location", "azure-native:subscriptionId"})   # what stack_config may set

    @staticmethod
    def acr_name(env: ir.Environment) -> str:
        """ACR names are global, 5..50 letters and digits: the stack name plus a stable suffix."""
        import hashlib  # here: hashlib maps OpenSSL, which validate need not pay for

        suffix = hashlib.sha256(f"{env.stack}/{env.target.region}".encode()).hexdigest()[:8]
        return re.sub(r"[^a-z0-9]", "", env.stack)[:42] + suffix

    def registry(self, env: ir.Environment) -> str:
        return f"{self.acr_name(env)}.azurecr.io/{env.platform}"

    def hints(self, env: ir.Environment) -> Hints:
        return Hints(
            registry=common.registry(env, lambda: self.registry(env)),
            # AKS taints spot pools itself but adds no toleration for them, nor for GPU taints (Azure/AKS#1449).
            pools=common.pools(env, lambda pool: {"kubernetes.azure.com/agentpool": pool.name},
                               lambda pool: (SPOT_TOLERATION,) if pool.spot else ()),
            # Each workload identity has a client id Azure assigns at creation: filled in by the workloads stack.
            model_service_account_annotations={
                i.service_account: (("azure.workload.identity/client-id",
                                     deferred.token(client_id_output(i.service_account))),)
                for i in identities(env)},
            # A private IP of the cluster's VNet instead of a public one
            # (https://learn.microsoft.com/en-us/azure/aks/internal-lb, "Create an internal load balancer").
            internal_lb_annotations=(("service.beta.kubernetes.io/azure-load-balancer-internal", "true"),),
            pod_labels=(("azure.workload.identity/use", "true"),),
            link_local_except=(IMDS,),
        )

    def stack_config(self, env: ir.Environment) -> dict[str, Any]:
        t = env.target
        return {"azure-native:location": t.region,
                **({"azure-native:subscriptionId": t.subscription} if t.subscription else {})}

    def program(self, env: ir.Environment) -> None:
        from mlops.targets.azure import program  # the cloud SDKs load only when a program runs

        program.run(env, self.acr_name(env))

    def mocks(self) -> Mocks:
        from mlops.targets.azure import mocks
        from mlops.targets.base.mocks import Mocks

        return Mocks(mocks.OUTPUTS, mocks.CALLS)

    def ci_credentials(self, env: ir.Environment) -> dict[str, Any]:
        return {"name": "Azure credentials (federated credential; variables of the job's environment)",
                "uses": "azure/login@v2",
                "with": {"client-id": "${{ vars.AZURE_CLIENT_ID }}", "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
                         "subscription-id": env.target.subscription or "${{ vars.AZURE_SUBSCRIPTION_ID }}"}}

    def output_reader(self) -> dict[str, Any]:
        # inputs client-id, tenant-id (federated: no secret), allow-no-subscriptions: the reader holds a data-plane
        # role on the container only, no subscription role, and `az login` fails without one unless this is set:
        # azure/login@v3.0.1:action.yml:8,11,25 (f5d393a, 2026-08-04).
        return {"name": "Azure credentials to read training outputs (federated credential)",
                "uses": "azure/login@v3.0.1",
                "with": {"client-id": "${{ vars.MLOPS_OUTPUTS_AZURE_CLIENT_ID }}",
                         "tenant-id": "${{ vars.MLOPS_OUTPUTS_AZURE_TENANT_ID }}", "allow-no-subscriptions": True}}

    def comparison_target(self, region: str) -> dict[str, Any]:
        return {"provider": self.provider, "region": region}

    def system_pools(self, env: ir.Environment) -> tuple[ir.NodePool, ...]:
        return (ir.NodePool(name=SYSTEM_POOL, cpu=4, memory="16Gi", memory_gib=16, accelerator=None,
                            accelerator_count=0, min=SYSTEM_NODES[0], max=SYSTEM_NODES[1], spot=False,
                            instance_type=SYSTEM_VM_SIZE, instance_accelerator=None),)


    def node_budget(self, instance: catalog.InstanceType) -> allocatable.NodeBudget:
        # AKS's node DaemonSets (azure-cns, cilium, cloud-node-manager...) are rendered by AKS with requests no
        # pinned source states: not counted.
        reserve = allocatable.aks(instance.vcpu, instance.memory_gib, MAX_PODS)
        return allocatable.budget(instance.name, instance.vcpu, instance.memory_gib, reserve, (),
                                  instance.accelerator is not None)

TARGET = Azure()
