"""Azure for the mocks preview: ARM-shaped ids and names for the resources the program reads outputs of, and the
cluster credentials it lists."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from mlops.targets.base.mocks import CallFn, OutputsFn

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


OUTPUTS: dict[str, OutputsFn] = {token: _outputs(token) for token in [*_ARM, "azure-native:resources:ResourceGroup", "azure-native:network:Subnet"]}
CALLS: dict[str, CallFn] = {"azure-native:containerservice:listManagedClusterUserCredentials": _credentials}
