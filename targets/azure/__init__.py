"""Azure: AKS with agent pools, ACR, Azure Workload Identity."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mlops import ir
from mlops.targets import Hints
from mlops.targets.base import deferred
from mlops.targets.base import hints as common
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
                                                    "osType", "scaleSetPriority", "vnetSubnetID"),
        "azure-native:containerregistry:Registry": ("registryName", "resourceGroupName", "location"),
        "azure-native:resources:ResourceGroup": ("resourceGroupName", "location"),
        "azure-native:network:VirtualNetwork": ("virtualNetworkName", "resourceGroupName", "location"),
        "pulumi:providers:azure-native": ("location", "subscriptionId"),
    },
    roles={"azure-native:containerservice:ManagedCluster": CLUSTER, "azure-native:containerregistry:Registry": REGISTRY,
           "azure-native:containerservice:AgentPool": NODE_POOL,
           "azure-native:resources:ResourceGroup": RESOURCE_GROUP},
)

SPOT_TOLERATION = (("effect", "NoSchedule"), ("key", "kubernetes.azure.com/scalesetpriority"),
                   ("operator", "Equal"), ("value", "spot"))


class Azure:
    provider = "azure"
    fields = frozenset({"region", "subscription", "registry"})
    managed_registry = True
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
            # The identity's client id is a GUID Azure assigns at creation: filled in by the workloads stack.
            service_account_annotations=(("azure.workload.identity/client-id", deferred.token("modelsClientId")),),
            pod_labels=(("azure.workload.identity/use", "true"),),
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

    def comparison_target(self, region: str) -> dict[str, Any]:
        return {"provider": self.provider, "region": region}


TARGET = Azure()
