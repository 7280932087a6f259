"""Azure: AKS with agent pools, ACR, Azure Workload Identity."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any, Mapping

import pulumi

from mlops import ir

from mlops.targets import Hints
from mlops.targets.base import deferred
from mlops.targets.base import hints as common

SPOT_TOLERATION = (("effect", "NoSchedule"), ("key", "kubernetes.azure.com/scalesetpriority"),
                   ("operator", "Equal"), ("value", "spot"))


class Azure:
    provider = "azure"

    @staticmethod
    def acr_name(env: ir.Environment) -> str:
        """ACR names are global, 5..50 letters and digits: the stack name plus a stable suffix."""
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

    def program(self, env: ir.Environment) -> None:
        from mlops.targets.azure.access import storage_accounts   # the cloud SDKs load only when a program runs
        from mlops.targets.azure.program import Platform

        platform = Platform(env.stack, env, self.acr_name(env))
        pulumi.export("clusterName", platform.cluster.cluster.name)
        pulumi.export("kubeconfig", platform.kubeconfig)
        pulumi.export("registryUrl", platform.registry.url if platform.registry else env.target.registry)
        pulumi.export("modelsClientId", platform.identity.identity.client_id)
        pulumi.export("modelsPrincipalId", platform.identity.identity.principal_id)
        pulumi.export("artifactStorageAccounts", storage_accounts(env))
        pulumi.export("addons", {name: version for name, version in sorted(platform.addons_versions.items())})


TARGET = Azure()

# Mock outputs for the compile-time preview (see mlops.targets.aws.mocks): ARM-shaped ids and names.
MOCK_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
_ARM: dict[str, tuple[str, str]] = {   # type token -> (ARM type, input holding the name)
    "azure-native:network:PublicIPAddress": ("Microsoft.Network/publicIPAddresses", "publicIpAddressName"),
    "azure-native:network:NatGateway": ("Microsoft.Network/natGateways", "natGatewayName"),
    "azure-native:network:VirtualNetwork": ("Microsoft.Network/virtualNetworks", "virtualNetworkName"),
    "azure-native:containerservice:ManagedCluster": ("Microsoft.ContainerService/managedClusters", "resourceName"),
    "azure-native:containerregistry:Registry": ("Microsoft.ContainerRegistry/registries", "registryName"),
    "azure-native:managedidentity:UserAssignedIdentity": ("Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"),
}


def _guid(*parts: str) -> str:
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _arm(name: str, inputs: Mapping[str, Any], provider: Mapping[str, Any], token: str) -> dict[str, Any]:
    group = f"/subscriptions/{provider.get('subscriptionId') or MOCK_SUBSCRIPTION}/resourceGroups/{inputs.get('resourceGroupName')}"
    if token == "azure-native:resources:ResourceGroup":
        return {"id": group, "name": inputs.get("resourceGroupName")}
    if token == "azure-native:network:Subnet":
        vnet = f"{group}/providers/Microsoft.Network/virtualNetworks/{inputs.get('virtualNetworkName')}"
        return {"id": f"{vnet}/subnets/{inputs.get('subnetName')}", "name": inputs.get("subnetName")}
    kind, key = _ARM.get(token, ("", ""))
    if not kind:
        return {}
    physical = inputs.get(key) or name
    out: dict[str, Any] = {"id": f"{group}/providers/{kind}/{physical}", "name": physical}
    if kind.endswith("managedClusters"):
        out["oidcIssuerProfile"] = {"enabled": True, "issuerURL": f"https://westeurope.oic.prod-aks.azure.com/{_guid('tenant')}/{_guid(physical)}/"}
        out["identityProfile"] = {"kubeletidentity": {"clientId": _guid(physical, "kubelet", "client"),
                                                      "objectId": _guid(physical, "kubelet", "object"),
                                                      "resourceId": f"{group}_nodes/providers/{_ARM[token][0]}/{physical}-agentpool"}}
    elif kind.endswith("registries"):
        out["loginServer"] = f"{physical}.azurecr.io"
    elif kind.endswith("userAssignedIdentities"):
        out.update(clientId=_guid(physical, "client"), principalId=_guid(physical, "principal"), tenantId=_guid("tenant"))
    return out


def _outputs(token: str) -> Any:
    return lambda name, inputs, provider: _arm(name, inputs, provider, token)


def _credentials(args: Mapping[str, Any], provider: Mapping[str, Any]) -> dict[str, Any]:
    name = args.get("resourceName")
    config = f"apiVersion: v1\nkind: Config\nclusters: [{{name: {name}, cluster: {{server: https://{name}.hcp.mock.azmk8s.io:443}}}}]\n"
    return {"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(config.encode()).decode()}]}


MOCK_OUTPUTS = {token: _outputs(token) for token in [*_ARM, "azure-native:resources:ResourceGroup", "azure-native:network:Subnet"]}
MOCK_CALLS = {"azure-native:containerservice:listManagedClusterUserCredentials": _credentials}
